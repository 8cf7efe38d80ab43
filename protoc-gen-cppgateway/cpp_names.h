// The names protoc's C++ generator gives to packages, messages and generated headers, so that the
// routes can name request and response types exactly as the .pb.h files declare them.
#pragma once

#include <google/protobuf/descriptor.h>

#include <string>
#include <string_view>

namespace cppgateway::plugin {

// "foo.v1" -> "foo::v1"; "" -> "".
std::string CppNamespace(std::string_view package);

// The class protoc generates for `message`: nested messages are joined with "_" ("Outer.Inner" ->
// "Outer_Inner"), and a name that is a C++ keyword gets a trailing "_".
std::string CppClassName(const google::protobuf::Descriptor& message);

// How code inside the namespace of `package` names `message`: by its class name when the message
// is of the same package, else fully qualified with a leading "::" ("::google::protobuf::Empty").
// A class named like a parameter of the generated Register functions ("gateway", "channel") is
// always qualified, since the parameter would hide it.
std::string CppTypeName(const google::protobuf::Descriptor& message, std::string_view package);

// "foo/v1/foo.proto" -> "foo/v1/foo": the stem of the files generated for a proto file.
std::string ProtoStem(std::string_view proto_name);

}  // namespace cppgateway::plugin
