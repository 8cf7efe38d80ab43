// UTF-8 both ways, well-formed only: no overlong forms, no surrogates, nothing past U+10FFFF.
// proto3 strings must be UTF-8 (a server fails to parse a request whose strings are not), and
// JSON text is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cppgateway {

// The length of the well-formed sequence of 2 to 4 bytes at the start of `text`, with its code
// point in `*code_point`; 0 when there is none there (an ASCII byte included).
std::size_t DecodeUtf8(std::string_view text, std::uint32_t* code_point);

// Whether all of `text` is well-formed UTF-8.
bool IsValidUtf8(std::string_view text);

// Appends the UTF-8 form of `code_point` (a scalar value) to `*out`.
void AppendUtf8(std::uint32_t code_point, std::string* out);

}  // namespace cppgateway
