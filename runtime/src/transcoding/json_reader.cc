// A one-pass recursive-descent JSON reader that fills generated proto3 messages by reflection.
#include "transcoding/json_reader.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/duration.pb.h>
#include <google/protobuf/field_mask.pb.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/wrappers.pb.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "transcoding/base64.h"
#include "transcoding/utf8.h"

namespace cppgateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;
using google::protobuf::Message;
using google::protobuf::MessageFactory;
using google::protobuf::Reflection;

// Nested messages allowed below the top one. protobuf's JSON parser writes the binary form and
// parses it back, which fails beyond 100 nested messages, and a Struct costs three per JSON level
// (entry, Value, Struct); its tokenizer also stops beyond 100 nested objects, each of which is at
// least one message here. Staying below both keeps whatever this reader accepts acceptable there.
constexpr int kMaxDepth = 90;

// google.protobuf.Duration's range, as protobuf checks it.
constexpr std::uint64_t kMaxDurationSeconds = 315576000000;

// How a value is read and stored.
enum class Kind : std::uint8_t {
  kInt32,
  kInt64,
  kUInt32,
  kUInt64,
  kDouble,
  kFloat,
  kBool,
  kString,
  kBytes,
  kEnum,
  kMessage,
  kUnsupported,
};

// The messages whose JSON form is not an object of their fields.
enum class WellKnown : std::uint8_t {
  kNone,
  kTimestamp,
  kDuration,
  kFieldMask,
  kWrapper,
  kStruct,
  kValue,
  kListValue,
};

// Names -> integers, by open addressing over views of the descriptors' own strings: a lookup
// hashes the key once and allocates nothing. A name given to two different values (a json_name
// equal to another field's name) is found as no value, so the reader declines it.
class NameIndex {
 public:
  void Add(std::string_view name, int value) { entries_.emplace_back(name, value); }

  void Build() {
    std::size_t size = 8;
    while (size < entries_.size() * 2) size *= 2;
    slots_.assign(size, Slot{});
    mask_ = size - 1;
    for (const auto& [name, value] : entries_) {
      for (std::size_t i = Hash(name) & mask_;; i = (i + 1) & mask_) {
        Slot& slot = slots_[i];
        if (!slot.used) {
          slot = Slot{name, value, true, false};
          break;
        }
        if (slot.name == name) {
          slot.ambiguous = slot.ambiguous || slot.value != value;
          break;
        }
      }
    }
    entries_.clear();
    entries_.shrink_to_fit();
  }

  bool Find(std::string_view name, int* value) const {
    if (slots_.empty()) return false;
    for (std::size_t i = Hash(name) & mask_;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (!slot.used) return false;
      if (slot.name == name) {
        *value = slot.value;
        return !slot.ambiguous;
      }
    }
  }

 private:
  struct Slot {
    std::string_view name;
    int value = 0;
    bool used = false;
    bool ambiguous = false;
  };

  static std::size_t Hash(std::string_view name) {
    std::uint64_t hash = 14695981039346656037ull;  // FNV-1a: names are short
    for (char c : name) {
      hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    }
    return static_cast<std::size_t>(hash ^ (hash >> 29));
  }

  std::vector<std::pair<std::string_view, int>> entries_;
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
};

struct MessageTable;

// One value: a singular field, an element of a list, or a map entry's key or value.
struct ValueSpec {
  const FieldDescriptor* field = nullptr;
  Kind kind = Kind::kUnsupported;
  const MessageTable* message = nullptr;   // kMessage
  const NameIndex* enum_values = nullptr;  // kEnum: value name -> number
};

struct FieldInfo {
  enum class Shape : std::uint8_t { kSingular, kRepeated, kMap };

  const FieldDescriptor* field = nullptr;
  Shape shape = Shape::kSingular;
  int oneof = -1;   // index of the real oneof (proto3 `optional` has none)
  ValueSpec value;  // for a map, the entry's value
  ValueSpec key;    // maps only
};

// What the reader needs of a message type, built once per type and never destroyed.
struct MessageTable {
  const Descriptor* descriptor = nullptr;
  // The generated class's: a message with another one (a dynamic message) is declined, which
  // makes the well-known types safe to use through their generated classes.
  const Reflection* reflection = nullptr;
  bool supported = false;
  WellKnown well_known = WellKnown::kNone;
  int oneof_count = 0;
  std::vector<FieldInfo> fields;  // by FieldDescriptor::index()
  NameIndex names;                // json_name and name -> index in `fields`
};

