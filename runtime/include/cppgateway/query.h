// Query string -> request fields (grpc-gateway's rules): `a.b.c=v` for nested fields, a repeated
// field by repeating its key, `m[key]=v` for map entries.
#pragma once

#include <google/protobuf/message.h>
#include <grpcpp/support/status.h>

#include <string>
#include <string_view>
#include <vector>

#include "cppgateway/options.h"

namespace cppgateway {

// Applies the raw (percent-encoded) `query` to `*message`. Parameters naming a field at or under
// one of `bound_paths` (the path variables and the body field) are skipped: those win. A
// non-repeated field given twice, a bad value or a bad `%` escape answers INVALID_ARGUMENT.
grpc::Status ApplyQueryParameters(std::string_view query,
                                  const std::vector<std::vector<std::string>>& bound_paths,
                                  const QueryOptions& options, google::protobuf::Message* message);

}  // namespace cppgateway
