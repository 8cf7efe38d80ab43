#include "gateway/response_writer.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "cppgateway/json.h"
#include "cppgateway/status.h"

namespace cppgateway {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

constexpr char kJson[] = "application/json";
constexpr char kNdjson[] = "application/x-ndjson";
constexpr char kEventStream[] = "text/event-stream";
// An HttpBody that names no content type.
constexpr char kOctetStream[] = "application/octet-stream";

// The message holding the last field of `path` (the response itself for a one-step path).
const Message& Holder(const Message& response, const FieldPath& path) {
  const Message* holder = &response;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    holder = &holder->GetReflection()->GetMessage(*holder, path[i]);
  }
  return *holder;
}

// The JSON of the response field `path` alone (response_body).
grpc::Status FieldToJson(const Message& response, const FieldPath& path, const JsonOptions& options,
                         std::string* out) {
  const Message& holder = Holder(response, path);
  const FieldDescriptor* field = path.back();
  if (field->type() == FieldDescriptor::TYPE_MESSAGE && !field->is_repeated()) {
    return MessageToJson(holder.GetReflection()->GetMessage(holder, field), options, out);
  }
  // A scalar, repeated or map field has no message of its own to print: print its holder and keep
  // the one member.
  std::string holder_json;
  grpc::Status status = MessageToJson(holder, options, &holder_json);
  if (!status.ok()) return status;
  nlohmann::json parsed = nlohmann::json::parse(holder_json, nullptr, /*allow_exceptions=*/false);
  const std::string& key = options.use_proto_names ? field->name() : field->json_name();
  auto member = parsed.find(key);
  *out = member == parsed.end() ? "null" : member->dump();
  return grpc::Status::OK;
}

void Append(HttpHeaders* headers, const HttpHeaders& more) {
  headers->insert(headers->end(), more.begin(), more.end());
}

// A unary answer (also a client stream's): the one message as a JSON document (or raw HttpBody),
// or the error. Trailer metadata goes as HTTP trailers when the client takes them (the answer is
// then chunked), else as headers.
class UnaryWriter final : public ResponseWriter {
 public:
  UnaryWriter(const Route& route, HttpExchange& exchange, const ServerMetadata& call)
      : ResponseWriter(route, exchange, call) {}

  bool Write(const Message& message, EncodedMessage encoded) override {
    encoded_ = std::move(encoded);
    std::string content_type = encoded_.content_type.empty() ? kJson : encoded_.content_type;
    hook_status_ = SuccessHead(&message, std::move(content_type), &head_);
    written_ = true;
    return true;
  }

  void Finish(const grpc::Status& status) override {
    if (!status.ok()) return FinishWithError(status);
    if (!written_) return FinishWithError(grpc::Status(grpc::StatusCode::INTERNAL, "no response"));
    if (!hook_status_.ok()) return FinishWithError(hook_status_);
    CollectTrailerMetadata(call_, route_.options->metadata, &metadata_);
    HttpHeaders trailers = Trailers();
    if (trailers.empty()) {
      Append(&head_.headers, metadata_.trailers);
      head_.content_length = encoded_.bytes.size();
    } else {
      std::string names;
      for (const auto& [name, value] : trailers) names += (names.empty() ? "" : ", ") + name;
      head_.headers.emplace_back("Trailer", names);
    }
    exchange_.SendHead(std::move(head_));
    exchange_.SendBody(encoded_.bytes);
    exchange_.End(trailers);
  }

 private:
  EncodedMessage encoded_;
  HttpResponseHead head_;
  grpc::Status hook_status_;
  bool written_ = false;
};

// A stream whose head goes out with its first message (or at its end when it has none).
class StreamWriter : public ResponseWriter {
 public:
  StreamWriter(const Route& route, HttpExchange& exchange, const ServerMetadata& call)
      : ResponseWriter(route, exchange, call) {}

  bool Write(const Message& message, EncodedMessage encoded) override {
    if (abandoned_) return true;
    if (!started_ && !Start(&message, encoded.content_type)) return true;
    return exchange_.SendBody(Frame(std::move(encoded)));
  }

  void Finish(const grpc::Status& status) override {
    if (abandoned_) return;
    if (!started_) {
      if (!status.ok()) return FinishWithError(status);
      if (!Start(nullptr, "")) return;
    }
    CollectTrailerMetadata(call_, route_.options->metadata, &metadata_);
    End(status);
  }

