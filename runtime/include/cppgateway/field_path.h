// Setting one request field, named by a dotted path, from text: how path variables and query
// parameters reach the request message.
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/support/status.h>

#include <string>
#include <string_view>
#include <vector>

namespace cppgateway {

// "user.display_name" -> {"user", "display_name"}; empty steps are kept, for the caller to reject.
std::vector<std::string> SplitFieldPath(std::string_view dotted);
// {"user", "display_name"} -> "user.display_name".
std::string JoinFieldPath(const std::vector<std::string>& path);

// Whether SetFieldFromText can fill a field of this message type: the well-known types with a text
// form (Timestamp, Duration, FieldMask and the wrappers). The plugin asks it too, so a path
// variable it accepts is one the runtime can bind.
bool HasTextForm(const google::protobuf::Descriptor* message_type);

// Resolves `path` (proto names or json_names) from `descriptor`. Returns the fields one per step,
// or an empty vector when a step names no field or goes through a non-message or repeated field.
std::vector<const google::protobuf::FieldDescriptor*> ResolveFieldPath(
    const google::protobuf::Descriptor* descriptor, const std::vector<std::string>& path);

// Sets the field at `path` in `*message` from its text form. Scalars parse strictly (numbers in
// full, bools true/false or 1/0, enums by name or number, bytes as base64 in either alphabet,
// strings as UTF-8); the well-known types Timestamp (RFC 3339), Duration ("1.5s"), the wrappers and
// FieldMask (comma list) parse from their JSON text; other messages have no text form. A repeated
// field gets `value` appended. `map_key`, when given, sets that entry of a map field. Setting a
// member of a oneof whose other member is set is refused. Errors answer INVALID_ARGUMENT naming the
// field.
grpc::Status SetFieldFromText(google::protobuf::Message* message,
                              const std::vector<std::string>& path, std::string_view value,
                              const std::string* map_key = nullptr);

// Sets the field at `path` in `*message` from a path variable's value: as SetFieldFromText does,
// except that a repeated field takes the value as a comma-separated list, one element per item
// ("1.5,2,3"), replacing what the query may have appended: the path wins (grpc-gateway's
// convention for repeated path parameters).
grpc::Status SetFieldFromPathValue(google::protobuf::Message* message,
                                   const std::vector<std::string>& path, std::string_view value);

}  // namespace cppgateway
