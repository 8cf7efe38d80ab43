// PathTemplate::Parse on any text (the plugin parses every google.api.http path with it).
//
// Checks, beyond no crash:
// - a refused text has an error that ends "at position N", N within the text, and is refused
//   with or without the error string asked for;
// - a parsed template is well-formed: non-empty literals made of literal characters and escapes,
//   at most one `**` with only literals after it (inside its variable too: `{x=a/**/b}`),
//   variables in order over disjoint non-empty segment ranges, multi_segment as the segments
//   say, no field bound twice or inside another bound field;
// - its text round-trips: printed back from its parts (a variable over one `*` as `{x}`), it is
//   the text parsed, up to `{x=*}` written `{x}`; and the long form (`{x=*}`) parses to the same
//   parts.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cppgateway/path_template.h"
#include "fuzz_check.h"

namespace cppgateway {
namespace {

using Kind = TemplateSegment::Kind;
using fuzz::Escape;

std::string JoinFieldPath(const std::vector<std::string>& path) {
  std::string joined;
  for (const std::string& name : path) joined += (joined.empty() ? "" : ".") + name;
  return joined;
}

std::string SegmentText(const TemplateSegment& segment) {
  switch (segment.kind) {
    case Kind::kLiteral:
      return segment.literal;
    case Kind::kSingleWildcard:
      return "*";
    case Kind::kMultiWildcard:
      return "**";
  }
  return "?";
}

// The template written from its parts; `short_form` writes a variable over one `*` as `{x}`.
std::string Print(const PathTemplate& parsed, bool short_form) {
  const std::vector<TemplateSegment>& segments = parsed.segments();
  std::string text;
  std::size_t next_variable = 0;
  for (std::size_t i = 0; i < segments.size();) {
    text += '/';
    const std::vector<TemplateVariable>& variables = parsed.variables();
    if (next_variable < variables.size() &&
        static_cast<std::size_t>(variables[next_variable].begin) == i) {
      const TemplateVariable& variable = variables[next_variable++];
      text += '{' + JoinFieldPath(variable.field_path);
      const auto end = static_cast<std::size_t>(variable.end);
      if (!(short_form && end == i + 1 && segments[i].kind == Kind::kSingleWildcard)) {
        text += '=';
        for (std::size_t j = i; j < end; ++j)
          text += (j == i ? "" : "/") + SegmentText(segments[j]);
      }
      text += '}';
      i = end;
    } else {
      text += SegmentText(segments[i++]);
    }
  }
  if (segments.empty()) text = "/";
  if (!parsed.verb().empty()) text += ':' + parsed.verb();
  return text;
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// RFC 3986 pchar less `:`, `=` and `*`, with `%` only in a complete escape.
bool IsLiteralText(std::string_view text) {
  static const std::string_view kAllowed =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()+,;@";
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      if (i + 2 >= text.size() || !IsHex(text[i + 1]) || !IsHex(text[i + 2])) return false;
      i += 2;
    } else if (kAllowed.find(text[i]) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

bool IsIdentifier(const std::string& name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  }
  return true;
}

bool SameParts(const PathTemplate& a, const PathTemplate& b) {
  if (a.segments() != b.segments() || a.verb() != b.verb()) return false;
  if (a.variables().size() != b.variables().size()) return false;
  for (std::size_t i = 0; i < a.variables().size(); ++i) {
    const TemplateVariable& x = a.variables()[i];
    const TemplateVariable& y = b.variables()[i];
    if (x.field_path != y.field_path || x.begin != y.begin || x.end != y.end ||
        x.multi_segment != y.multi_segment)
      return false;
  }
  return true;
}

void CheckWellFormed(const PathTemplate& parsed, const std::string& context) {
  const std::vector<TemplateSegment>& segments = parsed.segments();
  const auto count = static_cast<int>(segments.size());
  int multi_at = -1;
  for (int i = 0; i < count; ++i) {
    const TemplateSegment& segment = segments[static_cast<std::size_t>(i)];
    if (segment.kind == Kind::kLiteral) {
      FUZZ_CHECK(!segment.literal.empty() && IsLiteralText(segment.literal), context);
    } else {
      FUZZ_CHECK(segment.literal.empty(), context);
      FUZZ_CHECK(multi_at < 0, "a wildcard after '**': " + context);
      if (segment.kind == Kind::kMultiWildcard) multi_at = i;
    }
  }
  // A verb is literal parts joined by colons (`custom:custom`), none of them empty.
  std::string_view verb = parsed.verb();
  while (!verb.empty()) {
    const std::size_t colon = verb.find(':');
    const std::string_view part = verb.substr(0, colon);
    FUZZ_CHECK(!part.empty() && IsLiteralText(part), "a bad verb part: " + context);
    if (colon == std::string_view::npos) break;
    verb.remove_prefix(colon + 1);
    FUZZ_CHECK(!verb.empty(), "a verb ends with ':': " + context);
  }
  int previous_end = 0;
  const std::vector<TemplateVariable>& variables = parsed.variables();
  for (std::size_t v = 0; v < variables.size(); ++v) {
    const TemplateVariable& variable = variables[v];
    FUZZ_CHECK(
        previous_end <= variable.begin && variable.begin < variable.end && variable.end <= count,
        "variable ranges out of order or overlapping: " + context);
    previous_end = variable.end;
    FUZZ_CHECK(!variable.field_path.empty(), context);
    for (const std::string& name : variable.field_path) FUZZ_CHECK(IsIdentifier(name), context);
    FUZZ_CHECK(multi_at < 0 || multi_at >= variable.begin, "a variable after '**': " + context);
    const bool multi =
        variable.end - variable.begin > 1 ||
        segments[static_cast<std::size_t>(variable.end - 1)].kind == Kind::kMultiWildcard;
    FUZZ_CHECK(variable.multi_segment == multi, "multi_segment is wrong: " + context);
    for (std::size_t w = 0; w < v; ++w) {
      const std::vector<std::string>& a = variables[w].field_path;
      const std::vector<std::string>& b = variable.field_path;
      const std::size_t common = std::min(a.size(), b.size());
      FUZZ_CHECK(!std::equal(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(common), b.begin()),
                 "a field bound twice: " + context);
    }
  }
}

// `text` with every `=*}` written `}`: inside a template those three bytes only close a variable
// over one `*` (literals hold none of them).
std::string ShortForm(std::string text) {
  for (std::size_t at; (at = text.find("=*}")) != std::string::npos;) text.replace(at, 3, "}");
  return text;
}

}  // namespace
}  // namespace cppgateway

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cppgateway;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string context = "template " + fuzz::Escape(text);
  std::string error;
  const std::optional<PathTemplate> parsed = PathTemplate::Parse(text, &error);
  FUZZ_CHECK(parsed.has_value() == PathTemplate::Parse(text).has_value(), context);
  if (!parsed) {
    const std::size_t at = error.rfind(" at position ");
    FUZZ_CHECK(at != std::string::npos && at > 0, context + ": error \"" + error + "\"");
    const std::string position = error.substr(at + 13);
    FUZZ_CHECK(!position.empty() && position.size() < 12 &&
                   position.find_first_not_of("0123456789") == std::string::npos &&
                   std::stoull(position) <= size,
               context + ": error \"" + error + "\"");
    return 0;
  }
  FUZZ_CHECK(error.empty(), context);
  FUZZ_CHECK(parsed->text() == text, context);
  CheckWellFormed(*parsed, context);

  const std::string printed = Print(*parsed, /*short_form=*/true);
  FUZZ_CHECK(printed == ShortForm(std::string(text)),
             context + " printed back as " + fuzz::Escape(printed));
  const std::string long_form = Print(*parsed, /*short_form=*/false);
  std::string reparse_error;
  const std::optional<PathTemplate> reparsed = PathTemplate::Parse(long_form, &reparse_error);
  FUZZ_CHECK(reparsed.has_value(), context + ": its long form " + fuzz::Escape(long_form) +
                                       " is refused: " + reparse_error);
  FUZZ_CHECK(SameParts(*parsed, *reparsed),
             context + ": its long form " + fuzz::Escape(long_form) + " parses differently");
  return 0;
}
