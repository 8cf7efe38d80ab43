// The protoc code generator: for each file of a run, the model of its HTTP API, then the routes
// (<file>.gw.h, <file>.gw.cc, written for every file, so that build rules need not know which
// protos have bindings) and, under `openapi`, the OpenAPI document (one per file, or one for the
// run under openapi_merge).
#pragma once

#include <google/protobuf/compiler/code_generator.h>

#include <string>
#include <vector>

namespace cppgateway::plugin {

class GatewayGenerator : public google::protobuf::compiler::CodeGenerator {
 public:
  bool Generate(const google::protobuf::FileDescriptor* file, const std::string& parameter,
                google::protobuf::compiler::GeneratorContext* context,
                std::string* error) const override;

  // The whole run at once: the options and the gRPC API Configuration are read once, and a
  // merged document sees every file. Errors name the file: "<file>: <method>: <problem>".
  bool GenerateAll(const std::vector<const google::protobuf::FileDescriptor*>& files,
                   const std::string& parameter,
                   google::protobuf::compiler::GeneratorContext* context,
                   std::string* error) const override;

  // The generated code never looks at field presence, so proto3 `optional` needs nothing from us.
  uint64_t GetSupportedFeatures() const override { return FEATURE_PROTO3_OPTIONAL; }
};

}  // namespace cppgateway::plugin
