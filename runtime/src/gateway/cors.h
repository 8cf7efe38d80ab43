// Cross-origin calls from browsers (the CORS protocol of the Fetch standard), as CorsOptions say:
// preflights are answered here without reaching a route, and every answer to an allowed origin
// carries the headers that let its page read it.
#pragma once

#include <memory>
#include <string>

#include "cppgateway/http_exchange.h"
#include "cppgateway/options.h"

namespace cppgateway {

class CorsPolicy {
 public:
  explicit CorsPolicy(CorsOptions options);

  bool enabled() const { return !options_.allowed_origins.empty(); }

  // An OPTIONS request with Origin and Access-Control-Request-Method.
  static bool IsPreflight(const HttpRequestHead& request);
  // Answers a preflight: 204 with what is allowed, or 403 for an origin that is not.
  void AnswerPreflight(HttpExchange& exchange) const;
  // The headers for an actual answer to `request`; none when its Origin is not allowed.
  HttpHeaders AnswerHeaders(const HttpRequestHead& request) const;

  // `exchange` with the CORS headers added to its answer's head.
  std::shared_ptr<HttpExchange> Wrap(std::shared_ptr<HttpExchange> exchange) const;

 private:
  bool Allows(const std::string& origin) const;
  // Access-Control-Allow-Origin (and Vary, credentials) for an allowed `origin`.
  void AddOriginHeaders(const std::string& origin, HttpHeaders* headers) const;

  const CorsOptions options_;
  const bool any_origin_;
};

}  // namespace cppgateway
