#include "transcoding/json_writer.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/struct.pb.h>

#include <algorithm>
#include <cerrno>
#include <cfloat>
#include <charconv>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
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

// How a message type is written: most as an object of their fields, the well-known types in the
// form proto3 JSON gives them.
enum class Form {
  kObject,
  kTimestamp,
  kDuration,
  kFieldMask,
  kStruct,
  kValue,
  kListValue,
  kWrapper,
  kDeclined,  // left to protobuf's printer: see WriteJson's contract
};

struct FieldEntry {
  const FieldDescriptor* field;
  std::string json_key;   // "jsonName":
  std::string proto_key;  // "proto_name":
  // Written only when set, and with emit_unpopulated after the other fields: protobuf's
  // DefaultValueObjectWriter lays out a tree of the type's fields but leaves out oneof members
  // and the well-known types written as a JSON value rather than an object, and adds those at
  // the end, in field-number order, when they are set.
  bool last_when_unpopulated;
  // A map whose values hold maps. Reflection reaches map values through copies of the entries,
  // and a copied map need not iterate in the order of the map protobuf's printer reads, so a
  // nonempty one is left to protobuf.
  bool map_of_maps;
};

struct MessageTable {
  Form form = Form::kObject;
  // In declaration order: protobuf writes that order when it fills in unpopulated fields (its
  // DefaultValueObjectWriter walks the type), and field-number order otherwise (the bytes').
  std::vector<FieldEntry> fields;
  std::vector<const FieldEntry*> by_number;
  std::vector<const FieldEntry*> unpopulated_order;  // with emit_unpopulated
};

Form FormOf(const Descriptor* descriptor) {
  static const std::unordered_map<std::string_view, Form> kWellKnown = {
      {"google.protobuf.Timestamp", Form::kTimestamp},
      {"google.protobuf.Duration", Form::kDuration},
      {"google.protobuf.FieldMask", Form::kFieldMask},
      {"google.protobuf.Struct", Form::kStruct},
      {"google.protobuf.Value", Form::kValue},
      {"google.protobuf.ListValue", Form::kListValue},
      {"google.protobuf.DoubleValue", Form::kWrapper},
      {"google.protobuf.FloatValue", Form::kWrapper},
      {"google.protobuf.Int64Value", Form::kWrapper},
      {"google.protobuf.UInt64Value", Form::kWrapper},
      {"google.protobuf.Int32Value", Form::kWrapper},
      {"google.protobuf.UInt32Value", Form::kWrapper},
      {"google.protobuf.BoolValue", Form::kWrapper},
      {"google.protobuf.StringValue", Form::kWrapper},
      {"google.protobuf.BytesValue", Form::kWrapper},
      {"google.protobuf.Any", Form::kDeclined},
  };
  auto known = kWellKnown.find(descriptor->full_name());
  if (known != kWellKnown.end()) return known->second;
  if (descriptor->file()->syntax() != google::protobuf::FileDescriptor::SYNTAX_PROTO3) {
    return Form::kDeclined;
  }
  for (int i = 0; i < descriptor->field_count(); ++i) {
    if (descriptor->field(i)->has_optional_keyword()) return Form::kDeclined;
  }
  return Form::kObject;
}

bool AppendEscaped(std::string_view text, std::string* out);

// Whether a message of type `descriptor` can hold a map, at any depth.
bool CanHoldMap(const Descriptor* descriptor, std::vector<const Descriptor*>* seen) {
  if (descriptor->full_name() == "google.protobuf.Struct") return true;
  if (std::find(seen->begin(), seen->end(), descriptor) != seen->end()) return false;
  seen->push_back(descriptor);
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    if (field->is_map()) return true;
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
        CanHoldMap(field->message_type(), seen)) {
      return true;
    }
  }
  return false;
}

std::string QuotedKey(const std::string& name) {
  std::string key;
  AppendEscaped(name, &key);  // names from a descriptor are UTF-8
  key += ':';
  return key;
}

