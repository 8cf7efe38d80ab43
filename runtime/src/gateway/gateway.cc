#include "cppgateway/gateway.h"

#include <google/protobuf/descriptor.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/impl/codegen/service_type.h>

#include <stdexcept>
#include <string>
#include <utility>

#include "cppgateway/field_path.h"
#include "cppgateway/path_template.h"
#include "gateway/call_registry.h"
#include "gateway/cors.h"
#include "gateway/path_handler.h"
#include "gateway/response_writer.h"
#include "gateway/route.h"
#include "gateway/stream_call.h"
#include "gateway/unary_call.h"

namespace cppgateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

std::invalid_argument BindingError(const Gateway::Binding& binding, const std::string& problem) {
  return std::invalid_argument("cppgateway: " + std::string(binding.http_method) + " " +
                               std::string(binding.path_template) + ": " + problem);
}

std::vector<std::string> ProtoNames(const FieldPath& path) {
  std::vector<std::string> names;
  for (const FieldDescriptor* field : path) names.push_back(field->name());
  return names;
}

// Resolves a binding's field path or throws, naming the route.
FieldPath ResolveOrThrow(const Descriptor* descriptor, const std::vector<std::string>& path,
                         std::string_view what, const Gateway::Binding& binding) {
  FieldPath fields = ResolveFieldPath(descriptor, path);
  if (fields.empty()) {
    throw BindingError(binding, std::string(what) + " \"" + JoinFieldPath(path) +
                                    "\" is not a field of " + descriptor->full_name());
  }
  return fields;
}

// Whether `path` ends in a singular google.api.HttpBody field.
bool NamesHttpBody(const FieldPath& path) {
  const FieldDescriptor* field = path.back();
  return field->type() == FieldDescriptor::TYPE_MESSAGE && !field->is_repeated() &&
         IsHttpBody(field->message_type());
}

// "/foo.v1.Foo/GetUser" -> "foo.v1.Foo.GetUser", or throws.
std::string MethodFullName(std::string_view method, const Gateway::Binding& binding) {
  std::size_t slash = method.rfind('/');
  if (method.empty() || method.front() != '/' || slash == 0 || slash + 1 == method.size()) {
    throw BindingError(binding, "\"" + std::string(method) +
                                    "\" is not a gRPC method path (\"/package.Service/Method\")");
  }
  return std::string(method.substr(1, slash - 1)) + "." + std::string(method.substr(slash + 1));
}

// The FieldMask a PATCH fills from its body's keys (grpc-gateway's PATCH feature): the request's
// first singular FieldMask field, when the body is a message field.
const FieldDescriptor* UpdateMaskField(const Gateway::Binding& binding, const Descriptor& request,
                                       const FieldPath& body) {
  const FieldDescriptor* body_field = body.back();
  if (binding.http_method != "PATCH" || body_field->type() != FieldDescriptor::TYPE_MESSAGE ||
      body_field->is_repeated()) {
    return nullptr;
  }
  for (int i = 0; i < request.field_count(); ++i) {
    const FieldDescriptor* field = request.field(i);
    if (field->type() == FieldDescriptor::TYPE_MESSAGE && !field->is_repeated() &&
        field->message_type()->full_name() == "google.protobuf.FieldMask") {
      return field;
    }
  }
  return nullptr;
}

Gateway::MethodKind KindOf(const google::protobuf::MethodDescriptor& method) {
  using Kind = Gateway::MethodKind;
  if (method.client_streaming()) {
    return method.server_streaming() ? Kind::kBidiStream : Kind::kClientStream;
  }
  return method.server_streaming() ? Kind::kServerStream : Kind::kUnary;
}

// The handler of a request answered already: what its body brings is dropped.
class AnsweredRequest final : public RequestHandler {
 public:
  bool OnBody(std::string_view) override { return true; }
  void OnBodyEnd() override {}
  void OnWritable() override {}
  void OnCancel() override {}
};

// The handler of a request no route takes (404, 405, a malformed path). The body is read and
// dropped first, so that the connection can carry the next request, unless it would not come
// (the client waits for 100 Continue) or is over the limit anyway.
class RefusedRequest final : public RequestHandler {
 public:
  RefusedRequest(std::shared_ptr<HttpExchange> exchange, const ServerOptions& options,
                 grpc::Status status, int http_status = 0, HttpHeaders headers = {})
      : exchange_(std::move(exchange)),
        options_(options),
        status_(std::move(status)),
        http_status_(http_status),
        headers_(std::move(headers)) {
    const HttpRequestHead& head = exchange_->request();
    if (head.expects_continue || head.content_length.value_or(0) > options.max_body_bytes) {
      Answer();
    }
  }

