#include "cppgateway/gateway.h"

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>

#include "cppgateway/field_path.h"
#include "cppgateway/json.h"
#include "cppgateway/path_template.h"
#include "cppgateway/query.h"
#include "cppgateway/status.h"

namespace cppgateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using FieldPath = std::vector<const FieldDescriptor*>;

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
    throw std::invalid_argument("cppgateway: " + std::string(binding.http_method) + " " +
                                std::string(binding.path_template) + ": " + std::string(what) +
                                " \"" + JoinFieldPath(path) + "\" is not a field of " +
                                descriptor->full_name());
  }
  return fields;
}

// Writes a gRPC status as the HTTP answer of DESIGN.md.
void WriteError(const grpc::Status& status, HttpResponse* response) {
  response->status = HttpStatusFromCode(status.error_code());
  response->content_type = "application/json";
  response->body = ErrorBody(status);
}

grpc::Status InvalidArgument(std::string message) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::move(message));
}

// The JSON of the response field `path` alone (response_body).
grpc::Status FieldToJson(const Message& response, const FieldPath& path, const JsonOptions& options,
                         std::string* out) {
  const Message* holder = &response;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    holder = &holder->GetReflection()->GetMessage(*holder, path[i]);
  }
  const FieldDescriptor* field = path.back();
  if (field->type() == FieldDescriptor::TYPE_MESSAGE && !field->is_repeated()) {
    return MessageToJson(holder->GetReflection()->GetMessage(*holder, field), options, out);
  }
  // A scalar, repeated or map field has no message of its own to print: print its holder and keep
  // the one member.
  std::string holder_json;
  grpc::Status status = MessageToJson(*holder, options, &holder_json);
  if (!status.ok()) return status;
  nlohmann::json parsed = nlohmann::json::parse(holder_json, nullptr, /*allow_exceptions=*/false);
  const std::string& key = options.use_proto_names ? field->name() : field->json_name();
  auto member = parsed.find(key);
  *out = member == parsed.end() ? "null" : member->dump();
  return grpc::Status::OK;
}

}  // namespace

struct Gateway::Route {
  std::string http_method;
  PathTemplate path_template;
  const Message* request_prototype;
  const Message* response_prototype;
  enum class Body { kNone, kWholeRequest, kField } body;
  std::vector<std::string> body_path;  // proto names, for kField
  FieldPath response_body;             // empty: the whole response
  // The fields path variables and the body fill: query parameters naming them are skipped.
  std::vector<std::vector<std::string>> bound_paths;
  UnaryCall call;
};

Gateway::Gateway(ServerOptions options) : options_(std::move(options)) {}
Gateway::~Gateway() = default;

void Gateway::AddUnaryRoute(const Binding& binding, const Message& request_prototype,
                            const Message& response_prototype, UnaryCall call) {
  auto route = std::make_unique<Route>();
  route->http_method = std::string(binding.http_method);
  std::string error;
  std::optional<PathTemplate> parsed = PathTemplate::Parse(binding.path_template, &error);
  if (!parsed) {
    throw std::invalid_argument("cppgateway: bad path template \"" +
                                std::string(binding.path_template) + "\": " + error);
  }
  route->path_template = std::move(*parsed);
  route->request_prototype = &request_prototype;
  route->response_prototype = &response_prototype;
  const Descriptor* request_type = request_prototype.GetDescriptor();
  for (const TemplateVariable& variable : route->path_template.variables()) {
    route->bound_paths.push_back(
        ProtoNames(ResolveOrThrow(request_type, variable.field_path, "path variable", binding)));
  }
  if (binding.body == "*") {
    route->body = Route::Body::kWholeRequest;
  } else if (!binding.body.empty()) {
    route->body = Route::Body::kField;
    route->body_path =
        ProtoNames(ResolveOrThrow(request_type, SplitFieldPath(binding.body), "body", binding));
    route->bound_paths.push_back(route->body_path);
  } else {
    route->body = Route::Body::kNone;
  }
  if (!binding.response_body.empty()) {
    route->response_body =
        ResolveOrThrow(response_prototype.GetDescriptor(), SplitFieldPath(binding.response_body),
                       "response_body", binding);
  }
  route->call = std::move(call);
  try {
    router_.Add(route->http_method, route->path_template, routes_.size());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("cppgateway: " + route->http_method + " " +
                                std::string(binding.path_template) + ": " + e.what());
  }
  routes_.push_back(std::move(route));
}

void Gateway::Serve(const HttpRequest& request, HttpResponse* response) const {
  Router::Match match = router_.Lookup(request.method, request.path);
  switch (match.result) {
    case Router::Match::Result::kFound:
      break;
    case Router::Match::Result::kNotFound:
      return WriteError(grpc::Status(grpc::StatusCode::NOT_FOUND, "Not Found"), response);
    case Router::Match::Result::kBadPath:
      return WriteError(InvalidArgument(match.error), response);
    case Router::Match::Result::kMethodNotAllowed: {
      WriteError(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "Method Not Allowed"), response);
      response->status = 405;
      std::string allow;
      for (const std::string& method : match.allowed_methods) {
        allow += (allow.empty() ? "" : ", ") + method;
      }
      response->headers.emplace_back("Allow", std::move(allow));
      return;
    }
  }
  const Route& route = *routes_[match.route];

  // The request message: body first, then the query, then the path (the path wins).
  std::unique_ptr<Message> call_request(route.request_prototype->New());
  grpc::Status status;
  if (route.body != Route::Body::kNone && !request.body.empty()) {
    if (route.body == Route::Body::kWholeRequest) {
      status = JsonToMessage(request.body, options_.json, call_request.get());
    } else {
      // `{"a":{"b":<body>}}` fills field a.b whatever its kind: message, scalar, list or map.
      std::string wrapped;
      for (const std::string& name : route.body_path) wrapped += "{\"" + name + "\":";
      wrapped.append(request.body.data(), request.body.size());
      wrapped.append(route.body_path.size(), '}');
      status = JsonToMessage(wrapped, options_.json, call_request.get());
    }
    if (!status.ok()) return WriteError(status, response);
  }
  if (route.body != Route::Body::kWholeRequest) {
    status =
        ApplyQueryParameters(request.query, route.bound_paths, options_.query, call_request.get());
    if (!status.ok()) return WriteError(status, response);
  }
  for (const PathBinding& binding : match.bindings) {
    status = SetFieldFromText(call_request.get(), binding.field_path, binding.value);
    if (!status.ok()) return WriteError(status, response);
  }

  grpc::ClientContext context;
  {
    std::lock_guard<std::mutex> lock(calls_mutex_);
    if (calls_cancelled_) {
      return WriteError(grpc::Status(grpc::StatusCode::CANCELLED, "the server is shutting down"),
                        response);
    }
    calls_.insert(&context);
  }
  std::unique_ptr<Message> call_response(route.response_prototype->New());
  status = route.call(&context, *call_request, call_response.get());
  {
    std::lock_guard<std::mutex> lock(calls_mutex_);
    calls_.erase(&context);
  }
  if (!status.ok()) return WriteError(status, response);

  response->status = 200;
  response->content_type = "application/json";
  status = route.response_body.empty()
               ? MessageToJson(*call_response, options_.json, &response->body)
               : FieldToJson(*call_response, route.response_body, options_.json, &response->body);
  if (!status.ok()) WriteError(status, response);
}

void Gateway::CancelCalls() const {
  std::lock_guard<std::mutex> lock(calls_mutex_);
  calls_cancelled_ = true;
  for (grpc::ClientContext* context : calls_) context->TryCancel();
}

}  // namespace cppgateway
