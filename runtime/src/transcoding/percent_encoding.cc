#include "cppgateway/percent_encoding.h"

namespace cppgateway {
namespace {

// The value of a hex digit, or -1 when `c` is not one.
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool PercentDecode(std::string_view in, PercentDecodeMode mode, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '+' && mode == PercentDecodeMode::kQueryComponent) {
      out->push_back(' ');
      continue;
    }
    if (c != '%') {
      out->push_back(c);
      continue;
    }
    if (in.size() - i < 3) return false;
    const int high = HexValue(in[i + 1]);
    const int low = HexValue(in[i + 2]);
    if (high < 0 || low < 0) return false;
    const char decoded = static_cast<char>(high * 16 + low);
    if (decoded == '/' && mode == PercentDecodeMode::kAllButSlash) {
      // Kept as written, so that a segment's own slash stays apart from the separators.
      out->append(in.substr(i, 3));
    } else {
      out->push_back(decoded);
    }
    i += 2;
  }
  return true;
}

bool IsWellFormedPercentEncoding(std::string_view in) {
  for (std::size_t i = in.find('%'); i != std::string_view::npos; i = in.find('%', i + 3)) {
    if (in.size() - i < 3 || HexValue(in[i + 1]) < 0 || HexValue(in[i + 2]) < 0) return false;
  }
  return true;
}

}  // namespace cppgateway
