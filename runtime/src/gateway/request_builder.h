// A request message from the parts of an HTTP request, by a route's RequestBinding: the body first,
// then the query, then the path variables (the path wins over both).
#pragma once

#include <google/protobuf/message.h>
#include <grpcpp/support/status.h>

#include <string_view>
#include <vector>

#include "cppgateway/http_exchange.h"
#include "cppgateway/router.h"
#include "gateway/route.h"

namespace cppgateway {

// Fills `*request` (empty) for `route`: `body` is the request body, or one line of a streamed body
// (JSON, or raw bytes when the body fills an HttpBody); an empty body leaves the body's fields
// unset. Bad JSON, a bad query value or a bad path value answers INVALID_ARGUMENT.
grpc::Status BuildRequest(const Route& route, const HttpRequestHead& head,
                          const std::vector<PathBinding>& path, std::string_view body,
                          google::protobuf::Message* request);

}  // namespace cppgateway
