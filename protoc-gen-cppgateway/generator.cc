#include "generator.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/zero_copy_stream.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>

#include "api_configuration.h"
#include "cpp_names.h"
#include "document_text.h"
#include "model_builder.h"
#include "openapi_document.h"
#include "plugin_options.h"
#include "route_emitter.h"

namespace cppgateway::plugin {
namespace {

using google::protobuf::FileDescriptor;
using google::protobuf::compiler::GeneratorContext;

void WriteFile(GeneratorContext* context, const std::string& name, const std::string& text) {
  std::unique_ptr<google::protobuf::io::ZeroCopyOutputStream> out(context->Open(name));
  void* buffer = nullptr;
  int size = 0;
  std::size_t written = 0;
  while (written < text.size() && out->Next(&buffer, &size)) {
    const std::size_t count = std::min(static_cast<std::size_t>(size), text.size() - written);
    std::memcpy(buffer, text.data() + written, count);
    written += count;
    if (count < static_cast<std::size_t>(size)) out->BackUp(size - static_cast<int>(count));
  }
}

// Writes the OpenAPI document of `files` to `name`; false with `*error` set on a conflict.
bool WriteDocument(const std::vector<const ApiFile*>& files, const std::string& title,
                   const std::string& name, const PluginOptions& options, GeneratorContext* context,
                   std::string* error) {
  std::optional<Json> document = BuildOpenApiDocument(files, title, options, error);
  if (!document) return false;
  WriteFile(context, name, DocumentText(*document, options.openapi_yaml));
  return true;
}

}  // namespace

bool GatewayGenerator::Generate(const FileDescriptor* file, const std::string& parameter,
                                GeneratorContext* context, std::string* error) const {
  return GenerateAll({file}, parameter, context, error);
}

bool GatewayGenerator::GenerateAll(const std::vector<const FileDescriptor*>& files,
                                   const std::string& parameter, GeneratorContext* context,
                                   std::string* error) const {
  std::optional<PluginOptions> options = ParsePluginOptions(parameter, error);
  if (!options) return false;
  std::vector<ConfiguredRule> configured_rules;
  if (!options->grpc_api_configuration.empty()) {
    std::optional<std::vector<ConfiguredRule>> rules =
        ReadApiConfiguration(options->grpc_api_configuration, error);
    if (!rules) return false;
    configured_rules = std::move(*rules);
    // A rule must select a method protoc knows: in the files of this run or what they import
    // (a build may run protoc once per file, each run generating its own file's methods).
    for (const ConfiguredRule& rule : configured_rules) {
      if (files.empty() || files.front()->pool()->FindMethodByName(rule.selector) == nullptr) {
        *error = rule.where + ": selector \"" + rule.selector +
                 "\" names no method of the protos protoc was given or their imports";
        return false;
      }
    }
  }

  std::vector<ApiFile> api_files;
  api_files.reserve(files.size());
  for (const FileDescriptor* file : files) {
    std::optional<ApiFile> api_file = BuildApiFile(*file, configured_rules, *options, error);
    if (!api_file) {
      *error = file->name() + ": " + *error;
      return false;
    }
    api_files.push_back(std::move(*api_file));
  }

  for (const ApiFile& api_file : api_files) {
    const std::string stem = ProtoStem(api_file.descriptor->name());
    std::unique_ptr<google::protobuf::io::ZeroCopyOutputStream> header(
        context->Open(stem + ".gw.h"));
    EmitRouteHeader(api_file, header.get());
    std::unique_ptr<google::protobuf::io::ZeroCopyOutputStream> source(
        context->Open(stem + ".gw.cc"));
    EmitRouteSource(api_file, source.get());
  }

  if (!options->openapi) return true;
  if (!options->openapi_merge.empty()) {
    std::vector<const ApiFile*> all;
    for (const ApiFile& api_file : api_files) all.push_back(&api_file);
    return WriteDocument(all, options->openapi_merge,
                         options->OpenApiFileName(options->openapi_merge), *options, context,
                         error);
  }
  for (const ApiFile& api_file : api_files) {
    const std::string& name = api_file.descriptor->name();
    if (!WriteDocument({&api_file}, name, options->OpenApiFileName(ProtoStem(name)), *options,
                       context, error)) {
      *error = name + ": " + *error;
      return false;
    }
  }
  return true;
}

}  // namespace cppgateway::plugin
