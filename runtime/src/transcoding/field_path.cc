#include "cppgateway/field_path.h"

#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/time_util.h>

#include <cctype>
#include <charconv>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "transcoding/base64.h"
#include "transcoding/utf8.h"

namespace cppgateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Why a text does not fit a field, said to the client.
struct ParseError {
  std::string reason;
};

ParseError Expected(const std::string& what) { return ParseError{"expected " + what}; }

// --- Scalars

// Integers in full, decimal, no sign but '-', range checked.
template <typename Int>
bool ParseInteger(std::string_view text, Int* out) {
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, *out);
  return error == std::errc() && ptr == end && !text.empty();
}

// Decimal floating point, or one of the JSON spellings NaN, Infinity, -Infinity. from_chars alone
// would also take "inf", "nan(...)" and the like.
template <typename Float>
bool ParseFloat(std::string_view text, Float* out) {
  if (text == "NaN") {
    *out = std::numeric_limits<Float>::quiet_NaN();
    return true;
  }
  if (text == "Infinity" || text == "-Infinity") {
    *out = text[0] == '-' ? -std::numeric_limits<Float>::infinity()
                          : std::numeric_limits<Float>::infinity();
    return true;
  }
  const std::string_view digits = text.substr(!text.empty() && text[0] == '-' ? 1 : 0);
  if (digits.empty() ||
      !(std::isdigit(static_cast<unsigned char>(digits[0])) || digits[0] == '.')) {
    return false;
  }
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, *out, std::chars_format::general);
  return error == std::errc() && ptr == end;
}

bool ParseBool(std::string_view text, bool* out) {
  if (text == "true" || text == "1") {
    *out = true;
  } else if (text == "false" || text == "0") {
    *out = false;
  } else {
    return false;
  }
  return true;
}

// --- Well-known types

bool IsWellKnownType(const Descriptor* descriptor, const char* name) {
  return descriptor->full_name() == name;
}

// google.protobuf.*Value: a message around one scalar `value`, field 1.
bool IsWrapper(const Descriptor* descriptor) {
  static constexpr const char* kWrappers[] = {
      "google.protobuf.DoubleValue", "google.protobuf.FloatValue",  "google.protobuf.Int64Value",
      "google.protobuf.UInt64Value", "google.protobuf.Int32Value",  "google.protobuf.UInt32Value",
      "google.protobuf.BoolValue",   "google.protobuf.StringValue", "google.protobuf.BytesValue",
  };
  for (const char* wrapper : kWrappers) {
    if (IsWellKnownType(descriptor, wrapper)) return true;
  }
  return false;
}

// "<seconds>[.<up to 9 digits>]s" with an optional '-', within proto3's +-10000 years. Stricter
// than protobuf's TimeUtil, which takes leading spaces and out-of-range values.
bool ParseDuration(std::string_view text, std::int64_t* seconds, std::int32_t* nanos) {
  constexpr std::int64_t kMaxSeconds = 315576000000;
  if (text.size() < 2 || text.back() != 's') return false;
  text.remove_suffix(1);
  const bool negative = text[0] == '-';
  if (negative) text.remove_prefix(1);
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  std::uint64_t whole_seconds = 0;
  if (whole.empty() || !std::isdigit(static_cast<unsigned char>(whole[0])) ||
      !ParseInteger(whole, &whole_seconds) || whole_seconds > kMaxSeconds) {
    return false;
  }
  std::int32_t fraction = 0;
  if (dot != std::string_view::npos) {
    const std::string_view digits = text.substr(dot + 1);
    if (digits.empty() || digits.size() > 9) return false;
    for (char c : digits) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    }
    ParseInteger(digits, &fraction);
    for (std::size_t i = digits.size(); i < 9; ++i) fraction *= 10;
  }
  *seconds = negative ? -static_cast<std::int64_t>(whole_seconds)
                      : static_cast<std::int64_t>(whole_seconds);
  *nanos = negative ? -fraction : fraction;
  return true;
}

std::optional<ParseError> StoreValue(Message* message, const FieldDescriptor* field,
                                     std::string_view text);

