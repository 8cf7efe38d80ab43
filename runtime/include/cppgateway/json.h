// Message <-> JSON with the JsonOptions of DESIGN.md (proto3 JSON mapping underneath).
#pragma once

#include <google/protobuf/message.h>
#include <grpcpp/support/status.h>

#include <string>
#include <string_view>

#include "cppgateway/options.h"

namespace cppgateway {

// Prints `message` as JSON into `*out`.
grpc::Status MessageToJson(const google::protobuf::Message& message, const JsonOptions& options,
                           std::string* out);

// Checks the shape of `json` against the limits of `options` (max_depth, max_values) without
// parsing it: INVALID_ARGUMENT naming the limit it exceeds.
grpc::Status CheckJsonShape(std::string_view json, const JsonOptions& options);

// Parses `json` into `*message` (cleared first), within the limits of `options`. A syntax error,
// a wrong type or (unless ignored) an unknown field answers INVALID_ARGUMENT with a message that
// says what is wrong.
grpc::Status JsonToMessage(std::string_view json, const JsonOptions& options,
                           google::protobuf::Message* message);

}  // namespace cppgateway
