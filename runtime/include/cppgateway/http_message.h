// The HTTP request and response as the gateway sees them, independent of the HTTP/1.1 library that
// parsed them.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cppgateway {

struct HttpRequest {
  std::string_view method;  // "GET"
  std::string_view path;    // raw, percent-encoded, without the query string
  std::string_view query;   // raw, percent-encoded, without the `?`
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::string_view body;

  // The first header called `name` (case-insensitive), or nullptr.
  const std::string_view* FindHeader(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

}  // namespace cppgateway