// Fills `*message`, a well-known type, from the text form its JSON string has.
std::optional<ParseError> ParseWellKnownType(std::string_view text, Message* message) {
  const Descriptor* descriptor = message->GetDescriptor();
  const Reflection* reflection = message->GetReflection();
  if (IsWellKnownType(descriptor, "google.protobuf.Timestamp")) {
    google::protobuf::Timestamp timestamp;
    if (!google::protobuf::util::TimeUtil::FromString(std::string(text), &timestamp)) {
      return Expected("an RFC 3339 timestamp such as 2006-01-02T15:04:05Z");
    }
    reflection->SetInt64(message, descriptor->FindFieldByNumber(1), timestamp.seconds());
    reflection->SetInt32(message, descriptor->FindFieldByNumber(2), timestamp.nanos());
    return std::nullopt;
  }
  if (IsWellKnownType(descriptor, "google.protobuf.Duration")) {
    std::int64_t seconds = 0;
    std::int32_t nanos = 0;
    if (!ParseDuration(text, &seconds, &nanos)) return Expected("a duration such as 1.5s");
    reflection->SetInt64(message, descriptor->FindFieldByNumber(1), seconds);
    reflection->SetInt32(message, descriptor->FindFieldByNumber(2), nanos);
    return std::nullopt;
  }
  if (IsWellKnownType(descriptor, "google.protobuf.FieldMask")) {
    // Paths are kept as given (grpc-gateway does the same), empty ones dropped. They are proto3
    // strings: UTF-8, or the server fails to parse the request.
    if (!IsValidUtf8(text)) return Expected("field paths in UTF-8");
    const FieldDescriptor* paths = descriptor->FindFieldByNumber(1);
    std::size_t begin = 0;
    while (begin <= text.size()) {
      std::size_t end = text.find(',', begin);
      if (end == std::string_view::npos) end = text.size();
      if (end > begin) {
        reflection->AddString(message, paths, std::string(text.substr(begin, end - begin)));
      }
      begin = end + 1;
    }
    return std::nullopt;
  }
  if (IsWrapper(descriptor)) return StoreValue(message, descriptor->FindFieldByNumber(1), text);
  return ParseError{descriptor->full_name() + " has no text form: send it in a JSON body"};
}

// --- Storing one value

std::optional<ParseError> StoreEnum(Message* message, const FieldDescriptor* field,
                                    std::string_view text) {
  const google::protobuf::EnumDescriptor* enum_type = field->enum_type();
  int number = 0;
  if (const auto* value = enum_type->FindValueByName(std::string(text))) {
    number = value->number();
  } else if (!ParseInteger(text, &number) ||
             (enum_type->file()->syntax() != google::protobuf::FileDescriptor::SYNTAX_PROTO3 &&
              enum_type->FindValueByNumber(number) == nullptr)) {
    // A proto3 enum is open: an unknown number is kept, as the binary format would.
    return Expected("a value name or number of enum " + enum_type->full_name());
  }
  const Reflection* reflection = message->GetReflection();
  if (field->is_repeated()) {
    reflection->AddEnumValue(message, field, number);
  } else {
    reflection->SetEnumValue(message, field, number);
  }
  return std::nullopt;
}

// Stores a value of a scalar type parsed with `parse`: set when singular, appended when repeated.
template <typename T, typename Parse, typename Set, typename Add>
std::optional<ParseError> StoreParsed(Message* message, const FieldDescriptor* field,
                                      std::string_view text, const char* expected, Parse parse,
                                      Set set, Add add) {
  T value{};
  if (!parse(text, &value)) return Expected(expected);
  const Reflection* reflection = message->GetReflection();
  if (field->is_repeated()) {
    (reflection->*add)(message, field, std::move(value));
  } else {
    (reflection->*set)(message, field, std::move(value));
  }
  return std::nullopt;
}

