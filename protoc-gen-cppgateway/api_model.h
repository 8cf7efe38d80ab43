// The plugin's one model of a proto file's HTTP API: its services, methods and bindings, with
// parsed path templates, resolved fields and comments. Both emitters read it, the routes and the
// OpenAPI document, as grpc-gateway's internal/descriptor feeds its generators: what a binding
// means is decided here once.
#pragma once

#include <cppgateway/path_template.h>
#include <google/protobuf/descriptor.h>

#include <string>
#include <vector>

namespace cppgateway::plugin {

// A field named by a dotted path ("book.id"), resolved step by step from a message: every step
// but the last is a singular message field.
using FieldChain = std::vector<const google::protobuf::FieldDescriptor*>;

// "book.id", in proto names.
std::string FieldChainName(const FieldChain& chain);

// One HTTP binding of a method: one route, one OpenAPI operation.
struct Binding {
  std::string http_method;     // "GET", "POST", ..., or a custom pattern's kind ("HEAD")
  PathTemplate path_template;  // parsed; text() is the template as written
  // The request field of each of path_template.variables(), in the same order. A repeated one
  // (of scalars or enums) takes a comma-separated segment.
  std::vector<FieldChain> path_fields;
  std::string body;           // "" none, "*" the whole request, or a request field path
  FieldChain body_field;      // the field `body` names, when it names one
  std::string response_body;  // "" the whole response, or a response field path
  FieldChain response_field;  // the field `response_body` names, when it names one
  // The request fields the query may set: every field the path and the body leave, through
  // singular messages (not into a message type already on the way, nor into Struct, Value, Any
  // and the like), that has a text form: scalars, enums, the well-known types with one, lists of
  // those, maps with such values; not the other members of a oneof whose member the path or body
  // sets. None when the body is the whole request.
  std::vector<FieldChain> query_fields;
  int index = 0;  // 0 for a method's first binding, 1, 2, ... for the others
};

// A method with at least one binding.
struct Method {
  enum class Streaming { kNone, kClient, kServer, kBidi };

  const google::protobuf::MethodDescriptor* descriptor = nullptr;
  std::string grpc_path;  // "/foo.v1.FooService/GetUser"
  Streaming streaming = Streaming::kNone;
  // From the gRPC API Configuration first, then the annotation (its own pattern, then its
  // additional_bindings, as written); or the one default binding of an unbound method.
  std::vector<Binding> bindings;
  std::string comment;  // the method's leading proto comment
  bool deprecated = false;
  // The HTTP status of a successful answer: the (cppgateway.success_code) annotation, else 200.
  int success_code = 200;
};

// A service with at least one method that has a binding.
struct Service {
  const google::protobuf::ServiceDescriptor* descriptor = nullptr;
  std::vector<Method> methods;  // in declaration order; methods without bindings left out
  std::string comment;
  bool deprecated = false;
};

// The HTTP API of one proto file.
struct ApiFile {
  const google::protobuf::FileDescriptor* descriptor = nullptr;
  std::vector<Service> services;  // in declaration order; services without bindings left out
};

}  // namespace cppgateway::plugin
