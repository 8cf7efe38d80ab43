#include "transport/mux.h"

#include <fcntl.h>
#include <grpcpp/server.h>
#include <grpcpp/server_posix.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "transport/protocol_sniffer.h"

namespace cppgateway {
namespace {

// How long to wait before accepting again when the process is out of file descriptors: the
// pending connections stay in the listen queue meanwhile.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

}  // namespace

// The listening socket: accepts on readiness, and again after a pause when out of descriptors.
class Mux::Listener final : public EventLoop::Watcher, public EventLoop::Timer {
 public:
  explicit Listener(Mux& mux) : mux_(mux) {}
  void OnReady(uint32_t) override { mux_.AcceptAll(); }
  void OnTimer() override { mux_.AcceptAll(); }

 private:
  Mux& mux_;
};

// A connection that has not sent enough to be told apart.
class Mux::Undecided final : public EventLoop::Watcher, public EventLoop::Timer {
 public:
  Undecided(Mux& mux, int socket) : fd(socket), mux_(mux) {}
  ~Undecided() override {
    if (fd >= 0) ::close(fd);
  }
  void OnReady(uint32_t events) override { mux_.Decide(this, events); }
  void OnTimer() override { mux_.Forget(this); }

  int fd;  // -1 once handed on

 private:
  Mux& mux_;
};

// A duplicate of a gRPC connection's socket, watched for its end: gRPC owns the connection and
// says nothing when it closes it, but it shuts the socket down, and the peer's close shows too.
class Mux::GrpcWatch final : public EventLoop::Watcher {
 public:
  GrpcWatch(Mux& mux, int socket) : fd(socket), mux_(mux) {}
  ~GrpcWatch() override { ::close(fd); }
  void OnReady(uint32_t) override { mux_.ForgetGrpc(this); }

  const int fd;

 private:
  Mux& mux_;
};

// An event loop and the HTTP/1.1 connections it serves.
class Mux::Worker final : public Http1Connection::Owner {
 public:
  explicit Worker(Mux& mux) : mux_(mux) {}

  // Loop thread: serves `socket` from now on.
  void Serve(PendingSocket& socket);
  // Loop thread: closes the idle connections, and the others after their answer.
  void Drain();
  // Once the loop has ended.
  void CloseAll();

  // Http1Connection::Owner, on this loop's thread.
  void OnExchangeBegin() override { mux_.OnExchangeBegin(); }
  void OnExchangeEnd() override { mux_.OnExchangeEnd(); }
  void OnClosed(Http1Connection* connection) override;

  EventLoop loop;

