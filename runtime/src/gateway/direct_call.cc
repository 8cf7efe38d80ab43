#include "gateway/direct_call.h"

#include <utility>

#include "gateway/call_registry.h"
#include "gateway/metadata.h"
#include "gateway/response_writer.h"
#include "gateway/server_context_access.h"

namespace cppgateway {
DirectCall::DirectCall(const Route& route, std::shared_ptr<HttpExchange> exchange,
                       std::unique_ptr<google::protobuf::Message> request, HttpHeaders metadata)
    : route_(route),
      exchange_(std::move(exchange)),
      metadata_(std::move(metadata)),
      request_(std::move(request)),
      response_(route.response_prototype->New()) {
  ServerContextAccess::SetClientMetadata(context_, metadata_);
}

std::shared_ptr<DirectCall> DirectCall::Start(const Route& route,
                                              std::shared_ptr<HttpExchange> exchange,
                                              std::unique_ptr<google::protobuf::Message> request,
                                              HttpHeaders metadata) {
  std::shared_ptr<DirectCall> call(
      new DirectCall(route, std::move(exchange), std::move(request), std::move(metadata)));
  if (!AdmitCall(route, *call->exchange_, call.get(), [raw = call.get()] { raw->Cancel(); })) {
    return nullptr;
  }
  call->self_ = call;
  call->Run();
  return call;
}

void DirectCall::Run() {
  grpc::ServerUnaryReactor* reactor = nullptr;
  try {
    reactor = route_.direct.unary(&context_, request_.get(), response_.get());
  } catch (...) {
    // As gRPC's server does: a method that throws has given no reactor.
  }
  if (reactor == nullptr) return EndWithoutReactor();
  // gRPC's order (CallbackUnaryHandler::SetupReactor): a Finish the method called already is
  // delivered by the binding; a cancel that came meanwhile reaches OnCancel now.
  reactor_.store(reactor);
  BindReactor(reactor);
  MaybeCallOnCancel(reactor);
  MaybeDone(reactor->InternalInlineable());
}

void DirectCall::EndWithoutReactor() {
  if (!answered_.exchange(true)) {
    SendErrorAnswer(*exchange_, *route_.options, grpc::Status(grpc::StatusCode::UNIMPLEMENTED, ""));
  }
  route_.calls->Remove(this);
  self_.reset();  // may be the last reference: nothing after this
}

void DirectCall::Finish(grpc::Status status) {
  if (!answered_.exchange(true)) {
    AnswerUnaryCall(route_, *exchange_, ServerContextMetadata(context_), status, response_.get());
    MaybeDone();  // the call is over (gRPC's CompletionOp)
  }
  MaybeDone(reactor()->InternalInlineable());  // Finish is done
}

void DirectCall::Cancel() {
  if (answered_.exchange(true)) return;
  ServerContextAccess::MarkCancelled(context_);
  SendErrorAnswer(*exchange_, *route_.options,
                  grpc::Status(grpc::StatusCode::CANCELLED, "Cancelled"));
  MaybeCallOnCancel();
  MaybeDone();  // the call is over (gRPC's CompletionOp)
}

void DirectCall::CallOnDone() {
  reactor_.load()->OnDone();
  route_.calls->Remove(this);
  std::shared_ptr<DirectCall> last = std::move(self_);  // destroys this on return
}

}  // namespace cppgateway
