#include "cppgateway/json.h"

#include "transcoding/json_protobuf.h"
#include "transcoding/json_reader.h"
#include "transcoding/json_writer.h"

namespace cppgateway {

grpc::Status MessageToJson(const google::protobuf::Message& message, const JsonOptions& options,
                           std::string* out) {
  out->clear();
  if (WriteJson(message, options, out)) return grpc::Status::OK;
  return ProtobufMessageToJson(message, options, out);
}

grpc::Status CheckJsonShape(std::string_view json, const JsonOptions& options) {
  // One pass over the structure, in constant memory: strings are skipped (escapes included), and
  // every value, array and object is counted. A document too deep or too large is refused here,
  // before a parser builds it (protobuf's keeps a tree of it, hundreds of bytes per value).
  std::size_t depth = 0;
  std::size_t values = 0;
  bool value_pending = true;  // the next non-space token starts a value
  for (std::size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    switch (c) {
      case '"':
        for (++i; i < json.size() && json[i] != '"'; ++i) {
          if (json[i] == '\\') ++i;
        }
        break;
      case '[':
      case '{':
        if (++depth > options.max_depth) {
          return grpc::Status(
              grpc::StatusCode::INVALID_ARGUMENT,
              "invalid JSON: nested deeper than " + std::to_string(options.max_depth) + " levels");
        }
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      case ',':
      case ':':
        value_pending = true;
        continue;
      case ' ':
      case '\t':
      case '\n':
      case '\r':
        continue;
      default:
        break;
    }
    if (value_pending && c != ']' && c != '}') {
      if (++values > options.max_values) {
        return grpc::Status(
            grpc::StatusCode::INVALID_ARGUMENT,
            "invalid JSON: more than " + std::to_string(options.max_values) + " values");
      }
    }
    value_pending = c == '[';
  }
  return grpc::Status::OK;
}

grpc::Status JsonToMessage(std::string_view json, const JsonOptions& options,
                           google::protobuf::Message* message) {
  message->Clear();
  grpc::Status shape = CheckJsonShape(json, options);
  if (!shape.ok()) return shape;
  if (ReadJson(json, message)) return grpc::Status::OK;
  // Declined: protobuf's parser decides, and words the error.
  message->Clear();
  return ProtobufJsonToMessage(json, options, message);
}

}  // namespace cppgateway
