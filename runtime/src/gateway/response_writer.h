// The answer to a call, from its response messages, metadata and final status. The framing is a
// property of the writer, chosen once per request: one JSON document (unary), NDJSON lines or
// Server-Sent Events (server streams), or raw bytes (google.api.HttpBody). Every error answer of
// the gateway is written here too, so that metadata, hooks and the error format apply to all.
#pragma once

#include <google/protobuf/message.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include <memory>
#include <string>

#include "cppgateway/http_exchange.h"
#include "cppgateway/options.h"
#include "gateway/metadata.h"
#include "gateway/route.h"

namespace cppgateway {

// One response message as it goes on the wire: JSON, or an HttpBody's data with its content type.
struct EncodedMessage {
  std::string bytes;
  std::string content_type;  // for raw bytes; "" for JSON
};

// Encodes `response` for `route` (honouring response_body). Fails when the message cannot be
// printed as JSON.
grpc::Status EncodeMessage(const Route& route, const google::protobuf::Message& response,
                           EncodedMessage* out);

// Answers with `status` as DESIGN.md says: the HTTP status of its code (or `http_status` when
// given), the JSON error body, `headers`, and the metadata of `call` when there was one; then the
// error_writer hook has its say.
void SendErrorAnswer(HttpExchange& exchange, const ServerOptions& options,
                     const grpc::Status& status, const ServerMetadata* call = nullptr,
                     int http_status = 0, HttpHeaders headers = {});

// Answers a unary call that ended with `status`: with `response` when it is OK, else the error;
// with the call's metadata either way.
void AnswerUnaryCall(const Route& route, HttpExchange& exchange, const ServerMetadata& call,
                     const grpc::Status& status, const google::protobuf::Message* response);

// 413 for a request body over max_body_bytes. With `close_connection` (a body declared too large
// up front), the rest is not waited for; without, the connection reads and drops the rest of the
// body (as far as its limit) and carries on.
void SendBodyTooLarge(HttpExchange& exchange, const ServerOptions& options, bool close_connection);

class ResponseWriter {
 public:
  // The writer for `route`'s answer to `call` on `exchange`; both must outlive it. Server streams
  // are NDJSON, or SSE when the client accepts text/event-stream; HttpBody streams are raw.
  static std::unique_ptr<ResponseWriter> Create(const Route& route, HttpExchange& exchange,
                                                const ServerMetadata& call);

  virtual ~ResponseWriter() = default;

  // The call's header metadata has arrived: the answer's head may be written from now on.
  void HeaderMetadataArrived();
  // Writes one response message. Returns false when the client is not keeping up: wait for the
  // handler's OnWritable before the next one.
  virtual bool Write(const google::protobuf::Message& message, EncodedMessage encoded) = 0;
  // Ends the answer with the call's final status (its trailer metadata has arrived). Once.
  virtual void Finish(const grpc::Status& status) = 0;
  // True once the answer was given up on (the response hook refused it): the call can stop.
  bool abandoned() const { return abandoned_; }

 protected:
  ResponseWriter(const Route& route, HttpExchange& exchange, const ServerMetadata& call);

  // The head of a successful answer: the route's success code or the service's x-http-code, the
  // header metadata, `content_type`; then the response hook with `first` (null for a stream
  // without messages). A status that is not OK is to be answered as that error.
  grpc::Status SuccessHead(const google::protobuf::Message* first, std::string content_type,
                           HttpResponseHead* head);
  // Answers `status` as an error, with the call's metadata.
  void FinishWithError(const grpc::Status& status);
  // The trailer metadata as HTTP trailers when the client takes them.
  HttpHeaders Trailers();

  const Route& route_;
  HttpExchange& exchange_;
  const ServerMetadata& call_;
  AnswerMetadata metadata_;
  bool abandoned_ = false;
};

}  // namespace cppgateway
