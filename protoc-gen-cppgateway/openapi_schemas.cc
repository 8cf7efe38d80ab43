#include "openapi_schemas.h"

#include <google/protobuf/descriptor.pb.h>

#include <stdexcept>
#include <vector>

#include "comments.h"
#include "schema_names.h"

namespace cppgateway::plugin {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;

constexpr char kAny[] = "google.protobuf.Any";

// The schema of one scalar value of `type` in proto3 JSON.
Json ScalarSchema(FieldDescriptor::Type type) {
  switch (type) {
    case FieldDescriptor::TYPE_DOUBLE:
      return {{"type", "number"}, {"format", "double"}};
    case FieldDescriptor::TYPE_FLOAT:
      return {{"type", "number"}, {"format", "float"}};
    case FieldDescriptor::TYPE_INT32:
    case FieldDescriptor::TYPE_SINT32:
    case FieldDescriptor::TYPE_SFIXED32:
      return {{"type", "integer"}, {"format", "int32"}};
    // OpenAPI has no uint32 format: int64 is the narrowest that holds every value.
    case FieldDescriptor::TYPE_UINT32:
    case FieldDescriptor::TYPE_FIXED32:
      return {{"type", "integer"}, {"format", "int64"}};
    // 64-bit integers travel as strings: JSON numbers lose precision past 2^53.
    case FieldDescriptor::TYPE_INT64:
    case FieldDescriptor::TYPE_SINT64:
    case FieldDescriptor::TYPE_SFIXED64:
      return {{"type", "string"}, {"format", "int64"}};
    case FieldDescriptor::TYPE_UINT64:
    case FieldDescriptor::TYPE_FIXED64:
      return {{"type", "string"}, {"format", "uint64"}};
    case FieldDescriptor::TYPE_BOOL:
      return {{"type", "boolean"}};
    case FieldDescriptor::TYPE_STRING:
      return {{"type", "string"}};
    case FieldDescriptor::TYPE_BYTES:
      return {{"type", "string"}, {"format", "byte"}};  // standard base64
    case FieldDescriptor::TYPE_ENUM:
    case FieldDescriptor::TYPE_MESSAGE:
    case FieldDescriptor::TYPE_GROUP:
      break;
  }
  throw std::logic_error("ScalarSchema: not a scalar type");
}

// The inline schema of a well-known type in its JSON form, or null when `message` is none of
// those (Any and Empty are components like any message).
Json WellKnownTypeSchema(const Descriptor& message) {
  const std::string& name = message.full_name();
  if (name == "google.protobuf.Timestamp") return {{"type", "string"}, {"format", "date-time"}};
  if (name == "google.protobuf.Duration") {
    return {{"type", "string"}, {"pattern", "^-?[0-9]+(\\.[0-9]{1,9})?s$"}};
  }
  if (name == "google.protobuf.FieldMask") return {{"type", "string"}};  // "a.b,c", lowerCamel
  if (name == "google.protobuf.Struct") return {{"type", "object"}};
  if (name == "google.protobuf.Value") return Json::object();  // any JSON value
  if (name == "google.protobuf.ListValue") return {{"type", "array"}};
  static const char* const kWrappers[] = {
      "google.protobuf.DoubleValue", "google.protobuf.FloatValue",  "google.protobuf.Int64Value",
      "google.protobuf.UInt64Value", "google.protobuf.Int32Value",  "google.protobuf.UInt32Value",
      "google.protobuf.BoolValue",   "google.protobuf.StringValue", "google.protobuf.BytesValue",
  };
  for (const char* wrapper : kWrappers) {
    // A wrapper is its one `value` field, bare.
    if (name == wrapper) return ScalarSchema(message.FindFieldByNumber(1)->type());
  }
  return nullptr;
}

}  // namespace

