// bench.v1.BenchService on cppgateway, answering GetUser, CreateUser, Echo and StreamTicks as the
// Go peer does (shared/peers/grpc-gateway-go/src/benchpeer/cmd/peer), so that the two are measured
// on equal work.
//
//   bench_server [address]                      the service and its gateway, in-process
//   bench_server [address] --backend=host:port  proxy mode: the gateway alone, calling the
//                                               BenchService at host:port (no local service)
//   --service=sync|callback                     GetUser and CreateUser as synchronous methods
//                                               (the default) or callback methods
//   --direct-calls                              ServerOptions::direct_calls: the gateway calls
//                                               callback methods itself
//   --grpc-idle-ms=N                            ServerOptions::grpc_max_connection_idle (default
//                                               5 min; bench/soak.sh shortens it so that idle
//                                               HTTP/2 connections are closed within its run)
//
// Prints "listening on <port>" and serves until killed.
#include <cppgateway/server.h>
#include <grpcpp/alarm.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/support/channel_arguments.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "bench/v1/bench.grpc.pb.h"
#include "bench/v1/bench.gw.h"

namespace {

// StreamTicks as the peer answers it: `count` ticks, each followed by `interval_ms` of quiet, then
// `fail_code` if it is set. The quiet is a grpc::Alarm, not a sleeping thread, so that open
// streams cost timers and memory, never threads. A client that goes away cancels the alarm.
class TicksReactor final : public grpc::ServerWriteReactor<bench::v1::Tick> {
 public:
  explicit TicksReactor(const bench::v1::TicksRequest& request) : request_(request) { Next(); }

 private:
  void Next() {
    if (sent_ >= request_.count()) {
      if (request_.fail_code() == 0) return Finish(grpc::Status::OK);
      return Finish(grpc::Status(static_cast<grpc::StatusCode>(request_.fail_code()),
                                 "stream failed after " + std::to_string(sent_) + " messages"));
    }
    tick_.set_seq(sent_);
    tick_.set_label("tick-" + std::to_string(sent_));
    tick_.set_big((int64_t{1} << 53) + sent_);
    StartWrite(&tick_);
  }

  void OnWriteDone(bool ok) override {
    if (!ok) return Finish(grpc::Status::CANCELLED);
    ++sent_;
    if (request_.interval_ms() <= 0) return Next();
    bool cancelled;
    {
      // OnCancel may run on another thread at the same time: the alarm is set or cancelled, never
      // both at once. Finish stays outside the lock: OnDone (delete this) may follow it inline.
      std::lock_guard<std::mutex> lock(mutex_);
      cancelled = cancelled_;
      if (!cancelled) {
        alarm_.Set(
            std::chrono::system_clock::now() + std::chrono::milliseconds(request_.interval_ms()),
            [this](bool fired) { fired ? Next() : Finish(grpc::Status::CANCELLED); });
      }
    }
    if (cancelled) Finish(grpc::Status::CANCELLED);
  }

  void OnCancel() override {
    std::lock_guard<std::mutex> lock(mutex_);
    cancelled_ = true;
    alarm_.Cancel();  // a pending alarm fires at once with fired == false
  }

  void OnDone() override { delete this; }

  const bench::v1::TicksRequest request_;
  bench::v1::Tick tick_;
  int32_t sent_ = 0;
  std::mutex mutex_;
  bool cancelled_ = false;
  grpc::Alarm alarm_;
};

// GetUser and CreateUser as the peer answers them.
grpc::Status AnswerGetUser(const bench::v1::GetUserRequest& request, bench::v1::User* response) {
  const std::string& id = request.user().id();
  if (id == "missing") return grpc::Status(grpc::StatusCode::NOT_FOUND, "user not found");
  response->set_id(id);
  response->set_display_name(request.user().display_name().empty() ? "user-" + id
                                                                   : request.user().display_name());
  response->set_age(42);
  response->set_favorite_color(bench::v1::COLOR_BLUE);
  response->add_tags("a");
  response->add_tags("b");
  if (!request.org().empty()) response->add_tags("org:" + request.org());
  return grpc::Status::OK;
}

grpc::Status AnswerCreateUser(const bench::v1::CreateUserRequest& request,
                              bench::v1::User* response) {
  if (!request.has_user()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "user is required");
  }
  *response = request.user();
  if (response->id().empty()) response->set_id("u-" + request.request_id());
  return grpc::Status::OK;
}

// The unary methods synchronous (gRPC runs them on its thread pool); StreamTicks a callback method.
class SyncBenchService final : public bench::v1::BenchService::WithCallbackMethod_StreamTicks<
                                   bench::v1::BenchService::Service> {
 public:
  grpc::Status GetUser(grpc::ServerContext*, const bench::v1::GetUserRequest* request,
                       bench::v1::User* response) override {
    return AnswerGetUser(*request, response);
  }
  grpc::Status CreateUser(grpc::ServerContext*, const bench::v1::CreateUserRequest* request,
                          bench::v1::User* response) override {
    return AnswerCreateUser(*request, response);
  }
  grpc::Status Echo(grpc::ServerContext*, const bench::v1::Everything* request,
                    bench::v1::Everything* response) override {
    *response = *request;
    return grpc::Status::OK;
  }
  grpc::ServerWriteReactor<bench::v1::Tick>* StreamTicks(
      grpc::CallbackServerContext*, const bench::v1::TicksRequest* request) override {
    return new TicksReactor(*request);
  }
};

