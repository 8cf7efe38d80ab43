// A parsed google.api.http path template, shared by the plugin (to reject bad templates at
// generation time) and the router (to match requests).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cppgateway {

// One segment of a template's path.
struct TemplateSegment {
  enum class Kind {
    kLiteral,         // matches exactly `literal`
    kSingleWildcard,  // `*`: exactly one segment
    kMultiWildcard,   // `**`: zero or more segments
  };
  Kind kind = Kind::kLiteral;
  std::string literal;  // for kLiteral only, as written in the template

  bool operator==(const TemplateSegment& other) const {
    return kind == other.kind && literal == other.literal;
  }
};

// A `{field.path=...}` variable bound to the template segments [begin, end).
struct TemplateVariable {
  std::vector<std::string> field_path;  // {"user", "id"} for `{user.id}`
  int begin = 0;                        // index of the first segment it covers
  int end = 0;                          // one past the last segment it covers
  // True when it covers a `**` or more than one segment: its value keeps `%2F` encoded.
  bool multi_segment = false;
};

class PathTemplate {
 public:
  // Parses `text` ("/v1/{name=shelves/*}/books:publish"). On failure returns nullopt and, when
  // `error` is given, says what is wrong and where ("empty segment at position 4", a 0-based offset
  // into `text`).
  static std::optional<PathTemplate> Parse(std::string_view text, std::string* error = nullptr);

  // The path segments, with each variable's own segments inlined (`{x}` becomes one `*`).
  const std::vector<TemplateSegment>& segments() const { return segments_; }
  // The custom verb after the `:` that ends the segments ("publish"; "custom:custom" for
  // `/{id}:custom:custom`), empty when there is none.
  const std::string& verb() const { return verb_; }
  const std::vector<TemplateVariable>& variables() const { return variables_; }
  // The template as written.
  const std::string& text() const { return text_; }

 private:
  std::vector<TemplateSegment> segments_;
  std::string verb_;
  std::vector<TemplateVariable> variables_;
  std::string text_;
};

}  // namespace cppgateway
