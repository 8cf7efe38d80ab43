#include "cppgateway/http_message.h"

#include <strings.h>

namespace cppgateway {

const std::string_view* HttpRequest::FindHeader(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) {
      return &value;
    }
  }
  return nullptr;
}

}  // namespace cppgateway
