#include "cppgateway/server.h"

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/support/channel_arguments.h>
#include <grpcpp/support/server_interceptor.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <utility>
#include <vector>

#include "transport/mux.h"

namespace cppgateway {
namespace {

// How long shutdown waits, once every call has ended, for their last answers to be written.
constexpr std::chrono::milliseconds kFlushGrace{1000};

// See ServerOptions::return_large_blocks. A fixed M_MMAP_THRESHOLD also turns off glibc's
// raising of it, which is what kept the blocks of a refused 4 MiB body in the heap.
void ReturnLargeBlocksToTheSystem() {
#if defined(__GLIBC__)
  constexpr int kLargeBlockBytes = 128 * 1024;
  mallopt(M_MMAP_THRESHOLD, kLargeBlockBytes);
#endif
}

std::runtime_error StartError(const std::string& address, const std::string& reason) {
  return std::runtime_error("cppgateway::Server::Start(\"" + address + "\"): " + reason);
}

// Splits "host:port" or "[ipv6]:port". Throws naming what is missing or malformed.
void SplitHostPort(const std::string& address, std::string* host, std::string* port) {
  std::size_t colon;
  if (!address.empty() && address.front() == '[') {
    std::size_t bracket = address.find(']');
    if (bracket == std::string::npos) throw StartError(address, "missing ']' after IPv6 host");
    *host = address.substr(1, bracket - 1);
    colon = bracket + 1;
    if (colon >= address.size() || address[colon] != ':') {
      throw StartError(address, "missing port (expected host:port)");
    }
  } else {
    colon = address.rfind(':');
    if (colon == std::string::npos) throw StartError(address, "missing port (expected host:port)");
    *host = address.substr(0, colon);
    if (host->find(':') != std::string::npos) {
      throw StartError(address, "an IPv6 host must be written in brackets: [host]:port");
    }
  }
  *port = address.substr(colon + 1);
  if (host->empty()) throw StartError(address, "missing host (expected host:port)");
  bool digits = !port->empty() && port->size() <= 5;
  for (char c : *port) digits = digits && std::isdigit(static_cast<unsigned char>(c));
  if (!digits || std::stoi(*port) > 65535) {
    throw StartError(address, "port must be a number from 0 to 65535, not \"" + *port + "\"");
  }
}

// Creates the shared port's socket: listening, non-blocking, SO_REUSEADDR. Returns the fd and
// sets `*bound_port`.
int Listen(const std::string& address, int backlog, int* bound_port) {
  std::string host, port;
  SplitHostPort(address, &host, &port);

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  int resolved = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found);
  if (resolved != 0) {
    throw StartError(
        address, "not an address: cannot resolve \"" + host + "\": " + ::gai_strerror(resolved));
  }

  // "localhost" may name ::1 and 127.0.0.1: the first that binds is served.
  int error = 0;
  int fd = -1;
  for (addrinfo* candidate = found; candidate != nullptr && fd < 0;
       candidate = candidate->ai_next) {
    fd = ::socket(candidate->ai_family, candidate->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                  candidate->ai_protocol);
    if (fd < 0) {
      error = errno;
      continue;
    }
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(fd, candidate->ai_addr, candidate->ai_addrlen) != 0 || ::listen(fd, backlog) != 0) {
      error = errno;
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  if (fd < 0) {
    std::string reason = std::strerror(error);
    if (error == EADDRINUSE) reason = "address already in use";
    if (error == EACCES) reason = "permission denied (ports below 1024 need privileges)";
    if (error == EADDRNOTAVAIL) reason = "address not available on this host";
    throw StartError(address, reason);
  }

  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
  *bound_port = bound.ss_family == AF_INET6
                    ? ntohs(reinterpret_cast<const sockaddr_in6&>(bound).sin6_port)
                    : ntohs(reinterpret_cast<const sockaddr_in&>(bound).sin_port);
  return fd;
}

// Counts the gRPC calls in flight on the server (REST calls in-process among them): an
// interceptor lives exactly as long as its call.
class CallCounter {
 public:
  void Started() {
    std::lock_guard<std::mutex> lock(mutex_);
    ++calls_;
  }
  void Ended() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (--calls_ == 0) none_.notify_all();
  }
  // Waits until no call is in flight, or `deadline`; returns whether none is.
  bool WaitForNone(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mutex_);
    return none_.wait_until(lock, deadline, [this] { return calls_ == 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable none_;
  int calls_ = 0;
};

class CountingInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit CountingInterceptor(CallCounter& counter) : counter_(counter) { counter_.Started(); }
  ~CountingInterceptor() override { counter_.Ended(); }
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    methods->Proceed();
  }

