#include "gateway/request_builder.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cppgateway/field_path.h"
#include "cppgateway/json.h"
#include "cppgateway/query.h"

namespace cppgateway {
namespace {

using google::protobuf::FieldDescriptor;
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
  const FieldDescriptor* field = binding.body_field.back();
  if (field->type() == FieldDescriptor::TYPE_MESSAGE && !field->is_repeated()) {
    // The body is that message's JSON, parsed on its own: nothing in it can reach a sibling.
    Message* holder = request;
    for (std::size_t i = 0; i + 1 < binding.body_field.size(); ++i) {
      holder = holder->GetReflection()->MutableMessage(holder, binding.body_field[i]);
    }
    return JsonToMessage(body, route.options->json,
                         holder->GetReflection()->MutableMessage(holder, field));
  }
  // A scalar, list or map has no message of its own: `{"b":<body>}` fills it in its holder. The
  // body must then be exactly one JSON value, or it could close the object and name siblings.
  if (!nlohmann::json::accept(body)) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "the body is not one JSON value for field " + field->name());
  }
  Message* holder = request;
  for (std::size_t i = 0; i + 1 < binding.body_field.size(); ++i) {
    holder = holder->GetReflection()->MutableMessage(holder, binding.body_field[i]);
  }
  std::string wrapped = "{\"" + field->name() + "\":";
  wrapped.append(body);
  wrapped.push_back('}');
  return JsonToMessage(wrapped, route.options->json, holder);
}

// Adds to `*paths` the proto field paths of the keys present in `json`, a body for `type`:
// nested message objects by their own keys ("user.display_name"), anything else as a whole.
void CollectMaskPaths(const nlohmann::json& json, const google::protobuf::Descriptor* type,
                      const std::string& prefix, std::vector<std::string>* paths) {
  for (const auto& [key, value] : json.items()) {
    std::vector<const FieldDescriptor*> found = ResolveFieldPath(type, {key});
    if (found.empty()) continue;  // ignored, as unknown fields are
    const FieldDescriptor* field = found.front();
    std::string path = prefix + field->name();
    bool nested = field->type() == FieldDescriptor::TYPE_MESSAGE && !field->is_repeated() &&
                  field->message_type()->file()->package() != "google.protobuf" &&
                  value.is_object() && !value.empty();
    if (nested) {
      CollectMaskPaths(value, field->message_type(), path + ".", paths);
    } else {
      paths->push_back(std::move(path));
    }
  }
}

// PATCH with a body field and an empty FieldMask: the mask names what the body sets, as
// grpc-gateway's FieldMaskFromRequestBody does.
grpc::Status FillUpdateMask(const Route& route, std::string_view body, Message* request) {
  const FieldDescriptor* mask_field = route.request.update_mask;
  if (mask_field == nullptr || body.empty()) return grpc::Status::OK;
  const google::protobuf::Reflection* reflection = request->GetReflection();
  Message* mask = reflection->MutableMessage(request, mask_field);
  const FieldDescriptor* paths_field = mask->GetDescriptor()->FindFieldByName("paths");
  if (mask->GetReflection()->FieldSize(*mask, paths_field) > 0) return grpc::Status::OK;
  nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return grpc::Status::OK;
  // Relative to the body's message (the resource), as AIP-134 masks are.
  std::vector<std::string> paths;
  CollectMaskPaths(json, route.request.body_field.back()->message_type(), "", &paths);
  for (std::string& path : paths) mask->GetReflection()->AddString(mask, paths_field, path);
  return grpc::Status::OK;
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
  return FillUpdateMask(route, body, request);
}

}  // namespace cppgateway
