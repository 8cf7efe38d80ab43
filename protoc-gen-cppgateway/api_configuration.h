// A gRPC API Configuration: the `http: rules:` of a Google service config YAML, which
// grpc-gateway (grpc_api_configuration=) and Envoy's transcoder read for protos that carry no
// google.api.http annotations.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "google/api/http.pb.h"

namespace cppgateway::plugin {

// One rule of the configuration: its selector (a method's full name, "foo.v1.Foo.GetUser") and
// the rule, additional_bindings included.
struct ConfiguredRule {
  std::string selector;
  google::api::HttpRule rule;
  std::string where;  // "<file>:<line>", for errors about the rule
};

// Reads the rules of the configuration in `path`, in the order written. The keys of a rule are
// those of google.api.HttpRule (selector, get, put, post, delete, patch, custom {kind, path},
// body, response_body, additional_bindings); anything else in a rule is an error, the rest of
// the file is not looked at. A selector names exactly one method, no wildcards. On a problem
// returns nullopt with `*error` = "<file>:<line>: <problem>".
std::optional<std::vector<ConfiguredRule>> ReadApiConfiguration(const std::string& path,
                                                                std::string* error);

}  // namespace cppgateway::plugin
