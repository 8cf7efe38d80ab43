// The answer to a call, from its response messages and final status. The framing is a property of
// the writer, chosen once per request: one JSON document (unary), NDJSON lines or Server-Sent
// Events (server streams), or raw bytes (google.api.HttpBody). Every error answer of the gateway
// is written here too.
#pragma once

#include <google/protobuf/message.h>
#include <grpcpp/support/status.h>

#include <memory>
#include <string>

#include "cppgateway/http_exchange.h"
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
// given) and the JSON error body, plus `headers`.
void SendErrorAnswer(HttpExchange& exchange, const grpc::Status& status, int http_status = 0,
                     HttpHeaders headers = {});

// 413 for a request body over max_body_bytes. With `close_connection` (a body declared too large
// up front), the rest is not waited for; without, the connection reads and drops the rest of the
// body (as far as its limit) and carries on.
void SendBodyTooLarge(HttpExchange& exchange, bool close_connection);

class ResponseWriter {
 public:
  // The writer for `route`'s answer on `exchange`, which must outlive it. Server streams are
  // NDJSON, or SSE when the client accepts text/event-stream; HttpBody streams are raw.
  static std::unique_ptr<ResponseWriter> Create(const Route& route, HttpExchange& exchange);

  virtual ~ResponseWriter() = default;
  // Writes one response message. Returns false when the client is not keeping up: wait for the
  // handler's OnWritable before the next one.
  virtual bool Write(EncodedMessage message) = 0;
  // Ends the answer with the call's final status. Not called twice.
  virtual void Finish(const grpc::Status& status) = 0;
};

}  // namespace cppgateway
