// The router: a set of routes (method and path template) and one request (method and raw path).
//
// Input: lines. Each line but the last is a route, "METHOD TEMPLATE" (lines whose template does
// not parse are skipped); the last line is the request, "METHOD PATH" (one '\n' after it is
// ignored).
//
// Checks, beyond no crash, against a reference model that matches each template on its own:
// - Add refuses a route exactly when one of the same method, segments (literals compared
//   decoded) and verb was added before;
// - Lookup never returns a route whose template does not match the path; the route it returns is
//   the most specific one (segment by segment from the left: the end of the template, then a
//   literal, then `*`, then `**` taking as few segments as it can), trying the verb readings of
//   the last segment (longest verb first) before the whole path, and GET routes for HEAD after
//   HEAD's own;
// - its bindings are that template's variables with their values, percent-decoded (`%2F` kept in
//   a multi-segment one);
// - not found / method not allowed exactly when no route of the method matches, with Allow the
//   sorted methods of the routes that do (HEAD with GET); a bad path exactly for a path without
//   a leading '/' or with a malformed escape.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cppgateway/path_template.h"
#include "cppgateway/router.h"
#include "fuzz_check.h"

namespace cppgateway {
namespace {

using Kind = TemplateSegment::Kind;
using Result = Router::Match::Result;

constexpr std::size_t kMaxRoutes = 64;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool WellFormed(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') continue;
    if (i + 2 >= text.size() || HexValue(text[i + 1]) < 0 || HexValue(text[i + 2]) < 0)
      return false;
    i += 2;
  }
  return true;
}

// `text` (well-formed) percent-decoded; `keep_slash` leaves `%2F` as written.
std::string Decode(std::string_view text, bool keep_slash = false) {
  std::string decoded;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      decoded += text[i];
      continue;
    }
    const char c = static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
    if (c == '/' && keep_slash) {
      decoded += text.substr(i, 3);
    } else {
      decoded += c;
    }
    i += 2;
  }
  return decoded;
}

struct Route {
  std::string method;
  PathTemplate path_template;
  std::vector<std::string> decoded_literals;  // per segment, empty for wildcards
  std::string decoded_verb;
  Router::RouteId id = 0;
};

bool SameShape(const Route& a, const Route& b) {
  if (a.decoded_verb != b.decoded_verb) return false;
  const std::vector<TemplateSegment>& x = a.path_template.segments();
  const std::vector<TemplateSegment>& y = b.path_template.segments();
  if (x.size() != y.size()) return false;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (x[i].kind != y[i].kind || a.decoded_literals[i] != b.decoded_literals[i]) return false;
  }
  return true;
}

// A path to match: its segments as [begin, end) offsets into `path`. "/" has none; "/a/" has
// "a" and "".
struct Segments {
  std::string_view path;
  std::vector<std::size_t> begins;
  std::vector<std::size_t> ends;
};

Segments Split(std::string_view path) {
  Segments segments;
  segments.path = path == "/" ? std::string_view() : path;
  for (std::size_t pos = 0; pos < segments.path.size();) {
    const std::size_t end = std::min(segments.path.find('/', pos + 1), segments.path.size());
    segments.begins.push_back(pos + 1);
    segments.ends.push_back(end);
    pos = end;
  }
  return segments;
}

// How one template matched: per template segment, the ranks that order the routes (-1 for the
// template's end, 0 literal, 1 `*`, 2 + n for `**` over n segments) and the span it covers.
struct Alignment {
  std::vector<int> key;
  std::vector<std::size_t> span_begin;
  std::vector<std::size_t> span_end;
};

