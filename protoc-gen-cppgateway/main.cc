// protoc-gen-cppgateway: a protoc plugin that turns google.api.http rules into C++ REST routes for
// cppgateway (<file>.gw.h, <file>.gw.cc) and, on request, OpenAPI 3.1 documents.
#include <google/protobuf/compiler/plugin.h>

#include "generator.h"

int main(int argc, char* argv[]) {
  cppgateway::plugin::GatewayGenerator generator;
  return google::protobuf::compiler::PluginMain(argc, argv, &generator);
}