  bool OnBody(std::string_view) override { return true; }
  void OnBodyEnd() override { Answer(); }
  void OnWritable() override {}
  void OnCancel() override {}

 private:
  void Answer() {
    if (answered_) return;
    answered_ = true;
    SendErrorAnswer(*exchange_, options_, status_, nullptr, http_status_, std::move(headers_));
  }

  const std::shared_ptr<HttpExchange> exchange_;
  const ServerOptions& options_;
  const grpc::Status status_;
  const int http_status_;
  HttpHeaders headers_;
  bool answered_ = false;
};

}  // namespace

bool IsHttpBody(const Descriptor* descriptor) {
  return descriptor->full_name() == "google.api.HttpBody";
}

Gateway::Gateway(ServerOptions options)
    : options_(std::move(options)),
      calls_(std::make_unique<CallRegistry>()),
      cors_(std::make_unique<CorsPolicy>(options_.cors)) {}

Gateway::~Gateway() = default;

void Gateway::AddRoute(const Binding& binding, std::shared_ptr<grpc::ChannelInterface> channel,
                       std::string_view method, MethodKind kind, const Message& request_prototype,
                       const Message& response_prototype, const DirectMethodFactory& direct) {
  const Descriptor* request_type = request_prototype.GetDescriptor();
  const Descriptor* response_type = response_prototype.GetDescriptor();
  // The service's descriptor is only there when its file's generated code is linked in, which a
  // file of services alone in a static library need not be: checked when it can be.
  const google::protobuf::MethodDescriptor* descriptor =
      request_type->file()->pool()->FindMethodByName(MethodFullName(method, binding));
  if (descriptor != nullptr &&
      (descriptor->input_type() != request_type || descriptor->output_type() != response_type ||
       KindOf(*descriptor) != kind)) {
    throw BindingError(
        binding, descriptor->full_name() + " takes " + descriptor->input_type()->full_name() +
                     " and returns " + descriptor->output_type()->full_name() +
                     ", with streaming as its descriptor says; not " + request_type->full_name() +
                     " and " + response_type->full_name() + " as registered");
  }

  auto route = std::make_unique<Route>();
  route->http_method = std::string(binding.http_method);
  std::string error;
  std::optional<PathTemplate> parsed = PathTemplate::Parse(binding.path_template, &error);
  if (!parsed) throw BindingError(binding, "bad path template: " + error);
  route->path_template = std::move(*parsed);
  route->grpc_method = std::string(method);
  route->kind = kind;
  if (binding.success_code != 0) {
    if (binding.success_code < 200 || binding.success_code > 299) {
      throw BindingError(
          binding, "success code " + std::to_string(binding.success_code) + " is not a 2xx status");
    }
    route->success_code = binding.success_code;
  }
  route->request_prototype = &request_prototype;
  route->response_prototype = &response_prototype;

  RequestBinding& request = route->request;
  for (const TemplateVariable& variable : route->path_template.variables()) {
    request.bound_paths.push_back(
        ProtoNames(ResolveOrThrow(request_type, variable.field_path, "path variable", binding)));
  }
  if (binding.body == "*") {
    request.body = RequestBinding::Body::kWholeRequest;
    request.body_is_raw = IsHttpBody(request_type);
  } else if (!binding.body.empty()) {
    request.body = RequestBinding::Body::kField;
    request.body_field =
        ResolveOrThrow(request_type, SplitFieldPath(binding.body), "body", binding);
    request.body_is_raw = NamesHttpBody(request.body_field);
    request.bound_paths.push_back(ProtoNames(request.body_field));
    request.update_mask = UpdateMaskField(binding, *request_type, request.body_field);
  }
  ResponseBinding& response = route->response;
  if (!binding.response_body.empty()) {
    response.field = ResolveOrThrow(response_type, SplitFieldPath(binding.response_body),
                                    "response_body", binding);
    response.is_raw = NamesHttpBody(response.field);
  } else {
    response.is_raw = IsHttpBody(response_type);
  }

  // Services are told apart by their class, then by how they serve the method: both need the
  // method's descriptor.
  if (direct && descriptor != nullptr && channel.get() == in_process_channel_) {
    for (grpc::Service* service : in_process_services_) {
      route->direct = direct(service, descriptor->index());
      if (route->direct.unary || route->direct.server_stream) break;
    }
  }
  std::shared_ptr<GenericStub>& stub = stubs_[channel.get()];
  if (!stub) stub = std::make_shared<GenericStub>(std::move(channel));
  route->stub = stub;
  AddToRouter(binding, std::move(route));
}

