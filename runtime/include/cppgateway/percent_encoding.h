// Percent-decoding of URL paths and query strings (RFC 3986), with the choices DESIGN.md makes.
#pragma once

#include <string>
#include <string_view>

namespace cppgateway {

enum class PercentDecodeMode {
  kAll,             // a single-segment path variable: everything decoded
  kAllButSlash,     // a multi-segment path variable: `%2F` (and `%2f`) stays encoded
  kQueryComponent,  // a query key or value: `+` is a space, everything decoded
};

// Decodes `in` into `*out`. Returns false on a malformed escape (`%` not followed by two hex
// digits).
bool PercentDecode(std::string_view in, PercentDecodeMode mode, std::string* out);

// True when every `%` in `in` starts a well-formed escape, i.e. PercentDecode would succeed.
bool IsWellFormedPercentEncoding(std::string_view in);

}  // namespace cppgateway
