#include "cppgateway/status.h"

#include <google/protobuf/any.pb.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "transcoding/base64.h"

namespace cppgateway {
namespace {

// `text` as a JSON string literal. Invalid UTF-8 becomes U+FFFD: a status message may hold any
// bytes, and the body must stay valid JSON.
std::string JsonStringLiteral(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Whether the generated pool knows the type of `any` and its bytes parse as that type. protobuf's
// printer does not check the latter: it would print garbage bytes as a plausible-looking message.
bool IsDecodable(const google::protobuf::Any& any) {
  // A static library only links what is referenced: without this the standard details would be
  // missing from the generated pool of a binary that never names them.
  static const bool linked = [] {
    google::protobuf::LinkMessageReflection<google::rpc::ErrorInfo>();
    return true;
  }();
  (void)linked;
  const std::string& url = any.type_url();
  const std::string type_name = url.substr(url.rfind('/') + 1);
  const google::protobuf::Descriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(type_name);
  if (descriptor == nullptr) return false;
  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor);
  if (prototype == nullptr) return false;
  std::unique_ptr<google::protobuf::Message> message(prototype->New());
  return message->ParseFromString(any.value());
}

// One detail as proto3 JSON; a detail this binary cannot decode keeps its raw bytes in base64.
std::string DetailJson(const google::protobuf::Any& any) {
  if (IsDecodable(any)) {
    google::protobuf::util::JsonPrintOptions options;
    // The same choice as the default JsonOptions of the gateway: every field shows.
    options.always_print_primitive_fields = true;
    std::string json;
    if (google::protobuf::util::MessageToJsonString(any, &json, options).ok()) return json;
  }
  return "{\"@type\":" + JsonStringLiteral(any.type_url()) +
         ",\"value\":" + JsonStringLiteral(EncodeBase64(any.value())) + "}";
}

}  // namespace

int HttpStatusFromCode(int grpc_code) {
  // Indexed by gRPC code; the HTTP mapping of google/rpc/code.proto, as grpc-gateway uses it.
  static constexpr int kHttpStatus[] = {
      200,  // OK
      499,  // CANCELLED: the client closed the request
      500,  // UNKNOWN
      400,  // INVALID_ARGUMENT
      504,  // DEADLINE_EXCEEDED
      404,  // NOT_FOUND
      409,  // ALREADY_EXISTS
      403,  // PERMISSION_DENIED
      429,  // RESOURCE_EXHAUSTED
      400,  // FAILED_PRECONDITION: the client must fix the system state first
      409,  // ABORTED
      400,  // OUT_OF_RANGE
      501,  // UNIMPLEMENTED
      500,  // INTERNAL
      503,  // UNAVAILABLE
      500,  // DATA_LOSS
      401,  // UNAUTHENTICATED
  };
  constexpr int kCodes = sizeof(kHttpStatus) / sizeof(kHttpStatus[0]);
  if (grpc_code < 0 || grpc_code >= kCodes) return 500;
  return kHttpStatus[grpc_code];
}

std::string ErrorBody(const grpc::Status& status) {
  std::string body = "{\"code\":" + std::to_string(static_cast<int>(status.error_code())) +
                     ",\"message\":" + JsonStringLiteral(status.error_message()) + ",\"details\":[";
  const std::string& serialized = status.error_details();
  google::rpc::Status rpc_status;
  if (!serialized.empty() && rpc_status.ParseFromString(serialized)) {
    for (int i = 0; i < rpc_status.details_size(); ++i) {
      if (i > 0) body.push_back(',');
      body += DetailJson(rpc_status.details(i));
    }
  }
  body += "]}";
  return body;
}

}  // namespace cppgateway