 protected:
  virtual std::string ContentType(const std::string& first_content_type) = 0;
  virtual std::string Frame(EncodedMessage message) = 0;
  // Ends a started stream with the call's final status.
  virtual void End(const grpc::Status& status) = 0;

 private:
  bool Start(const Message* first, const std::string& first_content_type) {
    started_ = true;
    HttpResponseHead head;
    grpc::Status status = SuccessHead(first, ContentType(first_content_type), &head);
    if (!status.ok()) {
      // The call is still running: its trailers are not there to be sent.
      abandoned_ = true;
      SendErrorAnswer(exchange_, *route_.options, status);
      return false;
    }
    // Proxies and browsers must hand each piece on as it comes.
    head.headers.emplace_back("Cache-Control", "no-cache");
    head.headers.emplace_back("X-Accel-Buffering", "no");
    exchange_.SendHead(std::move(head));
    return true;
  }

  bool started_ = false;
};

// A server stream of JSON messages, one per line or per event. An error before the first
// message is an ordinary error answer; after it, the stream's last line or event says it.
class JsonStreamWriter final : public StreamWriter {
 public:
  enum class Framing { kNdjson, kServerSentEvents };

  JsonStreamWriter(const Route& route, HttpExchange& exchange, const ServerMetadata& call,
                   Framing framing)
      : StreamWriter(route, exchange, call), framing_(framing) {}

 private:
  std::string ContentType(const std::string&) override {
    return framing_ == Framing::kNdjson ? kNdjson : kEventStream;
  }

  std::string Frame(EncodedMessage message) override {
    std::string frame;
    frame.reserve(message.bytes.size() + 12);
    if (framing_ == Framing::kNdjson) {
      frame.append("{\"result\":").append(message.bytes).append("}\n");
    } else {
      frame.append("data: ").append(message.bytes).append("\n\n");
    }
    return frame;
  }

  void End(const grpc::Status& status) override {
    if (!status.ok()) {
      std::string error = ErrorBody(status);
      exchange_.SendBody(framing_ == Framing::kNdjson ? "{\"error\":" + error + "}\n"
                                                      : "event: error\ndata: " + error + "\n\n");
    }
    exchange_.End(Trailers());
  }

  const Framing framing_;
};

// A stream of google.api.HttpBody: the bytes of every message, nothing between them, with the
// first message's content type. Raw bytes have no way to say that an error came in the middle:
// the answer is cut off instead, so that the client sees it incomplete.
class RawStreamWriter final : public StreamWriter {
 public:
  RawStreamWriter(const Route& route, HttpExchange& exchange, const ServerMetadata& call)
      : StreamWriter(route, exchange, call) {}

 private:
  std::string ContentType(const std::string& first_content_type) override {
    return first_content_type.empty() ? kOctetStream : first_content_type;
  }
  std::string Frame(EncodedMessage message) override { return std::move(message.bytes); }
  void End(const grpc::Status& status) override {
    if (status.ok()) {
      exchange_.End(Trailers());
    } else {
      exchange_.Abort();
    }
  }
};

bool AcceptsEventStream(const HttpRequestHead& head) {
  const std::string* accept = head.FindHeader("Accept");
  return accept != nullptr && accept->find(kEventStream) != std::string::npos;
}

}  // namespace

grpc::Status EncodeMessage(const Route& route, const Message& response, EncodedMessage* out) {
  const ResponseBinding& binding = route.response;
  const JsonOptions& options = route.options->json;
  if (binding.is_raw) {
    const Message* http_body = &response;
    if (!binding.field.empty()) {
      const Message& holder = Holder(response, binding.field);
      http_body = &holder.GetReflection()->GetMessage(holder, binding.field.back());
    }
    const google::protobuf::Descriptor* type = http_body->GetDescriptor();
    const google::protobuf::Reflection* reflection = http_body->GetReflection();
    out->content_type = reflection->GetString(*http_body, type->FindFieldByName("content_type"));
    out->bytes = reflection->GetString(*http_body, type->FindFieldByName("data"));
    return grpc::Status::OK;
  }
  out->content_type.clear();
  if (binding.field.empty()) return MessageToJson(response, options, &out->bytes);
  return FieldToJson(response, binding.field, options, &out->bytes);
}

