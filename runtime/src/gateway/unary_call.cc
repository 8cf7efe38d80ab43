#include "gateway/unary_call.h"

#include <grpcpp/impl/codegen/proto_utils.h>

#include <utility>

#include "gateway/call_registry.h"
#include "gateway/direct_call.h"
#include "gateway/metadata.h"
#include "gateway/request_builder.h"
#include "gateway/response_writer.h"

namespace cppgateway {

using google::protobuf::Message;

UnaryCall::UnaryCall(const Route& route, std::shared_ptr<HttpExchange> exchange,
                     std::vector<PathBinding> path)
    : route_(route), exchange_(std::move(exchange)), path_(std::move(path)) {}

void UnaryCall::Begin() {
  const HttpRequestHead& head = exchange_->request();
  if (head.content_length.value_or(0) > route_.options->max_body_bytes) {
    refused_ = true;
    SendBodyTooLarge(*exchange_, *route_.options, /*close_connection=*/true);
  }
}

bool UnaryCall::OnBody(std::string_view bytes) {
  if (refused_) return true;
  if (body_.size() + bytes.size() > route_.options->max_body_bytes) {
    refused_ = true;
    body_.clear();
    SendBodyTooLarge(*exchange_, *route_.options, /*close_connection=*/false);
    return true;
  }
  body_.append(bytes);
  return true;
}

void UnaryCall::OnBodyEnd() {
  if (refused_ || cancelled_) return;
  Start();
}

void UnaryCall::OnCancel() {
  cancelled_ = true;
  if (direct_) {
    direct_->Cancel();
  } else {
    context_.TryCancel();
  }
}

void UnaryCall::Start() {
  std::unique_ptr<Message> request(route_.request_prototype->New());
  grpc::Status status = BuildRequest(route_, exchange_->request(), path_, body_, request.get());
  std::string().swap(body_);
  CallSetup setup;
  if (status.ok()) status = ReadCallSetup(*exchange_, *route_.options, &setup);
  if (!status.ok()) return SendErrorAnswer(*exchange_, *route_.options, status);
  // A deadline is gRPC's to keep: such a call goes through the channel.
  if (route_.direct.unary && !setup.timeout) {
    direct_ = DirectCall::Start(route_, exchange_, std::move(request), std::move(setup.metadata));
    return;
  }
  bool own_buffer;
  status = grpc::SerializationTraits<Message>::Serialize(*request, &request_, &own_buffer);
  if (!status.ok()) return SendErrorAnswer(*exchange_, *route_.options, status);
  ApplyCallSetup(setup, &context_);
  if (!AdmitCall(route_, *exchange_, this, [this] { context_.TryCancel(); })) return;
  // The callback keeps the call alive until it has answered.
  route_.stub->UnaryCall(&context_, route_.grpc_method, grpc::StubOptions(), &request_, &response_,
                         [self = shared_from_this()](grpc::Status done) { self->OnDone(done); });
}

void UnaryCall::OnDone(const grpc::Status& status) {
  std::unique_ptr<Message> response;
  grpc::Status final_status = status;
  if (status.ok()) {
    response.reset(route_.response_prototype->New());
    if (!grpc::SerializationTraits<Message>::Deserialize(&response_, response.get()).ok()) {
      final_status = grpc::Status(grpc::StatusCode::INTERNAL, "the response could not be decoded");
    }
  }
  AnswerUnaryCall(route_, *exchange_, ClientContextMetadata(context_), final_status,
                  response.get());
  route_.calls->Remove(this);
}

}  // namespace cppgateway
