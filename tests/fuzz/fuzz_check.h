// What the fuzz targets share: a check that stops the run with a message, which libFuzzer (and
// replay_main.cc) reports as a crash with the input that caused it.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace cppgateway::fuzz {

// Prints `what` (the broken invariant) and `detail`, then aborts.
[[noreturn]] inline void Fail(const char* file, int line, const char* what,
                              std::string_view detail) {
  std::fprintf(stderr, "%s:%d: invariant broken: %s\n%.*s\n", file, line, what,
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// Printable bytes as they are, the others escaped: for the messages.
inline std::string Escape(std::string_view bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string escaped;
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f && c != '\\') {
      escaped += c;
    } else {
      escaped += "\\x";
      escaped += kHex[byte >> 4];
      escaped += kHex[byte & 0xf];
    }
  }
  return escaped;
}

}  // namespace cppgateway::fuzz

// Checks `condition`; `detail` (a std::string expression) is only built when it fails.
#define FUZZ_CHECK(condition, detail)                                     \
  do {                                                                    \
    if (!(condition)) {                                                   \
      ::cppgateway::fuzz::Fail(__FILE__, __LINE__, #condition, (detail)); \
    }                                                                     \
  } while (false)
