#include "cppgateway/http_exchange.h"

#include <strings.h>

namespace cppgateway {

const std::string* FindHeader(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    // Header names are ASCII tokens: strncasecmp's C-locale folding is the right comparison.
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) {
      return &value;
    }
  }
  return nullptr;
}

}  // namespace cppgateway
