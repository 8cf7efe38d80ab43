// The routes: <file>.gw.h declares one Register<Service>Handlers per service with bindings,
// <file>.gw.cc defines it as a table of routes, one statement per binding: the method's kind
// (Gateway::HandleUnary, HandleServerStream, HandleClientStream, HandleBidiStream), request and
// response class, binding, gRPC method path. The runtime does the work.
#pragma once

#include <google/protobuf/io/zero_copy_stream.h>

#include "api_model.h"

namespace cppgateway::plugin {

// Writes <file>.gw.h for `file`.
void EmitRouteHeader(const ApiFile& file, google::protobuf::io::ZeroCopyOutputStream* out);

// Writes <file>.gw.cc for `file`.
void EmitRouteSource(const ApiFile& file, google::protobuf::io::ZeroCopyOutputStream* out);

}  // namespace cppgateway::plugin