 private:
  CallCounter& counter_;
};

class CountingInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CountingInterceptorFactory(CallCounter& counter) : counter_(counter) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo*) override {
    return new CountingInterceptor(counter_);
  }

 private:
  CallCounter& counter_;
};

// The channel arguments of ServerOptions.
void AddConnectionArguments(const ServerOptions& options, grpc::ServerBuilder* builder) {
  auto milliseconds = [](std::chrono::milliseconds duration) {
    return static_cast<int>(std::min<long long>(duration.count(), INT32_MAX));
  };
  if (options.grpc_max_connection_idle.count() > 0) {
    builder->AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS,
                                milliseconds(options.grpc_max_connection_idle));
  }
  if (options.grpc_max_connection_age.count() > 0) {
    builder->AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                                milliseconds(options.grpc_max_connection_age));
    builder->AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                                milliseconds(options.grpc_max_connection_age_grace));
  }
}

}  // namespace

struct Server::Impl {
  enum class State { kNew, kRunning, kStopping, kStopped };

  // A gateway to build at Start; no channel means the in-process one.
  struct GatewayEntry {
    GatewayRegistrar registrar;
    std::shared_ptr<grpc::ChannelInterface> channel;
  };

  explicit Impl(ServerOptions server_options) : options(std::move(server_options)) {}

  const ServerOptions options;
  std::vector<grpc::Service*> services;
  std::vector<GatewayEntry> gateways;
  // Answers every method with UNIMPLEMENTED when no service is added (a proxy-only server): gRPC
  // builds no server without a method to serve.
  grpc::CallbackGenericService no_services;
  CallCounter calls;

  std::mutex mutex;
  std::condition_variable state_changed;
  State state = State::kNew;

  // Declared in the order they are built; destroyed the other way round.
  std::unique_ptr<grpc::Server> grpc_server;
  std::unique_ptr<Gateway> gateway;
  std::unique_ptr<Mux> mux;
};

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Server::~Server() { Shutdown(); }

void Server::AddService(grpc::Service* service) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  if (impl_->state != Impl::State::kNew) {
    throw std::logic_error("cppgateway::Server::AddService must be called before Start");
  }
  impl_->services.push_back(service);
}

void Server::AddGateway(GatewayRegistrar registrar) { AddGateway(std::move(registrar), nullptr); }

void Server::AddGateway(GatewayRegistrar registrar,
                        std::shared_ptr<grpc::ChannelInterface> channel) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  if (impl_->state != Impl::State::kNew) {
    throw std::logic_error("cppgateway::Server::AddGateway must be called before Start");
  }
  impl_->gateways.push_back({std::move(registrar), std::move(channel)});
}

void Server::HandlePath(std::string method, std::string path_template,
                        Gateway::PathHandler handler) {
  AddGateway(
      [method = std::move(method), path_template = std::move(path_template),
       handler = std::move(handler)](Gateway& gateway, std::shared_ptr<grpc::ChannelInterface>) {
        gateway.HandlePath(method, path_template, handler);
      });
}

void Server::HandlePathStreaming(std::string method, std::string path_template,
                                 Gateway::StreamingPathHandler handler) {
  AddGateway(
      [method = std::move(method), path_template = std::move(path_template),
       handler = std::move(handler)](Gateway& gateway, std::shared_ptr<grpc::ChannelInterface>) {
        gateway.HandlePathStreaming(method, path_template, handler);
      });
}