// Which well-known type `descriptor` is; false for the google.protobuf types this reader leaves
// to protobuf (Any above all, whose JSON names its type).
bool ClassifyWellKnown(const Descriptor* descriptor, WellKnown* out) {
  *out = WellKnown::kNone;
  if (descriptor->file()->package() != "google.protobuf") return true;
  namespace pb = google::protobuf;
  if (descriptor == pb::Timestamp::descriptor()) {
    *out = WellKnown::kTimestamp;
  } else if (descriptor == pb::Duration::descriptor()) {
    *out = WellKnown::kDuration;
  } else if (descriptor == pb::FieldMask::descriptor()) {
    *out = WellKnown::kFieldMask;
  } else if (descriptor == pb::Struct::descriptor()) {
    *out = WellKnown::kStruct;
  } else if (descriptor == pb::Value::descriptor()) {
    *out = WellKnown::kValue;
  } else if (descriptor == pb::ListValue::descriptor()) {
    *out = WellKnown::kListValue;
  } else if (descriptor == pb::DoubleValue::descriptor() ||
             descriptor == pb::FloatValue::descriptor() ||
             descriptor == pb::Int64Value::descriptor() ||
             descriptor == pb::UInt64Value::descriptor() ||
             descriptor == pb::Int32Value::descriptor() ||
             descriptor == pb::UInt32Value::descriptor() ||
             descriptor == pb::BoolValue::descriptor() ||
             descriptor == pb::StringValue::descriptor() ||
             descriptor == pb::BytesValue::descriptor()) {
    *out = WellKnown::kWrapper;
  } else if (descriptor->full_name() != "google.protobuf.Empty") {
    return false;
  }
  return true;
}

// The tables of every generated message type met so far. Built under the exclusive lock, complete
// before any other thread sees them, and never changed after.
class Registry {
 public:
  const MessageTable* Get(const Descriptor* descriptor) {
    {
      std::shared_lock<std::shared_mutex> lock(mutex_);
      auto it = tables_.find(descriptor);
      if (it != tables_.end()) return it->second.get();
    }
    std::unique_lock<std::shared_mutex> lock(mutex_);
    return BuildLocked(descriptor);
  }

 private:
  MessageTable* BuildLocked(const Descriptor* descriptor) {
    auto it = tables_.find(descriptor);
    if (it != tables_.end()) return it->second.get();
    // In the map before its fields are filled in, so that recursive types end.
    MessageTable* table =
        tables_.emplace(descriptor, std::make_unique<MessageTable>()).first->second.get();
    table->descriptor = descriptor;
    const FileDescriptor* file = descriptor->file();
    if (file->pool() != DescriptorPool::generated_pool() ||
        file->syntax() != FileDescriptor::SYNTAX_PROTO3 ||
        descriptor->extension_range_count() > 0 || descriptor->map_key() != nullptr ||
        !ClassifyWellKnown(descriptor, &table->well_known)) {
      return table;
    }
    const Message* prototype = MessageFactory::generated_factory()->GetPrototype(descriptor);
    if (prototype == nullptr) return table;
    table->reflection = prototype->GetReflection();
    table->oneof_count = descriptor->oneof_decl_count();
    table->fields.resize(descriptor->field_count());
    for (int i = 0; i < descriptor->field_count(); ++i) {
      const FieldDescriptor* field = descriptor->field(i);
      FieldInfo& info = table->fields[i];
      info.field = field;
      if (const auto* oneof = field->real_containing_oneof()) info.oneof = oneof->index();
      if (field->is_map()) {
        info.shape = FieldInfo::Shape::kMap;
        info.key = SpecLocked(field->message_type()->map_key());
        info.value = SpecLocked(field->message_type()->map_value());
      } else {
        info.shape =
            field->is_repeated() ? FieldInfo::Shape::kRepeated : FieldInfo::Shape::kSingular;
        info.value = SpecLocked(field);
      }
      table->names.Add(field->json_name(), i);
      table->names.Add(field->name(), i);
    }
    table->names.Build();
    table->supported = true;
    return table;
  }

  ValueSpec SpecLocked(const FieldDescriptor* field) {
    ValueSpec spec;
    spec.field = field;
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        spec.kind = Kind::kInt32;
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        spec.kind = Kind::kInt64;
        break;
      case FieldDescriptor::CPPTYPE_UINT32:
        spec.kind = Kind::kUInt32;
        break;
      case FieldDescriptor::CPPTYPE_UINT64:
        spec.kind = Kind::kUInt64;
        break;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        spec.kind = Kind::kDouble;
        break;
      case FieldDescriptor::CPPTYPE_FLOAT:
        spec.kind = Kind::kFloat;
        break;
      case FieldDescriptor::CPPTYPE_BOOL:
        spec.kind = Kind::kBool;
        break;
      case FieldDescriptor::CPPTYPE_STRING:
        spec.kind = field->type() == FieldDescriptor::TYPE_BYTES ? Kind::kBytes : Kind::kString;
        break;
      case FieldDescriptor::CPPTYPE_ENUM:
        // protobuf reads null as NullValue's only value, a case not worth having here.
        if (field->enum_type() != google::protobuf::NullValue_descriptor()) {
          spec.kind = Kind::kEnum;
          spec.enum_values = EnumLocked(field->enum_type());
        }
        break;
      case FieldDescriptor::CPPTYPE_MESSAGE:
        spec.kind = Kind::kMessage;
        spec.message = BuildLocked(field->message_type());
        break;
    }
    return spec;
  }

  const NameIndex* EnumLocked(const EnumDescriptor* descriptor) {
    std::unique_ptr<NameIndex>& index = enums_[descriptor];
    if (index == nullptr) {
      index = std::make_unique<NameIndex>();
      for (int i = 0; i < descriptor->value_count(); ++i) {
        index->Add(descriptor->value(i)->name(), descriptor->value(i)->number());
      }
      index->Build();
    }
    return index.get();
  }

  std::shared_mutex mutex_;
  std::unordered_map<const Descriptor*, std::unique_ptr<MessageTable>> tables_;
  std::unordered_map<const EnumDescriptor*, std::unique_ptr<NameIndex>> enums_;
};

