// The plugin's output: <file>.gw.h declares one Register<Service>Handlers per annotated service,
// <file>.gw.cc defines it as a table of HandleUnary routes. The runtime does the work; the
// generated code is only the typed glue between a Gateway and a gRPC stub.
#pragma once

#include <google/protobuf/io/zero_copy_stream.h>

#include "http_rules.h"

namespace cppgateway::plugin {

// Writes <file>.gw.h for `file`.
void EmitHeader(const GatewayFile& file, google::protobuf::io::ZeroCopyOutputStream* out);

// Writes <file>.gw.cc for `file`.
void EmitSource(const GatewayFile& file, google::protobuf::io::ZeroCopyOutputStream* out);

}  // namespace cppgateway::plugin