// Every method a callback method: with --direct-calls the gateway calls the unary ones itself.
class CallbackBenchService final : public bench::v1::BenchService::CallbackService {
 public:
  grpc::ServerUnaryReactor* GetUser(grpc::CallbackServerContext* context,
                                    const bench::v1::GetUserRequest* request,
                                    bench::v1::User* response) override {
    return Finished(context, AnswerGetUser(*request, response));
  }
  grpc::ServerUnaryReactor* CreateUser(grpc::CallbackServerContext* context,
                                       const bench::v1::CreateUserRequest* request,
                                       bench::v1::User* response) override {
    return Finished(context, AnswerCreateUser(*request, response));
  }
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context,
                                 const bench::v1::Everything* request,
                                 bench::v1::Everything* response) override {
    *response = *request;
    return Finished(context, grpc::Status::OK);
  }
  grpc::ServerWriteReactor<bench::v1::Tick>* StreamTicks(
      grpc::CallbackServerContext*, const bench::v1::TicksRequest* request) override {
    return new TicksReactor(*request);
  }

 private:
  // The reactor of a method whose answer is ready at once.
  static grpc::ServerUnaryReactor* Finished(grpc::CallbackServerContext* context,
                                            grpc::Status status) {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(std::move(status));
    return reactor;
  }
};

// The service of the --service flag.
std::unique_ptr<grpc::Service> MakeService(const std::string& kind) {
  if (kind == "callback") return std::make_unique<CallbackBenchService>();
  return std::make_unique<SyncBenchService>();
}

}  // namespace

int main(int argc, char** argv) {
  std::string address = "127.0.0.1:0";
  std::string backend;
  std::string plain_grpc;
  std::string service_kind = "sync";
  cppgateway::ServerOptions options;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--backend=", 10) == 0) {
      backend = argv[i] + 10;
    } else if (std::strncmp(argv[i], "--plain-grpc=", 13) == 0) {
      plain_grpc = argv[i] + 13;
    } else if (std::strncmp(argv[i], "--service=", 10) == 0 &&
               (std::strcmp(argv[i] + 10, "sync") == 0 ||
                std::strcmp(argv[i] + 10, "callback") == 0)) {
      service_kind = argv[i] + 10;
    } else if (std::strcmp(argv[i], "--direct-calls") == 0) {
      options.direct_calls = true;
    } else if (std::strncmp(argv[i], "--event-loops=", 14) == 0) {
      options.event_loops = std::atoi(argv[i] + 14);
    } else if (std::strncmp(argv[i], "--grpc-idle-ms=", 15) == 0) {
      options.grpc_max_connection_idle = std::chrono::milliseconds(std::atol(argv[i] + 15));
    } else if (argv[i][0] != '-') {
      address = argv[i];
    } else {
      std::fprintf(stderr,
                   "usage: bench_server [address] [--backend=host:port] [--grpc-idle-ms=N] "
                   "[--plain-grpc=host:port] [--service=sync|callback] [--direct-calls] "
                   "[--event-loops=N]\n");
      return 2;
    }
  }

  std::unique_ptr<grpc::Service> service = MakeService(service_kind);
  cppgateway::Server server(options);
  if (backend.empty()) {
    server.AddService(service.get());
    server.AddGateway(&bench::v1::RegisterBenchServiceHandlers);
  } else {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);  // loopback: never through an http_proxy
    server.AddGateway(&bench::v1::RegisterBenchServiceHandlers,
                      grpc::CreateCustomChannel(backend, grpc::InsecureChannelCredentials(), args));
  }
  // The raw HTTP/1.1 ceiling: the same answer as GET /v1/users/42, a fixed body with no transcoding
  // and no call. bench/run.sh measures the gateway's own work against it.
  server.HandlePath("GET", "/raw/users/42",
                    cppgateway::ServeContent("application/json",
                                             R"({"id":"42","displayName":"user-42","age":"42",)"
                                             R"("favoriteColor":"COLOR_BLUE","tags":["a","b"]})"));
  try {
    std::printf("listening on %d\n", server.Start(address));
    std::fflush(stdout);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_server: %s\n", e.what());
    return 1;
  }
  // The same service on a plain grpc::Server port of its own, the yardstick of bench/grpc_port.sh:
  // what gRPC costs once the shared port has handed a connection over.
  std::unique_ptr<grpc::Service> plain_service = MakeService(service_kind);  // one server each
  std::unique_ptr<grpc::Server> plain;
  if (!plain_grpc.empty()) {
    int plain_port = 0;
    grpc::ServerBuilder builder;
    builder.AddListeningPort(plain_grpc, grpc::InsecureServerCredentials(), &plain_port);
    builder.RegisterService(plain_service.get());
    plain = builder.BuildAndStart();
    if (!plain || plain_port == 0) {
      std::fprintf(stderr, "bench_server: no plain gRPC port at %s\n", plain_grpc.c_str());
      return 1;
    }
    std::printf("plain grpc listening on %d\n", plain_port);
    std::fflush(stdout);
  }
  server.Wait();  // until the bench script kills it
  return 0;
}