void SchemaSet::AddMessage(const Descriptor& message) {
  if (frozen_) throw std::logic_error("SchemaSet: AddMessage after Freeze");
  if (!WellKnownTypeSchema(message).is_null()) return;
  if (!messages_.emplace(message.full_name(), &message).second) return;
  for (int i = 0; i < message.field_count(); ++i) {
    const FieldDescriptor& field = *message.field(i);
    const FieldDescriptor& value = field.is_map() ? *field.message_type()->map_value() : field;
    if (value.message_type() != nullptr) AddMessage(*value.message_type());
    if (value.enum_type() != nullptr) AddEnum(*value.enum_type());
  }
}

void SchemaSet::AddEnum(const EnumDescriptor& enum_type) {
  if (frozen_) throw std::logic_error("SchemaSet: AddEnum after Freeze");
  if (enum_type.full_name() == "google.protobuf.NullValue") return;  // JSON null, inline
  enums_.emplace(enum_type.full_name(), &enum_type);
}

void SchemaSet::AddFile(const google::protobuf::FileDescriptor& file) {
  std::vector<const Descriptor*> pending;
  for (int i = 0; i < file.message_type_count(); ++i) pending.push_back(file.message_type(i));
  for (int i = 0; i < file.enum_type_count(); ++i) AddEnum(*file.enum_type(i));
  while (!pending.empty()) {
    const Descriptor* message = pending.back();
    pending.pop_back();
    if (message->options().map_entry()) continue;  // a map's entries are the map's object
    AddMessage(*message);
    for (int i = 0; i < message->nested_type_count(); ++i) {
      pending.push_back(message->nested_type(i));
    }
    for (int i = 0; i < message->enum_type_count(); ++i) AddEnum(*message->enum_type(i));
  }
}

void SchemaSet::Freeze() {
  std::vector<std::string> full_names;
  for (const auto& entry : messages_) full_names.push_back(entry.first);
  for (const auto& entry : enums_) full_names.push_back(entry.first);
  names_ = SchemaNames(full_names, options_.naming_strategy);
  frozen_ = true;
}

std::string SchemaSet::JsonName(const FieldDescriptor& field) const {
  return options_.json_names_for_fields ? field.json_name() : field.name();
}

Json SchemaSet::Ref(const std::string& full_name) const {
  auto name = names_.find(full_name);
  if (!frozen_ || name == names_.end()) {
    throw std::logic_error("SchemaSet: no component schema for " + full_name);
  }
  return {{"$ref", "#/components/schemas/" + name->second}};
}

Json SchemaSet::MessageSchema(const Descriptor& message) const {
  Json well_known = WellKnownTypeSchema(message);
  return well_known.is_null() ? Ref(message.full_name()) : well_known;
}

Json SchemaSet::ValueSchema(const FieldDescriptor& field, bool inline_enums) const {
  if (field.message_type() != nullptr) return MessageSchema(*field.message_type());
  if (const EnumDescriptor* enum_type = field.enum_type()) {
    // In a parameter an enum is text, its value names written out; in JSON, NullValue is null.
    if (inline_enums) return EnumComponent(*enum_type);
    if (enum_type->full_name() == "google.protobuf.NullValue") return {{"type", "null"}};
    return Ref(enum_type->full_name());
  }
  return ScalarSchema(field.type());
}

Json SchemaSet::MapSchema(const FieldDescriptor& field, bool inline_enums) const {
  const FieldDescriptor& key = *field.message_type()->map_key();
  Json schema = {
      {"type", "object"},
      {"additionalProperties", ValueSchema(*field.message_type()->map_value(), inline_enums)}};
  // The keys are text, in JSON as in `m[key]=v`: what the key type parses from.
  if (key.type() == FieldDescriptor::TYPE_BOOL) {
    schema["propertyNames"] = {{"enum", {"true", "false"}}};
  } else if (key.type() != FieldDescriptor::TYPE_STRING) {
    schema["propertyNames"] = {{"pattern", "^-?[0-9]+$"}};
  }
  return schema;
}

Json SchemaSet::FieldSchema(const FieldDescriptor& field) const {
  if (field.is_map()) return MapSchema(field, false);
  if (field.is_repeated()) return {{"type", "array"}, {"items", ValueSchema(field, false)}};
  return ValueSchema(field, false);
}

