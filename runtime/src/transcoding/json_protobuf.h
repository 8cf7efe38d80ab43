// Message <-> JSON through protobuf's own converter (util/json_util): every message, every option,
// and the wording of every parse error. json.cc tries the faster reflection codecs first
// (json_writer, json_reader) and comes here for whatever they decline.
#pragma once

#include <google/protobuf/message.h>
#include <grpcpp/support/status.h>

#include <string>
#include <string_view>

#include "cppgateway/options.h"

namespace cppgateway {

// MessageToJson's contract, by protobuf's printer.
grpc::Status ProtobufMessageToJson(const google::protobuf::Message& message,
                                   const JsonOptions& options, std::string* out);

// JsonToMessage's contract by protobuf's parser, except the shape limits, which the caller has
// checked.
grpc::Status ProtobufJsonToMessage(std::string_view json, const JsonOptions& options,
                                   google::protobuf::Message* message);

}  // namespace cppgateway
