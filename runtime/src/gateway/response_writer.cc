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

void SendWhole(HttpExchange& exchange, int status, std::string content_type, std::string body,
               HttpHeaders headers = {}) {
  HttpResponseHead head;
  head.status = status;
  head.headers = std::move(headers);
  head.headers.emplace_back("Content-Type", std::move(content_type));
  head.content_length = body.size();
  exchange.SendHead(std::move(head));
  exchange.SendBody(body);
  exchange.End();
}

void SendStreamHead(HttpExchange& exchange, std::string content_type) {
  HttpResponseHead head;
  head.headers.emplace_back("Content-Type", std::move(content_type));
  // Proxies and browsers must hand each piece on as it comes.
  head.headers.emplace_back("Cache-Control", "no-cache");
  head.headers.emplace_back("X-Accel-Buffering", "no");
  exchange.SendHead(std::move(head));
}

// A unary answer: the one message as a JSON document (or raw HttpBody), or the error.
class UnaryWriter final : public ResponseWriter {
 public:
  explicit UnaryWriter(HttpExchange& exchange) : exchange_(exchange) {}

  bool Write(EncodedMessage message) override {
    message_ = std::move(message);
    return true;
  }

  void Finish(const grpc::Status& status) override {
    if (!status.ok()) return SendErrorAnswer(exchange_, status);
    std::string content_type = std::move(message_.content_type);
    if (content_type.empty()) content_type = kJson;
    SendWhole(exchange_, 200, std::move(content_type), std::move(message_.bytes));
  }

 private:
  HttpExchange& exchange_;
  EncodedMessage message_;
};

// A server stream of JSON messages, one per line or per event. An error before the first
// message is an ordinary error answer; after it, the stream's last line or event says it.
class JsonStreamWriter final : public ResponseWriter {
 public:
  enum class Framing { kNdjson, kServerSentEvents };

  JsonStreamWriter(HttpExchange& exchange, Framing framing)
      : exchange_(exchange), framing_(framing) {}

  bool Write(EncodedMessage message) override {
    if (!started_) {
      started_ = true;
      SendStreamHead(exchange_, framing_ == Framing::kNdjson ? kNdjson : kEventStream);
    }
    std::string frame;
    if (framing_ == Framing::kNdjson) {
      frame.reserve(message.bytes.size() + 12);
      frame.append("{\"result\":").append(message.bytes).append("}\n");
    } else {
      frame.reserve(message.bytes.size() + 8);
      frame.append("data: ").append(message.bytes).append("\n\n");
    }
    return exchange_.SendBody(frame);
  }

  void Finish(const grpc::Status& status) override {
    if (!started_) {
      if (!status.ok()) return SendErrorAnswer(exchange_, status);
      SendStreamHead(exchange_, framing_ == Framing::kNdjson ? kNdjson : kEventStream);
    } else if (!status.ok()) {
      std::string error = ErrorBody(status);
      exchange_.SendBody(framing_ == Framing::kNdjson ? "{\"error\":" + error + "}\n"
                                                      : "event: error\ndata: " + error + "\n\n");
    }
    exchange_.End();
  }

 private:
  HttpExchange& exchange_;
  const Framing framing_;
  bool started_ = false;
};

// A stream of google.api.HttpBody: the bytes of every message, nothing between them, with the
// first message's content type. Raw bytes have no way to say that an error came in the middle:
// the answer is cut off instead, so that the client sees it incomplete.
class RawStreamWriter final : public ResponseWriter {
 public:
  explicit RawStreamWriter(HttpExchange& exchange) : exchange_(exchange) {}

  bool Write(EncodedMessage message) override {
    if (!started_) {
      started_ = true;
      SendStreamHead(exchange_, message.content_type.empty() ? std::string(kOctetStream)
                                                             : std::move(message.content_type));
    }
    return exchange_.SendBody(message.bytes);
  }

  void Finish(const grpc::Status& status) override {
    if (!started_) {
      if (!status.ok()) return SendErrorAnswer(exchange_, status);
      SendStreamHead(exchange_, kOctetStream);
    }
    exchange_.End(/*abort=*/!status.ok());
  }

 private:
  HttpExchange& exchange_;
  bool started_ = false;
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

void SendErrorAnswer(HttpExchange& exchange, const grpc::Status& status, int http_status,
                     HttpHeaders headers) {
  SendWhole(exchange, http_status != 0 ? http_status : HttpStatusFromCode(status.error_code()),
            kJson, ErrorBody(status), std::move(headers));
}

void SendBodyTooLarge(HttpExchange& exchange, bool close_connection) {
  HttpHeaders headers;
  if (close_connection) headers.emplace_back("Connection", "close");
  SendErrorAnswer(exchange,
                  grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "request body too large"), 413,
                  std::move(headers));
}

std::unique_ptr<ResponseWriter> ResponseWriter::Create(const Route& route, HttpExchange& exchange) {
  if (!route.streams_responses()) return std::make_unique<UnaryWriter>(exchange);
  if (route.response.is_raw) return std::make_unique<RawStreamWriter>(exchange);
  return std::make_unique<JsonStreamWriter>(exchange,
                                            AcceptsEventStream(exchange.request())
                                                ? JsonStreamWriter::Framing::kServerSentEvents
                                                : JsonStreamWriter::Framing::kNdjson);
}

}  // namespace cppgateway
