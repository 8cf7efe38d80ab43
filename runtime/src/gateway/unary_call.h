// A REST request to a unary method: the body is gathered whole, becomes the request message with
// the query and path, and one callback-API call answers it (or, for an in-process callback method
// with ServerOptions::direct_calls, the method itself). Nothing waits on a thread meanwhile.
#pragma once

#include <grpcpp/client_context.h>
#include <grpcpp/support/byte_buffer.h>

#include <memory>
#include <string>
#include <vector>

#include "cppgateway/http_exchange.h"
#include "cppgateway/router.h"
#include "gateway/route.h"

namespace cppgateway {

class DirectCall;

class UnaryCall final : public RequestHandler, public std::enable_shared_from_this<UnaryCall> {
 public:
  UnaryCall(const Route& route, std::shared_ptr<HttpExchange> exchange,
            std::vector<PathBinding> path);

  // Right after the head: a body declared too large is refused before it is sent.
  void Begin();

  bool OnBody(std::string_view bytes) override;
  void OnBodyEnd() override;
  void OnWritable() override {}
  void OnCancel() override;

 private:
  void Start();
  void OnDone(const grpc::Status& status);

  const Route& route_;
  const std::shared_ptr<HttpExchange> exchange_;
  const std::vector<PathBinding> path_;
  std::string body_;
  bool refused_ = false;                // answered before the call: the rest of the body is dropped
  bool cancelled_ = false;              // loop thread only
  std::shared_ptr<DirectCall> direct_;  // a direct call (ServerOptions::direct_calls) ...
  grpc::ClientContext context_;         // ... or one through the channel
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
};

}  // namespace cppgateway
