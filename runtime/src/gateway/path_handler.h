// The handler behind Gateway::HandlePath: gathers the whole body (up to max_body_bytes), then
// hands the request to the user's code.
#pragma once

#include <memory>
#include <string>

#include "cppgateway/gateway.h"
#include "cppgateway/http_exchange.h"
#include "cppgateway/options.h"

namespace cppgateway {

class BufferedPathRequest final : public RequestHandler {
 public:
  BufferedPathRequest(std::shared_ptr<HttpExchange> exchange, Gateway::PathVariables variables,
                      const Gateway::PathHandler& handler, const ServerOptions& options);

  bool OnBody(std::string_view bytes) override;
  void OnBodyEnd() override;
  void OnWritable() override {}
  void OnCancel() override {}

 private:
  const std::shared_ptr<HttpExchange> exchange_;
  const Gateway::PathVariables variables_;
  const Gateway::PathHandler& handler_;
  const ServerOptions& options_;
  std::string body_;
  bool refused_ = false;
};

}  // namespace cppgateway
