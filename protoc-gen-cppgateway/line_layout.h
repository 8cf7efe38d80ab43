// Lines of generated code laid out the way clang-format lays them out (Google style, 100 columns),
// so the generated files read like the code around them. Only the few shapes the emitter produces.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cppgateway::plugin {

// The column limit of the project's .clang-format.
inline constexpr std::size_t kColumnLimit = 100;

// `head` + the arguments separated by ", " + `tail`, e.g. head "  f(", tail ");". When that is too
// long, the arguments are bin-packed on lines aligned after the "(", or else on lines indented four
// columns more than `head`. `head` carries its own indentation.
std::string LayoutCall(std::string_view head, const std::vector<std::string>& args,
                       std::string_view tail);

// `indent` + `lhs` + " = " + `rhs` + ";", broken after the "=" when too long.
std::string LayoutAssignment(std::string_view indent, std::string_view lhs, std::string_view rhs);

// A `//` comment with `text`, wrapped at the column limit between words.
std::string LayoutComment(std::string_view indent, std::string_view text);

// `text` as a C++ string literal, quotes included; control characters, quotes and backslashes
// escaped.
std::string CppStringLiteral(std::string_view text);

}  // namespace cppgateway::plugin