// The least alignment of `route`'s segments from `i` on with the path's segments from `k` on.
bool Align(const Route& route, const Segments& path, std::size_t i, std::size_t k,
           Alignment* alignment) {
  const std::vector<TemplateSegment>& segments = route.path_template.segments();
  const std::size_t count = path.begins.size();
  if (i == segments.size()) {
    if (k != count) return false;
    alignment->key.push_back(-1);
    return true;
  }
  const std::size_t mark = alignment->key.size();
  const auto undo = [&] {
    alignment->key.resize(mark);
    alignment->span_begin.resize(i);
    alignment->span_end.resize(i);
  };
  // The '/' before segment k, or the end of the path.
  const std::size_t pos = k < count ? path.begins[k] - 1 : path.path.size();
  switch (segments[i].kind) {
    case Kind::kLiteral:
    case Kind::kSingleWildcard: {
      if (k == count) return false;
      const std::string_view segment =
          path.path.substr(path.begins[k], path.ends[k] - path.begins[k]);
      if (segments[i].kind == Kind::kLiteral ? Decode(segment) != route.decoded_literals[i]
                                             : segment.empty()) {
        return false;
      }
      alignment->key.push_back(segments[i].kind == Kind::kLiteral ? 0 : 1);
      alignment->span_begin.push_back(path.begins[k]);
      alignment->span_end.push_back(path.ends[k]);
      if (Align(route, path, i + 1, k + 1, alignment)) return true;
      undo();
      return false;
    }
    case Kind::kMultiWildcard:
      for (std::size_t n = 0; k + n <= count; ++n) {
        alignment->key.push_back(2 + static_cast<int>(n));
        alignment->span_begin.push_back(n == 0 ? pos : pos + 1);
        alignment->span_end.push_back(n == 0 ? pos : path.ends[k + n - 1]);
        if (Align(route, path, i + 1, k + n, alignment)) return true;
        undo();
      }
      return false;
  }
  return false;
}

std::string Describe(const std::vector<Route>& routes, std::string_view method,
                     std::string_view path) {
  std::string text;
  for (const Route& route : routes) {
    text += "  route " + std::to_string(route.id) + ": " + fuzz::Escape(route.method) + " " +
            fuzz::Escape(route.path_template.text()) + "\n";
  }
  return text + "  request: " + fuzz::Escape(method) + " " + fuzz::Escape(path);
}