grpc::internal::MethodHandler* Gateway::MethodHandlerOf(grpc::Service& service, int index) {
  // grpc::Service::GetHandler is protected: a class derived from it may name it.
  struct Access : grpc::Service {
    using grpc::Service::GetHandler;
  };
  return (service.*(&Access::GetHandler))(index);
}

void Gateway::SetInProcessServices(const grpc::ChannelInterface* channel,
                                   std::vector<grpc::Service*> services) {
  in_process_channel_ = channel;
  in_process_services_ = std::move(services);
}

void Gateway::HandlePath(std::string_view method, std::string_view path_template,
                         PathHandler handler) {
  HandlePathStreaming(method, path_template,
                      [this, handler = std::move(handler)](std::shared_ptr<HttpExchange> exchange,
                                                           const PathVariables& variables) {
                        return std::make_shared<BufferedPathRequest>(std::move(exchange), variables,
                                                                     handler, options_);
                      });
}

void Gateway::HandlePathStreaming(std::string_view method, std::string_view path_template,
                                  StreamingPathHandler handler) {
  Binding binding{method, path_template};
  auto route = std::make_unique<Route>();
  route->http_method = std::string(method);
  std::string error;
  std::optional<PathTemplate> parsed = PathTemplate::Parse(path_template, &error);
  if (!parsed) throw BindingError(binding, "bad path template: " + error);
  route->path_template = std::move(*parsed);
  route->custom = std::move(handler);
  AddToRouter(binding, std::move(route));
}

void Gateway::AddToRouter(const Binding& binding, std::unique_ptr<Route> route) {
  route->options = &options_;
  route->calls = calls_.get();
  try {
    router_.Add(route->http_method, route->path_template, routes_.size());
  } catch (const std::invalid_argument& e) {
    throw BindingError(binding, e.what());
  }
  routes_.push_back(std::move(route));
}

std::shared_ptr<RequestHandler> Gateway::Open(std::shared_ptr<HttpExchange> exchange) const {
  if (cors_->enabled()) {
    if (CorsPolicy::IsPreflight(exchange->request())) {
      // Answered here: a preflight never reaches a route or a service.
      cors_->AnswerPreflight(*exchange);
      return std::make_shared<AnsweredRequest>();
    }
    exchange = cors_->Wrap(std::move(exchange));
  }
  const HttpRequestHead& head = exchange->request();
  Router::Match match = router_.Lookup(head.method, head.path);
  switch (match.result) {
    case Router::Match::Result::kFound:
      break;
    case Router::Match::Result::kNotFound:
      return std::make_shared<RefusedRequest>(
          std::move(exchange), options_, grpc::Status(grpc::StatusCode::NOT_FOUND, "Not Found"));
    case Router::Match::Result::kBadPath:
      return std::make_shared<RefusedRequest>(
          std::move(exchange), options_,
          grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, match.error));
    case Router::Match::Result::kMethodNotAllowed: {
      std::string allow;
      for (const std::string& method : match.allowed_methods) {
        allow += (allow.empty() ? "" : ", ") + method;
      }
      return std::make_shared<RefusedRequest>(
          std::move(exchange), options_,
          grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "Method Not Allowed"), 405,
          HttpHeaders{{"Allow", std::move(allow)}});
    }
  }
  const Route& route = *routes_[match.route];
  if (route.custom) {
    PathVariables variables;
    for (PathBinding& binding : match.bindings) {
      variables[JoinFieldPath(binding.field_path)] = std::move(binding.value);
    }
    return route.custom(std::move(exchange), variables);
  }
  if (route.kind == Route::Kind::kUnary) {
    auto call = std::make_shared<UnaryCall>(route, std::move(exchange), std::move(match.bindings));
    call->Begin();
    return call;
  }
  auto call = std::make_shared<StreamCall>(route, std::move(exchange), std::move(match.bindings));
  call->Begin();
  return call;
}

void Gateway::CancelCalls() const { calls_->CancelAll(); }

Gateway::PathHandler ServeContent(std::string content_type, std::string content) {
  return [content_type = std::move(content_type), content = std::move(content)](
             const HttpRequestHead&, const Gateway::PathVariables&, std::string,
             std::shared_ptr<HttpExchange> answer) {
    HttpResponseHead head;
    head.headers.emplace_back("Content-Type", content_type);
    head.content_length = content.size();
    answer->SendHead(std::move(head));
    answer->SendBody(content);
    answer->End();
  };
}

void Gateway::WaitForCalls() const { calls_->WaitUntilEmpty(); }

}  // namespace cppgateway
