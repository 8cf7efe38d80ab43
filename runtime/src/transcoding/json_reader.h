// Proto3 JSON -> message by reflection, for the common subset: a fast path in front of protobuf's
// parser, which is left everything else.
//
// Read: strict RFC 8259 JSON, one object at the top. Keys are a field's json_name or its proto
// name. Integers as plain JSON integers or quoted plain integers; double and float as JSON numbers;
// bool as true/false; strings (all escapes, valid UTF-8); bytes as padded standard base64; enums as
// value names; messages, lists, maps (string, integer and bool keys); Timestamp ("...Z" form),
// Duration, FieldMask, the wrappers, Struct, Value, ListValue, Empty.
//
// Declined: keys that name no field, a field given twice, two members of one oneof, null (but as a
// google.protobuf.Value in a Struct, a list or a map), quoted floats, NaN and Infinity, numbers
// with a fraction or an exponent for integer fields, numbers out of the field's range, enum
// numbers and unknown enum names, NullValue fields, URL-safe or unpadded base64, timestamps with
// an offset, object forms of the well-known types, google.protobuf.Any and the other
// google.protobuf types, duplicate map keys, anything nested more than 90 messages deep, and
// messages that are not generated proto3 ones (proto2, dynamic messages).
#pragma once

#include <google/protobuf/message.h>

#include <string_view>

namespace cppgateway {

// Parses `json` into `*message`, which must be empty. Returns false when the text is not in the
// subset this reader handles (including every invalid document); `*message` is then in an
// unspecified state and the caller clears it and parses with protobuf's parser, which decides and
// words the error. When it returns true, `*message` holds what protobuf's parser makes of `json`.
bool ReadJson(std::string_view json, google::protobuf::Message* message);

}  // namespace cppgateway
