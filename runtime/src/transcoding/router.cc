#include "cppgateway/router.h"

#include <algorithm>
#include <functional>
#include <map>
#include <stdexcept>
#include <utility>

#include "cppgateway/percent_encoding.h"

namespace cppgateway {
namespace {

// `text` fully percent-decoded. Callers have checked its escapes: the template parser did for
// template text, Lookup does for a request path.
std::string Decoded(std::string_view text) {
  std::string decoded;
  PercentDecode(text, PercentDecodeMode::kAll, &decoded);
  return decoded;
}

}  // namespace

// One trie node per distinct prefix of template segments.
struct Router::Node {
  // A template whose segments end at this node: the node fixes the segments, this the rest.
  struct Endpoint {
    std::string method;
    std::string verb;  // percent-decoded
    RouteId route = 0;
    std::vector<TemplateVariable> variables;
    std::string template_text;  // to name it when a duplicate comes
  };

  // Keyed by the percent-decoded literal, as request segments are compared decoded.
  std::map<std::string, std::unique_ptr<Node>, std::less<>> literals;
  std::unique_ptr<Node> single_wildcard;  // `*`
  std::unique_ptr<Node> multi_wildcard;   // `**`
  std::vector<Endpoint> endpoints;
};

// A depth-first search of the trie for one request path, in the order of specificity: at each
// segment a literal, then `*`, then `**`. A `**` swallows as few segments as it can first, so that
// the literals after it get the most specific say. Backtracking lets a less specific route answer
// when the more specific one has no route for the method.
class Router::Search {
 public:
  // Where one template segment matched in the request path: [begin, end) of the raw path. A `**`
  // spans all its segments with the slashes between them; matching none, it is empty.
  struct Span {
    std::size_t begin = 0;
    std::size_t end = 0;
  };

  // `path` is the raw path without its verb; it starts with '/', and "/" alone has no segment.
  // `verb` is percent-decoded. `spans` is scratch space, one per template segment matched.
  Search(std::string_view path, std::string_view verb, std::vector<Span>* spans)
      : path_(path == "/" ? std::string_view() : path), verb_(verb), spans_(*spans) {
    // A template consumes at most one segment per '/', plus one `**` matching none.
    const auto segment_count = static_cast<std::size_t>(std::count(path.begin(), path.end(), '/'));
    if (spans_.size() < segment_count + 1) spans_.resize(segment_count + 1);
  }

  // The most specific endpoint for `method`, or nullptr. Bind() then reads its path variables.
  const Node::Endpoint* Find(const Node& root, std::string_view method) {
    method_ = method;
    collected_methods_ = nullptr;
    return Walk(root, 0, 0);
  }

  // Adds the method of every endpoint that matches the path, whatever its method, to `*methods`.
  void CollectMethods(const Node& root, std::vector<std::string_view>* methods) {
    collected_methods_ = methods;
    Walk(root, 0, 0);
    collected_methods_ = nullptr;
  }

  // The path variables of `endpoint`, just found by Find().
  std::vector<PathBinding> Bind(const Node::Endpoint& endpoint) const {
    std::vector<PathBinding> bindings;
    bindings.reserve(endpoint.variables.size());
    for (const TemplateVariable& variable : endpoint.variables) {
      const auto first = static_cast<std::size_t>(variable.begin);
      const auto last = static_cast<std::size_t>(variable.end - 1);
      // A `**` that leads its variable and matched nothing sits at the '/' before the next
      // segment: the value starts with that segment, not with the slash (`{x=**/b}` on "/b").
      const std::size_t begin = spans_[first].begin == spans_[first].end && first < last
                                    ? spans_[first + 1].begin
                                    : spans_[first].begin;
      const std::size_t end = spans_[last].end;
      PathBinding binding;
      binding.field_path = variable.field_path;
      // A value of several segments keeps its escaped slashes apart from the separators.
      PercentDecode(
          path_.substr(begin, end - begin),
          variable.multi_segment ? PercentDecodeMode::kAllButSlash : PercentDecodeMode::kAll,
          &binding.value);
      bindings.push_back(std::move(binding));
    }
    return bindings;
  }

 private:
  // Matches the rest of the path, from `pos` (the '/' before the next segment, or the end), against
  // the subtrie at `node`, which has consumed `depth` template segments.
  const Node::Endpoint* Walk(const Node& node, std::size_t pos, std::size_t depth) {
    if (pos == path_.size()) {
      if (const Node::Endpoint* found = EndpointHere(node)) return found;
    } else {
      const std::size_t begin = pos + 1;
      const std::size_t end = std::min(path_.find('/', begin), path_.size());
      const std::string_view segment = path_.substr(begin, end - begin);
      if (const Node* literal = FindLiteral(node, segment)) {
        spans_[depth] = {begin, end};
        if (const Node::Endpoint* found = Walk(*literal, end, depth + 1)) return found;
      }
      if (node.single_wildcard && !segment.empty()) {
        spans_[depth] = {begin, end};
        if (const Node::Endpoint* found = Walk(*node.single_wildcard, end, depth + 1)) {
          return found;
        }
      }
    }
    if (node.multi_wildcard) {
      // Zero segments first, then one more at a time up to the whole rest.
      std::size_t end = pos;
      while (true) {
        spans_[depth] = {end == pos ? pos : pos + 1, end};
        if (const Node::Endpoint* found = Walk(*node.multi_wildcard, end, depth + 1)) {
          return found;
        }
        if (end == path_.size()) break;
        end = std::min(path_.find('/', end + 1), path_.size());
      }
    }
    return nullptr;
  }

