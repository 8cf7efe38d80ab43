#include "http_rules.h"

#include <cppgateway/field_path.h>
#include <cppgateway/path_template.h>

#include <set>
#include <utility>

#include "cpp_names.h"
#include "google/api/annotations.pb.h"

namespace cppgateway::plugin {
namespace {

using google::api::HttpRule;
using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::MethodDescriptor;

std::string Quote(const std::string& text) { return "\"" + text + "\""; }

// `GET "/v1/users/{id}"`: how a binding is named in error messages.
std::string Describe(const HttpBinding& binding) {
  return binding.http_method + " " + Quote(binding.path_template);
}

// What kind of field `field` is, for messages that say why it cannot be used.
std::string KindOf(const FieldDescriptor& field) {
  if (field.is_map()) return "a map field";
  if (field.is_repeated()) return "a repeated field";
  if (field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    return "a message field (" + field.message_type()->full_name() + ")";
  }
  return "a " + std::string(field.cpp_type_name()) + " field";
}

// Resolves the proto field names `path` from `message`. Every step but the last must be a singular
// message field, because the runtime creates the messages on the way. Returns the last field, or
// nullptr with `*problem` set.
const FieldDescriptor* ResolveFieldPath(const Descriptor& message,
                                        const std::vector<std::string>& path,
                                        std::string* problem) {
  if (path.empty()) {
    *problem = "the field path is empty";
    return nullptr;
  }
  const Descriptor* current = &message;
  const FieldDescriptor* field = nullptr;
  for (const std::string& step : path) {
    if (field != nullptr) {
      if (field->is_repeated() || field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
        *problem = Quote(field->name()) + " is " + KindOf(*field) +
                   "; a field path steps only through singular message fields";
        return nullptr;
      }
      current = field->message_type();
    }
    field = current->FindFieldByName(step);
    if (field == nullptr) {
      *problem = Quote(step) + " is not a field of " + current->full_name();
      return nullptr;
    }
  }
  return field;
}

// The pattern of `rule` as a binding, not yet checked against the method.
std::optional<HttpBinding> BindingFromRule(const HttpRule& rule, std::string* problem) {
  HttpBinding binding;
  switch (rule.pattern_case()) {
    case HttpRule::kGet:
      binding.http_method = "GET";
      binding.path_template = rule.get();
      break;
    case HttpRule::kPut:
      binding.http_method = "PUT";
      binding.path_template = rule.put();
      break;
    case HttpRule::kPost:
      binding.http_method = "POST";
      binding.path_template = rule.post();
      break;
    case HttpRule::kDelete:
      binding.http_method = "DELETE";
      binding.path_template = rule.delete_();
      break;
    case HttpRule::kPatch:
      binding.http_method = "PATCH";
      binding.path_template = rule.patch();
      break;
    case HttpRule::kCustom:
      if (rule.custom().kind().empty()) {
        *problem = "custom pattern with path " + Quote(rule.custom().path()) + " has an empty kind";
        return std::nullopt;
      }
      if (rule.custom().path().empty()) {
        *problem = "custom pattern " + Quote(rule.custom().kind()) + " has an empty path";
        return std::nullopt;
      }
      binding.http_method = rule.custom().kind();
      binding.path_template = rule.custom().path();
      break;
    case HttpRule::PATTERN_NOT_SET:
      *problem = "the rule has no pattern (get, put, post, delete, patch or custom)";
      return std::nullopt;
  }
  binding.body = rule.body();
  binding.response_body = rule.response_body();
  return binding;
}

// "client-streaming" or "bidi-streaming": how errors name a method that streams its requests.
std::string RequestStreamingKind(const MethodDescriptor& method) {
  return method.server_streaming() ? "bidi-streaming" : "client-streaming";
}

// Checks `binding` against the request and response types of `method`; returns the problem, or an
// empty string when there is none.
std::string CheckBinding(const HttpBinding& binding, const MethodDescriptor& method) {
  std::string parse_error;
  std::optional<PathTemplate> path_template =
      PathTemplate::Parse(binding.path_template, &parse_error);
  if (!path_template) {
    return Describe(binding) + ": the path template does not parse: " + parse_error;
  }
  // A streamed request is a sequence of messages, each read from one line of the body: a path
  // variable would have no one message to go into. grpc-gateway refuses them too.
  if (method.client_streaming() && !path_template->variables().empty()) {
    return Describe(binding) + ": path variable " +
           Quote(JoinFieldPath(path_template->variables().front().field_path)) +
           " is not allowed: each request message of a " + RequestStreamingKind(method) +
           " method comes from one line of the body";
  }
  for (const TemplateVariable& variable : path_template->variables()) {
    std::string variable_name = Quote(JoinFieldPath(variable.field_path));
    std::string problem;
    const FieldDescriptor* field =
        ResolveFieldPath(*method.input_type(), variable.field_path, &problem);
    if (field == nullptr) {
      return Describe(binding) + ": path variable " + variable_name + ": " + problem;
    }
    bool binds_from_text =
        !field->is_repeated() && (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE ||
                                  HasTextForm(field->message_type()));
    if (!binds_from_text) {
      return Describe(binding) + ": path variable " + variable_name + " is " + KindOf(*field) +
             "; a path variable binds a singular scalar, enum or well-known type field";
    }
  }
  if (binding.http_method == "GET" && !binding.body.empty()) {
    return Describe(binding) + ": body " + Quote(binding.body) +
           " is not allowed: a GET request carries no body";
  }
  // grpc-gateway reads a streamed request from the body whatever the rule says; here the rule
  // says it, so that the body is where the rule (and the OpenAPI document) puts it.
  if (method.client_streaming() && binding.body.empty()) {
    return Describe(binding) + ": a " + RequestStreamingKind(method) +
           " method needs a body: each line of it fills one request message" +
           (binding.http_method == "GET" ? ", and a GET request carries no body"
                                         : " (body: \"*\" or a request field)");
  }
  if (!binding.body.empty() && binding.body != "*") {
    std::string problem;
    if (ResolveFieldPath(*method.input_type(), SplitFieldPath(binding.body), &problem) == nullptr) {
      return Describe(binding) + ": body " + Quote(binding.body) + ": " + problem;
    }
  }
  if (!binding.response_body.empty()) {
    std::string problem;
    if (ResolveFieldPath(*method.output_type(), SplitFieldPath(binding.response_body), &problem) ==
        nullptr) {
      return Describe(binding) + ": response_body " + Quote(binding.response_body) + ": " + problem;
    }
  }
  return "";
}

// Appends the checked binding of `rule` (its pattern, not its additional_bindings) to `*bindings`.
bool AddBinding(const HttpRule& rule, const MethodDescriptor& method,
                std::vector<HttpBinding>* bindings, std::string* problem) {
  std::optional<HttpBinding> binding = BindingFromRule(rule, problem);
  if (!binding) return false;
  *problem = CheckBinding(*binding, method);
  if (!problem->empty()) return false;
  bindings->push_back(std::move(*binding));
  return true;
}

// All bindings of `rule`: its own, then its additional_bindings.
bool ReadBindings(const HttpRule& rule, const MethodDescriptor& method,
                  std::vector<HttpBinding>* bindings, std::string* problem) {
  if (!AddBinding(rule, method, bindings, problem)) return false;
  for (int i = 0; i < rule.additional_bindings_size(); ++i) {
    const HttpRule& additional = rule.additional_bindings(i);
    std::string where = "additional_bindings[" + std::to_string(i) + "]: ";
    if (additional.additional_bindings_size() > 0) {
      *problem = where + "has additional_bindings of its own; they do not nest";
      return false;
    }
    if (!AddBinding(additional, method, bindings, problem)) {
      *problem = where + *problem;
      return false;
    }
  }
  return true;
}

AnnotatedMethod::Streaming StreamingOf(const MethodDescriptor& method) {
  if (method.client_streaming() && method.server_streaming()) {
    return AnnotatedMethod::Streaming::kBidi;
  }
  if (method.client_streaming()) return AnnotatedMethod::Streaming::kClient;
  if (method.server_streaming()) return AnnotatedMethod::Streaming::kServer;
  return AnnotatedMethod::Streaming::kNone;
}

}  // namespace

std::optional<GatewayFile> ReadHttpRules(const google::protobuf::FileDescriptor& file,
                                         std::string* error) {
  GatewayFile gateway_file;
  gateway_file.proto_name = file.name();
  gateway_file.stem = ProtoStem(file.name());
  gateway_file.cpp_namespace = CppNamespace(file.package());
  std::set<std::string> message_headers;
  for (int s = 0; s < file.service_count(); ++s) {
    const google::protobuf::ServiceDescriptor& service = *file.service(s);
    AnnotatedService annotated_service;
    annotated_service.name = service.name();
    annotated_service.full_name = service.full_name();
    for (int m = 0; m < service.method_count(); ++m) {
      const MethodDescriptor& method = *service.method(m);
      if (!method.options().HasExtension(google::api::http)) continue;
      AnnotatedMethod annotated_method;
      annotated_method.name = method.name();
      annotated_method.path = "/" + service.full_name() + "/" + method.name();
      annotated_method.request_type = CppTypeName(*method.input_type(), file.package());
      annotated_method.response_type = CppTypeName(*method.output_type(), file.package());
      annotated_method.streaming = StreamingOf(method);
      std::string problem;
      if (!ReadBindings(method.options().GetExtension(google::api::http), method,
                        &annotated_method.bindings, &problem)) {
        *error = method.full_name() + ": " + problem;
        return std::nullopt;
      }
      for (const Descriptor* message : {method.input_type(), method.output_type()}) {
        message_headers.insert(ProtoStem(message->file()->name()) + ".pb.h");
      }
      annotated_service.methods.push_back(std::move(annotated_method));
    }
    if (!annotated_service.methods.empty()) {
      gateway_file.services.push_back(std::move(annotated_service));
    }
  }
  gateway_file.message_headers.assign(message_headers.begin(), message_headers.end());
  return gateway_file;
}

}  // namespace cppgateway::plugin