// Parses `text` as one value of `field` and stores it: replacing a singular field's value,
// appending to a repeated one. Maps are handled by the caller, entry by entry.
std::optional<ParseError> StoreValue(Message* message, const FieldDescriptor* field,
                                     std::string_view text) {
  switch (field->type()) {
    case FieldDescriptor::TYPE_INT32:
    case FieldDescriptor::TYPE_SINT32:
    case FieldDescriptor::TYPE_SFIXED32:
      return StoreParsed<std::int32_t>(message, field, text, "a 32-bit integer",
                                       ParseInteger<std::int32_t>, &Reflection::SetInt32,
                                       &Reflection::AddInt32);
    case FieldDescriptor::TYPE_INT64:
    case FieldDescriptor::TYPE_SINT64:
    case FieldDescriptor::TYPE_SFIXED64:
      return StoreParsed<std::int64_t>(message, field, text, "a 64-bit integer",
                                       ParseInteger<std::int64_t>, &Reflection::SetInt64,
                                       &Reflection::AddInt64);
    case FieldDescriptor::TYPE_UINT32:
    case FieldDescriptor::TYPE_FIXED32:
      return StoreParsed<std::uint32_t>(message, field, text, "an unsigned 32-bit integer",
                                        ParseInteger<std::uint32_t>, &Reflection::SetUInt32,
                                        &Reflection::AddUInt32);
    case FieldDescriptor::TYPE_UINT64:
    case FieldDescriptor::TYPE_FIXED64:
      return StoreParsed<std::uint64_t>(message, field, text, "an unsigned 64-bit integer",
                                        ParseInteger<std::uint64_t>, &Reflection::SetUInt64,
                                        &Reflection::AddUInt64);
    case FieldDescriptor::TYPE_DOUBLE:
      return StoreParsed<double>(message, field, text, "a number", ParseFloat<double>,
                                 &Reflection::SetDouble, &Reflection::AddDouble);
    case FieldDescriptor::TYPE_FLOAT:
      return StoreParsed<float>(message, field, text, "a 32-bit floating point number",
                                ParseFloat<float>, &Reflection::SetFloat, &Reflection::AddFloat);
    case FieldDescriptor::TYPE_BOOL:
      return StoreParsed<bool>(message, field, text, "true or false", ParseBool,
                               &Reflection::SetBool, &Reflection::AddBool);
    case FieldDescriptor::TYPE_STRING: {
      const bool must_be_utf8 =
          field->file()->syntax() == google::protobuf::FileDescriptor::SYNTAX_PROTO3;
      auto parse = [must_be_utf8](std::string_view in, std::string* out) {
        if (must_be_utf8 && !IsValidUtf8(in)) return false;
        out->assign(in.data(), in.size());
        return true;
      };
      return StoreParsed<std::string>(message, field, text, "UTF-8 text", parse,
                                      &Reflection::SetString, &Reflection::AddString);
    }
    case FieldDescriptor::TYPE_BYTES:
      return StoreParsed<std::string>(message, field, text, "base64", DecodeBase64,
                                      &Reflection::SetString, &Reflection::AddString);
    case FieldDescriptor::TYPE_ENUM:
      return StoreEnum(message, field, text);
    case FieldDescriptor::TYPE_MESSAGE:
    case FieldDescriptor::TYPE_GROUP: {
      // Parsed aside first, so that a bad value leaves no half-set message behind.
      const Reflection* reflection = message->GetReflection();
      std::unique_ptr<Message> parsed(
          reflection->GetMessageFactory()->GetPrototype(field->message_type())->New());
      if (auto error = ParseWellKnownType(text, parsed.get())) return error;
      Message* target = field->is_repeated() ? reflection->AddMessage(message, field)
                                             : reflection->MutableMessage(message, field);
      target->CopyFrom(*parsed);
      return std::nullopt;
    }
  }
  return ParseError{"the field type has no text form"};
}

// Stores the entry `key` -> `text` into the map `field`.
std::optional<ParseError> StoreMapEntry(Message* message, const FieldDescriptor* field,
                                        const std::string& key, std::string_view text,
                                        bool* key_is_bad) {
  const Reflection* reflection = message->GetReflection();
  const Descriptor* entry_type = field->message_type();
  std::unique_ptr<Message> entry(reflection->GetMessageFactory()->GetPrototype(entry_type)->New());
  if (auto error = StoreValue(entry.get(), entry_type->map_key(), key)) {
    *key_is_bad = true;
    return error;
  }
  if (auto error = StoreValue(entry.get(), entry_type->map_value(), text)) return error;
  // Through the repeated view a later entry with the same key wins, as in the binary format.
  reflection->AddMessage(message, field)->CopyFrom(*entry);
  return std::nullopt;
}

// Refuses to set `field` when another member of its oneof is set already: the proto would silently
// drop the earlier one.
grpc::Status CheckOneof(const Message& message, const FieldDescriptor* field,
                        const std::string& display_name) {
  const google::protobuf::OneofDescriptor* oneof = field->real_containing_oneof();
  if (oneof == nullptr) return grpc::Status::OK;
  const FieldDescriptor* set = message.GetReflection()->GetOneofFieldDescriptor(message, oneof);
  if (set == nullptr || set == field) return grpc::Status::OK;
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "field \"" + display_name + "\": \"" +
                                                              set->name() + "\" of oneof \"" +
                                                              oneof->name() + "\" is set already");
}

const FieldDescriptor* FindFieldByProtoOrJsonName(const Descriptor* descriptor,
                                                  const std::string& name) {
  if (const FieldDescriptor* field = descriptor->FindFieldByName(name)) return field;
  // protobuf 3.21 has no lookup by json_name that honours a custom json_name.
  for (int i = 0; i < descriptor->field_count(); ++i) {
    if (descriptor->field(i)->json_name() == name) return descriptor->field(i);
  }
  return nullptr;
}

}  // namespace