 private:
  Mux& mux_;
  bool draining_ = false;
  std::unordered_map<Http1Connection*, std::shared_ptr<Http1Connection>> http1_;
};

// A socket on its way to a worker's loop: closed, and uncounted, if that loop stops before it
// takes the socket.
struct Mux::PendingSocket {
  PendingSocket(Mux& owner, int socket) : mux(owner), fd(socket) {}
  ~PendingSocket() {
    if (fd < 0) return;
    ::close(fd);
    --mux.http1_count_;
  }
  Mux& mux;
  int fd;
};

void Mux::Worker::Serve(PendingSocket& socket) {
  auto connection =
      std::make_shared<Http1Connection>(socket.fd, loop, mux_.gateway_, mux_.options_, *this);
  socket.fd = -1;  // the connection owns it now
  http1_.emplace(connection.get(), connection);
  connection->Start();
  if (draining_) connection->Drain();
}

void Mux::Worker::Drain() {
  draining_ = true;
  std::vector<std::shared_ptr<Http1Connection>> connections;
  for (auto& [key, connection] : http1_) connections.push_back(connection);
  for (auto& connection : connections) connection->Drain();
}

void Mux::Worker::CloseAll() {
  auto connections = std::move(http1_);
  http1_.clear();
  for (auto& [key, connection] : connections) connection->Close();
}

void Mux::Worker::OnClosed(Http1Connection* connection) {
  auto found = http1_.find(connection);
  if (found == http1_.end()) return;
  // Destroyed after the current event: the loop may still be inside the connection's call.
  std::shared_ptr<Http1Connection> doomed = std::move(found->second);
  http1_.erase(found);
  --mux_.http1_count_;
  loop.Post([doomed] {});
}

namespace {

// One loop per core unless the options say how many.
std::size_t LoopCount(int option) {
  if (option > 0) return static_cast<std::size_t>(option);
  return std::max(1u, std::thread::hardware_concurrency());
}

// The default caps: shares of the open-file limit, so that neither kind can take every
// descriptor (a gRPC connection takes two: its socket and the watch).
std::size_t ConnectionCap(int option, double share) {
  if (option > 0) return static_cast<std::size_t>(option);
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  return std::max<std::size_t>(
      16, static_cast<std::size_t>(static_cast<double>(limit.rlim_cur) * share));
}

}  // namespace

Mux::Mux(int listen_fd, grpc::Server* grpc_server, const Gateway& gateway,
         const ServerOptions& options)
    : options_(options),
      gateway_(gateway),
      grpc_server_(grpc_server),
      listen_fd_(listen_fd),
      workers_([this, &options] {
        std::vector<std::unique_ptr<Worker>> workers;
        for (std::size_t i = LoopCount(options.event_loops); i > 0; --i) {
          workers.push_back(std::make_unique<Worker>(*this));
        }
        return workers;
      }()),
      loop_(workers_.front()->loop),
      listener_(std::make_unique<Listener>(*this)),
      max_http1_(ConnectionCap(options.max_http1_connections, 0.5)),
      max_grpc_(ConnectionCap(options.max_grpc_connections, 0.1)) {}

Mux::~Mux() { Stop(); }

void Mux::Start() {
  started_ = true;
  for (auto& worker : workers_) worker->loop.Start();
  loop_.Post([this] {
    if (!loop_.Add(listen_fd_, EPOLLIN, listener_.get())) return;
    AcceptAll();  // connections that queued before the loop listened
  });
}

bool Mux::Drain(Clock::time_point deadline) {
  if (!started_ || stopped_) return true;
  std::size_t drained = 0;  // workers that have drained for this call; guarded by mutex_
  loop_.Post([this, &drained] {
    StopAccepting();
    std::vector<Undecided*> undecided;
    for (auto& [key, connection] : undecided_) undecided.push_back(key);
    for (Undecided* connection : undecided) Forget(connection);
    // Posted after every hand-off this loop made: each worker drains what it was handed.
    for (auto& worker : workers_) {
      worker->loop.Post([this, &worker = *worker, &drained] {
        worker.Drain();
        {
          std::lock_guard<std::mutex> lock(mutex_);
          ++drained;
        }
        changed_.notify_all();
      });
    }
  });
  std::unique_lock<std::mutex> lock(mutex_);
  // The loops answer at once; only the requests in flight are worth a deadline.
  changed_.wait(lock, [&] { return drained == workers_.size(); });
  return changed_.wait_until(lock, deadline, [this] { return exchanges_in_flight_ == 0; });
}

void Mux::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (started_) {
    for (auto& worker : workers_) worker->loop.Stop();
  }
  // The loops have ended: what is left is ours to close, on this thread.
  for (auto& worker : workers_) worker->CloseAll();
  undecided_.clear();
  grpc_.clear();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
}

void Mux::AcceptAll() {
  if (listen_fd_ < 0) return;
  for (;;) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      // A connection that failed before we took it, or a signal: take the next one.
      if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO || errno == ENETDOWN ||
          errno == ENOPROTOOPT || errno == EHOSTDOWN || errno == ENONET || errno == EHOSTUNREACH ||
          errno == ENETUNREACH) {
        continue;
      }
      // Out of file descriptors or memory: the edge has passed, so come back on a timer.
      loop_.SetTimer(listener_.get(), Clock::now() + kAcceptRetryDelay);
      return;
    }
    if (undecided_.size() >= max_http1_) {
      ::close(fd);  // silent connections are bounded too (and by first_bytes_timeout)
      continue;
    }
    // Without it a keep-alive client gets about 300 requests/s (Nagle against delayed ACKs).
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

    auto connection = std::make_unique<Undecided>(*this, fd);
    // Bytes that arrived before this call are reported too: no need to peek now.
    if (!loop_.Add(fd, EPOLLIN | EPOLLRDHUP, connection.get())) continue;  // closes it
    loop_.SetTimer(connection.get(), Clock::now() + options_.first_bytes_timeout);
    Undecided* key = connection.get();
    undecided_.emplace(key, std::move(connection));
  }
}