int Server::Start(const std::string& address) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  if (impl_->state != Impl::State::kNew) {
    throw StartError(address, impl_->state == Impl::State::kRunning ? "already started"
                                                                    : "the server was shut down");
  }
  if (impl_->options.return_large_blocks) ReturnLargeBlocksToTheSystem();
  int port = 0;
  int listen_fd = Listen(address, impl_->options.listen_backlog, &port);

  // gRPC gets its connections from the mux, so it listens on no port of its own.
  grpc::ServerBuilder builder;
  for (grpc::Service* service : impl_->services) builder.RegisterService(service);
  if (impl_->services.empty()) builder.RegisterCallbackGenericService(&impl_->no_services);
  AddConnectionArguments(impl_->options, &builder);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> counting;
  counting.push_back(std::make_unique<CountingInterceptorFactory>(impl_->calls));
  builder.experimental().SetInterceptorCreators(std::move(counting));
  std::unique_ptr<grpc::Server> grpc_server = builder.BuildAndStart();
  if (!grpc_server) {
    ::close(listen_fd);
    throw StartError(address, "the gRPC server did not start (is a service added twice?)");
  }

  auto gateway = std::make_unique<Gateway>(impl_->options);
  try {
    std::shared_ptr<grpc::ChannelInterface> in_process;
    for (Impl::GatewayEntry& entry : impl_->gateways) {
      std::shared_ptr<grpc::ChannelInterface> channel = entry.channel;
      if (!channel) {
        if (!in_process) {
          in_process = grpc_server->InProcessChannel(grpc::ChannelArguments());
          if (impl_->options.direct_calls) {
            gateway->SetInProcessServices(in_process.get(), impl_->services);
          }
        }
        channel = in_process;
      }
      entry.registrar(*gateway, channel);
    }
  } catch (...) {
    ::close(listen_fd);
    gateway.reset();
    grpc_server->Shutdown();
    throw;
  }

  auto mux = std::make_unique<Mux>(listen_fd, grpc_server.get(), *gateway, impl_->options);
  mux->Start();
  impl_->grpc_server = std::move(grpc_server);
  impl_->gateway = std::move(gateway);
  impl_->mux = std::move(mux);
  impl_->state = Impl::State::kRunning;
  return port;
}

void Server::Wait() {
  std::unique_lock<std::mutex> lock(impl_->mutex);
  impl_->state_changed.wait(lock, [this] { return impl_->state == Impl::State::kStopped; });
}

void Server::Shutdown() {
  std::unique_lock<std::mutex> lock(impl_->mutex);
  switch (impl_->state) {
    case Impl::State::kNew:
      impl_->state = Impl::State::kStopped;
      impl_->state_changed.notify_all();
      return;
    case Impl::State::kStopping:
      impl_->state_changed.wait(lock, [this] { return impl_->state == Impl::State::kStopped; });
      return;
    case Impl::State::kStopped:
      return;
    case Impl::State::kRunning:
      break;
  }
  impl_->state = Impl::State::kStopping;
  lock.unlock();

  // REST requests and streams in flight call the gRPC server: they finish first, while it still
  // serves. New requests are refused meanwhile.
  auto grace = impl_->options.shutdown_grace;
  auto steady_deadline = std::chrono::steady_clock::now() + grace;
  if (!impl_->mux->Drain(steady_deadline)) {
    // The grace is over. REST calls still open are cancelled: a remote target in proxy mode may
    // never answer, and grpc's Shutdown below reaches only its own calls.
    impl_->gateway->CancelCalls();
  }
  // Then gRPC calls get what is left of the grace; after that they are cancelled, and REST
  // requests still waiting on them are answered with the cancellation. Once no call is in
  // flight, the gRPC connections are closed: gRPC's shutdown would wait for their clients to
  // close them, which an idle client never does. (A call begun in that instant is cut off, as
  // at the end of the grace.)
  if (impl_->calls.WaitForNone(steady_deadline)) impl_->mux->CloseGrpcConnections();
  auto left = std::max(std::chrono::steady_clock::duration::zero(),
                       steady_deadline - std::chrono::steady_clock::now());
  impl_->grpc_server->Shutdown(std::chrono::system_clock::now() + left);
  // Every call's last callback has run before the connections and routes they use go away; the
  // answers they ended with get a moment to be written.
  impl_->gateway->CancelCalls();
  impl_->gateway->WaitForCalls();
  impl_->mux->Drain(std::chrono::steady_clock::now() + kFlushGrace);
  impl_->mux->Stop();

  lock.lock();
  impl_->state = Impl::State::kStopped;
  impl_->state_changed.notify_all();
}

grpc::Server* Server::grpc_server() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->grpc_server.get();
}

}  // namespace cppgateway
