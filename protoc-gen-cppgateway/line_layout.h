// Lines of generated code laid out the way clang-format lays them out (Google style, 100 columns),
// so the generated files read like the code around them. Only the few shapes the emitter produces;
// where clang-format weighs layouts by penalties, a few measured rules stand in for them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cppgateway::plugin {

// The column limit of the project's .clang-format.
inline constexpr std::size_t kColumnLimit = 100;

// `head` + the arguments separated by ", " + `tail`, e.g. head "  f(", tail ");". When that is too
// long, the arguments are bin-packed either aligned after the "(" or on lines indented four columns
// more than `head`, whichever clang-format would choose. An argument too long for a line of its
// own is broken as clang-format breaks it: a string literal into adjacent literals, a braced list
// `{"a", "b"}` after its elements; the next argument then starts a line. `head` carries its own
// indentation. A name longer than a line stays whole.
std::string LayoutCall(std::string_view head, const std::vector<std::string>& args,
                       std::string_view tail);

// A call with explicit template arguments, `object`.`function`<`template_args`>(`args`)`tail` with
// `indent` before it, e.g. "  gateway.Handle<A, B>(x, y);", laid out as LayoutCall does. When the
// template arguments make the head itself too long: a break before the "." or the template
// arguments aligned after the "<", whichever clang-format would choose.
std::string LayoutTemplateCall(std::string_view indent, std::string_view object,
                               std::string_view function,
                               const std::vector<std::string>& template_args,
                               const std::vector<std::string>& args, std::string_view tail);

// A `//` comment with `text`, wrapped at the column limit between words.
std::string LayoutComment(std::string_view indent, std::string_view text);

// `text` as a C++ string literal, quotes included; control characters, quotes and backslashes
// escaped.
std::string CppStringLiteral(std::string_view text);

}  // namespace cppgateway::plugin
