#include "cppgateway/path_template.h"

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>

namespace cppgateway {
namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// RFC 3986 `pchar` less the characters the template grammar gives a meaning to (`*`, `=`, `:`)
// and `%`, which starts an escape.
bool IsLiteralChar(char c) {
  if (IsAlpha(c) || IsDigit(c)) return true;
  switch (c) {
    case '-':
    case '.':
    case '_':
    case '~':  // unreserved
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':  // sub-delims
    case '+':
    case ',':
    case ';':
    case '@':
      return true;
    default:
      return false;
  }
}

// A character for an error message: printable as is, anything else as a hex escape.
std::string Describe(char c) {
  if (c >= 0x20 && c < 0x7f) return std::string("'") + c + "'";
  static const char kHex[] = "0123456789ABCDEF";
  const auto byte = static_cast<unsigned char>(c);
  return std::string("byte 0x") + kHex[byte >> 4] + kHex[byte & 0xf];
}

// True when one field path equals the other or is a prefix of it: binding both would set one field
// twice, or a field and one of its own subfields.
bool Overlaps(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const std::size_t common = std::min(a.size(), b.size());
  return std::equal(a.begin(), a.begin() + common, b.begin());
}

std::string JoinFieldPath(const std::vector<std::string>& field_path) {
  std::string joined;
  for (const std::string& name : field_path) {
    if (!joined.empty()) joined += '.';
    joined += name;
  }
  return joined;
}

// A recursive-descent parser of the google.api.http template grammar:
//   Template = "/" | "/" Segments [ Verb ] ;
//   Segments = Segment { "/" Segment } ;
//   Segment  = "*" | "**" | LITERAL | Variable ;
//   Variable = "{" FieldPath [ "=" Segments ] "}" ;
//   FieldPath = IDENT { "." IDENT } ;
//   Verb     = ":" LITERAL { ":" LITERAL } ;
// with the restrictions of the routing model: at most one `**`, followed by literals only (inside
// its variable and after it: `/{x=a/**/b}/c`, as grpc-httpjson-transcoding routes them), and no
// field bound twice. A verb may hold colons (`/{id}:custom:custom`): grpc-gateway reads everything
// after the colon that follows a variable as the verb.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  // Parses the whole text; on failure returns false with `error()` set.
  bool Parse() {
    if (text_.empty() || text_[0] != '/') return Fail("a path template must start with '/'", 0);
    pos_ = 1;
    if (AtEnd()) return true;  // the root template "/"
    if (!ParseSegments()) return false;
    if (Peek() == ':' && !ParseVerb()) return false;
    if (AtEnd()) return true;
    if (Peek() == '}') return Fail("'}' without a matching '{'", pos_);
    return Fail("unexpected " + Describe(Peek()), pos_);
  }

  const std::string& error() const { return error_; }
  std::vector<TemplateSegment>& segments() { return segments_; }
  std::vector<TemplateVariable>& variables() { return variables_; }
  std::string& verb() { return verb_; }

