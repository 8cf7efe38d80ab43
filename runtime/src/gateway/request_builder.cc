#include "gateway/request_builder.h"

#include <string>

#include "cppgateway/field_path.h"
#include "cppgateway/json.h"
#include "cppgateway/query.h"

namespace cppgateway {
namespace {

using google::protobuf::Message;

// The message the body fills: the request itself, or the message field the binding names (made
// on the way down).
Message* BodyTarget(const RequestBinding& binding, Message* request) {
  Message* target = request;
  if (binding.body == RequestBinding::Body::kField) {
    for (const google::protobuf::FieldDescriptor* field : binding.body_field) {
      target = target->GetReflection()->MutableMessage(target, field);
    }
  }
  return target;
}

// An HttpBody gets the bytes as they are, and the request's Content-Type.
void FillHttpBody(const HttpRequestHead& head, std::string_view body, Message* http_body) {
  const google::protobuf::Descriptor* type = http_body->GetDescriptor();
  const google::protobuf::Reflection* reflection = http_body->GetReflection();
  const std::string* content_type = head.FindHeader("Content-Type");
  if (content_type != nullptr) {
    reflection->SetString(http_body, type->FindFieldByName("content_type"), *content_type);
  }
  reflection->SetString(http_body, type->FindFieldByName("data"), std::string(body));
}

grpc::Status FillBody(const Route& route, const HttpRequestHead& head, std::string_view body,
                      Message* request) {
  const RequestBinding& binding = route.request;
  if (binding.body == RequestBinding::Body::kNone || body.empty()) return grpc::Status::OK;
  if (binding.body_is_raw) {
    FillHttpBody(head, body, BodyTarget(binding, request));
    return grpc::Status::OK;
  }
  if (binding.body == RequestBinding::Body::kWholeRequest) {
    return JsonToMessage(body, route.options->json, request);
  }
  // `{"a":{"b":<body>}}` fills field a.b whatever its kind: message, scalar, list or map.
  std::string wrapped;
  for (const google::protobuf::FieldDescriptor* field : binding.body_field) {
    wrapped += "{\"" + field->name() + "\":";
  }
  wrapped.append(body);
  wrapped.append(binding.body_field.size(), '}');
  return JsonToMessage(wrapped, route.options->json, request);
}

}  // namespace

grpc::Status BuildRequest(const Route& route, const HttpRequestHead& head,
                          const std::vector<PathBinding>& path, std::string_view body,
                          Message* request) {
  grpc::Status status = FillBody(route, head, body, request);
  if (!status.ok()) return status;
  if (route.request.body != RequestBinding::Body::kWholeRequest) {
    status =
        ApplyQueryParameters(head.query, route.request.bound_paths, route.options->query, request);
    if (!status.ok()) return status;
  }
  for (const PathBinding& binding : path) {
    status = SetFieldFromPathValue(request, binding.field_path, binding.value);
    if (!status.ok()) return status;
  }
  return grpc::Status::OK;
}

}  // namespace cppgateway
