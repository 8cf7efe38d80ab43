// The names of an OpenAPI document's component schemas, one per proto message or enum, by
// grpc-gateway's naming strategies (openapi_naming_strategy), so that a document's `$ref`s read as
// grpc-gateway users know them.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "plugin_options.h"

namespace cppgateway::plugin {

// Maps each of `full_names` ("foo.v1.Book", "foo.v1.Shelf.Kind") to its schema name under
// `strategy`. The names are unique among `full_names`, which must be unique themselves.
std::map<std::string, std::string> SchemaNames(const std::vector<std::string>& full_names,
                                               NamingStrategy strategy);

}  // namespace cppgateway::plugin
