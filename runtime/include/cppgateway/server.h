// One port for gRPC and REST/JSON: the public entry point of cppgateway.
//
//   FooImpl impl;
//   cppgateway::Server server;
//   server.AddService(&impl);
//   server.AddGateway(&foo::v1::RegisterFooHandlers);
//   int port = server.Start("127.0.0.1:0");
//   server.Wait();
#pragma once

#include <grpcpp/impl/codegen/channel_interface.h>
#include <grpcpp/impl/codegen/service_type.h>

#include <functional>
#include <memory>
#include <string>

#include "cppgateway/gateway.h"
#include "cppgateway/options.h"

namespace grpc {
class Server;
}

namespace cppgateway {

class Server {
 public:
  // What the plugin generates for each service: Register<Service>Handlers.
  using GatewayRegistrar = std::function<void(Gateway&, std::shared_ptr<grpc::ChannelInterface>)>;

  explicit Server(ServerOptions options = {});
  // Shuts down if still running.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Serves `service` over gRPC on the shared port. It must outlive the server.
  void AddService(grpc::Service* service);
  // Serves REST for the services `registrar` registers, calling them in-process.
  void AddGateway(GatewayRegistrar registrar);
  // Serves REST by calling the gRPC services behind `channel` (proxy mode).
  void AddGateway(GatewayRegistrar registrar, std::shared_ptr<grpc::ChannelInterface> channel);
  // Serves `method path_template` with user code (grpc-gateway's HandlePath), next to the
  // generated routes and through the same router, e.g.
  //   server.HandlePath("GET", "/openapi.json", cppgateway::ServeContent("application/json", doc));
  void HandlePath(std::string method, std::string path_template, Gateway::PathHandler handler);
  void HandlePathStreaming(std::string method, std::string path_template,
                           Gateway::StreamingPathHandler handler);

  // Listens on `address` ("127.0.0.1:0", "[::1]:8080", "0.0.0.0:8080") and serves. Returns the
  // bound port. Throws std::runtime_error naming the address and the reason (in use, not an
  // address, ...).
  int Start(const std::string& address);
  // Blocks until Shutdown() has finished.
  void Wait();
  // Stops accepting, lets in-flight requests finish (gRPC calls for up to
  // options().shutdown_grace), closes every connection. Safe to call more than once and from any
  // thread.
  void Shutdown();

  // The in-process gRPC server, once started.
  grpc::Server* grpc_server();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cppgateway
