// A unary REST request answered by calling the in-process service's callback method itself
// (ServerOptions::direct_calls), instead of going through gRPC's in-process channel: no request
// or response bytes, no gRPC call, no thread handoff. The method runs on the thread that read the
// request, as gRPC runs callback methods on its own threads; its reactor may finish on any thread.
//
// What gRPC's server would do around the method is done here, with grpc::ServerCallbackUnary's
// bookkeeping: the context carries the request's metadata; the header and trailer metadata the
// service adds reach the answer; when the client goes away or the server shuts down, the context
// reads as cancelled and the reactor gets OnCancel; OnDone comes once the reactor has finished
// and the call is over.
#pragma once

#include <google/protobuf/message.h>
#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <atomic>
#include <memory>

#include "cppgateway/http_exchange.h"
#include "gateway/route.h"

namespace cppgateway {

class DirectCall final : public grpc::ServerCallbackUnary {
 public:
  // Calls `route`'s direct handler with `request` and `metadata`, and answers on `exchange` when
  // its reactor finishes. The call keeps itself alive until OnDone; the pointer returned (null
  // when the server is shutting down, which is answered) is for Cancel.
  static std::shared_ptr<DirectCall> Start(const Route& route,
                                           std::shared_ptr<HttpExchange> exchange,
                                           std::unique_ptr<google::protobuf::Message> request,
                                           HttpHeaders metadata);

  // The client went away or the server shuts down: answers CANCELLED unless the reactor has
  // finished already, and tells the service. From any thread.
  void Cancel();

  // grpc::ServerCallbackUnary, for the service's reactor.
  void Finish(grpc::Status status) override;
  void SendInitialMetadata() override {}  // the head goes out with the answer

 private:
  DirectCall(const Route& route, std::shared_ptr<HttpExchange> exchange,
             std::unique_ptr<google::protobuf::Message> request, HttpHeaders metadata);
  void Run();
  grpc::internal::ServerReactor* reactor() override { return reactor_.load(); }
  void CallOnDone() override;
  // The end without a reactor: the handler returned none or threw.
  void EndWithoutReactor();

  const Route& route_;
  const std::shared_ptr<HttpExchange> exchange_;
  const HttpHeaders metadata_;  // the context's client metadata refers to it: declared before
  grpc::CallbackServerContext context_;
  const std::unique_ptr<google::protobuf::Message> request_;
  const std::unique_ptr<google::protobuf::Message> response_;
  std::atomic<grpc::ServerUnaryReactor*> reactor_{nullptr};
  std::atomic<bool> answered_{false};  // by Finish or by Cancel, whichever came first
  std::shared_ptr<DirectCall> self_;   // from Start until OnDone
};

}  // namespace cppgateway
