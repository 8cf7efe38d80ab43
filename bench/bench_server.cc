// bench.v1.BenchService on cppgateway, answering GetUser and CreateUser exactly as the Go peer does
// (shared/peers/grpc-gateway-go/src/benchpeer/cmd/peer), so that the two are measured on equal
// work.
//
//   bench_server [address]    prints "listening on <port>" and serves until killed.
#include <cppgateway/server.h>

#include <cstdio>
#include <exception>
#include <string>

#include "bench/v1/bench.grpc.pb.h"
#include "bench/v1/bench.gw.h"

namespace {

class BenchService final : public bench::v1::BenchService::Service {
 public:
  grpc::Status GetUser(grpc::ServerContext*, const bench::v1::GetUserRequest* request,
                       bench::v1::User* response) override {
    const std::string& id = request->user().id();
    if (id == "missing") return grpc::Status(grpc::StatusCode::NOT_FOUND, "user not found");
    response->set_id(id);
    response->set_display_name(
        request->user().display_name().empty() ? "user-" + id : request->user().display_name());
    response->set_age(42);
    response->set_favorite_color(bench::v1::COLOR_BLUE);
    response->add_tags("a");
    response->add_tags("b");
    if (!request->org().empty()) response->add_tags("org:" + request->org());
    return grpc::Status::OK;
  }

  grpc::Status CreateUser(grpc::ServerContext*, const bench::v1::CreateUserRequest* request,
                          bench::v1::User* response) override {
    if (!request->has_user()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "user is required");
    }
    *response = request->user();
    if (response->id().empty()) response->set_id("u-" + request->request_id());
    return grpc::Status::OK;
  }
};

}  // namespace

int main(int argc, char** argv) {
  BenchService service;
  cppgateway::Server server;
  server.AddService(&service);
  server.AddGateway(&bench::v1::RegisterBenchServiceHandlers);
  try {
    std::printf("listening on %d\n", server.Start(argc > 1 ? argv[1] : "127.0.0.1:0"));
    std::fflush(stdout);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_server: %s\n", e.what());
    return 1;
  }
  server.Wait();  // until bench/run.sh kills it
  return 0;
}