  const Node::Endpoint* EndpointHere(const Node& node) {
    for (const Node::Endpoint& endpoint : node.endpoints) {
      if (endpoint.verb != verb_) continue;
      if (collected_methods_ != nullptr) {
        collected_methods_->push_back(endpoint.method);
      } else if (endpoint.method == method_) {
        return &endpoint;
      }
    }
    return nullptr;
  }

  static const Node* FindLiteral(const Node& node, std::string_view segment) {
    if (node.literals.empty()) return nullptr;
    // Most segments have no escape: look them up as they are, without a decoded copy.
    const auto it = segment.find('%') == std::string_view::npos
                        ? node.literals.find(segment)
                        : node.literals.find(Decoded(segment));
    return it == node.literals.end() ? nullptr : it->second.get();
  }

  std::string_view path_;
  std::string_view verb_;
  std::vector<Span>& spans_;  // indexed by template segment
  std::string_view method_;
  std::vector<std::string_view>* collected_methods_ = nullptr;
};

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

void Router::Add(std::string_view method, const PathTemplate& path_template, RouteId route) {
  Node* node = root_.get();
  for (const TemplateSegment& segment : path_template.segments()) {
    std::unique_ptr<Node>* child = nullptr;
    switch (segment.kind) {
      case TemplateSegment::Kind::kLiteral:
        child = &node->literals[Decoded(segment.literal)];
        break;
      case TemplateSegment::Kind::kSingleWildcard:
        child = &node->single_wildcard;
        break;
      case TemplateSegment::Kind::kMultiWildcard:
        child = &node->multi_wildcard;
        break;
    }
    if (!*child) *child = std::make_unique<Node>();
    node = child->get();
  }
  std::string verb = Decoded(path_template.verb());
  for (const Node::Endpoint& endpoint : node->endpoints) {
    if (endpoint.method == method && endpoint.verb == verb) {
      throw std::invalid_argument("duplicate route: " + std::string(method) + " " +
                                  path_template.text() + " has the same segments and verb as " +
                                  endpoint.method + " " + endpoint.template_text +
                                  ", added before");
    }
  }
  if (!verb.empty() && std::find(verbs_.begin(), verbs_.end(), verb) == verbs_.end()) {
    verbs_.push_back(verb);
  }
  node->endpoints.push_back(Node::Endpoint{std::string(method), std::move(verb), route,
                                           path_template.variables(), path_template.text()});
}

Router::Match Router::Lookup(std::string_view method, std::string_view path) const {
  Match match;
  if (path.empty() || path[0] != '/') {
    match.result = Match::Result::kBadPath;
    match.error = "the path must start with '/'";
    return match;
  }
  if (!IsWellFormedPercentEncoding(path)) {
    match.result = Match::Result::kBadPath;
    match.error = "malformed percent escape in the path: '%' must be followed by two hex digits";
    return match;
  }

  // A suffix of the last segment after one of its colons is a verb only when some template has
  // that verb; verbs may hold colons themselves (`custom:custom`). Even then the whole segment may
  // be a variable's value: every reading is tried, the longest verb first, the whole path last.
  struct Reading {
    std::string verb;
    std::string_view path;
  };
  std::vector<Reading> readings;
  const std::size_t last_slash = path.rfind('/');
  for (std::size_t colon = path.find(':', last_slash); colon != std::string_view::npos;
       colon = path.find(':', colon + 1)) {
    std::string candidate = Decoded(path.substr(colon + 1));
    if (std::find(verbs_.begin(), verbs_.end(), candidate) != verbs_.end()) {
      readings.push_back(Reading{std::move(candidate), path.substr(0, colon)});
    }
  }
  readings.push_back(Reading{std::string(), path});
  std::vector<Search::Span> spans;

  // HEAD is a GET without a body: GET routes answer it unless it has routes of its own.
  const std::string_view methods[] = {method, "GET"};
  const std::size_t method_count = method == "HEAD" ? 2 : 1;
  for (std::size_t m = 0; m < method_count; ++m) {
    for (const Reading& reading : readings) {
      Search search(reading.path, reading.verb, &spans);
      if (const Node::Endpoint* endpoint = search.Find(*root_, methods[m])) {
        match.result = Match::Result::kFound;
        match.route = endpoint->route;
        match.bindings = search.Bind(*endpoint);
        return match;
      }
    }
  }

  std::vector<std::string_view> allowed;
  for (const Reading& reading : readings) {
    Search(reading.path, reading.verb, &spans).CollectMethods(*root_, &allowed);
  }
  if (allowed.empty()) {
    match.result = Match::Result::kNotFound;
    return match;
  }
  if (std::find(allowed.begin(), allowed.end(), "GET") != allowed.end()) allowed.push_back("HEAD");
  std::sort(allowed.begin(), allowed.end());
  allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
  match.result = Match::Result::kMethodNotAllowed;
  match.allowed_methods.assign(allowed.begin(), allowed.end());
  return match;
}

}  // namespace cppgateway
