// protoc-gen-cppgateway: a protoc plugin that turns google.api.http annotations into C++ REST
// routes for cppgateway. For each file it writes <file>.gw.h and <file>.gw.cc (both always, so
// build rules need not know which protos carry annotations).
#include <google/protobuf/compiler/code_generator.h>
#include <google/protobuf/compiler/plugin.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/zero_copy_stream.h>

#include <memory>
#include <optional>
#include <string>

#include "emitter.h"
#include "http_rules.h"

namespace cppgateway::plugin {
namespace {

class GatewayGenerator : public google::protobuf::compiler::CodeGenerator {
 public:
  bool Generate(const google::protobuf::FileDescriptor* file, const std::string& /*parameter*/,
                google::protobuf::compiler::GeneratorContext* context,
                std::string* error) const override {
    std::optional<GatewayFile> gateway_file = ReadHttpRules(*file, error);
    if (!gateway_file) return false;
    std::unique_ptr<google::protobuf::io::ZeroCopyOutputStream> header(
        context->Open(gateway_file->stem + ".gw.h"));
    EmitHeader(*gateway_file, header.get());
    std::unique_ptr<google::protobuf::io::ZeroCopyOutputStream> source(
        context->Open(gateway_file->stem + ".gw.cc"));
    EmitSource(*gateway_file, source.get());
    return true;
  }

  // The generated code never looks at field presence, so proto3 `optional` needs nothing from us.
  uint64_t GetSupportedFeatures() const override { return FEATURE_PROTO3_OPTIONAL; }
};

}  // namespace
}  // namespace cppgateway::plugin

int main(int argc, char* argv[]) {
  cppgateway::plugin::GatewayGenerator generator;
  return google::protobuf::compiler::PluginMain(argc, argv, &generator);
}
