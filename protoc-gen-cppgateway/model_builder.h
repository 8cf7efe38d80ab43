// Builds the model of a proto file's HTTP API from its descriptors and the rules that apply to
// its methods, checking each rule against the request and response messages.
#pragma once

#include <google/protobuf/descriptor.h>

#include <optional>
#include <string>
#include <vector>

#include "api_configuration.h"
#include "api_model.h"
#include "plugin_options.h"

namespace cppgateway::plugin {

// The model of `file`. A method's rules are those of `configured_rules` whose selector names it,
// then its google.api.http annotation; a method with neither gets POST /<service>/<method> with
// body "*" under generate_unbound_methods, or is left out.
//
// Each binding is checked: the template parses; path variables name fields that take a value
// from text (scalars, enums, the well-known types with a text form, or lists of scalars or enums,
// comma-separated); body and response_body name fields (repeated ones only under
// allow_repeated_fields_in_body); no body on GET; no nested additional_bindings; no rule without
// a pattern; no two bindings of the file with the same method and path shape, which the router
// would refuse at registration. A client-streaming or bidi method reads one request message per
// line of the body: it takes no path variables, and a rule without a body reads the whole
// request from each line, as grpc-gateway does. A (cppgateway.success_code) must be a 2xx
// status.
//
// On the first problem returns nullopt and sets `*error` to "<method full name>: <problem>", the
// problem naming the binding ("GET \"/v1/{id}\": ...") and, for a configured rule, where the rule
// is written.
std::optional<ApiFile> BuildApiFile(const google::protobuf::FileDescriptor& file,
                                    const std::vector<ConfiguredRule>& configured_rules,
                                    const PluginOptions& options, std::string* error);

}  // namespace cppgateway::plugin