std::unique_ptr<MessageTable> BuildTable(const Descriptor* descriptor) {
  auto table = std::make_unique<MessageTable>();
  table->form = FormOf(descriptor);
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    const bool in_oneof = field->real_containing_oneof() != nullptr;
    bool value_form = false;
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !field->is_repeated()) {
      const Form form = FormOf(field->message_type());
      value_form = form != Form::kObject && form != Form::kStruct;
    }
    bool map_of_maps = false;
    if (field->is_map()) {
      const FieldDescriptor* value = field->message_type()->map_value();
      std::vector<const Descriptor*> seen;
      map_of_maps = value->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
                    CanHoldMap(value->message_type(), &seen);
    }
    table->fields.push_back(FieldEntry{field, QuotedKey(field->json_name()),
                                       QuotedKey(field->name()), in_oneof || value_form,
                                       map_of_maps});
  }
  for (const FieldEntry& entry : table->fields) table->by_number.push_back(&entry);
  std::sort(table->by_number.begin(), table->by_number.end(),
            [](const FieldEntry* a, const FieldEntry* b) {
              return a->field->number() < b->field->number();
            });
  for (const FieldEntry& entry : table->fields) {
    if (!entry.last_when_unpopulated) table->unpopulated_order.push_back(&entry);
  }
  for (const FieldEntry* entry : table->by_number) {
    if (entry->last_when_unpopulated) table->unpopulated_order.push_back(entry);
  }
  return table;
}

// Tables are built on first use and never freed (bounded by the types linked in). Each thread
// keeps its own index of them, so that the common path takes no lock.
const MessageTable& TableFor(const Descriptor* descriptor) {
  thread_local std::unordered_map<const Descriptor*, const MessageTable*> local;
  auto found = local.find(descriptor);
  if (found != local.end()) return *found->second;

  static std::shared_mutex mutex;
  static auto* shared = new std::unordered_map<const Descriptor*, std::unique_ptr<MessageTable>>;
  const MessageTable* table = nullptr;
  {
    std::shared_lock<std::shared_mutex> lock(mutex);
    auto it = shared->find(descriptor);
    if (it != shared->end()) table = it->second.get();
  }
  if (table == nullptr) {
    std::unique_ptr<MessageTable> built = BuildTable(descriptor);
    std::unique_lock<std::shared_mutex> lock(mutex);
    table = shared->emplace(descriptor, std::move(built)).first->second.get();
  }
  local.emplace(descriptor, table);
  return *table;
}

// The code points protobuf's printer writes as \u escapes besides the ASCII ones: C1 controls and
// the invisible format characters (soft hyphen, bidi marks, BOM...), which some readers mangle.
bool EscapedCodePoint(std::uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) || cp == 0xad || (cp >= 0x600 && cp <= 0x603) || cp == 0x6dd ||
         cp == 0x70f || cp == 0x17b4 || cp == 0x17b5 || (cp >= 0x200b && cp <= 0x200f) ||
         (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2064) ||
         (cp >= 0x206a && cp <= 0x206f) || cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb) ||
         (cp >= 0x1d173 && cp <= 0x1d17a) || cp == 0xe0001 || (cp >= 0xe0020 && cp <= 0xe007f);
}

void AppendUnicodeEscape(std::uint32_t unit, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  const char escape[6] = {'\\',
                          'u',
                          kHex[(unit >> 12) & 0xf],
                          kHex[(unit >> 8) & 0xf],
                          kHex[(unit >> 4) & 0xf],
                          kHex[unit & 0xf]};
  out->append(escape, sizeof escape);
}

