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

bool HasToken(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    // A parameter (";q=0.5") belongs to the item, not its name.
    item = item.substr(0, item.find(';'));
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item.size() == token.size() && strncasecmp(item.data(), token.data(), token.size()) == 0) {
      return true;
    }
  }
  return false;
}

bool HttpRequestHead::AcceptsTrailers() const {
  const std::string* te = FindHeader("TE");
  return te != nullptr && HasToken(*te, "trailers");
}

}  // namespace cppgateway