// The table of a generated-pool type. A few recent types per thread are kept so that the common
// path takes no lock; tables live for ever, so the pointers stay valid.
const MessageTable* TableFor(const Descriptor* descriptor) {
  struct Entry {
    const Descriptor* descriptor;
    const MessageTable* table;
  };
  static constexpr std::size_t kEntries = 16;
  thread_local Entry cache[kEntries] = {};
  Entry& entry = cache[(reinterpret_cast<std::uintptr_t>(descriptor) >> 4) % kEntries];
  if (entry.descriptor != descriptor) {
    // Never destroyed: a request may still be read while static objects are torn down.
    static Registry* const registry = new Registry();
    entry = Entry{descriptor, registry->Get(descriptor)};
  }
  return entry.table;
}

// Which field (or oneof) indices an object has set, to decline a second one.
class SeenSet {
 public:
  explicit SeenSet(std::size_t size) {
    if (size > kInlineWords * 64) {
      heap_.assign((size + 63) / 64, 0);
      words_ = heap_.data();
    }
  }
  SeenSet(const SeenSet&) = delete;
  SeenSet& operator=(const SeenSet&) = delete;

  // Whether `index` was already set; sets it.
  bool TestAndSet(std::size_t index) {
    const std::uint64_t bit = std::uint64_t{1} << (index % 64);
    std::uint64_t& word = words_[index / 64];
    const bool was_set = (word & bit) != 0;
    word |= bit;
    return was_set;
  }

 private:
  static constexpr std::size_t kInlineWords = 4;
  std::uint64_t inline_[kInlineWords] = {};
  std::vector<std::uint64_t> heap_;
  std::uint64_t* words_ = inline_;
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Characters a JSON string holds as they are and the fast loop skips: printable ASCII but the
// quote and the backslash.
struct PlainTable {
  bool plain[256];
  constexpr PlainTable() : plain() {
    for (int c = 0x20; c < 0x80; ++c) plain[c] = c != '"' && c != '\\';
  }
};
constexpr PlainTable kPlain;

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The content of `storage` when `view` is it (the string had escapes), else a copy of `view`.
std::string TakeString(std::string_view view, std::string* storage) {
  if (!storage->empty() && view.data() == storage->data()) return std::move(*storage);
  return std::string(view);
}

// Standard base64 with its padding, the form protobuf prints, decoded only when it is the one
// canonical spelling of its bytes (unused bits zero): protobuf's strict decoder refuses others.
// protobuf also takes URL-safe and unpadded text; those are left to it.
bool DecodeStrictBase64(std::string_view text, std::string* out) {
  return DecodeBase64(text, out) && EncodeBase64(*out) == text;
}

// Reads exactly `count` digits of `text` from `pos`.
bool FixedDigits(std::string_view text, std::size_t pos, std::size_t count, int* out) {
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (!IsDigit(text[i])) return false;
    value = value * 10 + (text[i] - '0');
  }
  *out = value;
  return true;
}

// Days from 1970-01-01 to the given proleptic Gregorian date.
std::int64_t DaysFromCivil(std::int64_t year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const std::int64_t year_of_era = year - era * 400;
  const std::int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const std::int64_t day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// "YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z", the form protobuf prints. protobuf also reads offsets
// ("+01:00"), digits elsewhere than it prints them and more than 9 fraction digits; those are
// left to it.
bool ParseTimestamp(std::string_view text, std::int64_t* seconds, std::int32_t* nanos) {
  if (text.size() < 20) return false;
  int year, month, day, hour, minute, second;
  if (!FixedDigits(text, 0, 4, &year) || text[4] != '-' || !FixedDigits(text, 5, 2, &month) ||
      text[7] != '-' || !FixedDigits(text, 8, 2, &day) || text[10] != 'T' ||
      !FixedDigits(text, 11, 2, &hour) || text[13] != ':' || !FixedDigits(text, 14, 2, &minute) ||
      text[16] != ':' || !FixedDigits(text, 17, 2, &second)) {
    return false;
  }
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) ||
      hour > 23 || minute > 59 || second > 59) {
    return false;
  }
  std::size_t pos = 19;
  std::int32_t fraction = 0;
  if (text[pos] == '.') {
    const std::size_t start = ++pos;
    while (pos < text.size() && IsDigit(text[pos]) && pos - start < 9) {
      fraction = fraction * 10 + (text[pos++] - '0');
    }
    if (pos == start) return false;
    for (std::size_t digits = pos - start; digits < 9; ++digits) fraction *= 10;
  }
  if (pos + 1 != text.size() || text[pos] != 'Z') return false;
  *seconds = DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  *nanos = fraction;
  return true;
}

