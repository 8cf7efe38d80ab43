#include "gateway/unary_call.h"

#include <grpcpp/impl/codegen/proto_utils.h>

#include <utility>

#include "gateway/call_registry.h"
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
  context_.TryCancel();
}

void UnaryCall::Start() {
  std::unique_ptr<Message> request(route_.request_prototype->New());
  grpc::Status status = BuildRequest(route_, exchange_->request(), path_, body_, request.get());
  std::string().swap(body_);
  bool own_buffer;
  if (status.ok()) {
    status = grpc::SerializationTraits<Message>::Serialize(*request, &request_, &own_buffer);
  }
  if (status.ok()) status = PrepareCallContext(*exchange_, *route_.options, &context_);
  if (!status.ok()) return SendErrorAnswer(*exchange_, *route_.options, status);
  if (!route_.calls->Add(&context_)) {
    return SendErrorAnswer(
        *exchange_, *route_.options,
        grpc::Status(grpc::StatusCode::CANCELLED, "the server is shutting down"));
  }
  // The callback keeps the call alive until it has answered.
  route_.stub->UnaryCall(&context_, route_.grpc_method, grpc::StubOptions(), &request_, &response_,
                         [self = shared_from_this()](grpc::Status done) { self->OnDone(done); });
}

void UnaryCall::OnDone(const grpc::Status& status) {
  std::unique_ptr<ResponseWriter> writer = ResponseWriter::Create(route_, *exchange_, context_);
  writer->HeaderMetadataArrived();
  grpc::Status final_status = status;
  if (status.ok()) {
    std::unique_ptr<Message> response(route_.response_prototype->New());
    EncodedMessage encoded;
    grpc::Status encoding =
        grpc::SerializationTraits<Message>::Deserialize(&response_, response.get());
    if (encoding.ok()) encoding = EncodeMessage(route_, *response, &encoded);
    if (encoding.ok()) {
      writer->Write(*response, std::move(encoded));
    } else {
      final_status = grpc::Status(grpc::StatusCode::INTERNAL, "the response could not be encoded");
    }
  }
  writer->Finish(final_status);
  route_.calls->Remove(&context_);
}

}  // namespace cppgateway
