// The plugin's model of one proto file: its services' google.api.http bindings, read from the
// descriptors and checked against the request and response messages, ready to be emitted.
#pragma once

#include <google/protobuf/descriptor.h>

#include <optional>
#include <string>
#include <vector>

namespace cppgateway::plugin {

// One HTTP binding of a method: one row of the generated route table.
struct HttpBinding {
  std::string http_method;    // "GET", "POST", ..., or a custom pattern's kind
  std::string path_template;  // "/v1/users/{user.id}"
  std::string body;           // "" none, "*" the whole request, or a request field path
  std::string response_body;  // "" the whole response, or a response field path
};

// A method that carries a google.api.http annotation.
struct AnnotatedMethod {
  enum class Streaming { kNone, kClient, kServer, kBidi };

  std::string name;  // "GetUser"
  std::string path;  // "/foo.v1.FooService/GetUser": the method's gRPC path
  // The C++ classes of the request and response messages, as the file's namespace names them:
  // "GetUserRequest", "::google::protobuf::Empty".
  std::string request_type;
  std::string response_type;
  Streaming streaming = Streaming::kNone;
  // The rule's own binding first, then its additional_bindings, in the order written.
  std::vector<HttpBinding> bindings;
};

// A service with at least one annotated method.
struct AnnotatedService {
  std::string name;                      // "FooService", the generated gRPC class
  std::string full_name;                 // "foo.v1.FooService"
  std::vector<AnnotatedMethod> methods;  // in declaration order; unannotated ones left out
};

// Everything the emitter needs to know about one proto file.
struct GatewayFile {
  std::string proto_name;                  // "foo/v1/foo.proto", as protoc names it
  std::string stem;                        // "foo/v1/foo": where the generated files go
  std::string cpp_namespace;               // "foo::v1", empty for a file without a package
  std::vector<AnnotatedService> services;  // in declaration order; unannotated ones left out
  // The .pb.h of every file whose messages the routes name ("foo/v1/foo.pb.h"), sorted: a file's
  // own .pb.h is not among them when its methods only use imported messages.
  std::vector<std::string> message_headers;
};

// Reads the google.api.http rules of `file` and checks each one: the template parses, path
// variables name singular fields that parse from text, body and response_body name fields, no body
// on GET, no nested additional_bindings, no rule without a pattern. A client-streaming or bidi
// method takes its request messages from the body, one per line: it needs a body and has no path
// variables. On the first problem returns nullopt and sets `*error` to "<method full name>:
// <problem>" (protoc puts the file name first).
std::optional<GatewayFile> ReadHttpRules(const google::protobuf::FileDescriptor& file,
                                         std::string* error);

}  // namespace cppgateway::plugin