 private:
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }

  bool Fail(const std::string& what, std::size_t position) {
    error_ = what + " at position " + std::to_string(position);
    return false;
  }

  bool ParseSegments() {
    while (true) {
      if (!ParseSegment()) return false;
      if (Peek() != '/') return true;
      ++pos_;
    }
  }

  bool ParseSegment() {
    const std::size_t start = pos_;
    if (AtEnd()) {
      if (in_variable_) return Fail("'{' is never closed", open_brace_);
      return Fail("empty segment", start);
    }
    switch (Peek()) {
      case '/':
      case ':':
        return Fail("empty segment", start);
      case '}':
        if (!in_variable_) return Fail("'}' without a matching '{'", start);
        return Fail("empty segment", start);
      case '*':
        return ParseWildcard();
      case '{':
        if (in_variable_) return Fail("a variable inside a variable", start);
        return ParseVariable();
      default:
        break;
    }
    return ParseLiteral();
  }

  bool ParseWildcard() {
    const std::size_t start = pos_;
    ++pos_;
    TemplateSegment segment;
    if (Peek() == '*') {
      ++pos_;
      if (multi_wildcard_seen_) return Fail("more than one '**' in a template", start);
      multi_wildcard_seen_ = true;
      segment.kind = TemplateSegment::Kind::kMultiWildcard;
    } else {
      if (multi_wildcard_seen_) return Fail("'*' after '**' (only literals may follow it)", start);
      segment.kind = TemplateSegment::Kind::kSingleWildcard;
    }
    if (!AtEnd() && Peek() != '/' && Peek() != ':' && Peek() != '}') {
      return Fail("a wildcard must be a whole segment", start);
    }
    segments_.push_back(std::move(segment));
    return true;
  }

  // Reads literal characters and escapes up to the next delimiter into `*out`, as written.
  bool ParseLiteralText(std::string* out, const char* what) {
    const std::size_t start = pos_;
    while (!AtEnd()) {
      const char c = Peek();
      if (c == '%') {
        if (text_.size() - pos_ < 3 || !IsHexDigit(text_[pos_ + 1]) ||
            !IsHexDigit(text_[pos_ + 2])) {
          return Fail(std::string("malformed percent escape in ") + what, pos_);
        }
        pos_ += 3;
        continue;
      }
      if (!IsLiteralChar(c)) break;
      ++pos_;
    }
    if (!AtEnd() && Peek() != '/' && Peek() != '}' && Peek() != ':') {
      return Fail(Describe(Peek()) + " is not allowed in " + what, pos_);
    }
    out->assign(text_.substr(start, pos_ - start));
    return true;
  }

  bool ParseLiteral() {
    TemplateSegment segment;
    segment.kind = TemplateSegment::Kind::kLiteral;
    if (!ParseLiteralText(&segment.literal, "a path literal")) return false;
    segments_.push_back(std::move(segment));
    return true;
  }

  bool ParseVariable() {
    const std::size_t open = pos_;
    open_brace_ = open;
    ++pos_;  // '{'
    if (multi_wildcard_seen_)
      return Fail("a variable after '**' (only literals may follow it)", open);
    TemplateVariable variable;
    if (!ParseFieldPath(&variable.field_path)) return false;
    variable.begin = static_cast<int>(segments_.size());
    if (Peek() == '=') {
      ++pos_;
      in_variable_ = true;
      const bool parsed = ParseSegments();
      in_variable_ = false;
      if (!parsed) return false;
    } else {
      TemplateSegment segment;
      segment.kind = TemplateSegment::Kind::kSingleWildcard;
      segments_.push_back(std::move(segment));
    }
    if (AtEnd()) return Fail("'{' is never closed", open);
    if (Peek() != '}') return Fail("expected '}' but found " + Describe(Peek()), pos_);
    ++pos_;
    variable.end = static_cast<int>(segments_.size());
    variable.multi_segment = variable.end - variable.begin > 1 ||
                             segments_.back().kind == TemplateSegment::Kind::kMultiWildcard;
    for (const TemplateVariable& other : variables_) {
      if (other.field_path == variable.field_path) {
        return Fail("field '" + JoinFieldPath(variable.field_path) + "' is bound twice", open);
      }
      if (Overlaps(other.field_path, variable.field_path)) {
        return Fail("field '" + JoinFieldPath(variable.field_path) + "' overlaps field '" +
                        JoinFieldPath(other.field_path) + "', bound before",
                    open);
      }
    }
    variables_.push_back(std::move(variable));
    return true;
  }

  bool ParseFieldPath(std::vector<std::string>* field_path) {
    if (AtEnd() || Peek() == '}' || Peek() == '=') return Fail("empty field path", pos_);
    while (true) {
      const std::size_t start = pos_;
      if (AtEnd() || !(IsAlpha(Peek()) || Peek() == '_')) {
        if (AtEnd()) return Fail("'{' is never closed", open_brace_);
        if (Peek() == '{') return Fail("a variable inside a variable", start);
        return Fail("expected a field name but found " + Describe(Peek()), start);
      }
      while (!AtEnd() && (IsAlpha(Peek()) || IsDigit(Peek()) || Peek() == '_')) ++pos_;
      field_path->emplace_back(text_.substr(start, pos_ - start));
      if (Peek() != '.') break;
      ++pos_;
    }
    if (AtEnd()) return Fail("'{' is never closed", open_brace_);
    if (Peek() == '{') return Fail("a variable inside a variable", pos_);
    if (Peek() != '}' && Peek() != '=') {
      return Fail("unexpected " + Describe(Peek()) + " in a field path", pos_);
    }
    return true;
  }

  // The verb is everything after the colon, colons included; each part between two must be a
  // non-empty literal.
  bool ParseVerb() {
    ++pos_;  // ':'
    const std::size_t start = pos_;
    while (true) {
      const std::size_t part_start = pos_;
      std::string part;
      if (!ParseLiteralText(&part, "a verb")) return false;
      if (part.empty()) return Fail(pos_ == start ? "empty verb" : "empty part of a verb", pos_);
      if (part_start != start) verb_ += ':';
      verb_ += part;
      if (Peek() != ':') break;
      ++pos_;
    }
    if (!AtEnd()) return Fail("unexpected " + Describe(Peek()) + " after the verb", pos_);
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  bool in_variable_ = false;
  std::size_t open_brace_ = 0;  // where the variable being parsed starts, for errors
  bool multi_wildcard_seen_ = false;
  std::vector<TemplateSegment> segments_;
  std::vector<TemplateVariable> variables_;
  std::string verb_;
  std::string error_;
};

}  // namespace

std::optional<PathTemplate> PathTemplate::Parse(std::string_view text, std::string* error) {
  Parser parser(text);
  if (!parser.Parse()) {
    if (error != nullptr) *error = parser.error();
    return std::nullopt;
  }
  PathTemplate parsed;
  parsed.segments_ = std::move(parser.segments());
  parsed.variables_ = std::move(parser.variables());
  parsed.verb_ = std::move(parser.verb());
  parsed.text_ = std::string(text);
  return parsed;
}

}  // namespace cppgateway