// "-?\d+(\.\d{1,9})?s". The sign goes to both parts, as protobuf does: "-0.5s" is 0 seconds and
// -500000000 nanos.
bool ParseDuration(std::string_view text, std::int64_t* seconds, std::int32_t* nanos) {
  if (text.empty() || text.back() != 's') return false;
  text.remove_suffix(1);
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  if (whole.empty()) return false;
  std::uint64_t whole_seconds = 0;
  const auto [end, error] =
      std::from_chars(whole.data(), whole.data() + whole.size(), whole_seconds);
  if (error != std::errc() || end != whole.data() + whole.size() ||
      whole_seconds > kMaxDurationSeconds) {
    return false;
  }
  std::int32_t fraction = 0;
  if (dot != std::string_view::npos) {
    const std::string_view digits = text.substr(dot + 1);
    if (digits.empty() || digits.size() > 9) return false;
    for (char c : digits) {
      if (!IsDigit(c)) return false;
      fraction = fraction * 10 + (c - '0');
    }
    for (std::size_t i = digits.size(); i < 9; ++i) fraction *= 10;
  }
  const auto signed_seconds = static_cast<std::int64_t>(whole_seconds);
  *seconds = negative ? -signed_seconds : signed_seconds;
  *nanos = negative ? -fraction : fraction;
  return true;
}

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }

// One FieldMask path from lowerCamelCase to snake_case. protobuf's conversion treats runs of
// capitals in its own way ("aBC" is "a_bc") and takes any character; only paths where every
// component is [a-z][a-zA-Z0-9]* with no two capitals in a row are read here, where it is plainly
// "X" -> "_x".
bool CamelPathToSnake(std::string_view path, std::string* out) {
  out->clear();
  out->reserve(path.size() + 4);
  bool component_start = true;
  bool previous_upper = false;
  for (char c : path) {
    if (c == '.') {
      if (component_start) return false;
      out->push_back('.');
      component_start = true;
      continue;
    }
    if (component_start) {
      if (!IsLower(c)) return false;
      component_start = false;
    } else if (IsUpper(c)) {
      if (previous_upper) return false;
      out->push_back('_');
      c = static_cast<char>(c - 'A' + 'a');
      previous_upper = true;
      out->push_back(c);
      continue;
    } else if (!IsLower(c) && !IsDigit(c)) {
      return false;
    }
    previous_upper = false;
    out->push_back(c);
  }
  return !component_start;
}

// Whether protobuf's printer turns `snake` back into `camel`: the caller refuses a FieldMask whose
// paths would change on their way back, so this reader must not accept one.
bool SnakeMatchesCamel(std::string_view snake, std::string_view camel) {
  std::size_t j = 0;
  for (std::size_t i = 0; i < snake.size(); ++i, ++j) {
    char c = snake[i];
    if (c == '_') {
      if (i + 1 == snake.size() || !IsLower(snake[i + 1])) return false;
      c = static_cast<char>(snake[++i] - 'a' + 'A');
    }
    if (j == camel.size() || camel[j] != c) return false;
  }
  return j == camel.size();
}

// protobuf's conversion of a double to a float field: values beyond FLT_MAX that round to it are
// kept (halving first, as protobuf does, so the cast is defined), others are refused.
bool DoubleToFloat(double value, float* out) {
  constexpr float kMax = std::numeric_limits<float>::max();
  if (value > kMax || value < -kMax) {
    const double half = value * 0.5;
    if (half < kMax && half > -kMax) {
      const float half_max = kMax * 0.5f;
      const float half_after = static_cast<float>(half);
      if (half_after <= half_max && half_after >= -half_max) {
        *out = half_after + half_after;
        return true;
      }
    }
    return false;
  }
  *out = static_cast<float>(value);
  return true;
}

// A JSON number's text, checked against RFC 8259's grammar.
struct Number {
  const char* begin = nullptr;
  const char* end = nullptr;
  bool negative = false;
  bool integer = true;  // no fraction, no exponent
};

// The double protobuf makes of a JSON number. Its tokenizer reads a plain integer as an int64 or
// uint64 and converts that, so "-0" is +0.0, not the -0.0 of strtod; other numbers go through
// strtod, which rounds correctly as from_chars does. Overflow is refused, as protobuf does.
bool NumberToDouble(const Number& number, double* out) {
  if (number.integer && number.negative && number.end - number.begin == 2 &&
      number.begin[1] == '0') {
    *out = 0.0;
    return true;
  }
  const auto [end, error] = std::from_chars(number.begin, number.end, *out);
  return error == std::errc() && end == number.end && std::isfinite(*out);
}

