// gRPC status -> HTTP answer: the status code table and the JSON error body of DESIGN.md.
#pragma once

#include <grpcpp/support/status.h>

#include <string>

namespace cppgateway {

// The HTTP status for a gRPC code (0 -> 200, 14 -> 503, ...); 500 for a code outside 0..16.
int HttpStatusFromCode(int grpc_code);

// `{"code":N,"message":"...","details":[...]}`. The details come from the status's serialized
// google.rpc.Status (grpc-status-details-bin); each one is printed as proto3 JSON of its Any, and
// one whose type is not known here still appears as {"@type": url, "value": base64}.
std::string ErrorBody(const grpc::Status& status);

}  // namespace cppgateway
