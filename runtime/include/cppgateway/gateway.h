// The REST side of the server: a table of routes, each an HTTP binding of one gRPC method, and the
// handler that transcodes one request through its route. The generated Register<Service>Handlers
// functions fill the table; the transport opens a handler per request.
#pragma once

#include <google/protobuf/message.h>
#include <grpcpp/impl/codegen/channel_interface.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cppgateway/direct_stream.h"
#include "cppgateway/http_exchange.h"
#include "cppgateway/options.h"
#include "cppgateway/router.h"

namespace grpc {
template <class RequestType, class ResponseType>
class TemplatedGenericStub;
class ByteBuffer;
class CallbackServerContext;
class ServerUnaryReactor;
class Service;
namespace internal {
class MethodHandler;
template <class RequestType, class ResponseType>
class CallbackUnaryHandler;
template <class RequestType, class ResponseType>
class CallbackServerStreamingHandler;
}  // namespace internal
}  // namespace grpc

namespace cppgateway {

struct Route;
class CallRegistry;
class CorsPolicy;

class Gateway {
 public:
  // One HTTP binding of an RPC method: one row of the generated table.
  struct Binding {
    std::string_view http_method;         // "GET", "POST", ..., or a custom kind
    std::string_view path_template;       // "/v1/users/{user.id}"
    std::string_view body = "";           // "" none, "*" the whole request, or a request field path
    std::string_view response_body = "";  // "" the whole response, or a response field path
    int success_code = 0;                 // the HTTP status of a successful answer; 0 for 200
  };

  explicit Gateway(ServerOptions options = {});
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // How a method streams: its requests, its responses, both or neither.
  enum class MethodKind { kUnary, kServerStream, kClientStream, kBidiStream };

