// The REST side of the server: a table of routes, each an HTTP binding of one gRPC method, and the
// transcoding of a request through it. The generated Register<Service>Handlers functions fill it.
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/client_context.h>
#include <grpcpp/impl/codegen/channel_interface.h>
#include <grpcpp/impl/codegen/client_unary_call.h>
#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/impl/codegen/rpc_method.h>
#include <grpcpp/support/status.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "cppgateway/http_message.h"
#include "cppgateway/options.h"
#include "cppgateway/router.h"

namespace cppgateway {

class Gateway {
 public:
  // One HTTP binding of an RPC method: one row of the generated table.
  struct Binding {
    std::string_view http_method;         // "GET", "POST", ..., or a custom kind
    std::string_view path_template;       // "/v1/users/{user.id}"
    std::string_view body = "";           // "" none, "*" the whole request, or a request field path
    std::string_view response_body = "";  // "" the whole response, or a response field path
  };

  // A unary call with the request and response erased to Message.
  using UnaryCall = std::function<grpc::Status(
      grpc::ClientContext*, const google::protobuf::Message&, google::protobuf::Message*)>;

  explicit Gateway(ServerOptions options = {});
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Routes `binding` to the unary method `method` of a generated stub, e.g.
  //   gateway.HandleUnary({"GET", "/v1/users/{id}"}, stub, &Users::Stub::GetUser);
  // Throws std::invalid_argument for a template that does not parse, a body or response_body naming
  // no field, or a route that exists already.
  template <class Stub, class Request, class Response>
  void HandleUnary(const Binding& binding, std::shared_ptr<Stub> stub,
                   grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*)) {
    AddUnaryRoute(binding, Request::default_instance(), Response::default_instance(),
                  [stub = std::move(stub), method](grpc::ClientContext* context,
                                                   const google::protobuf::Message& request,
                                                   google::protobuf::Message* response) {
                    return ((*stub).*method)(context, static_cast<const Request&>(request),
                                             static_cast<Response*>(response));
                  });
  }

  // Routes `binding` to the method at gRPC path `method` of the service behind `channel`, e.g.
  //   gateway.Handle<GetUserRequest, User>({"GET", "/v1/users/{id}"}, channel,
  //                                        "/foo.v1.Users/GetUser");
  // What the generated Register<Service>Handlers call for every method, unary or streaming.
  template <class Request, class Response>
  void Handle(const Binding& binding, std::shared_ptr<grpc::ChannelInterface> channel,
              std::string_view method) {
    AddRoute(binding, std::move(channel), method, Request::default_instance(),
             Response::default_instance());
  }

  // The same with the message types given by prototypes; the method's kind comes from its
  // descriptor.
  //
  // INTERIM, in branch `plugin` only, so that the generated code links and the unary routes keep
  // working until the callback runtime lands; the runtime's own declaration replaces this one at
  // merge. Here a unary method goes through AddUnaryRoute with a blocking call, and a streaming
  // method gets no route yet.
  void AddRoute(const Binding& binding, std::shared_ptr<grpc::ChannelInterface> channel,
                std::string_view method, const google::protobuf::Message& request_prototype,
                const google::protobuf::Message& response_prototype) {
    std::string method_name(method.substr(method.empty() ? 0 : 1));  // "foo.v1.Users/GetUser"
    std::replace(method_name.begin(), method_name.end(), '/', '.');
    const google::protobuf::MethodDescriptor* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(method_name);
    if (descriptor == nullptr) {
      throw std::invalid_argument("no gRPC method " + std::string(method) + " is linked in");
    }
    if (descriptor->client_streaming() || descriptor->server_streaming()) return;
    auto path = std::make_shared<const std::string>(method);
    AddUnaryRoute(
        binding, request_prototype, response_prototype,
        [channel = std::move(channel), path](grpc::ClientContext* context,
                                             const google::protobuf::Message& request,
                                             google::protobuf::Message* response) {
          grpc::internal::RpcMethod rpc(path->c_str(), grpc::internal::RpcMethod::NORMAL_RPC);
          return grpc::internal::BlockingUnaryCall(channel.get(), rpc, context, request, response);
        });
  }

  // The same for any callable; `request_prototype` and `response_prototype` give the message types.
  void AddUnaryRoute(const Binding& binding, const google::protobuf::Message& request_prototype,
                     const google::protobuf::Message& response_prototype, UnaryCall call);

  // Answers one HTTP request: route, transcode, call, and map the result or the error to HTTP.
  // Thread-safe once registration is over.
  void Serve(const HttpRequest& request, HttpResponse* response) const;

  // Cancels the gRPC calls in flight and every later one: their requests are answered with
  // CANCELLED (499). For shutdown, where a remote target that never answers must not hold it up.
  void CancelCalls() const;

  const ServerOptions& options() const { return options_; }

 private:
  struct Route;

  ServerOptions options_;
  Router router_;
  std::vector<std::unique_ptr<Route>> routes_;  // indexed by Router::RouteId

  // The calls in flight, so that CancelCalls can reach them.
  mutable std::mutex calls_mutex_;
  mutable std::unordered_set<grpc::ClientContext*> calls_;
  mutable bool calls_cancelled_ = false;
};

}  // namespace cppgateway
