#include "gateway/cors.h"

#include <algorithm>
#include <utility>

#include "cppgateway/status.h"

namespace cppgateway {
namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string joined;
  for (const std::string& item : items) joined += (joined.empty() ? "" : ", ") + item;
  return joined;
}

// An exchange whose answer's head gets the CORS headers.
class CorsExchange final : public HttpExchange {
 public:
  CorsExchange(std::shared_ptr<HttpExchange> inner, HttpHeaders headers)
      : inner_(std::move(inner)), headers_(std::move(headers)) {}

  const HttpRequestHead& request() const override { return inner_->request(); }
  const std::string& peer() const override { return inner_->peer(); }
  void SendHead(HttpResponseHead head) override {
    head.headers.insert(head.headers.end(), headers_.begin(), headers_.end());
    inner_->SendHead(std::move(head));
  }
  bool SendBody(std::string_view bytes) override { return inner_->SendBody(bytes); }
  void End(const HttpHeaders& trailers) override { inner_->End(trailers); }
  void Abort() override { inner_->Abort(); }
  void ResumeBody() override { inner_->ResumeBody(); }
  void Post(std::function<void()> task) override { inner_->Post(std::move(task)); }

 private:
  const std::shared_ptr<HttpExchange> inner_;
  const HttpHeaders headers_;
};

}  // namespace

CorsPolicy::CorsPolicy(CorsOptions options)
    : options_(std::move(options)),
      any_origin_(std::find(options_.allowed_origins.begin(), options_.allowed_origins.end(),
                            "*") != options_.allowed_origins.end()) {}

bool CorsPolicy::IsPreflight(const HttpRequestHead& request) {
  return request.method == "OPTIONS" && request.FindHeader("Origin") != nullptr &&
         request.FindHeader("Access-Control-Request-Method") != nullptr;
}

bool CorsPolicy::Allows(const std::string& origin) const {
  return any_origin_ || std::find(options_.allowed_origins.begin(), options_.allowed_origins.end(),
                                  origin) != options_.allowed_origins.end();
}

void CorsPolicy::AddOriginHeaders(const std::string& origin, HttpHeaders* headers) const {
  // With credentials the origin is named even when any is allowed: browsers refuse "*" then.
  if (any_origin_ && !options_.allow_credentials) {
    headers->emplace_back("Access-Control-Allow-Origin", "*");
  } else {
    headers->emplace_back("Access-Control-Allow-Origin", origin);
    headers->emplace_back("Vary", "Origin");
  }
  if (options_.allow_credentials) {
    headers->emplace_back("Access-Control-Allow-Credentials", "true");
  }
}

void CorsPolicy::AnswerPreflight(HttpExchange& exchange) const {
  const HttpRequestHead& request = exchange.request();
  const std::string& origin = *request.FindHeader("Origin");
  HttpResponseHead head;
  if (!Allows(origin)) {
    std::string body = ErrorBody(grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                                              "origin " + origin + " may not call this API"));
    head.status = 403;
    head.headers.emplace_back("Content-Type", "application/json");
    head.content_length = body.size();
    exchange.SendHead(std::move(head));
    exchange.SendBody(body);
    exchange.End();
    return;
  }
  head.status = 204;
  AddOriginHeaders(origin, &head.headers);
  head.headers.emplace_back("Access-Control-Allow-Methods", Join(options_.allowed_methods));
  const std::string* asked = request.FindHeader("Access-Control-Request-Headers");
  if (!options_.allowed_headers.empty()) {
    head.headers.emplace_back("Access-Control-Allow-Headers", Join(options_.allowed_headers));
  } else if (asked != nullptr) {
    head.headers.emplace_back("Access-Control-Allow-Headers", *asked);
  }
  head.headers.emplace_back("Access-Control-Max-Age", std::to_string(options_.max_age.count()));
  exchange.SendHead(std::move(head));
  exchange.End();
}

HttpHeaders CorsPolicy::AnswerHeaders(const HttpRequestHead& request) const {
  HttpHeaders headers;
  const std::string* origin = request.FindHeader("Origin");
  if (origin == nullptr || !Allows(*origin)) return headers;
  AddOriginHeaders(*origin, &headers);
  if (!options_.exposed_headers.empty()) {
    headers.emplace_back("Access-Control-Expose-Headers", Join(options_.exposed_headers));
  }
  return headers;
}

std::shared_ptr<HttpExchange> CorsPolicy::Wrap(std::shared_ptr<HttpExchange> exchange) const {
  HttpHeaders headers = AnswerHeaders(exchange->request());
  if (headers.empty()) return exchange;
  return std::make_shared<CorsExchange>(std::move(exchange), std::move(headers));
}

}  // namespace cppgateway