std::vector<std::string> SplitFieldPath(std::string_view dotted) {
  std::vector<std::string> steps;
  std::size_t begin = 0;
  while (true) {
    const std::size_t dot = dotted.find('.', begin);
    steps.emplace_back(dotted.substr(begin, dot - begin));
    if (dot == std::string_view::npos) return steps;
    begin = dot + 1;
  }
}

std::string JoinFieldPath(const std::vector<std::string>& path) {
  std::string joined;
  for (const std::string& step : path) {
    if (!joined.empty()) joined.push_back('.');
    joined += step;
  }
  return joined;
}

bool HasTextForm(const Descriptor* message_type) {
  return IsWellKnownType(message_type, "google.protobuf.Timestamp") ||
         IsWellKnownType(message_type, "google.protobuf.Duration") ||
         IsWellKnownType(message_type, "google.protobuf.FieldMask") || IsWrapper(message_type);
}

std::vector<const FieldDescriptor*> ResolveFieldPath(const Descriptor* descriptor,
                                                     const std::vector<std::string>& path) {
  std::vector<const FieldDescriptor*> fields;
  fields.reserve(path.size());
  for (const std::string& step : path) {
    if (descriptor == nullptr) return {};  // the previous step was no singular message
    const FieldDescriptor* field = FindFieldByProtoOrJsonName(descriptor, step);
    if (field == nullptr) return {};
    fields.push_back(field);
    descriptor = field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !field->is_repeated()
                     ? field->message_type()
                     : nullptr;
  }
  return fields;
}

grpc::Status SetFieldFromText(Message* message, const std::vector<std::string>& path,
                              std::string_view value, const std::string* map_key) {
  std::string display_name = JoinFieldPath(path);
  const std::vector<const FieldDescriptor*> fields =
      ResolveFieldPath(message->GetDescriptor(), path);
  if (fields.empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "no field \"" + display_name + "\" in " + message->GetTypeName());
  }
  Message* target = message;
  for (std::size_t i = 0; i + 1 < fields.size(); ++i) {
    grpc::Status oneof_status = CheckOneof(*target, fields[i], display_name);
    if (!oneof_status.ok()) return oneof_status;
    target = target->GetReflection()->MutableMessage(target, fields[i]);
  }
  const FieldDescriptor* field = fields.back();
  grpc::Status oneof_status = CheckOneof(*target, field, display_name);
  if (!oneof_status.ok()) return oneof_status;

  std::optional<ParseError> error;
  bool key_is_bad = false;
  if (map_key != nullptr) {
    if (!field->is_map()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "field \"" + display_name + "\" is not a map: it takes no [key]");
    }
    error = StoreMapEntry(target, field, *map_key, value, &key_is_bad);
    if (!key_is_bad) display_name += "[" + *map_key + "]";
  } else if (field->is_map()) {
    return grpc::Status(
        grpc::StatusCode::INVALID_ARGUMENT,
        "field \"" + display_name + "\" is a map: give entries as " + display_name + "[key]=value");
  } else {
    error = StoreValue(target, field, value);
  }
  if (!error) return grpc::Status::OK;
  const std::string what =
      key_is_bad ? "map key \"" + *map_key + "\"" : "value \"" + std::string(value) + "\"";
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                      "invalid " + what + " for field \"" + display_name + "\": " + error->reason);
}

grpc::Status SetFieldFromPathValue(Message* message, const std::vector<std::string>& path,
                                   std::string_view value) {
  const std::vector<const FieldDescriptor*> fields =
      ResolveFieldPath(message->GetDescriptor(), path);
  if (fields.empty() || !fields.back()->is_repeated() || fields.back()->is_map()) {
    return SetFieldFromText(message, path, value);
  }
  // Clears the list where it exists; messages on the way are not created (nor oneofs switched)
  // here, but by SetFieldFromText with its checks.
  Message* target = message;
  for (std::size_t i = 0; i + 1 < fields.size() && target != nullptr; ++i) {
    target = target->GetReflection()->HasField(*target, fields[i])
                 ? target->GetReflection()->MutableMessage(target, fields[i])
                 : nullptr;
  }
  if (target != nullptr) target->GetReflection()->ClearField(target, fields.back());
  std::size_t begin = 0;
  while (true) {
    const std::size_t comma = value.find(',', begin);
    grpc::Status status = SetFieldFromText(message, path, value.substr(begin, comma - begin));
    if (!status.ok() || comma == std::string_view::npos) return status;
    begin = comma + 1;
  }
}

}  // namespace cppgateway
