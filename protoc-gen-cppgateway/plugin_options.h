// The plugin's parameter string (`--cppgateway_opt=a,b=c`), parsed once per run. Where
// grpc-gateway's generators have an option of the same meaning, it has the same name here, so
// that a buf.gen.yaml moves over with its `opt:` lines.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cppgateway::plugin {

// How component schemas are named: grpc-gateway's openapi_naming_strategy values.
enum class NamingStrategy {
  kFqn,      // the full proto name: "foo.v1.Book"
  kSimple,   // the shortest unique suffix of it, dot-joined: "Book", "v1.Book"
  kPackage,  // the package-scoped name ("Book", "Shelf.Book"), qualified only as far as unique
  kLegacy,   // one component more than unique, joined without dots: "v1Book"
};

struct PluginOptions {
  // openapi: also write an OpenAPI 3.1 document per proto file.
  bool openapi = false;
  // openapi_merge=<name>: one document for all files of the run, <name>.openapi.json.
  std::string openapi_merge;
  // openapi_format=json|yaml.
  bool openapi_yaml = false;
  // openapi_naming_strategy=fqn|simple|package|legacy.
  NamingStrategy naming_strategy = NamingStrategy::kFqn;
  // json_names_for_fields=false: proto names instead of JSON names in the document, as the
  // runtime's option to emit proto names would have them.
  bool json_names_for_fields = true;
  // grpc_api_configuration=<file.yaml>: HTTP rules from a gRPC API Configuration.
  std::string grpc_api_configuration;
  // generate_unbound_methods=true: a method without any rule gets POST
  // /<package>.<Service>/<Method>.
  bool generate_unbound_methods = false;
  // allow_repeated_fields_in_body=false: a body or response_body that names a repeated field is
  // an error. grpc-gateway now always allows them; so does the default here.
  bool allow_repeated_fields_in_body = true;

  // The file name of a document: "<stem>.openapi.json" or ".yaml".
  std::string OpenApiFileName(std::string_view stem) const;
};

// Parses `parameter` ("openapi,openapi_format=yaml"). An unknown option, a value an option does
// not take, or an option given twice is an error naming it (and, for an unknown one, listing the
// known ones); returns nullopt with `*error` set.
std::optional<PluginOptions> ParsePluginOptions(std::string_view parameter, std::string* error);

}  // namespace cppgateway::plugin
