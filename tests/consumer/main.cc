// Serves Greeter over gRPC and REST on one port, then calls it both ways. Exits 0 only when both
// answers are right.
#include <cppgateway/server.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include <chrono>
#include <exception>
#include <iostream>
#include <memory>
#include <string>

#include "greeter/v1/greeter.grpc.pb.h"
#include "greeter/v1/greeter.gw.h"

namespace {

class GreeterService final : public greeter::v1::Greeter::Service {
  grpc::Status SayHello(grpc::ServerContext* /*context*/, const greeter::v1::HelloRequest* request,
                        greeter::v1::HelloReply* reply) override {
    reply->set_message("Hello, " + request->name() + "!");
    return grpc::Status::OK;
  }
};

// GET /v1/hello/rest through the gateway; true when it answers with the greeting and 202, the
// method's (cppgateway.success_code).
bool CheckRest(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(10);
  client.set_read_timeout(10);
  httplib::Result result = client.Get("/v1/hello/rest");
  if (!result) {
    std::cout << "REST: no answer (" << httplib::to_string(result.error()) << ")\n";
    return false;
  }
  std::cout << "REST: " << result->status << " " << result->body << "\n";
  greeter::v1::HelloReply reply;
  return result->status == 202 &&
         google::protobuf::util::JsonStringToMessage(result->body, &reply).ok() &&
         reply.message() == "Hello, rest!";
}

// SayHello over gRPC on the same port; true when it answers with the greeting.
bool CheckGrpc(int port) {
  std::unique_ptr<greeter::v1::Greeter::Stub> stub = greeter::v1::Greeter::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  greeter::v1::HelloRequest request;
  request.set_name("grpc");
  greeter::v1::HelloReply reply;
  grpc::Status status = stub->SayHello(&context, request, &reply);
  std::cout << "gRPC: " << status.error_code() << " " << reply.message() << "\n";
  return status.ok() && reply.message() == "Hello, grpc!";
}

}  // namespace

int main() {
  try {
    GreeterService service;
    cppgateway::Server server;
    server.AddService(&service);
    server.AddGateway(&greeter::v1::RegisterGreeterHandlers);
    int port = server.Start("127.0.0.1:0");
    std::cout << "serving on 127.0.0.1:" << port << "\n";

    bool rest_ok = CheckRest(port);
    bool grpc_ok = CheckGrpc(port);
    server.Shutdown();
    std::cout << (rest_ok && grpc_ok ? "PASS" : "FAIL") << "\n";
    return rest_ok && grpc_ok ? 0 : 1;
  } catch (const std::exception& error) {
    std::cout << "error: " << error.what() << "\n";
    return 1;
  }
}