// Appends `text` as a JSON string, escaped as protobuf's printer escapes it. False when `text`
// is not UTF-8 (protobuf drops such bytes; that is left to it).
bool AppendEscaped(std::string_view text, std::string* out) {
  out->push_back('"');
  std::size_t plain = 0;  // start of the run not yet appended
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      std::uint32_t cp;
      const std::size_t length = DecodeUtf8(text.substr(i), &cp);
      if (length == 0) return false;
      if (EscapedCodePoint(cp)) {
        out->append(text.data() + plain, i - plain);
        if (cp >= 0x10000) {
          AppendUnicodeEscape(0xd800 + ((cp - 0x10000) >> 10), out);
          AppendUnicodeEscape(0xdc00 + ((cp - 0x10000) & 0x3ff), out);
        } else {
          AppendUnicodeEscape(cp, out);
        }
        plain = i + length;
      }
      i += length;
      continue;
    }
    const char* escape = nullptr;
    switch (c) {
      case '"':
        escape = "\\\"";
        break;
      case '\\':
        escape = "\\\\";
        break;
      case '\b':
        escape = "\\b";
        break;
      case '\f':
        escape = "\\f";
        break;
      case '\n':
        escape = "\\n";
        break;
      case '\r':
        escape = "\\r";
        break;
      case '\t':
        escape = "\\t";
        break;
      default:
        if (c >= 0x20 && c != '<' && c != '>' && c != 0x7f) {
          ++i;
          continue;
        }
    }
    out->append(text.data() + plain, i - plain);
    if (escape != nullptr) {
      out->append(escape);
    } else {
      AppendUnicodeEscape(c, out);
    }
    plain = ++i;
  }
  out->append(text.data() + plain, text.size() - plain);
  out->push_back('"');
  return true;
}

template <typename Integer>
void AppendInteger(Integer value, std::string* out) {
  char buffer[24];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  (void)error;  // 24 characters hold any 64-bit integer
  out->append(buffer, end);
}