// The float protobuf makes of a JSON number: a plain integer converted straight from its int64 or
// uint64 (one rounding, not two through a double), anything else through a double.
bool NumberToFloat(const Number& number, float* out) {
  if (number.integer) {
    if (number.negative) {
      std::int64_t value = 0;
      const auto [end, error] = std::from_chars(number.begin, number.end, value);
      if (error == std::errc() && end == number.end) {
        *out = static_cast<float>(value);
        return true;
      }
    } else {
      std::uint64_t value = 0;
      const auto [end, error] = std::from_chars(number.begin, number.end, value);
      if (error == std::errc() && end == number.end) {
        *out = static_cast<float>(value);
        return true;
      }
    }
  }
  double value = 0;
  return NumberToDouble(number, &value) && DoubleToFloat(value, out);
}

// Whether `text` is a plain decimal integer: -?(0|[1-9][0-9]*).
bool IsPlainInteger(std::string_view text) {
  std::size_t i = !text.empty() && text[0] == '-' ? 1 : 0;
  if (i == text.size()) return false;
  if (text[i] == '0') return i + 1 == text.size();
  for (; i < text.size(); ++i) {
    if (!IsDigit(text[i])) return false;
  }
  return true;
}

// A plain integer's text as a T, in range; unsigned types take no '-' at all, not even "-0".
template <typename T>
bool IntegerFromText(std::string_view text, T* out) {
  if (std::is_unsigned_v<T> && !text.empty() && text[0] == '-') return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return error == std::errc() && end == text.data() + text.size();
}

