// Message -> proto3 JSON by reflection over field tables built once per message type: the output
// of protobuf's printer, byte for byte, at a fraction of its cost (protobuf's serializes the
// message, then walks the bytes against a google.protobuf.Type).
#pragma once

#include <google/protobuf/message.h>

#include <string>

#include "cppgateway/options.h"

namespace cppgateway {

// Appends `message` as JSON to `*out` and returns true, or returns false (with `*out` as it was)
// for what it leaves to protobuf's printer:
// - 64-bit integers as numbers (int64_as_strings false), which the caller formats afterwards;
// - a message type that is not proto3, has proto3 `optional` fields, or is google.protobuf.Any;
// - a value protobuf prints in its own way or refuses: an enum number with no name, a
//   FieldMask path that is not snake_case, a Timestamp or Duration out of range, a Value with no
//   kind, a string that is not UTF-8.
bool WriteJson(const google::protobuf::Message& message, const JsonOptions& options,
               std::string* out);

}  // namespace cppgateway
