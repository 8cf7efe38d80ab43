// The JSON Schemas of an OpenAPI 3.1 document: proto messages and enums as they travel in proto3's
// JSON mapping (the runtime's defaults): JSON names (or proto names under an option), 64-bit
// integers as strings, bytes as base64, maps as objects, oneofs as at most one of their members,
// the well-known types in their JSON forms. Messages and enums are component schemas, referenced
// by `$ref`; well-known types other than Any and Empty are written inline.
#pragma once

#include <google/protobuf/descriptor.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "plugin_options.h"

namespace cppgateway::plugin {

using Json = nlohmann::ordered_json;

class SchemaSet {
 public:
  explicit SchemaSet(const PluginOptions& options) : options_(options) {}

  // Adds `message` (or `enum_type`) and every message and enum its fields reach, as component
  // schemas. Call before Freeze(); types are told apart by full name.
  void AddMessage(const google::protobuf::Descriptor& message);
  void AddEnum(const google::protobuf::EnumDescriptor& enum_type);
  // Adds the messages and enums declared in `file`, nested ones included.
  void AddFile(const google::protobuf::FileDescriptor& file);

  // Names the component schemas, by the options' naming strategy; no types are added after.
  void Freeze();

  // The schema of `field` as a property: its value's, in an array when repeated, as an object
  // when a map. No description.
  Json FieldSchema(const google::protobuf::FieldDescriptor& field) const;
  // The schema of a whole message: a `$ref`, or inline for a well-known type written inline.
  Json MessageSchema(const google::protobuf::Descriptor& message) const;
  // The schema of `field` as a path or query parameter: as FieldSchema, but with an enum's
  // values written out, so that the parameter lists them.
  Json ParameterSchema(const google::protobuf::FieldDescriptor& field) const;
  // The `$ref` of a component schema by full name ("google.rpc.Status").
  Json Ref(const std::string& full_name) const;

  // The name of `field` in JSON: its json_name, or its proto name under
  // json_names_for_fields=false.
  std::string JsonName(const google::protobuf::FieldDescriptor& field) const;

  // The component schemas, by name.
  Json Components() const;

 private:
  Json ValueSchema(const google::protobuf::FieldDescriptor& field, bool inline_enums) const;
  Json MapSchema(const google::protobuf::FieldDescriptor& field, bool inline_enums) const;
  Json MessageComponent(const google::protobuf::Descriptor& message) const;
  Json EnumComponent(const google::protobuf::EnumDescriptor& enum_type) const;

  const PluginOptions& options_;
  bool frozen_ = false;
  std::map<std::string, const google::protobuf::Descriptor*> messages_;  // by full name
  std::map<std::string, const google::protobuf::EnumDescriptor*> enums_;
  std::map<std::string, std::string> names_;  // full name -> schema name
};

}  // namespace cppgateway::plugin