class Parser {
 public:
  explicit Parser(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  bool ReadDocument(const MessageTable& table, Message* message) {
    SkipSpace();
    if (!Peek('{')) return false;
    if (!ReadMessage(table, message, 0)) return false;
    SkipSpace();
    return p_ == end_;
  }

 private:
  void SkipSpace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool Peek(char c) const { return p_ < end_ && *p_ == c; }

  // Skips space, then `c` if it is next.
  bool Consume(char c) {
    SkipSpace();
    if (!Peek(c)) return false;
    ++p_;
    return true;
  }

  bool ConsumeLiteral(std::string_view literal) {
    if (static_cast<std::size_t>(end_ - p_) < literal.size() ||
        std::memcmp(p_, literal.data(), literal.size()) != 0) {
      return false;
    }
    p_ += literal.size();
    return true;
  }

  // The JSON form of a message of type `table` at `depth` nested messages.
  bool ReadMessage(const MessageTable& table, Message* message, int depth) {
    if (depth > kMaxDepth || !table.supported) return false;
    SkipSpace();
    namespace pb = google::protobuf;
    switch (table.well_known) {
      case WellKnown::kNone:
        return ReadObject(table, message, depth);
      case WellKnown::kTimestamp:
        return ReadTimestamp(static_cast<pb::Timestamp*>(message));
      case WellKnown::kDuration:
        return ReadDuration(static_cast<pb::Duration*>(message));
      case WellKnown::kFieldMask:
        return ReadFieldMask(static_cast<pb::FieldMask*>(message));
      case WellKnown::kWrapper:
        return ReadValue(table.fields[0].value, message, false, depth);
      case WellKnown::kStruct:
        return ReadStruct(static_cast<pb::Struct*>(message), depth);
      case WellKnown::kValue:
        return ReadStructValue(static_cast<pb::Value*>(message), depth);
      case WellKnown::kListValue:
        return ReadListValue(static_cast<pb::ListValue*>(message), depth);
    }
    return false;
  }

  // A message as an object of its fields.
  bool ReadObject(const MessageTable& table, Message* message, int depth) {
    if (!Consume('{')) return false;
    if (Consume('}')) return true;
    SeenSet fields_seen(table.fields.size());
    SeenSet oneofs_seen(static_cast<std::size_t>(table.oneof_count));
    do {
      SkipSpace();
      std::string_view key;
      if (!ReadString(&key, &scratch_)) return false;
      int index = 0;
      if (!table.names.Find(key, &index) ||
          fields_seen.TestAndSet(static_cast<std::size_t>(index))) {
        return false;
      }
      const FieldInfo& field = table.fields[index];
      if (field.oneof >= 0 && oneofs_seen.TestAndSet(static_cast<std::size_t>(field.oneof))) {
        return false;
      }
      if (!Consume(':')) return false;
      SkipSpace();
      if (!ReadField(field, message, depth)) return false;
    } while (Consume(','));
    return Consume('}');
  }

  bool ReadField(const FieldInfo& field, Message* message, int depth) {
    switch (field.shape) {
      case FieldInfo::Shape::kSingular:
        // protobuf skips null for most fields but not all (Value, NullValue); left to it.
        if (Peek('n')) return false;
        return ReadValue(field.value, message, false, depth);
      case FieldInfo::Shape::kRepeated:
        if (!Consume('[')) return false;
        if (Consume(']')) return true;
        do {
          SkipSpace();
          if (!ReadValue(field.value, message, true, depth)) return false;
        } while (Consume(','));
        return Consume(']');
      case FieldInfo::Shape::kMap:
        return ReadMap(field, message, depth);
    }
    return false;
  }

  bool ReadMap(const FieldInfo& field, Message* message, int depth) {
    if (depth + 1 > kMaxDepth || !Consume('{')) return false;
    if (Consume('}')) return true;
    const Reflection* reflection = message->GetReflection();
    // protobuf refuses a key given twice; keys are compared as text, which for the integer and
    // bool keys read here (no sign on zero, no leading zeros) is comparing values.
    std::vector<std::string> keys;
    do {
      SkipSpace();
      std::string_view key;
      std::string key_storage;
      if (!ReadString(&key, &key_storage)) return false;
      Message* entry = reflection->AddMessage(message, field.field);
      if (!SetMapKey(field.key, key, entry)) return false;
      keys.push_back(TakeString(key, &key_storage));
      if (!Consume(':')) return false;
      SkipSpace();
      if (!ReadValue(field.value, entry, false, depth + 1)) return false;
    } while (Consume(','));
    return Consume('}') && AllDifferent(&keys);
  }

  static bool AllDifferent(std::vector<std::string>* keys) {
    if (keys->size() <= 8) {
      for (std::size_t i = 0; i < keys->size(); ++i) {
        for (std::size_t j = i + 1; j < keys->size(); ++j) {
          if ((*keys)[i] == (*keys)[j]) return false;
        }
      }
      return true;
    }
    std::sort(keys->begin(), keys->end());
    return std::adjacent_find(keys->begin(), keys->end()) == keys->end();
  }

  static bool SetMapKey(const ValueSpec& spec, std::string_view key, Message* entry) {
    const Reflection* reflection = entry->GetReflection();
    const bool integer = IsPlainInteger(key) && key != "-0";
    switch (spec.kind) {
      case Kind::kString:
        reflection->SetString(entry, spec.field, std::string(key));
        return true;
      case Kind::kBool:
        if (key != "true" && key != "false") return false;
        reflection->SetBool(entry, spec.field, key == "true");
        return true;
      case Kind::kInt32: {
        std::int32_t value = 0;
        if (!integer || !IntegerFromText(key, &value)) return false;
        reflection->SetInt32(entry, spec.field, value);
        return true;
      }
      case Kind::kInt64: {
        std::int64_t value = 0;
        if (!integer || !IntegerFromText(key, &value)) return false;
        reflection->SetInt64(entry, spec.field, value);
        return true;
      }
      case Kind::kUInt32: {
        std::uint32_t value = 0;
        if (!integer || !IntegerFromText(key, &value)) return false;
        reflection->SetUInt32(entry, spec.field, value);
        return true;
      }
      case Kind::kUInt64: {
        std::uint64_t value = 0;
        if (!integer || !IntegerFromText(key, &value)) return false;
        reflection->SetUInt64(entry, spec.field, value);
        return true;
      }
      default:
        return false;
    }
  }

  // One value of `spec`, set in `message` (added to the list when `add`).
  bool ReadValue(const ValueSpec& spec, Message* message, bool add, int depth) {
    const Reflection* reflection = message->GetReflection();
    const FieldDescriptor* field = spec.field;
    switch (spec.kind) {
      case Kind::kInt32: {
        std::int32_t value = 0;
        if (!ReadInteger(&value)) return false;
        add ? reflection->AddInt32(message, field, value)
            : reflection->SetInt32(message, field, value);
        return true;
      }
      case Kind::kInt64: {
        std::int64_t value = 0;
        if (!ReadInteger(&value)) return false;
        add ? reflection->AddInt64(message, field, value)
            : reflection->SetInt64(message, field, value);
        return true;
      }
      case Kind::kUInt32: {
        std::uint32_t value = 0;
        if (!ReadInteger(&value)) return false;
        add ? reflection->AddUInt32(message, field, value)
            : reflection->SetUInt32(message, field, value);
        return true;
      }
      case Kind::kUInt64: {
        std::uint64_t value = 0;
        if (!ReadInteger(&value)) return false;
        add ? reflection->AddUInt64(message, field, value)
            : reflection->SetUInt64(message, field, value);
        return true;
      }
      case Kind::kDouble: {
        Number number;
        double value = 0;
        if (!ReadNumber(&number) || !NumberToDouble(number, &value)) return false;
        add ? reflection->AddDouble(message, field, value)
            : reflection->SetDouble(message, field, value);
        return true;
      }
      case Kind::kFloat: {
        Number number;
        float value = 0;
        if (!ReadNumber(&number) || !NumberToFloat(number, &value)) return false;
        add ? reflection->AddFloat(message, field, value)
            : reflection->SetFloat(message, field, value);
        return true;
      }
      case Kind::kBool: {
        bool value = false;
        if (!ReadBool(&value)) return false;
        add ? reflection->AddBool(message, field, value)
            : reflection->SetBool(message, field, value);
        return true;
      }
      case Kind::kString: {
        std::string_view view;
        std::string storage;
        if (!ReadString(&view, &storage)) return false;
        add ? reflection->AddString(message, field, TakeString(view, &storage))
            : reflection->SetString(message, field, TakeString(view, &storage));
        return true;
      }
      case Kind::kBytes: {
        std::string_view view;
        std::string bytes;
        if (!ReadString(&view, &scratch_) || !DecodeStrictBase64(view, &bytes)) return false;
        add ? reflection->AddString(message, field, std::move(bytes))
            : reflection->SetString(message, field, std::move(bytes));
        return true;
      }
      case Kind::kEnum: {
        std::string_view name;
        if (!ReadString(&name, &scratch_)) return false;
        int number = 0;
        // Names only: protobuf also reads numbers, and names in other cases with some options.
        if (!spec.enum_values->Find(name, &number)) return false;
        add ? reflection->AddEnumValue(message, field, number)
            : reflection->SetEnumValue(message, field, number);
        return true;
      }
      case Kind::kMessage: {
        Message* child = add ? reflection->AddMessage(message, field)
                             : reflection->MutableMessage(message, field);
        return ReadMessage(*spec.message, child, depth + 1);
      }
      case Kind::kUnsupported:
        return false;
    }
    return false;
  }

  // A JSON integer, or a string holding one, as protobuf takes both.
  template <typename T>
  bool ReadInteger(T* out) {
    if (Peek('"')) {
      const char* begin = ++p_;
      while (p_ < end_ && (IsDigit(*p_) || *p_ == '-')) ++p_;
      const std::string_view text(begin, static_cast<std::size_t>(p_ - begin));
      if (!Peek('"')) return false;
      ++p_;
      return IsPlainInteger(text) && IntegerFromText(text, out);
    }
    Number number;
    if (!ReadNumber(&number) || !number.integer) return false;
    return IntegerFromText(std::string_view(number.begin, number.end - number.begin), out);
  }

  bool ReadBool(bool* out) {
    if (ConsumeLiteral("true")) {
      *out = true;
      return true;
    }
    if (ConsumeLiteral("false")) {
      *out = false;
      return true;
    }
    return false;
  }

  bool ReadNumber(Number* number) {
    number->begin = p_;
    number->negative = Peek('-');
    if (number->negative) ++p_;
    if (p_ == end_ || !IsDigit(*p_)) return false;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ < end_ && IsDigit(*p_)) ++p_;
    }
    number->integer = true;
    if (Peek('.')) {
      ++p_;
      number->integer = false;
      if (p_ == end_ || !IsDigit(*p_)) return false;
      while (p_ < end_ && IsDigit(*p_)) ++p_;
    }
    if (Peek('e') || Peek('E')) {
      ++p_;
      number->integer = false;
      if (Peek('+') || Peek('-')) ++p_;
      if (p_ == end_ || !IsDigit(*p_)) return false;
      while (p_ < end_ && IsDigit(*p_)) ++p_;
    }
    number->end = p_;
    return true;
  }

  // A JSON string. `*out` is a view of the text when the string has no escapes, else of
  // `*storage`, which then holds it decoded. Raw control characters, invalid UTF-8 and lone
  // surrogates are refused.
  bool ReadString(std::string_view* out, std::string* storage) {
    if (!Peek('"')) return false;
    const char* begin = ++p_;
    for (;;) {
      while (p_ < end_ && kPlain.plain[static_cast<unsigned char>(*p_)]) ++p_;
      if (p_ == end_) return false;
      if (*p_ == '"') {
        *out = std::string_view(begin, static_cast<std::size_t>(p_ - begin));
        ++p_;
        return true;
      }
      if (*p_ == '\\') break;
      if (!SkipUtf8()) return false;
    }
    storage->assign(begin, static_cast<std::size_t>(p_ - begin));
    for (;;) {
      const char* run = p_;
      while (p_ < end_ && kPlain.plain[static_cast<unsigned char>(*p_)]) ++p_;
      storage->append(run, static_cast<std::size_t>(p_ - run));
      if (p_ == end_) return false;
      if (*p_ == '"') {
        ++p_;
        *out = *storage;
        return true;
      }
      if (*p_ == '\\') {
        if (!ReadEscape(storage)) return false;
        continue;
      }
      const char* start = p_;
      if (!SkipUtf8()) return false;
      storage->append(start, static_cast<std::size_t>(p_ - start));
    }
  }

  // One UTF-8 sequence of 2 to 4 bytes (transcoding/utf8.h); also refuses what else may stop
  // the fast loop (control characters).
  bool SkipUtf8() {
    std::uint32_t code_point;
    const std::size_t length =
        DecodeUtf8(std::string_view(p_, static_cast<std::size_t>(end_ - p_)), &code_point);
    p_ += length;
    return length != 0;
  }

  // One escape, at its backslash, appended decoded.
  bool ReadEscape(std::string* out) {
    if (end_ - p_ < 2) return false;
    const char c = p_[1];
    p_ += 2;
    switch (c) {
      case '"':
      case '\\':
      case '/':
        out->push_back(c);
        return true;
      case 'b':
        out->push_back('\b');
        return true;
      case 'f':
        out->push_back('\f');
        return true;
      case 'n':
        out->push_back('\n');
        return true;
      case 'r':
        out->push_back('\r');
        return true;
      case 't':
        out->push_back('\t');
        return true;
      case 'u':
        break;
      default:
        return false;
    }
    std::uint32_t code = 0;
    if (!ReadHex4(&code)) return false;
    if (code >= 0xDC00 && code <= 0xDFFF) return false;
    if (code >= 0xD800 && code <= 0xDBFF) {
      std::uint32_t low = 0;
      if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
      p_ += 2;
      if (!ReadHex4(&low) || low < 0xDC00 || low > 0xDFFF) return false;
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(code, out);
    return true;
  }

  bool ReadHex4(std::uint32_t* out) {
    if (end_ - p_ < 4) return false;
    std::uint32_t code = 0;
    for (int i = 0; i < 4; ++i) {
      const int digit = HexDigit(p_[i]);
      if (digit < 0) return false;
      code = (code << 4) | static_cast<std::uint32_t>(digit);
    }
    p_ += 4;
    *out = code;
    return true;
  }

  bool ReadTimestamp(google::protobuf::Timestamp* timestamp) {
    std::string_view text;
    std::int64_t seconds = 0;
    std::int32_t nanos = 0;
    if (!ReadString(&text, &scratch_) || !ParseTimestamp(text, &seconds, &nanos)) return false;
    timestamp->set_seconds(seconds);
    timestamp->set_nanos(nanos);
    return true;
  }

  bool ReadDuration(google::protobuf::Duration* duration) {
    std::string_view text;
    std::int64_t seconds = 0;
    std::int32_t nanos = 0;
    if (!ReadString(&text, &scratch_) || !ParseDuration(text, &seconds, &nanos)) return false;
    duration->set_seconds(seconds);
    duration->set_nanos(nanos);
    return true;
  }

  // Comma-separated lowerCamelCase paths; "" is no path, as protobuf reads it.
  bool ReadFieldMask(google::protobuf::FieldMask* mask) {
    std::string_view text;
    if (!ReadString(&text, &scratch_)) return false;
    if (text.empty()) return true;
    for (;;) {
      const std::size_t comma = text.find(',');
      const std::string_view path = text.substr(0, comma);
      std::string snake;
      if (!CamelPathToSnake(path, &snake) || !SnakeMatchesCamel(snake, path)) return false;
      mask->add_paths(std::move(snake));
      if (comma == std::string_view::npos) return true;
      text.remove_prefix(comma + 1);
    }
  }

  // A JSON object as a Struct at `depth`: its values are two messages further down (the map
  // entry, then the Value).
  bool ReadStruct(google::protobuf::Struct* message, int depth) {
    if (depth + 2 > kMaxDepth || !Consume('{')) return false;
    if (Consume('}')) return true;
    auto* fields = message->mutable_fields();
    do {
      SkipSpace();
      std::string_view key;
      if (!ReadString(&key, &scratch_)) return false;
      auto [it, inserted] = fields->try_emplace(std::string(key));
      // protobuf refuses a key given twice.
      if (!inserted || !Consume(':')) return false;
      SkipSpace();
      if (!ReadStructValue(&it->second, depth + 2)) return false;
    } while (Consume(','));
    return Consume('}');
  }

  bool ReadListValue(google::protobuf::ListValue* message, int depth) {
    if (depth + 1 > kMaxDepth || !Consume('[')) return false;
    if (Consume(']')) return true;
    do {
      SkipSpace();
      if (!ReadStructValue(message->add_values(), depth + 1)) return false;
    } while (Consume(','));
    return Consume(']');
  }

  // Any JSON value as a google.protobuf.Value.
  bool ReadStructValue(google::protobuf::Value* value, int depth) {
    if (depth > kMaxDepth || p_ == end_) return false;
    switch (*p_) {
      case 'n':
        if (!ConsumeLiteral("null")) return false;
        value->set_null_value(google::protobuf::NULL_VALUE);
        return true;
      case 't':
      case 'f': {
        bool flag = false;
        if (!ReadBool(&flag)) return false;
        value->set_bool_value(flag);
        return true;
      }
      case '"': {
        std::string_view view;
        std::string storage;
        if (!ReadString(&view, &storage)) return false;
        value->set_string_value(TakeString(view, &storage));
        return true;
      }
      case '{':
        return ReadStruct(value->mutable_struct_value(), depth + 1);
      case '[':
        return ReadListValue(value->mutable_list_value(), depth + 1);
      default: {
        Number number;
        double result = 0;
        if (!ReadNumber(&number) || !NumberToDouble(number, &result)) return false;
        value->set_number_value(result);
        return true;
      }
    }
  }

  const char* p_;
  const char* end_;
  std::string scratch_;  // decoded keys and other strings used before the next one is read
};

}  // namespace

bool ReadJson(std::string_view json, google::protobuf::Message* message) {
  const Descriptor* descriptor = message->GetDescriptor();
  // Only generated-pool types are cached: other pools' descriptors can be freed and their
  // addresses reused.
  if (descriptor->file()->pool() != DescriptorPool::generated_pool()) return false;
  const MessageTable* table = TableFor(descriptor);
  if (!table->supported || message->GetReflection() != table->reflection) return false;
  return Parser(json).ReadDocument(*table, message);
}

}  // namespace cppgateway