void CheckLookup(const Router& router, const std::vector<Route>& routes, std::string_view method,
                 std::string_view path) {
  const Router::Match match = router.Lookup(method, path);
  const std::string context = Describe(routes, method, path);

  if (path.empty() || path[0] != '/' || !WellFormed(path)) {
    FUZZ_CHECK(match.result == Result::kBadPath && !match.error.empty(), context);
    return;
  }
  FUZZ_CHECK(match.result != Result::kBadPath, "a good path is bad: " + context);

  // The readings of the path: the last segment's suffix after each of its ':' as a verb (when
  // some route has that verb; verbs may hold colons), the longest first, then the whole path.
  struct Reading {
    Segments segments;
    std::string verb;
  };
  std::vector<Reading> readings;
  for (std::size_t colon = path.find(':', path.rfind('/')); colon != std::string_view::npos;
       colon = path.find(':', colon + 1)) {
    std::string verb = Decode(path.substr(colon + 1));
    if (!verb.empty() && std::any_of(routes.begin(), routes.end(), [&](const Route& route) {
          return route.decoded_verb == verb;
        })) {
      readings.push_back({Split(path.substr(0, colon)), verb});
    }
  }
  readings.push_back({Split(path), ""});

  std::vector<std::string_view> methods = {method};
  if (method == "HEAD") methods.push_back("GET");
  const Route* expected = nullptr;
  const Reading* expected_reading = nullptr;
  Alignment expected_alignment;
  for (std::string_view wanted : methods) {
    for (const Reading& reading : readings) {
      for (const Route& route : routes) {
        if (route.method != wanted || route.decoded_verb != reading.verb) continue;
        Alignment alignment;
        if (!Align(route, reading.segments, 0, 0, &alignment)) continue;
        if (expected == nullptr || alignment.key < expected_alignment.key) {
          expected = &route;
          expected_reading = &reading;
          expected_alignment = std::move(alignment);
        }
      }
      if (expected != nullptr) break;
    }
    if (expected != nullptr) break;
  }

  if (expected != nullptr) {
    FUZZ_CHECK(match.result == Result::kFound,
               "no route found, route " + std::to_string(expected->id) + " matches:\n" + context);
    FUZZ_CHECK(match.route == expected->id, "found route " + std::to_string(match.route) +
                                                ", the most specific is route " +
                                                std::to_string(expected->id) + ":\n" + context);
    const std::vector<TemplateVariable>& variables = expected->path_template.variables();
    FUZZ_CHECK(match.bindings.size() == variables.size(), "bindings missing:\n" + context);
    const std::string_view reading_path = expected_reading->segments.path;
    for (std::size_t v = 0; v < variables.size(); ++v) {
      const std::size_t begin =
          expected_alignment.span_begin[static_cast<std::size_t>(variables[v].begin)];
      const std::size_t end =
          expected_alignment.span_end[static_cast<std::size_t>(variables[v].end - 1)];
      const std::string value =
          Decode(reading_path.substr(begin, end - begin), variables[v].multi_segment);
      FUZZ_CHECK(match.bindings[v].field_path == variables[v].field_path,
                 "binding " + std::to_string(v) + " names another field:\n" + context);
      FUZZ_CHECK(match.bindings[v].value == value,
                 "binding " + std::to_string(v) + " is " + fuzz::Escape(match.bindings[v].value) +
                     ", expected " + fuzz::Escape(value) + ":\n" + context);
    }
    return;
  }

  FUZZ_CHECK(match.result != Result::kFound,
             "found route " + std::to_string(match.route) + ", but no route matches:\n" + context);
  std::vector<std::string> allowed;
  for (const Reading& reading : readings) {
    for (const Route& route : routes) {
      Alignment alignment;
      if (route.decoded_verb == reading.verb && Align(route, reading.segments, 0, 0, &alignment))
        allowed.push_back(route.method);
    }
  }
  if (std::find(allowed.begin(), allowed.end(), "GET") != allowed.end()) allowed.push_back("HEAD");
  std::sort(allowed.begin(), allowed.end());
  allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
  if (allowed.empty()) {
    FUZZ_CHECK(match.result == Result::kNotFound, "expected not found:\n" + context);
  } else {
    FUZZ_CHECK(match.result == Result::kMethodNotAllowed,
               "expected method not allowed:\n" + context);
    FUZZ_CHECK(match.allowed_methods == allowed, "wrong Allow:\n" + context);
  }
}

}  // namespace
}  // namespace cppgateway

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cppgateway;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (!input.empty() && input.back() == '\n') input.remove_suffix(1);  // a file's last line end
  std::vector<std::string_view> lines;
  for (std::size_t begin = 0; begin <= input.size();) {
    const std::size_t end = std::min(input.find('\n', begin), input.size());
    lines.push_back(input.substr(begin, end - begin));
    begin = end + 1;
  }
  const std::string_view request = lines.back();
  lines.pop_back();
  if (lines.size() > kMaxRoutes) return 0;

  Router router;
  std::vector<Route> routes;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::size_t space = lines[i].find(' ');
    if (space == std::string_view::npos) continue;
    std::optional<PathTemplate> parsed = PathTemplate::Parse(lines[i].substr(space + 1));
    if (!parsed) continue;
    Route route;
    route.method = std::string(lines[i].substr(0, space));
    route.id = i;
    for (const TemplateSegment& segment : parsed->segments()) {
      route.decoded_literals.push_back(Decode(segment.literal));
    }
    route.decoded_verb = Decode(parsed->verb());
    route.path_template = std::move(*parsed);
    const bool duplicate = std::any_of(routes.begin(), routes.end(), [&](const Route& other) {
      return other.method == route.method && SameShape(other, route);
    });
    bool refused = false;
    try {
      router.Add(route.method, route.path_template, route.id);
    } catch (const std::invalid_argument&) {
      refused = true;
    }
    FUZZ_CHECK(refused == duplicate,
               std::string(refused ? "refused" : "added") + " route " + std::to_string(i) + ":\n" +
                   Describe(routes, route.method, route.path_template.text()));
    if (!refused) routes.push_back(std::move(route));
  }

  const std::size_t space = request.find(' ');
  if (space == std::string_view::npos) return 0;
  CheckLookup(router, routes, request.substr(0, space), request.substr(space + 1));
  return 0;
}
