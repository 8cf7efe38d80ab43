// The plugin's output: <file>.gw.h declares one Register<Service>Handlers per annotated service,
// <file>.gw.cc defines it as a table of routes, one statement per binding: the method's kind
// (Gateway::HandleUnary, HandleServerStream, HandleClientStream, HandleBidiStream), request and
// response class, binding, gRPC method path. The runtime does the work.
#pragma once

#include <google/protobuf/io/zero_copy_stream.h>

#include "http_rules.h"

namespace cppgateway::plugin {

// Writes <file>.gw.h for `file`.
void EmitHeader(const GatewayFile& file, google::protobuf::io::ZeroCopyOutputStream* out);

// Writes <file>.gw.cc for `file`.
void EmitSource(const GatewayFile& file, google::protobuf::io::ZeroCopyOutputStream* out);

}  // namespace cppgateway::plugin
