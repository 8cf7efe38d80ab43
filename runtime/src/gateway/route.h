// One route: an HTTP binding of one gRPC method, with everything a request needs resolved at
// registration (the method's kind, the fields that body and response_body name, the stub).
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/generic/generic_stub.h>

#include <memory>
#include <string>
#include <vector>

#include "cppgateway/gateway.h"
#include "cppgateway/options.h"
#include "cppgateway/path_template.h"

namespace cppgateway {

class CallRegistry;

using FieldPath = std::vector<const google::protobuf::FieldDescriptor*>;

// How the body, the query and the path variables fill a request message.
struct RequestBinding {
  enum class Body { kNone, kWholeRequest, kField };
  Body body = Body::kNone;
  FieldPath body_field;      // for kField
  bool body_is_raw = false;  // the body fills a google.api.HttpBody: raw bytes, not JSON
  // The fields the path variables and the body fill: query parameters naming them are skipped.
  std::vector<std::vector<std::string>> bound_paths;
  // PATCH with a message body field: the request's FieldMask, filled from the body's keys when
  // the client leaves it empty.
  const google::protobuf::FieldDescriptor* update_mask = nullptr;
};

// What of a response message is sent.
struct ResponseBinding {
  FieldPath field;      // response_body; empty: the whole message
  bool is_raw = false;  // what is sent is a google.api.HttpBody: raw bytes with its type
};

struct Route {
  using Kind = Gateway::MethodKind;

  std::string http_method;
  PathTemplate path_template;
  std::string grpc_method;  // "/foo.v1.Foo/GetUser"
  Kind kind = Kind::kUnary;
  const google::protobuf::Message* request_prototype = nullptr;
  const google::protobuf::Message* response_prototype = nullptr;
  RequestBinding request;
  ResponseBinding response;
  int success_code = 200;
  // Set for a route served by user code (Gateway::HandlePath) instead of a gRPC method.
  Gateway::StreamingPathHandler custom;
  std::shared_ptr<grpc::GenericStub> stub;
  // A method of an in-process callback service, called directly (direct_calls); else empty.
  Gateway::DirectMethod direct;

  // Shared by every route of a gateway.
  const ServerOptions* options = nullptr;
  CallRegistry* calls = nullptr;

  bool streams_requests() const { return kind == Kind::kClientStream || kind == Kind::kBidiStream; }
  bool streams_responses() const {
    return kind == Kind::kServerStream || kind == Kind::kBidiStream;
  }
};

// Whether `descriptor` is google.api.HttpBody, whose messages travel as raw bytes.
bool IsHttpBody(const google::protobuf::Descriptor* descriptor);

}  // namespace cppgateway