// protobuf's SimpleDtoa and SimpleFtoa: the shortest of 15 (6) or 17 (9) significant digits that
// reads back as the same value, and NaN and the infinities as strings.
template <typename Float>
void AppendFloat(Float value, std::string* out) {
  if (std::isnan(value)) {
    out->append("\"NaN\"");
    return;
  }
  if (std::isinf(value)) {
    out->append(value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    return;
  }
  constexpr bool kDouble = sizeof(Float) == sizeof(double);
  char buffer[32];
  int length = std::snprintf(buffer, sizeof buffer, "%.*g", kDouble ? DBL_DIG : FLT_DIG,
                             static_cast<double>(value));
  // SimpleFtoa reads back with safe_strtof, which also fails on ERANGE: a subnormal float
  // always gets the longer form.
  errno = 0;
  const bool exact = kDouble ? std::strtod(buffer, nullptr) == value
                             : std::strtof(buffer, nullptr) == value && errno == 0;
  if (!exact) {
    length = std::snprintf(buffer, sizeof buffer, "%.*g", kDouble ? DBL_DIG + 2 : FLT_DIG + 3,
                           static_cast<double>(value));
  }
  out->append(buffer, static_cast<std::size_t>(length));
}

// Appends the fraction of a second as protobuf does: none, or 3, 6 or 9 digits.
void AppendNanos(std::int32_t nanos, std::string* out) {
  if (nanos == 0) return;
  char digits[10];
  std::snprintf(digits, sizeof digits, "%09" PRId32, nanos);
  int length = 9;
  if (nanos % 1000000 == 0) {
    length = 3;
  } else if (nanos % 1000 == 0) {
    length = 6;
  }
  out->push_back('.');
  out->append(digits, static_cast<std::size_t>(length));
}

class Writer {
 public:
  Writer(const JsonOptions& options, std::string* out) : options_(options), out_(*out) {}

  bool Message(const google::protobuf::Message& message) {
    const MessageTable& table = TableFor(message.GetDescriptor());
    switch (table.form) {
      case Form::kObject:
        return Object(message, table);
      case Form::kTimestamp:
        return Timestamp(message);
      case Form::kDuration:
        return Duration(message);
      case Form::kFieldMask:
        return FieldMask(message);
      case Form::kStruct:
        return Struct(message);
      case Form::kValue:
        return Value(message);
      case Form::kListValue:
        return ListValue(message);
      case Form::kWrapper:
        return Single(message, message.GetDescriptor()->field(0));
      case Form::kDeclined:
        return false;
    }
    return false;
  }

 private:
  bool Object(const google::protobuf::Message& message, const MessageTable& table) {
    const Reflection* reflection = message.GetReflection();
    const bool all = options_.emit_unpopulated;
    out_.push_back('{');
    bool first = true;
    const std::size_t count = table.fields.size();
    for (std::size_t i = 0; i < count; ++i) {
      const FieldEntry& entry = all ? *table.unpopulated_order[i] : *table.by_number[i];
      const FieldDescriptor* field = entry.field;
      if (field->is_repeated()) {
        if (!all && reflection->FieldSize(message, field) == 0) continue;
      } else if (entry.last_when_unpopulated || !all ||
                 field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        if (!reflection->HasField(message, field)) continue;
      }
      if (!first) out_.push_back(',');
      first = false;
      out_.append(options_.use_proto_names ? entry.proto_key : entry.json_key);
      if (entry.map_of_maps && reflection->FieldSize(message, field) > 0) return false;
      if (!Field(message, field)) return false;
    }
    out_.push_back('}');
    return true;
  }

  bool Field(const google::protobuf::Message& message, const FieldDescriptor* field) {
    if (!field->is_repeated()) return Single(message, field);
    const Reflection* reflection = message.GetReflection();
    const int size = reflection->FieldSize(message, field);
    if (field->is_map()) {
      const FieldDescriptor* key = field->message_type()->map_key();
      const FieldDescriptor* value = field->message_type()->map_value();
      out_.push_back('{');
      for (int i = 0; i < size; ++i) {
        if (i > 0) out_.push_back(',');
        const google::protobuf::Message& entry = reflection->GetRepeatedMessage(message, field, i);
        if (!MapKey(entry, key)) return false;
        out_.push_back(':');
        if (!Single(entry, value)) return false;
      }
      out_.push_back('}');
      return true;
    }
    out_.push_back('[');
    for (int i = 0; i < size; ++i) {
      if (i > 0) out_.push_back(',');
      if (!Element(message, field, i)) return false;
    }
    out_.push_back(']');
    return true;
  }

  bool MapKey(const google::protobuf::Message& entry, const FieldDescriptor* key) {
    const Reflection* reflection = entry.GetReflection();
    switch (key->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string scratch;
        return AppendEscaped(reflection->GetStringReference(entry, key, &scratch), &out_);
      }
      case FieldDescriptor::CPPTYPE_BOOL:
        out_.append(reflection->GetBool(entry, key) ? "\"true\"" : "\"false\"");
        return true;
      default:
        out_.push_back('"');
        Scalar(entry, key, -1, /*quote_64=*/false);
        out_.push_back('"');
        return true;
    }
  }

  // The value of a singular field.
  bool Single(const google::protobuf::Message& message, const FieldDescriptor* field) {
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      return Message(message.GetReflection()->GetMessage(message, field));
    }
    return Scalar(message, field, -1, /*quote_64=*/true);
  }

  // Element `index` of a repeated field.
  bool Element(const google::protobuf::Message& message, const FieldDescriptor* field, int index) {
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      return Message(message.GetReflection()->GetRepeatedMessage(message, field, index));
    }
    return Scalar(message, field, index, /*quote_64=*/true);
  }

  // A non-message value: of a singular field when `index` is -1, else of a repeated one.
  bool Scalar(const google::protobuf::Message& message, const FieldDescriptor* field, int index,
              bool quote_64) {
    const Reflection* r = message.GetReflection();
    const bool one = index < 0;
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        AppendInteger(
            one ? r->GetInt32(message, field) : r->GetRepeatedInt32(message, field, index), &out_);
        return true;
      case FieldDescriptor::CPPTYPE_UINT32:
        AppendInteger(
            one ? r->GetUInt32(message, field) : r->GetRepeatedUInt32(message, field, index),
            &out_);
        return true;
      case FieldDescriptor::CPPTYPE_INT64:
        if (quote_64) out_.push_back('"');
        AppendInteger(
            one ? r->GetInt64(message, field) : r->GetRepeatedInt64(message, field, index), &out_);
        if (quote_64) out_.push_back('"');
        return true;
      case FieldDescriptor::CPPTYPE_UINT64:
        if (quote_64) out_.push_back('"');
        AppendInteger(
            one ? r->GetUInt64(message, field) : r->GetRepeatedUInt64(message, field, index),
            &out_);
        if (quote_64) out_.push_back('"');
        return true;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        AppendFloat(
            one ? r->GetDouble(message, field) : r->GetRepeatedDouble(message, field, index),
            &out_);
        return true;
      case FieldDescriptor::CPPTYPE_FLOAT:
        AppendFloat(one ? r->GetFloat(message, field) : r->GetRepeatedFloat(message, field, index),
                    &out_);
        return true;
      case FieldDescriptor::CPPTYPE_BOOL: {
        const bool value =
            one ? r->GetBool(message, field) : r->GetRepeatedBool(message, field, index);
        out_.append(value ? "true" : "false");
        return true;
      }
      case FieldDescriptor::CPPTYPE_ENUM:
        return Enum(field, one ? r->GetEnumValue(message, field)
                               : r->GetRepeatedEnumValue(message, field, index));
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string scratch;
        const std::string& value =
            one ? r->GetStringReference(message, field, &scratch)
                : r->GetRepeatedStringReference(message, field, index, &scratch);
        if (field->type() == FieldDescriptor::TYPE_BYTES) {
          out_.push_back('"');
          out_.append(EncodeBase64(value));
          out_.push_back('"');
          return true;
        }
        return AppendEscaped(value, &out_);
      }
      case FieldDescriptor::CPPTYPE_MESSAGE:
        break;
    }
    return false;
  }

  bool Enum(const FieldDescriptor* field, int number) {
    const google::protobuf::EnumDescriptor* type = field->enum_type();
    if (type->full_name() == "google.protobuf.NullValue") {
      out_.append("null");
      return true;
    }
    if (options_.enums_as_ints) {
      AppendInteger(number, &out_);
      return true;
    }
    const google::protobuf::EnumValueDescriptor* value = type->FindValueByNumber(number);
    if (value == nullptr) return false;
    return AppendEscaped(value->name(), &out_);
  }

  // Timestamp and Duration alike: `seconds` is their first field, `nanos` their second.
  static std::pair<std::int64_t, std::int32_t> SecondsAndNanos(
      const google::protobuf::Message& message) {
    const Reflection* reflection = message.GetReflection();
    const Descriptor* descriptor = message.GetDescriptor();
    return {reflection->GetInt64(message, descriptor->field(0)),
            reflection->GetInt32(message, descriptor->field(1))};
  }

  bool Timestamp(const google::protobuf::Message& message) {
    const auto [seconds, nanos] = SecondsAndNanos(message);
    // 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z, as protobuf allows.
    if (seconds < -62135596800 || seconds > 253402300799 || nanos < 0 || nanos > 999999999) {
      return false;
    }
    // Days since 1970-01-01 to a civil date (Howard Hinnant's days_from_civil, inverted).
    std::int64_t days = seconds / 86400;
    std::int64_t rest = seconds % 86400;
    if (rest < 0) rest += 86400, --days;
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const std::int64_t day_of_era = days - era * 146097;
    const std::int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const std::int64_t day_of_year =
        day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const std::int64_t shifted_month = (5 * day_of_year + 2) / 153;
    const std::int64_t day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    const std::int64_t month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
    const std::int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
    char text[32];
    const int length =
        std::snprintf(text, sizeof text, "\"%04d-%02d-%02dT%02d:%02d:%02d", static_cast<int>(year),
                      static_cast<int>(month), static_cast<int>(day), static_cast<int>(rest / 3600),
                      static_cast<int>(rest / 60 % 60), static_cast<int>(rest % 60));
    out_.append(text, static_cast<std::size_t>(length));
    AppendNanos(nanos, &out_);
    out_.append("Z\"");
    return true;
  }

  bool Duration(const google::protobuf::Message& message) {
    const auto [seconds, nanos] = SecondsAndNanos(message);
    // protobuf refuses seconds past 10,000 years, and prints nonsense for mixed signs.
    constexpr std::int64_t kMaxSeconds = 315576000000;
    if (seconds < -kMaxSeconds || seconds > kMaxSeconds || nanos <= -1000000000 ||
        nanos >= 1000000000 || (seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0)) {
      return false;
    }
    out_.push_back('"');
    if (seconds < 0 || nanos < 0) out_.push_back('-');
    AppendInteger(seconds < 0 ? -seconds : seconds, &out_);
    AppendNanos(nanos < 0 ? -nanos : nanos, &out_);
    out_.append("s\"");
    return true;
  }

  // Paths in lowerCamelCase, comma-separated. Only snake_case paths are written here: protobuf
  // turns anything else into names that do not parse back (FieldMaskSurvivesJson in
  // json_protobuf.cc), which is left to it.
  bool FieldMask(const google::protobuf::Message& message) {
    const Reflection* reflection = message.GetReflection();
    const FieldDescriptor* paths = message.GetDescriptor()->field(0);
    const int count = reflection->FieldSize(message, paths);
    out_.push_back('"');
    for (int i = 0; i < count; ++i) {
      if (i > 0) out_.push_back(',');
      std::string scratch;
      const std::string& path = reflection->GetRepeatedStringReference(message, paths, i, &scratch);
      for (std::size_t j = 0; j < path.size(); ++j) {
        const char c = path[j];
        const bool lower = c >= 'a' && c <= 'z';
        const bool digit = c >= '0' && c <= '9';
        if (lower || digit) {
          out_.push_back(c);
        } else if (c == '_' && j > 0 && path[j - 1] != '.' && path[j - 1] != '_' &&
                   j + 1 < path.size() && path[j + 1] >= 'a' && path[j + 1] <= 'z') {
          out_.push_back(static_cast<char>(path[++j] - 'a' + 'A'));
        } else if (c == '.' && j > 0 && path[j - 1] != '.' && j + 1 < path.size()) {
          out_.push_back(c);
        } else {
          return false;
        }
      }
    }
    out_.push_back('"');
    return true;
  }

  // Struct, Value and ListValue through their generated classes: reflection would reach a
  // Struct's values through copies (see FieldEntry::map_of_maps). A dynamic one is left to
  // protobuf.
  bool Struct(const google::protobuf::Message& message) {
    const auto* object = dynamic_cast<const google::protobuf::Struct*>(&message);
    return object != nullptr && StructFields(*object);
  }

  bool ListValue(const google::protobuf::Message& message) {
    const auto* list = dynamic_cast<const google::protobuf::ListValue*>(&message);
    return list != nullptr && ListValues(*list);
  }

  bool Value(const google::protobuf::Message& message) {
    const auto* value = dynamic_cast<const google::protobuf::Value*>(&message);
    return value != nullptr && ValueKind(*value);
  }

  bool StructFields(const google::protobuf::Struct& object) {
    out_.push_back('{');
    bool first = true;
    for (const auto& [key, value] : object.fields()) {
      if (!first) out_.push_back(',');
      first = false;
      if (!AppendEscaped(key, &out_)) return false;
      out_.push_back(':');
      if (!ValueKind(value)) return false;
    }
    out_.push_back('}');
    return true;
  }

  bool ListValues(const google::protobuf::ListValue& list) {
    out_.push_back('[');
    for (int i = 0; i < list.values_size(); ++i) {
      if (i > 0) out_.push_back(',');
      if (!ValueKind(list.values(i))) return false;
    }
    out_.push_back(']');
    return true;
  }

  // Whichever kind the Value holds. One that holds nothing, or a number JSON has no form for, is
  // left to protobuf.
  bool ValueKind(const google::protobuf::Value& value) {
    switch (value.kind_case()) {
      case google::protobuf::Value::kNullValue:
        out_.append("null");
        return true;
      case google::protobuf::Value::kNumberValue:
        if (!std::isfinite(value.number_value())) return false;
        AppendFloat(value.number_value(), &out_);
        return true;
      case google::protobuf::Value::kStringValue:
        return AppendEscaped(value.string_value(), &out_);
      case google::protobuf::Value::kBoolValue:
        out_.append(value.bool_value() ? "true" : "false");
        return true;
      case google::protobuf::Value::kStructValue:
        return StructFields(value.struct_value());
      case google::protobuf::Value::kListValue:
        return ListValues(value.list_value());
      case google::protobuf::Value::KIND_NOT_SET:
        break;
    }
    return false;
  }

  const JsonOptions& options_;
  std::string& out_;
};

}  // namespace

bool WriteJson(const google::protobuf::Message& message, const JsonOptions& options,
               std::string* out) {
  if (!options.int64_as_strings) return false;
  const std::size_t size = out->size();
  if (Writer(options, out).Message(message)) return true;
  out->resize(size);
  return false;
}

}  // namespace cppgateway
