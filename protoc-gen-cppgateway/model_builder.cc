#include "model_builder.h"

#include <cppgateway/field_path.h>
#include <cppgateway/router.h>

#include <stdexcept>
#include <utility>

#include "comments.h"
#include "cppgateway/annotations.pb.h"
#include "google/api/annotations.pb.h"

namespace cppgateway::plugin {

std::string FieldChainName(const FieldChain& chain) {
  std::string name;
  for (const google::protobuf::FieldDescriptor* field : chain) {
    if (!name.empty()) name += '.';
    name += field->name();
  }
  return name;
}

namespace {

using google::api::HttpRule;
using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::MethodDescriptor;

std::string Quote(const std::string& text) { return "\"" + text + "\""; }

// `GET "/v1/users/{id}"`: how a binding is named in error messages.
std::string Describe(const std::string& http_method, const std::string& path_template) {
  return http_method + " " + Quote(path_template);
}

// What kind of field `field` is, for messages that say why it cannot be used.
std::string KindOf(const FieldDescriptor& field) {
  if (field.is_map()) return "a map field";
  const bool message = field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
  const std::string repeated = field.is_repeated() ? "a repeated " : "a ";
  if (message) return repeated + "message field (" + field.message_type()->full_name() + ")";
  if (field.is_repeated()) return "a repeated field";
  return "a " + std::string(field.cpp_type_name()) + " field";
}

bool IsMessage(const FieldDescriptor& field) {
  return field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
}

// Whether one value of `field` (an element, for a list) has a text form the runtime parses.
bool ValueHasTextForm(const FieldDescriptor& field) {
  return !IsMessage(field) || HasTextForm(field.message_type());
}

// Resolves the proto field names of `dotted` from `message`. Every step but the last must be a
// singular message field, because the runtime creates the messages on the way. Returns the
// fields, or an empty chain with `*problem` set.
FieldChain ResolveChain(const Descriptor& message, const std::string& dotted,
                        std::string* problem) {
  const std::vector<std::string> path = SplitFieldPath(dotted);
  const Descriptor* current = &message;
  FieldChain chain;
  for (const std::string& step : path) {
    if (!chain.empty()) {
      const FieldDescriptor& previous = *chain.back();
      if (previous.is_repeated() || !IsMessage(previous)) {
        *problem = Quote(previous.name()) + " is " + KindOf(previous) +
                   "; a field path steps only through singular message fields";
        return {};
      }
      current = previous.message_type();
    }
    const FieldDescriptor* field = current->FindFieldByName(step);
    if (field == nullptr) {
      *problem = Quote(step) + " is not a field of " + current->full_name();
      return {};
    }
    chain.push_back(field);
  }
  return chain;
}

// The pattern of `rule` as an unchecked binding: method and template text in `*http_method` and
// `*path_template`.
bool ReadPattern(const HttpRule& rule, std::string* http_method, std::string* path_template,
                 std::string* problem) {
  switch (rule.pattern_case()) {
    case HttpRule::kGet:
      *http_method = "GET";
      *path_template = rule.get();
      return true;
    case HttpRule::kPut:
      *http_method = "PUT";
      *path_template = rule.put();
      return true;
    case HttpRule::kPost:
      *http_method = "POST";
      *path_template = rule.post();
      return true;
    case HttpRule::kDelete:
      *http_method = "DELETE";
      *path_template = rule.delete_();
      return true;
    case HttpRule::kPatch:
      *http_method = "PATCH";
      *path_template = rule.patch();
      return true;
    case HttpRule::kCustom:
      if (rule.custom().kind().empty()) {
        *problem = "custom pattern with path " + Quote(rule.custom().path()) + " has an empty kind";
        return false;
      }
      if (rule.custom().path().empty()) {
        *problem = "custom pattern " + Quote(rule.custom().kind()) + " has an empty path";
        return false;
      }
      *http_method = rule.custom().kind();
      *path_template = rule.custom().path();
      return true;
    case HttpRule::PATTERN_NOT_SET:
      break;
  }
  *problem = "the rule has no pattern (get, put, post, delete, patch or custom)";
  return false;
}

// "client-streaming" or "bidi-streaming": how errors name a method that streams its requests.
std::string RequestStreamingKind(const MethodDescriptor& method) {
  return method.server_streaming() ? "bidi-streaming" : "client-streaming";
}

// Whether `chain` is `prefix` or lies under it.
bool StartsWith(const FieldChain& chain, const FieldChain& prefix) {
  if (prefix.size() > chain.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (chain[i] != prefix[i]) return false;
  }
  return true;
}

// Whether `field`, reached through `prefix`, belongs to a oneof that a bound field has taken: the
// runtime refuses to set a second member of a oneof.
bool InTakenOneof(const FieldChain& prefix, const FieldDescriptor& field,
                  const std::vector<FieldChain>& bound) {
  const google::protobuf::OneofDescriptor* oneof = field.real_containing_oneof();
  if (oneof == nullptr) return false;
  for (const FieldChain& taken : bound) {
    // The bound chain goes through the same message as `field`, by way of a member of its oneof.
    if (taken.size() > prefix.size() && StartsWith(taken, prefix) &&
        taken[prefix.size()]->real_containing_oneof() == oneof && taken[prefix.size()] != &field) {
      return true;
    }
  }
  return false;
}

// Appends to `*out` the fields of `message` (reached through `prefix`) that the query may set and
// `bound` leaves free. `on_the_way` holds the message types from the request down to here: a
// type met again is not entered, so recursive messages end.
void CollectQueryFields(const Descriptor& message, const FieldChain& prefix,
                        const std::vector<FieldChain>& bound,
                        std::vector<const Descriptor*>* on_the_way, std::vector<FieldChain>* out) {
  for (int i = 0; i < message.field_count(); ++i) {
    const FieldDescriptor* field = message.field(i);
    FieldChain chain = prefix;
    chain.push_back(field);
    bool is_bound = false;
    bool holds_bound = false;
    for (const FieldChain& taken : bound) {
      is_bound = is_bound || StartsWith(chain, taken);
      holds_bound = holds_bound || StartsWith(taken, chain);
    }
    if (is_bound || InTakenOneof(prefix, *field, bound)) continue;
    if (field->is_map()) {
      if (ValueHasTextForm(*field->message_type()->map_value())) out->push_back(std::move(chain));
      continue;
    }
    if (ValueHasTextForm(*field)) {
      out->push_back(std::move(chain));
      continue;
    }
    // A message without a text form: its own fields are parameters, `a.b=...`. Not those of
    // the other well-known types (Struct, Value, Any, ...): their JSON forms hide their fields.
    const Descriptor* type = field->message_type();
    bool met_before = false;
    for (const Descriptor* seen : *on_the_way) met_before = met_before || seen == type;
    const bool well_known = type->file()->package() == "google.protobuf";
    if (field->is_repeated() || well_known || (met_before && !holds_bound)) continue;
    on_the_way->push_back(type);
    CollectQueryFields(*type, chain, bound, on_the_way, out);
    on_the_way->pop_back();
  }
}

// Reads and checks the binding of `rule`'s own pattern (not its additional_bindings).
std::optional<Binding> ReadBinding(const HttpRule& rule, const MethodDescriptor& method,
                                   const PluginOptions& options, std::string* problem) {
  Binding binding;
  std::string text;
  if (!ReadPattern(rule, &binding.http_method, &text, problem)) return std::nullopt;
  const std::string name = Describe(binding.http_method, text);
  auto fail = [&](const std::string& what) {
    *problem = name + ": " + what;
    return std::nullopt;
  };

  std::string parse_error;
  std::optional<PathTemplate> path_template = PathTemplate::Parse(text, &parse_error);
  if (!path_template) return fail("the path template does not parse: " + parse_error);
  binding.path_template = std::move(*path_template);
  const std::vector<TemplateVariable>& variables = binding.path_template.variables();
  // A streamed request is a sequence of messages, each read from one line of the body: a path
  // variable would have no one message to go into. grpc-gateway refuses them too.
  if (method.client_streaming() && !variables.empty()) {
    return fail("path variable " + Quote(JoinFieldPath(variables.front().field_path)) +
                " is not allowed: each request message of a " + RequestStreamingKind(method) +
                " method comes from one line of the body");
  }
  for (const TemplateVariable& variable : variables) {
    const std::string variable_name = Quote(JoinFieldPath(variable.field_path));
    FieldChain chain =
        ResolveChain(*method.input_type(), JoinFieldPath(variable.field_path), problem);
    if (chain.empty()) return fail("path variable " + variable_name + ": " + *problem);
    const FieldDescriptor& field = *chain.back();
    const bool takes_text =
        !field.is_map() && (field.is_repeated() ? !IsMessage(field) : ValueHasTextForm(field));
    if (!takes_text) {
      return fail("path variable " + variable_name + " is " + KindOf(field) +
                  "; a path variable binds a scalar, enum or well-known type field, or a list "
                  "of scalars or enums (comma-separated)");
    }
    binding.path_fields.push_back(std::move(chain));
  }

  binding.body = rule.body();
  if (binding.http_method == "GET" && !binding.body.empty()) {
    return fail("body " + Quote(binding.body) + " is not allowed: a GET request carries no body");
  }
  if (method.client_streaming() && binding.body.empty()) {
    if (binding.http_method == "GET") {
      return fail("a " + RequestStreamingKind(method) +
                  " method needs a body: each line of it fills one request message, and a GET "
                  "request carries no body");
    }
    // grpc-gateway reads a streamed request from the body whatever the rule says: each line is
    // a whole request message.
    binding.body = "*";
  }
  auto check_repeated = [&](const FieldChain& chain, const std::string& what) {
    for (const FieldDescriptor* step : chain) {
      if (step->is_repeated() && !options.allow_repeated_fields_in_body) {
        *problem = name + ": " + what + " names " + Quote(step->name()) + ", " + KindOf(*step) +
                   ", and allow_repeated_fields_in_body is false";
        return false;
      }
    }
    return true;
  };
  if (!binding.body.empty() && binding.body != "*") {
    binding.body_field = ResolveChain(*method.input_type(), binding.body, problem);
    if (binding.body_field.empty()) return fail("body " + Quote(binding.body) + ": " + *problem);
    if (!check_repeated(binding.body_field, "body " + Quote(binding.body))) return std::nullopt;
  }
  // grpc-gateway takes response_body "*" for the whole response, as an empty one is.
  binding.response_body = rule.response_body() == "*" ? "" : rule.response_body();
  if (!binding.response_body.empty()) {
    binding.response_field = ResolveChain(*method.output_type(), binding.response_body, problem);
    if (binding.response_field.empty()) {
      return fail("response_body " + Quote(binding.response_body) + ": " + *problem);
    }
    if (!check_repeated(binding.response_field, "response_body " + Quote(binding.response_body))) {
      return std::nullopt;
    }
  }

  if (binding.body != "*") {
    std::vector<FieldChain> bound = binding.path_fields;
    if (!binding.body_field.empty()) bound.push_back(binding.body_field);
    std::vector<const Descriptor*> on_the_way = {method.input_type()};
    CollectQueryFields(*method.input_type(), {}, bound, &on_the_way, &binding.query_fields);
  }
  return binding;
}

// Appends the bindings of `rule` to `*bindings`: its own, then its additional_bindings.
bool ReadBindings(const HttpRule& rule, const MethodDescriptor& method,
                  const PluginOptions& options, std::vector<Binding>* bindings,
                  std::string* problem) {
  std::optional<Binding> binding = ReadBinding(rule, method, options, problem);
  if (!binding) return false;
  bindings->push_back(std::move(*binding));
  for (int i = 0; i < rule.additional_bindings_size(); ++i) {
    const HttpRule& additional = rule.additional_bindings(i);
    const std::string where = "additional_bindings[" + std::to_string(i) + "]: ";
    if (additional.additional_bindings_size() > 0) {
      *problem = where + "has additional_bindings of its own; they do not nest";
      return false;
    }
    binding = ReadBinding(additional, method, options, problem);
    if (!binding) {
      *problem = where + *problem;
      return false;
    }
    bindings->push_back(std::move(*binding));
  }
  return true;
}

Method::Streaming StreamingOf(const MethodDescriptor& method) {
  if (method.client_streaming() && method.server_streaming()) return Method::Streaming::kBidi;
  if (method.client_streaming()) return Method::Streaming::kClient;
  if (method.server_streaming()) return Method::Streaming::kServer;
  return Method::Streaming::kNone;
}

// Reads every rule that applies to `method` into `*bindings`; false with `*problem` set when one
// is wrong.
bool ReadMethodBindings(const MethodDescriptor& method,
                        const std::vector<ConfiguredRule>& configured_rules,
                        const PluginOptions& options, std::vector<Binding>* bindings,
                        std::string* problem) {
  for (const ConfiguredRule& configured : configured_rules) {
    if (configured.selector != method.full_name()) continue;
    if (!ReadBindings(configured.rule, method, options, bindings, problem)) {
      *problem = configured.where + ": " + *problem;
      return false;
    }
  }
  if (method.options().HasExtension(google::api::http)) {
    if (!ReadBindings(method.options().GetExtension(google::api::http), method, options, bindings,
                      problem)) {
      return false;
    }
  }
  if (bindings->empty() && options.generate_unbound_methods) {
    // The gRPC mapping to HTTP/2 as a REST route, as grpc-gateway generates it.
    HttpRule rule;
    rule.set_post("/" + method.service()->full_name() + "/" + method.name());
    rule.set_body("*");
    return ReadBindings(rule, method, options, bindings, problem);
  }
  return true;
}

}  // namespace

std::optional<ApiFile> BuildApiFile(const google::protobuf::FileDescriptor& file,
                                    const std::vector<ConfiguredRule>& configured_rules,
                                    const PluginOptions& options, std::string* error) {
  ApiFile api_file;
  api_file.descriptor = &file;
  // The router's own check for routes of the same method and shape, at generation time.
  Router router;
  for (int s = 0; s < file.service_count(); ++s) {
    const google::protobuf::ServiceDescriptor& service_descriptor = *file.service(s);
    Service service;
    service.descriptor = &service_descriptor;
    service.comment = CommentOf(service_descriptor);
    service.deprecated = service_descriptor.options().deprecated();
    for (int m = 0; m < service_descriptor.method_count(); ++m) {
      const MethodDescriptor& descriptor = *service_descriptor.method(m);
      Method method;
      method.descriptor = &descriptor;
      method.grpc_path = "/" + service_descriptor.full_name() + "/" + descriptor.name();
      method.streaming = StreamingOf(descriptor);
      method.comment = CommentOf(descriptor);
      method.deprecated = service.deprecated || descriptor.options().deprecated();
      std::string problem;
      if (!ReadMethodBindings(descriptor, configured_rules, options, &method.bindings, &problem)) {
        *error = descriptor.full_name() + ": " + problem;
        return std::nullopt;
      }
      if (method.bindings.empty()) continue;
      if (descriptor.options().HasExtension(cppgateway::success_code)) {
        method.success_code = descriptor.options().GetExtension(cppgateway::success_code);
        if (method.success_code < 200 || method.success_code > 299) {
          *error = descriptor.full_name() + ": (cppgateway.success_code) " +
                   std::to_string(method.success_code) + " is not a success status (200 to 299)";
          return std::nullopt;
        }
      }
      for (std::size_t i = 0; i < method.bindings.size(); ++i) {
        Binding& binding = method.bindings[i];
        binding.index = static_cast<int>(i);
        try {
          router.Add(binding.http_method, binding.path_template, 0);
        } catch (const std::invalid_argument& duplicate) {
          *error = descriptor.full_name() + ": " +
                   Describe(binding.http_method, binding.path_template.text()) + ": " +
                   duplicate.what();
          return std::nullopt;
        }
      }
      service.methods.push_back(std::move(method));
    }
    if (!service.methods.empty()) api_file.services.push_back(std::move(service));
  }
  return api_file;
}

}  // namespace cppgateway::plugin
