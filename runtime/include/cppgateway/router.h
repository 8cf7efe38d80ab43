// Method + path -> route, through a trie of template segments. Specificity decides, not
// registration order: at each segment a literal beats `*`, and `*` beats `**`.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cppgateway/path_template.h"

namespace cppgateway {

// A path variable's value, bound to the request field it names.
struct PathBinding {
  std::vector<std::string> field_path;
  std::string value;  // percent-decoded: fully for one segment, all but %2F for several
};

class Router {
 public:
  using RouteId = std::size_t;

  struct Match {
    enum class Result {
      kFound,             // `route` and `bindings` are set
      kNotFound,          // no template matches the path
      kMethodNotAllowed,  // the path matches, the method does not; `allowed_methods` says which do
      kBadPath,           // the path is malformed (a bad `%` escape); `error` says how
    };
    Result result = Result::kNotFound;
    RouteId route = 0;
    std::vector<PathBinding> bindings;
    std::vector<std::string> allowed_methods;  // sorted, unique
    std::string error;
  };

  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  // Adds a route for `method` ("GET", or a custom kind such as "HEAD"). Throws
  // std::invalid_argument when a route of the same method and shape (the same segments and verb,
  // whatever the variable names) exists already.
  void Add(std::string_view method, const PathTemplate& path_template, RouteId route);

  // Finds the route for a request. `path` is the raw request path: percent-encoded, no query
  // string. HEAD is answered by GET routes when it has none of its own.
  Match Lookup(std::string_view method, std::string_view path) const;

 private:
  struct Node;
  class Search;  // one lookup's walk of the trie
  std::unique_ptr<Node> root_;
  std::vector<std::string> verbs_;  // the custom verbs of all templates, for splitting `:verb` off
};

}  // namespace cppgateway