  // Routes `binding` to the gRPC method `method` ("/foo.v1.Foo/GetUser") of the service behind
  // `channel`, whose request and response types are Request and Response; one function per kind
  // of method. E.g. (the generated Register functions are a table of these):
  //   gateway.HandleUnary<GetUserRequest, User>({"GET", "/v1/users/{id}"}, channel,
  //                                             "/foo.v1.Foo/GetUser");
  // Throws std::invalid_argument for a template that does not parse, a body or response_body
  // naming no field, a route that exists already, or a method whose descriptor (when linked in)
  // says other types or another kind.
  template <class Request, class Response>
  void HandleUnary(const Binding& binding, std::shared_ptr<grpc::ChannelInterface> channel,
                   std::string_view method) {
    AddRoute(binding, std::move(channel), method, MethodKind::kUnary, Request::default_instance(),
             Response::default_instance());
  }
  // A unary method's callback handler, as the generated Foo::CallbackService declares it.
  template <class Service, class Request, class Response>
  using CallbackMethod = grpc::ServerUnaryReactor* (Service::*)(grpc::CallbackServerContext*,
                                                                const Request*, Response*);
  // The same, and when ServerOptions::direct_calls is on and the in-process service behind
  // `channel` implements the method as a callback method, REST calls call `callback` on it
  // directly. The generated tables pass &Foo::CallbackService::GetUser.
  template <class Request, class Response, class Service>
  void HandleUnary(const Binding& binding, std::shared_ptr<grpc::ChannelInterface> channel,
                   std::string_view method, CallbackMethod<Service, Request, Response> callback) {
    AddRoute(binding, std::move(channel), method, MethodKind::kUnary, Request::default_instance(),
             Response::default_instance(),
             [callback](grpc::Service* service, int method_index) -> DirectMethod {
               using Handler = grpc::internal::CallbackUnaryHandler<Request, Response>;
               Service* typed = CallbackServiceOf<Service, Handler>(service, method_index);
               if (typed == nullptr) return {};
               DirectMethod direct;
               direct.unary = [typed, callback](grpc::CallbackServerContext* context,
                                                const google::protobuf::Message* request,
                                                google::protobuf::Message* response) {
                 return (typed->*callback)(context, static_cast<const Request*>(request),
                                           static_cast<Response*>(response));
               };
               return direct;
             });
  }
  template <class Request, class Response>
  void HandleServerStream(const Binding& binding, std::shared_ptr<grpc::ChannelInterface> channel,
                          std::string_view method) {
    AddRoute(binding, std::move(channel), method, MethodKind::kServerStream,
             Request::default_instance(), Response::default_instance());
  }
  // A server-streaming method's callback handler, as Foo::CallbackService declares it.
  template <class Service, class Request, class Response>
  using CallbackStreamMethod = grpc::ServerWriteReactor<Response>* (
      Service::*)(grpc::CallbackServerContext*, const Request*);
  // The same, called directly as HandleUnary's callback is.
  template <class Request, class Response, class Service>
  void HandleServerStream(const Binding& binding, std::shared_ptr<grpc::ChannelInterface> channel,
                          std::string_view method,
                          CallbackStreamMethod<Service, Request, Response> callback) {
    AddRoute(binding, std::move(channel), method, MethodKind::kServerStream,
             Request::default_instance(), Response::default_instance(),
             [callback](grpc::Service* service, int method_index) -> DirectMethod {
               using Handler = grpc::internal::CallbackServerStreamingHandler<Request, Response>;
               Service* typed = CallbackServiceOf<Service, Handler>(service, method_index);
               if (typed == nullptr) return {};
               DirectMethod direct;
               direct.server_stream =
                   [typed, callback](
                       grpc::CallbackServerContext* context,
                       const google::protobuf::Message* request,
                       DirectStreamSink& sink) -> std::unique_ptr<DirectStreamReactions> {
                 grpc::ServerWriteReactor<Response>* reactor =
                     (typed->*callback)(context, static_cast<const Request*>(request));
                 if (reactor == nullptr) return nullptr;
                 return std::make_unique<DirectServerStream<Response>>(sink, reactor);
               };
               return direct;
             });
  }
  template <class Request, class Response>
  void HandleClientStream(const Binding& binding, std::shared_ptr<grpc::ChannelInterface> channel,
                          std::string_view method) {
    AddRoute(binding, std::move(channel), method, MethodKind::kClientStream,
             Request::default_instance(), Response::default_instance());
  }
  template <class Request, class Response>
  void HandleBidiStream(const Binding& binding, std::shared_ptr<grpc::ChannelInterface> channel,
                        std::string_view method) {
    AddRoute(binding, std::move(channel), method, MethodKind::kBidiStream,
             Request::default_instance(), Response::default_instance());
  }

  // How REST calls reach a callback method of one service object directly (direct_calls):
  // through `unary` for a unary method, `server_stream` for a server-streaming one.
  using DirectUnaryHandler = std::function<grpc::ServerUnaryReactor*(
      grpc::CallbackServerContext*, const google::protobuf::Message*, google::protobuf::Message*)>;
  // Calls the method and returns its reactor wrapped for `sink`, not yet bound; null when the
  // method gave none.
  using DirectStreamHandler = std::function<std::unique_ptr<DirectStreamReactions>(
      grpc::CallbackServerContext*, const google::protobuf::Message* request,
      DirectStreamSink& sink)>;
  struct DirectMethod {
    DirectUnaryHandler unary;
    DirectStreamHandler server_stream;
  };
  // The direct method of a service object for its method number `method_index` (in the order of
  // the service's descriptor), or none when the object is not of the class whose method it calls
  // or does not serve that method as a callback method.
  using DirectMethodFactory = std::function<DirectMethod(grpc::Service*, int method_index)>;

  // The same with the message types given by their default instances, and the way to call the
  // method directly (or null).
  void AddRoute(const Binding& binding, std::shared_ptr<grpc::ChannelInterface> channel,
                std::string_view method, MethodKind kind,
                const google::protobuf::Message& request_prototype,
                const google::protobuf::Message& response_prototype,
                const DirectMethodFactory& direct = nullptr);