void Mux::Decide(Undecided* connection, uint32_t events) {
  char bytes[kHttp2Preface.size()];
  ssize_t count;
  do {
    count = ::recv(connection->fd, bytes, sizeof(bytes), MSG_PEEK);
  } while (count < 0 && errno == EINTR);
  bool peer_gone = (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
  if (count == 0 || (count < 0 && (errno != EAGAIN || peer_gone))) {
    Forget(connection);
    return;
  }
  if (count < 0) return;

  const SniffedProtocol protocol =
      SniffProtocol(std::string_view(bytes, static_cast<std::size_t>(count)));
  if (protocol == SniffedProtocol::kHttp1) {
    // Not HTTP/2: HTTP/1.1. The connection registers anew and reads what is there.
    if (http1_count_ >= max_http1_) {
      Forget(connection);  // past the cap: closed at once, gRPC keeps its service
      return;
    }
    int fd = connection->fd;
    loop_.Remove(fd);
    connection->fd = -1;
    Forget(connection);
    HandToHttp1(fd);
    return;
  }
  if (protocol == SniffedProtocol::kHttp2) {
    // The whole preface: gRPC takes the socket, and answers with its SETTINGS at once. Nothing
    // after the preface is awaited (that is what hangs clients behind cmux).
    int fd = connection->fd;
    loop_.Remove(fd);
    connection->fd = -1;
    Forget(connection);
    HandToGrpc(fd);
    return;
  }
  // A prefix of the preface: the next edge comes with more bytes. If the peer has stopped
  // sending, none will come.
  if (peer_gone) Forget(connection);
}

void Mux::Forget(Undecided* connection) {
  loop_.CancelTimer(connection);
  if (connection->fd >= 0) loop_.Remove(connection->fd);
  // Not destroyed inside its own OnReady: the loop may still hold its pointer for this batch.
  auto found = undecided_.find(connection);
  if (found == undecided_.end()) return;
  std::shared_ptr<Undecided> doomed(std::move(found->second));
  undecided_.erase(found);
  if (doomed->fd >= 0) {
    ::close(doomed->fd);  // closed now: the descriptor is free for the next accept
    doomed->fd = -1;
  }
  loop_.Post([doomed] {});
}

void Mux::HandToHttp1(int fd) {
  ++http1_count_;
  auto socket = std::make_shared<PendingSocket>(*this, fd);
  Worker& worker = *workers_[next_worker_++ % workers_.size()];
  if (&worker.loop == &loop_) {
    worker.Serve(*socket);
    return;
  }
  // Registered with the worker's epoll, the socket reports the bytes that are already there.
  worker.loop.Post([&worker, socket] { worker.Serve(*socket); });
}

void Mux::HandToGrpc(int fd) {
  if (grpc_.size() >= max_grpc_) {
    ::close(fd);  // past the cap: closed at once, HTTP/1.1 keeps its service
    return;
  }
  int watched = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (watched >= 0) {
    auto watch = std::make_unique<GrpcWatch>(*this, watched);
    // Only the end is of interest (hang-ups are always reported): gRPC reads the bytes.
    if (loop_.Add(watched, EPOLLRDHUP, watch.get())) {
      GrpcWatch* key = watch.get();
      grpc_.emplace(key, std::move(watch));
    }
  }
  grpc::AddInsecureChannelFromFd(grpc_server_, fd);
}

void Mux::ForgetGrpc(GrpcWatch* watch) {
  loop_.Remove(watch->fd);
  auto found = grpc_.find(watch);
  if (found == grpc_.end()) return;
  // Not destroyed inside its own OnReady.
  std::shared_ptr<GrpcWatch> doomed(std::move(found->second));
  grpc_.erase(found);
  loop_.Post([doomed] {});
}

void Mux::CloseGrpcConnections() {
  if (!started_ || stopped_) return;
  std::mutex done_mutex;
  std::condition_variable done_changed;
  bool done = false;
  loop_.Post([&] {
    for (auto& [key, watch] : grpc_) ::shutdown(watch->fd, SHUT_RDWR);
    std::lock_guard<std::mutex> lock(done_mutex);
    done = true;
    done_changed.notify_all();
  });
  std::unique_lock<std::mutex> lock(done_mutex);
  done_changed.wait(lock, [&] { return done; });
}

void Mux::StopAccepting() {
  loop_.CancelTimer(listener_.get());
  if (listen_fd_ >= 0) {
    loop_.Remove(listen_fd_);
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
}

void Mux::OnExchangeBegin() {
  std::lock_guard<std::mutex> lock(mutex_);
  ++exchanges_in_flight_;
}

void Mux::OnExchangeEnd() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    --exchanges_in_flight_;
  }
  changed_.notify_all();
}

}  // namespace cppgateway