Json SchemaSet::ParameterSchema(const FieldDescriptor& field) const {
  if (field.is_map()) return MapSchema(field, true);
  if (field.is_repeated()) return {{"type", "array"}, {"items", ValueSchema(field, true)}};
  return ValueSchema(field, true);
}

Json SchemaSet::MessageComponent(const Descriptor& message) const {
  Json schema = {{"type", "object"}};
  std::string description = CommentOf(message);
  if (message.full_name() == kAny) {
    // Any's JSON is the packed message's own, with its type URL beside its fields.
    schema["description"] =
        "Any message: its JSON fields, with its type URL in \"@type\" "
        "(type.googleapis.com/<full message name>).";
    schema["properties"] = {{"@type", {{"type", "string"}}}};
    schema["required"] = {"@type"};
    return schema;
  }
  if (!description.empty()) schema["description"] = description;
  if (message.options().deprecated()) schema["deprecated"] = true;
  Json properties = Json::object();
  Json required = Json::array();
  for (int i = 0; i < message.field_count(); ++i) {
    const FieldDescriptor& field = *message.field(i);
    Json property = FieldSchema(field);
    std::string field_description = CommentOf(field);
    if (!field_description.empty()) property["description"] = field_description;
    if (field.options().deprecated()) property["deprecated"] = true;
    properties[JsonName(field)] = std::move(property);
    if (field.is_required()) required.push_back(JsonName(field));  // proto2 `required`
  }
  if (!properties.empty()) schema["properties"] = std::move(properties);
  if (!required.empty()) schema["required"] = std::move(required);

  // Each oneof: at most one member present (proto3 JSON leaves the others out). Exactly one of
  // "this member is present" for each member, or "none is" (each member's schema `false`), holds.
  Json groups = Json::array();
  for (int i = 0; i < message.real_oneof_decl_count(); ++i) {
    const google::protobuf::OneofDescriptor& oneof = *message.oneof_decl(i);  // real ones first
    if (oneof.field_count() < 2) continue;
    Json one_of = Json::array();
    Json none = Json::object();
    for (int f = 0; f < oneof.field_count(); ++f) {
      const std::string name = JsonName(*oneof.field(f));
      one_of.push_back({{"required", Json::array({name})}});
      none[name] = false;
    }
    one_of.push_back({{"properties", std::move(none)}});
    groups.push_back({{"oneOf", std::move(one_of)}});
  }
  if (groups.size() == 1) {
    schema["oneOf"] = std::move(groups[0]["oneOf"]);
  } else if (!groups.empty()) {
    schema["allOf"] = std::move(groups);
  }
  return schema;
}

Json SchemaSet::EnumComponent(const EnumDescriptor& enum_type) const {
  Json schema = {{"type", "string"}};
  std::string description = CommentOf(enum_type);
  // The values' own comments, listed after the enum's.
  std::string values;
  Json names = Json::array();
  for (int i = 0; i < enum_type.value_count(); ++i) {
    const google::protobuf::EnumValueDescriptor& value = *enum_type.value(i);
    names.push_back(value.name());
    std::string comment = CommentOf(value);
    if (!comment.empty()) values += "\n - " + value.name() + ": " + comment;
  }
  if (!values.empty()) description += (description.empty() ? "" : "\n") + values.substr(1);
  if (!description.empty()) schema["description"] = description;
  schema["enum"] = std::move(names);
  if (enum_type.options().deprecated()) schema["deprecated"] = true;
  return schema;
}

Json SchemaSet::Components() const {
  // Sorted by schema name: a stable order whatever the order of discovery.
  std::map<std::string, Json> by_name;
  for (const auto& [full_name, message] : messages_) {
    by_name[names_.at(full_name)] = MessageComponent(*message);
  }
  for (const auto& [full_name, enum_type] : enums_) {
    by_name[names_.at(full_name)] = EnumComponent(*enum_type);
  }
  Json components = Json::object();
  for (auto& [name, schema] : by_name) components[name] = std::move(schema);
  return components;
}

}  // namespace cppgateway::plugin