void SendErrorAnswer(HttpExchange& exchange, const ServerOptions& options,
                     const grpc::Status& status, const ServerMetadata* call, int http_status,
                     HttpHeaders headers) {
  HttpResponseHead head;
  head.status = http_status != 0 ? http_status : HttpStatusFromCode(status.error_code());
  head.headers = std::move(headers);
  head.headers.emplace_back("Content-Type", kJson);
  if (call != nullptr) {
    // grpc-gateway sends an error's metadata too: the header metadata, and the trailers as
    // headers (an error answer is one document).
    AnswerMetadata metadata;
    CollectHeaderMetadata(*call, options.metadata, &metadata);
    CollectTrailerMetadata(*call, options.metadata, &metadata);
    Append(&head.headers, metadata.headers);
    Append(&head.headers, metadata.trailers);
    if (head.status == 401 && !metadata.www_authenticate.empty()) {
      head.headers.emplace_back("WWW-Authenticate", metadata.www_authenticate);
    }
  }
  std::string body = ErrorBody(status);
  if (options.hooks.error_writer) {
    options.hooks.error_writer(exchange.request(), status, &head, &body);
  }
  head.content_length = body.size();
  exchange.SendHead(std::move(head));
  exchange.SendBody(body);
  exchange.End();
}

void AnswerUnaryCall(const Route& route, HttpExchange& exchange, const ServerMetadata& call,
                     const grpc::Status& status, const google::protobuf::Message* response) {
  std::unique_ptr<ResponseWriter> writer = ResponseWriter::Create(route, exchange, call);
  writer->HeaderMetadataArrived();
  grpc::Status final_status = status;
  if (status.ok()) {
    EncodedMessage encoded;
    if (EncodeMessage(route, *response, &encoded).ok()) {
      writer->Write(*response, std::move(encoded));
    } else {
      final_status = grpc::Status(grpc::StatusCode::INTERNAL, "the response could not be encoded");
    }
  }
  writer->Finish(final_status);
}

void SendBodyTooLarge(HttpExchange& exchange, const ServerOptions& options, bool close_connection) {
  HttpHeaders headers;
  if (close_connection) headers.emplace_back("Connection", "close");
  SendErrorAnswer(exchange, options,
                  grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "request body too large"),
                  nullptr, 413, std::move(headers));
}

ResponseWriter::ResponseWriter(const Route& route, HttpExchange& exchange,
                               const ServerMetadata& call)
    : route_(route), exchange_(exchange), call_(call) {}

std::unique_ptr<ResponseWriter> ResponseWriter::Create(const Route& route, HttpExchange& exchange,
                                                       const ServerMetadata& call) {
  if (!route.streams_responses()) return std::make_unique<UnaryWriter>(route, exchange, call);
  if (route.response.is_raw) return std::make_unique<RawStreamWriter>(route, exchange, call);
  return std::make_unique<JsonStreamWriter>(route, exchange, call,
                                            AcceptsEventStream(exchange.request())
                                                ? JsonStreamWriter::Framing::kServerSentEvents
                                                : JsonStreamWriter::Framing::kNdjson);
}

void ResponseWriter::HeaderMetadataArrived() {
  CollectHeaderMetadata(call_, route_.options->metadata, &metadata_);
}

grpc::Status ResponseWriter::SuccessHead(const Message* first, std::string content_type,
                                         HttpResponseHead* head) {
  head->status = metadata_.http_status != 0 ? metadata_.http_status
                 : route_.success_code != 0 ? route_.success_code
                                            : 200;
  head->headers.emplace_back("Content-Type", std::move(content_type));
  Append(&head->headers, metadata_.headers);
  if (route_.options->hooks.response && first != nullptr) {
    return route_.options->hooks.response(exchange_.request(), *first, head);
  }
  return grpc::Status::OK;
}

void ResponseWriter::FinishWithError(const grpc::Status& status) {
  SendErrorAnswer(exchange_, *route_.options, status, &call_);
}

HttpHeaders ResponseWriter::Trailers() {
  if (!exchange_.request().AcceptsTrailers()) return {};
  return metadata_.trailers;
}

}  // namespace cppgateway
