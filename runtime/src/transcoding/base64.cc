#include "transcoding/base64.h"

namespace cppgateway {
namespace {

// The value of a base64 digit in either alphabet, or -1. `*alphabet` records which alphabet the
// text uses once a digit tells (1 standard, 2 URL-safe); a digit of the other one is then refused.
int Base64Digit(char c, int* alphabet) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  const int which = (c == '+' || c == '/') ? 1 : (c == '-' || c == '_') ? 2 : 0;
  if (which == 0 || (*alphabet != 0 && *alphabet != which)) return -1;
  *alphabet = which;
  return (c == '+' || c == '-') ? 62 : 63;
}

}  // namespace

std::string EncodeBase64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned int chunk = static_cast<unsigned char>(bytes[i]) << 16 |
                               static_cast<unsigned char>(bytes[i + 1]) << 8 |
                               static_cast<unsigned char>(bytes[i + 2]);
    out.push_back(kAlphabet[(chunk >> 18) & 63]);
    out.push_back(kAlphabet[(chunk >> 12) & 63]);
    out.push_back(kAlphabet[(chunk >> 6) & 63]);
    out.push_back(kAlphabet[chunk & 63]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    unsigned int chunk = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) chunk |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out.push_back(kAlphabet[(chunk >> 18) & 63]);
    out.push_back(kAlphabet[(chunk >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(chunk >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

bool DecodeBase64(std::string_view text, std::string* out) {
  std::size_t length = text.size();
  if (length % 4 == 0 && length > 0 && text[length - 1] == '=') {
    --length;
    if (text[length - 1] == '=') --length;
  }
  if (length % 4 == 1) return false;
  out->clear();
  out->reserve(length * 3 / 4);
  int alphabet = 0;
  unsigned int bits = 0;
  int bit_count = 0;
  for (std::size_t i = 0; i < length; ++i) {
    const int digit = Base64Digit(text[i], &alphabet);
    if (digit < 0) return false;
    bits = (bits << 6) | static_cast<unsigned int>(digit);
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      out->push_back(static_cast<char>((bits >> bit_count) & 0xFF));
    }
  }
  return true;
}

}  // namespace cppgateway