  // For the Server, before the routes are added: the in-process services behind `channel`, whose
  // callback methods routes through `channel` call directly. Only with direct_calls.
  void SetInProcessServices(const grpc::ChannelInterface* channel,
                            std::vector<grpc::Service*> services);

  // A path variable's value by its name in the template: "id" for `{id}`, "a.b" for `{a.b}`.
  using PathVariables = std::map<std::string, std::string>;
  // User code for a route of its own (grpc-gateway's HandlePath): static pages, webhooks,
  // uploads. It gets the request with its whole body (up to max_body_bytes; more is answered
  // with 413) and answers through `answer`, at once or later, from any thread. An exception it
  // throws is answered with 500.
  using PathHandler =
      std::function<void(const HttpRequestHead& request, const PathVariables& variables,
                         std::string body, std::shared_ptr<HttpExchange> answer)>;
  // The same for a body taken as it arrives (a large upload): returns the handler that receives
  // it, and answers through `exchange`.
  using StreamingPathHandler = std::function<std::shared_ptr<RequestHandler>(
      std::shared_ptr<HttpExchange> exchange, const PathVariables& variables)>;

  // Routes `method path_template` to user code, through the same router as the generated
  // routes (a literal still beats a variable). Throws std::invalid_argument like AddRoute.
  void HandlePath(std::string_view method, std::string_view path_template, PathHandler handler);
  void HandlePathStreaming(std::string_view method, std::string_view path_template,
                           StreamingPathHandler handler);

  // For the transport: routes the request of `exchange` and returns the handler that answers it.
  // Thread-safe once registration is over.
  std::shared_ptr<RequestHandler> Open(std::shared_ptr<HttpExchange> exchange) const;

  // Cancels the gRPC calls in flight and every later one; their requests are answered with
  // CANCELLED (499), or their streams end with it. For shutdown, where a remote target that never
  // answers must not hold it up.
  void CancelCalls() const;
  // Blocks until no call is in flight: nothing is left that refers to the routes or the channels.
  void WaitForCalls() const;

  const ServerOptions& options() const { return options_; }

 private:
  // Gives `route` the gateway's options and call registry and routes `binding` to it; a clash
  // with a route already added throws naming the binding.
  void AddToRouter(const Binding& binding, std::unique_ptr<Route> route);

  using GenericStub = grpc::TemplatedGenericStub<grpc::ByteBuffer, grpc::ByteBuffer>;

  // The handler gRPC's server runs for method number `index` of `service`, which must have it.
  static grpc::internal::MethodHandler* MethodHandlerOf(grpc::Service& service, int index);
  // `service` as a Service whose method `index` gRPC serves with a Handler (a callback handler,
  // not turned sync, async or raw by a later mixin), or null.
  template <class Service, class Handler>
  static Service* CallbackServiceOf(grpc::Service* service, int method_index) {
    auto* typed = dynamic_cast<Service*>(service);
    if (typed == nullptr ||
        dynamic_cast<Handler*>(MethodHandlerOf(*service, method_index)) == nullptr) {
      return nullptr;
    }
    return typed;
  }

  ServerOptions options_;
  Router router_;
  std::vector<std::unique_ptr<Route>> routes_;  // indexed by Router::RouteId
  // One stub per channel, shared by the routes that call through it.
  std::map<grpc::ChannelInterface*, std::shared_ptr<GenericStub>> stubs_;
  std::unique_ptr<CallRegistry> calls_;
  std::unique_ptr<CorsPolicy> cors_;
  const grpc::ChannelInterface* in_process_channel_ = nullptr;
  std::vector<grpc::Service*> in_process_services_;
};

// A PathHandler that answers every request with `content` (an OpenAPI document, a page).
Gateway::PathHandler ServeContent(std::string content_type, std::string content);

}  // namespace cppgateway
