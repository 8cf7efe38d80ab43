// ReadJson against protobuf's parser: whatever it accepts, protobuf must read the same way.
#include "transcoding/json_reader.h"

#include <google/protobuf/any.pb.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/duration.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/empty.pb.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "cppgateway/test/v1/test.pb.h"
#include "full_everything.h"

namespace cppgateway {
namespace {

using cppgateway::test::v1::Everything;
using cppgateway::test::v1::Nested;
using google::protobuf::Message;
using google::protobuf::util::JsonParseOptions;
using google::protobuf::util::JsonPrintOptions;

// FullEverything with more edges: escapes and an emoji, a negative map key and Duration, and
// every kind of Struct value.
Everything FullEverythingAtTheEdges() {
  Everything message = FullEverything();
  message.set_str("héllo \"quoted\" <tag> \\ \n \x01 😀");
  (*message.mutable_names())[-5] = "minus five";
  message.mutable_dur()->set_seconds(-2);
  message.mutable_dur()->set_nanos(-1000);
  auto& fields = *message.mutable_attrs()->mutable_fields();
  fields["s"].set_string_value("x");
  fields["n"].set_null_value(google::protobuf::NULL_VALUE);
  fields["l"].mutable_list_value()->add_values()->set_bool_value(true);
  (*fields["o"].mutable_struct_value()->mutable_fields())["deep"].set_number_value(-0.5);
  return message;
}

// The deterministic binary form: maps in key order, so equal messages give equal bytes.
std::string Bytes(const Message& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

// Reads `json` with ReadJson into a fresh message of `prototype`'s type. When it accepts,
// protobuf's parser must accept the same text and make the same message. Returns whether ReadJson
// accepted.
bool AgreesWithProtobuf(std::string_view json,
                        const Message& prototype = Everything::default_instance()) {
  std::unique_ptr<Message> fast(prototype.New());
  if (!ReadJson(json, fast.get())) return false;
  std::unique_ptr<Message> reference(prototype.New());
  JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), reference.get(), options);
  EXPECT_TRUE(status.ok()) << "accepted what protobuf refuses (" << status.message()
                           << "): " << json;
  EXPECT_EQ(Bytes(*fast), Bytes(*reference)) << json << "\n  read:     " << fast->ShortDebugString()
                                             << "\n  protobuf: " << reference->ShortDebugString();
  return true;
}

std::string Print(const Message& message, const JsonPrintOptions& options) {
  std::string out;
  const auto status = google::protobuf::util::MessageToJsonString(message, &out, options);
  EXPECT_TRUE(status.ok()) << status.message();
  return out;
}

std::vector<JsonPrintOptions> PrintVariants() {
  std::vector<JsonPrintOptions> variants;
  for (int bits = 0; bits < 8; ++bits) {
    JsonPrintOptions options;
    options.preserve_proto_field_names = (bits & 1) != 0;
    options.always_print_primitive_fields = (bits & 2) != 0;
    options.add_whitespace = (bits & 4) != 0;
    variants.push_back(options);
  }
  return variants;
}

TEST(JsonReaderTest, ReadsWhatProtobufPrintsForAFullMessage) {
  const Everything original = FullEverythingAtTheEdges();
  for (const JsonPrintOptions& options : PrintVariants()) {
    const std::string text = Print(original, options);
    EXPECT_TRUE(AgreesWithProtobuf(text)) << text;
    Everything read;
    ASSERT_TRUE(ReadJson(text, &read)) << text;
    EXPECT_EQ(Bytes(read), Bytes(original)) << text;
  }
}

TEST(JsonReaderTest, ReadsWhatProtobufPrintsForPartialMessages) {
  std::vector<Everything> messages(8);
  messages[1].set_i32(1);
  messages[2].mutable_nested();
  messages[3].set_choice_str("");
  messages[4].mutable_wrapped_str();
  messages[5].mutable_attrs();
  messages[6].mutable_mask();
  messages[7].mutable_ts()->set_seconds(-62135596800);
  const Everything full = FullEverythingAtTheEdges();
  for (int i = 1; i <= full.GetDescriptor()->field_count(); ++i) {
    // One field of the full message at a time.
    Everything one = full;
    const google::protobuf::Reflection* reflection = one.GetReflection();
    for (int j = 0; j < full.GetDescriptor()->field_count(); ++j) {
      if (j != i - 1) reflection->ClearField(&one, full.GetDescriptor()->field(j));
    }
    messages.push_back(one);
  }
  for (const Everything& message : messages) {
    for (const JsonPrintOptions& options : PrintVariants()) {
      const std::string text = Print(message, options);
      EXPECT_TRUE(AgreesWithProtobuf(text)) << text;
    }
  }
}

TEST(JsonReaderTest, AcceptsTheCommonFormsAsProtobufReadsThem) {
  const char* const texts[] = {
      "{}",
      " \t\r\n{ \t\r\n} \t\r\n",
      R"({"i64": "-9223372036854775808"})",
      R"({"i64": -9223372036854775808})",
      R"({"i64": 9223372036854775807})",
      R"({"i64": "9007199254740993"})",
      R"({"u64": "18446744073709551615"})",
      R"({"u64": 18446744073709551615})",
      R"({"u64": 0})",
      R"({"i32": -2147483648})",
      R"({"i32": "2147483647"})",
      R"({"i32": -0})",
      R"({"i32": "-0"})",
      R"({"i32": 0})",
      R"({"s64": "-12"})",
      R"({"s64": -9223372036854775808})",
      R"({"f64": "12345678901234567"})",
      R"({"f64": 18446744073709551615})",
      R"({"u32": 4294967295})",
      R"({"u32": "0"})",
      R"({"sf32": -2147483648})",
      R"({"customName": 1})",
      R"({"custom_json": 2})",
      R"({"snakeCaseField": "a"})",
      R"({"snake_case_field": "b"})",
      R"({"dbl": 1e308})",
      R"({"dbl": 1.7976931348623157e308})",
      R"({"dbl": -1.7976931348623157E+308})",
      R"({"dbl": 5e-324})",
      R"({"dbl": 4.9406564584124654e-324})",
      R"({"dbl": 2.2250738585072014e-308})",
      R"({"dbl": -0})",
      R"({"dbl": -0.0})",
      R"({"dbl": -0e0})",
      R"({"dbl": 0})",
      R"({"dbl": 0.1})",
      R"({"dbl": 1E2})",
      R"({"dbl": 1e+2})",
      R"({"dbl": -1.5e-10})",
      R"({"dbl": 9007199254740993})",
      R"({"dbl": -9007199254740993})",
      R"({"dbl": 18446744073709551615})",
      R"({"dbl": 18446744073709551616})",
      R"({"dbl": -9223372036854775809})",
      R"({"dbl": 123456789012345678901234567890})",
      R"({"flt": 3.4028235e38})",
      R"({"flt": -3.4028235e38})",
      R"({"flt": 3.4028234663852886e38})",
      R"({"flt": 3.4028235677973362e38})",
      R"({"flt": 1.17549435e-38})",
      R"({"flt": 1e-45})",
      R"({"flt": 16777217})",
      R"({"flt": -16777217})",
      R"({"flt": 1152921573326323713})",
      R"({"flt": -1152921573326323713})",
      R"({"flt": 18446744073709551615})",
      R"({"flt": 0.1})",
      R"({"flt": -0})",
      R"({"flt": -0.0})",
      R"({"flag": true})",
      R"({"flag": false})",
      R"({"str": ""})",
      R"({"str": "héllo"})",
      R"({"str": "\"\\\/\b\f\n\r\t"})",
      R"({"str": "\u0000"})",
      R"({"str": "a\u00e9b\u20AC"})",
      R"({"str": "\ud83d\ude00"})",
      R"({"str": "\uD83D\uDE00 and \uDBFF\uDFFF"})",
      R"({"str": "\uffff\ufffe\ufeff\u2028"})",
      "{\"str\": \"😀\xEF\xBF\xBF\xF4\x8F\xBF\xBF\x7F\"}",
      R"({"data": ""})",
      R"({"data": "AP8Q"})",
      R"({"data": "QQ=="})",
      R"({"data": "QUI="})",
      R"({"data": "+/+/"})",
      R"({"data": "\/w=="})",
      R"({"data": "QQ=\u003d"})",
      R"({"color": "COLOR_RED"})",
      R"({"color": "COLOR_UNSPECIFIED"})",
      R"({"nums": []})",
      R"({"nums": ["1", 2, "-3", -9223372036854775808]})",
      R"({"words": ["a", "\u00e9", ""]})",
      R"({"colors": ["COLOR_RED", "COLOR_BLUE", "COLOR_UNSPECIFIED"]})",
      R"({"nestedList": [{}, {"name": "x", "child": {"value": "1"}}]})",
      R"({"nested_list": []})",
      R"({"counts": {}})",
      R"({"counts": {"a": "1", "b": 2, "": 0}})",
      R"({"counts": {"\u00e9": 1, "é2": 2, "\u0061": 3}})",
      R"({"names": {"-5": "m", "0": "z", "2147483647": "x", "-2147483648": "y"}})",
      R"({"nestedMap": {"k": {}, "": {"name": "e"}}})",
      R"({"choiceStr": ""})",
      R"({"choiceNum": "0"})",
      R"({"choice_num": 5})",
      R"({"nested": {}})",
      R"({"nested": {"child": {"child": {"color": "COLOR_BLUE"}}}})",
      R"({"wrappedI64": "0"})",
      R"({"wrappedI64": -5})",
      R"({"wrapped_i64": "9223372036854775807"})",
      R"({"wrappedStr": ""})",
      R"({"wrappedStr": "\u00e9"})",
      R"({"wrappedBool": false})",
      R"({"attrs": {}})",
      R"({"attrs": {"a": null, "b": true, "c": 1.5, "d": "s", "e": [], "f": {}}})",
      R"({"attrs": {"g": [1, "x", null, [false], {"h": -0}], "i": 1e300}})",
      R"({"attrs": {"j": 12345678901234567890, "k": -0.0, "l": -0, "m": -9223372036854775809}})",
      R"({"attrs": {"": {"": [[], {}]}, "\u00e9": "\ud83d\ude00"}})",
      R"({"ts": "1970-01-01T00:00:00Z"})",
      R"({"dur": "-0.5s"})",
      R"({"mask": ""})",
      R"({"mask": "user.displayName,tags"})",
      R"({ "i64" : "1" , "nums" : [ 1 , 2 ] , "nested" : { "name" : "x" } })",
  };
  for (const char* text : texts) {
    EXPECT_TRUE(AgreesWithProtobuf(text)) << "declined: " << text;
  }
}

// Checked whether accepted or not: what is read must be what protobuf reads.
TEST(JsonReaderTest, EdgeCasesAgreeWithProtobufWhenAccepted) {
  const char* const texts[] = {
      R"({"dbl": 1e-400})",
      R"({"dbl": -1e-400})",
      R"({"flt": 1e-50})",
      R"({"flt": 3.40282357e38})",
      R"({"flt": 3.4028236e38})",
      R"({"flt": 7e-46})",
      R"({"dbl": 2.4703282292062328e-324})",
      R"({"dbl": 2.4703282292062327e-324})",
      R"({"str": "\u0000\u001f\u007f"})",
      R"({"color": 7})",
      R"({"data": "QQ"})",
      R"({"data": "-_8="})",
      R"({"mask": "a_b"})",
      R"({"mask": "_8"})",
      R"({"attrs": {"a": 1e400}})",
  };
  for (const char* text : texts) AgreesWithProtobuf(text);
}

TEST(JsonReaderTest, Timestamps) {
  const char* const accepted[] = {
      "1970-01-01T00:00:00Z",           "1970-01-01T00:00:01.5Z",
      "1969-12-31T23:59:59.999999999Z", "0001-01-01T00:00:00Z",
      "9999-12-31T23:59:59.999999999Z", "2000-02-29T12:00:00.123Z",
      "2024-02-29T00:00:00Z",           "1900-03-01T00:00:00.000001Z",
      "2038-01-19T03:14:08Z",           "1600-02-29T00:00:00Z",
      "0004-02-29T00:00:00Z",           "1969-12-31T23:59:59.1Z",
      "2023-12-31T23:59:59.12345678Z",  "0400-12-31T00:00:00.0Z",
  };
  for (const char* value : accepted) {
    const std::string text = std::string(R"({"ts": ")") + value + "\"}";
    EXPECT_TRUE(AgreesWithProtobuf(text)) << "declined: " << text;
  }
  const char* const declined[] = {
      "1970-01-01T00:00:00+01:00",
      "1970-01-01T00:00:00-00:00",
      "1970-01-01t00:00:00z",
      "1970-01-01T00:00:00",
      "1970-02-30T00:00:00Z",
      "1900-02-29T00:00:00Z",
      "0000-01-01T00:00:00Z",
      "1970-01-01T24:00:00Z",
      "1970-01-01T00:00:60Z",
      "1970-01-01T00:60:00Z",
      "1970-13-01T00:00:00Z",
      "1970-00-01T00:00:00Z",
      "1970-01-00T00:00:00Z",
      "1970-01-01T00:00:00.Z",
      "1970-01-01T00:00:00.1234567890Z",
      "1970-01-01 00:00:00Z",
      "1970-1-01T00:00:00Z",
      "10000-01-01T00:00:00Z",
      "1970-01-01T00:00:00ZZ",
      "",
      "1970-01-01T00:00:00.+1Z",
  };
  for (const char* value : declined) {
    Everything message;
    const std::string text = std::string(R"({"ts": ")") + value + "\"}";
    EXPECT_FALSE(ReadJson(text, &message)) << text;
  }
  // Random instants as protobuf prints them, and with every fraction length.
  std::mt19937_64 random(7);
  std::uniform_int_distribution<std::int64_t> seconds(-62135596800, 253402300799);
  std::uniform_int_distribution<std::int32_t> nanos(0, 999999999);
  for (int i = 0; i < 300; ++i) {
    google::protobuf::Timestamp timestamp;
    timestamp.set_seconds(seconds(random));
    timestamp.set_nanos(i % 3 == 0 ? 0 : nanos(random));
    const std::string printed = google::protobuf::util::TimeUtil::ToString(timestamp);
    Everything read;
    ASSERT_TRUE(AgreesWithProtobuf(R"({"ts": ")" + printed + "\"}")) << printed;
    ASSERT_TRUE(ReadJson(R"({"ts": ")" + printed + "\"}", &read));
    EXPECT_EQ(Bytes(read.ts()), Bytes(timestamp)) << printed;
    const std::string digits = std::to_string(1000000000 + nanos(random)).substr(1);
    const std::string base = printed.substr(0, 19);
    for (std::size_t length = 1; length <= 9; ++length) {
      EXPECT_TRUE(
          AgreesWithProtobuf(R"({"ts": ")" + base + "." + digits.substr(0, length) + "Z\"}"));
    }
  }
}

TEST(JsonReaderTest, Durations) {
  const char* const accepted[] = {
      "0s",
      "1s",
      "-1s",
      "1.5s",
      "-1.5s",
      "-0.5s",
      "-0s",
      "-0.0s",
      "0.000000001s",
      "-0.000000001s",
      "00012s",
      "1.000s",
      "315576000000s",
      "-315576000000s",
      "315576000000.999999999s",
      "-315576000000.999999999s",
      "12.345678901s",
  };
  for (const char* value : accepted) {
    const std::string text = std::string(R"({"dur": ")") + value + "\"}";
    EXPECT_TRUE(AgreesWithProtobuf(text)) << "declined: " << text;
  }
  Everything read;
  ASSERT_TRUE(ReadJson(R"({"dur": "-1.5s"})", &read));
  EXPECT_EQ(read.dur().seconds(), -1);
  EXPECT_EQ(read.dur().nanos(), -500000000);
  ASSERT_TRUE(ReadJson(R"({"dur": "-0.5s"})", &read));
  EXPECT_EQ(read.dur().seconds(), 0);
  EXPECT_EQ(read.dur().nanos(), -500000000);

  const char* const declined[] = {
      "1",
      "1.s",
      ".5s",
      "1.1234567890s",
      "315576000001s",
      "-315576000001s",
      "+1s",
      "1e3s",
      "1 s",
      "--1s",
      "-s",
      "s",
      "1.5S",
      "1.-5s",
      "1.5.5s",
      "0x1s",
      " 1s",
      "",
      "18446744073709551616s",
  };
  for (const char* value : declined) {
    Everything message;
    const std::string text = std::string(R"({"dur": ")") + value + "\"}";
    EXPECT_FALSE(ReadJson(text, &message)) << text;
  }
  std::mt19937_64 random(11);
  std::uniform_int_distribution<std::int64_t> seconds(-315576000000, 315576000000);
  std::uniform_int_distribution<std::int32_t> nanos(0, 999999999);
  for (int i = 0; i < 300; ++i) {
    google::protobuf::Duration duration;
    duration.set_seconds(i % 5 == 0 ? 0 : seconds(random));
    const std::int32_t fraction = i % 3 == 0 ? 0 : nanos(random);
    duration.set_nanos(
        duration.seconds() < 0 || (duration.seconds() == 0 && i % 2 == 0) ? -fraction : fraction);
    const std::string printed = google::protobuf::util::TimeUtil::ToString(duration);
    Everything read;
    ASSERT_TRUE(AgreesWithProtobuf(R"({"dur": ")" + printed + "\"}")) << printed;
    ASSERT_TRUE(ReadJson(R"({"dur": ")" + printed + "\"}", &read));
    EXPECT_EQ(Bytes(read.dur()), Bytes(duration)) << printed;
  }
}

TEST(JsonReaderTest, FieldMasks) {
  const std::pair<const char*, std::vector<std::string>> accepted[] = {
      {"", {}},
      {"a", {"a"}},
      {"a.b", {"a.b"}},
      {"user.displayName,tags", {"user.display_name", "tags"}},
      {"fooBar.bazQux1,x9", {"foo_bar.baz_qux1", "x9"}},
      {"a1B.c2D3e", {"a1_b.c2_d3e"}},
      {"aBcDe", {"a_bc_de"}},
  };
  for (const auto& [value, paths] : accepted) {
    const std::string text = std::string(R"({"mask": ")") + value + "\"}";
    EXPECT_TRUE(AgreesWithProtobuf(text)) << "declined: " << text;
    Everything read;
    ASSERT_TRUE(ReadJson(text, &read));
    EXPECT_EQ(std::vector<std::string>(read.mask().paths().begin(), read.mask().paths().end()),
              paths);
  }
  const char* const declined[] = {"a_b", "A",   "1a",   "a..b", "a,",           ",a",
                                  "aBC", "a.B", "a-b",  "a b",  "_8",           "a,,b",
                                  ".a",  "a.",  "aBCd", "a(b)", "a[\\\"k\\\"]", "é"};
  for (const char* value : declined) {
    Everything message;
    const std::string text = std::string(R"({"mask": ")") + value + "\"}";
    EXPECT_FALSE(ReadJson(text, &message)) << text;
    AgreesWithProtobuf(text);
  }
}

TEST(JsonReaderTest, Declines) {
  const char* const texts[] = {
      // Unknown keys, keys given twice, two members of a oneof.
      R"({"nope": 1})",
      R"({"": 1})",
      R"({"I64": "1"})",
      R"({"customJson": 1})",
      R"({"nested": {"nope": 1}})",
      R"({"i64": "1", "i64": "2"})",
      R"({"i64": "1", "i64": "1"})",
      R"({"snakeCaseField": "a", "snake_case_field": "b"})",
      R"({"choiceStr": "a", "choiceNum": "1"})",
      R"({"choice_str": "a", "choiceStr": "a"})",
      // null.
      R"({"i64": null})",
      R"({"nested": null})",
      R"({"ts": null})",
      R"({"attrs": null})",
      R"({"wrappedI64": null})",
      R"({"nums": [null]})",
      R"({"nestedList": [null]})",
      R"({"counts": {"a": null}})",
      R"({"nestedMap": {"a": null}})",
      // Special and quoted floats.
      R"({"dbl": "NaN"})",
      R"({"dbl": "Infinity"})",
      R"({"flt": "-Infinity"})",
      R"({"dbl": NaN})",
      R"({"dbl": "1.5"})",
      R"({"dbl": 1e309})",
      R"({"dbl": -1e309})",
      R"({"flt": 3.5e38})",
      R"({"flt": -3.5e38})",
      R"({"flt": 1e39})",
      R"({"flt": 3.4028235677973366e38})",  // halfway to the next power of two: ties to even
      // Integers out of range or not plain.
      R"({"i32": 2147483648})",
      R"({"i32": "-2147483649"})",
      R"({"u32": -1})",
      R"({"u32": "-0"})",
      R"({"u64": -0})",
      R"({"u64": "18446744073709551616"})",
      R"({"i64": 9223372036854775808})",
      R"({"i64": "-9223372036854775809"})",
      R"({"i32": 1.0})",
      R"({"i32": 1e2})",
      R"({"i32": " 1"})",
      R"({"i32": "1 "})",
      R"({"i32": "01"})",
      R"({"i32": "+1"})",
      R"({"i32": ""})",
      R"({"i32": "-"})",
      R"({"i32": true})",
      R"({"i32": "1\u0030"})",
      // Bools, enums, bytes.
      R"({"flag": "true"})",
      R"({"flag": 1})",
      R"({"flag": True})",
      R"({"color": 1})",
      R"({"color": "1"})",
      R"({"color": "color_red"})",
      R"({"color": "NOPE"})",
      R"({"data": "QQ"})",
      R"({"data": "QR=="})",
      R"({"data": "QUJ="})",
      R"({"data": "-_8="})",
      R"({"data": "Q==="})",
      R"({"data": "QQ==QQ=="})",
      R"({"data": "QQ= ="})",
      // Values of the wrong type.
      R"({"nested": []})",
      R"({"nested": "x"})",
      R"({"nums": 1})",
      R"({"nums": {}})",
      R"({"counts": []})",
      R"({"str": 1})",
      R"({"str": ["a"]})",
      R"({"ts": {}})",
      R"({"ts": 0})",
      R"({"dur": {"seconds": "1"}})",
      R"({"wrappedI64": {"value": "1"}})",
      R"({"attrs": []})",
      R"({"i64": {}})",
      // Map keys.
      R"({"names": {"x": "a"}})",
      R"({"names": {"01": "a"}})",
      R"({"names": {"-0": "a"}})",
      R"({"names": {"2147483648": "a"}})",
      R"({"names": {" 1": "a"}})",
      R"({"counts": {"a": 1, "a": 2}})",
      R"({"counts": {"a": 1, "\u0061": 2}})",
      R"({"names": {"1": "a", "1": "b"}})",
      R"({"attrs": {"a": 1, "a": 2}})",
      R"({"attrs": {"x": {"a": 1, "a": 1}}})",
      // Not JSON, or not one object.
      "",
      "   ",
      "{",
      "}",
      "[]",
      R"("x")",
      "null",
      "{} x",
      "{}{}",
      "{},",
      "{}\v",
      "\f{}",
      R"({"i64": "1",})",
      R"({"nums": [1,]})",
      R"({"nums": [1 2]})",
      R"({"nums": [,1]})",
      R"({,})",
      R"({'str': 'x'})",
      R"({str: "x"})",
      R"({"str": "x" "i64": "1"})",
      R"({"str" "x"})",
      R"({"str": "x")",
      R"({"str": "x)",
      R"({"i32": 01})",
      R"({"i32": +1})",
      R"({"i32": 0x10})",
      R"({"dbl": .5})",
      R"({"dbl": 1.})",
      R"({"dbl": 1e})",
      R"({"dbl": 1e+})",
      R"({"dbl": -})",
      R"({"dbl": --1})",
      R"({"flag": tru})",
      R"({"flag": truee})",
      R"({"attrs": {"a": nul}})",
      // Strings: invalid UTF-8, lone surrogates, raw control characters, bad escapes.
      "{\"str\": \"\xff\"}",
      "{\"str\": \"\xc0\xaf\"}",
      "{\"str\": \"\xe0\x80\xaf\"}",
      "{\"str\": \"\xed\xa0\x80\"}",
      "{\"str\": \"\xf4\x90\x80\x80\"}",
      "{\"str\": \"\xe2\x82\"}",
      "{\"str\": \"\xe2\x82",
      "{\"str\": \"\x80\"}",
      "{\"\xff\": 1}",
      "{\"attrs\": {\"\xff\": 1}}",
      R"({"str": "\ud800"})",
      R"({"str": "\udc00"})",
      R"({"str": "\ud800\u0041"})",
      R"({"str": "\ud800x"})",
      R"({"str": "\ud800\ud800"})",
      R"({"str": "\udc00\ud800"})",
      "{\"str\": \"a\tb\"}",
      "{\"str\": \"\x01\"}",
      "{\"str\": \"\n\"}",
      R"({"str": "\x"})",
      R"({"str": "\v"})",
      R"({"str": "\'"})",
      R"({"str": "\u12"})",
      R"({"str": "\u12G4"})",
      R"({"str": "\)",
      // Timestamps with an offset.
      R"({"ts": "1970-01-01T00:00:00+01:00"})",
      R"({"ts": "1970-01-01T00:00:00.5-08:00"})",
  };
  for (const char* text : texts) {
    Everything message;
    EXPECT_FALSE(ReadJson(text, &message)) << text;
    // Whatever the verdict should have been, nothing accepted may disagree.
    AgreesWithProtobuf(text);
  }
}

TEST(JsonReaderTest, DeclinesTypesItLeavesToProtobuf) {
  google::protobuf::Any any;
  EXPECT_FALSE(
      ReadJson(R"({"@type": "type.googleapis.com/google.protobuf.Empty", "value": {}})", &any));
  EXPECT_FALSE(ReadJson("{}", &any));
  google::protobuf::FileDescriptorProto proto2;
  EXPECT_FALSE(ReadJson(R"({"name": "x"})", &proto2));
  EXPECT_FALSE(ReadJson("{}", &proto2));
  google::protobuf::ListValue list;
  EXPECT_FALSE(ReadJson("{}", &list));
  EXPECT_FALSE(ReadJson("[]", &list));
  google::protobuf::Timestamp timestamp;
  EXPECT_FALSE(ReadJson(R"("1970-01-01T00:00:00Z")", &timestamp));
  EXPECT_FALSE(ReadJson(R"({"seconds": "1"})", &timestamp));
  google::protobuf::Int64Value wrapper;
  EXPECT_FALSE(ReadJson(R"({"value": "1"})", &wrapper));
  EXPECT_FALSE(ReadJson(R"("1")", &wrapper));

  // A dynamic message of a generated type, and one of a pool built at run time.
  google::protobuf::DynamicMessageFactory factory;
  std::unique_ptr<Message> dynamic(factory.GetPrototype(Everything::descriptor())->New());
  EXPECT_FALSE(ReadJson(R"({"i64": "1"})", dynamic.get()));
  google::protobuf::FileDescriptorProto file;
  file.set_name("json_reader_dynamic.proto");
  file.set_package("dyn");
  file.set_syntax("proto3");
  auto* type = file.add_message_type();
  type->set_name("Counter");
  auto* field = type->add_field();
  field->set_name("total");
  field->set_number(1);
  field->set_type(google::protobuf::FieldDescriptorProto::TYPE_INT64);
  field->set_label(google::protobuf::FieldDescriptorProto::LABEL_OPTIONAL);
  google::protobuf::DescriptorPool pool;
  ASSERT_NE(pool.BuildFile(file), nullptr);
  std::unique_ptr<Message> counter(
      factory.GetPrototype(pool.FindMessageTypeByName("dyn.Counter"))->New());
  EXPECT_FALSE(ReadJson(R"({"total": "1"})", counter.get()));
}

TEST(JsonReaderTest, ReadsWellKnownTypesAtTheTop) {
  EXPECT_TRUE(AgreesWithProtobuf("{}", google::protobuf::Empty::default_instance()));
  EXPECT_TRUE(AgreesWithProtobuf("{}", google::protobuf::Struct::default_instance()));
  EXPECT_TRUE(AgreesWithProtobuf(R"({"a": [1, {"b": null}], "c": "d"})",
                                 google::protobuf::Struct::default_instance()));
  EXPECT_TRUE(AgreesWithProtobuf(R"({"a": [1, {"b": null}]})",
                                 google::protobuf::Value::default_instance()));
  EXPECT_TRUE(AgreesWithProtobuf("{}", google::protobuf::Value::default_instance()));
  google::protobuf::Empty empty;
  EXPECT_FALSE(ReadJson(R"({"a": 1})", &empty));
}

// Documents nested up to the reader's limit of 90 messages are read, and protobuf reads them too;
// deeper ones are declined.
TEST(JsonReaderTest, DepthIsBounded) {
  for (int depth = 1; depth <= 98; ++depth) {
    // The innermost {} is a message `depth` levels down.
    std::string text = R"({"nested": )";
    for (int i = 1; i < depth; ++i) text += R"({"child": )";
    text += "{}" + std::string(depth, '}');
    Everything message;
    EXPECT_EQ(ReadJson(text, &message), depth <= 90) << depth;
    AgreesWithProtobuf(text);
  }
  for (int depth = 1; depth <= 45; ++depth) {
    // Each object in a Struct is three messages: map entry, Value, Struct.
    std::string objects = R"({"attrs": )";
    for (int i = 0; i < depth; ++i) objects += R"({"a": )";
    objects += "1" + std::string(depth + 1, '}');
    EXPECT_TRUE(AgreesWithProtobuf(objects) || depth > 29) << depth;
    // Each list two: Value, ListValue.
    std::string lists = R"({"attrs": {"a": )" + std::string(depth, '[') + std::string(depth, ']');
    lists += "}}";
    EXPECT_TRUE(AgreesWithProtobuf(lists) || depth > 40) << depth;
  }
}

TEST(JsonReaderTest, ConcurrentReadersAgree) {
  const std::string text = Print(FullEverythingAtTheEdges(), JsonPrintOptions());
  const std::string expected = Bytes(FullEverythingAtTheEdges());
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        Everything message;
        google::protobuf::Struct attrs;
        if (!ReadJson(text, &message) || Bytes(message) != expected ||
            !ReadJson(R"({"a": {"b": [1]}})", &attrs)) {
          ++failures[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

// Random messages with extreme values.
class RandomEverything {
 public:
  explicit RandomEverything(std::uint64_t seed) : random_(seed) {}

  Everything Next() {
    Everything message;
    if (Chance(50)) message.set_i64(Integer<std::int64_t>());
    if (Chance(50)) message.set_u64(Integer<std::uint64_t>());
    if (Chance(50)) message.set_i32(Integer<std::int32_t>());
    if (Chance(50)) message.set_s64(Integer<std::int64_t>());
    if (Chance(50)) message.set_f64(Integer<std::uint64_t>());
    if (Chance(50)) message.set_dbl(Double());
    if (Chance(50)) message.set_flt(Float());
    if (Chance(50)) message.set_flag(Chance(50));
    if (Chance(50)) message.set_str(String());
    if (Chance(50)) message.set_data(Binary());
    if (Chance(50)) message.set_color(Color());
    for (int i = Count(); i > 0; --i) message.add_nums(Integer<std::int64_t>());
    for (int i = Count(); i > 0; --i) message.add_words(String());
    for (int i = Count(); i > 0; --i)
      (*message.mutable_counts())[String()] = Integer<std::int64_t>();
    for (int i = Count(); i > 0; --i)
      (*message.mutable_names())[Integer<std::int32_t>()] = String();
    if (Chance(40)) FillNested(message.mutable_nested(), 0);
    for (int i = Count(); i > 0; --i) FillNested(message.add_nested_list(), 1);
    if (Chance(40)) {
      message.mutable_ts()->set_seconds(Between(-62135596800, 253402300799));
      message.mutable_ts()->set_nanos(static_cast<std::int32_t>(Nanos()));
    }
    if (Chance(40)) {
      const std::int64_t seconds = Between(-315576000000, 315576000000);
      const std::int64_t nanos = Nanos();
      message.mutable_dur()->set_seconds(seconds);
      message.mutable_dur()->set_nanos(
          static_cast<std::int32_t>(seconds < 0 || (seconds == 0 && Chance(50)) ? -nanos : nanos));
    }
    if (Chance(30)) {
      message.set_choice_str(String());
    } else if (Chance(30)) {
      message.set_choice_num(Integer<std::int64_t>());
    }
    for (int i = Count(); i > 0; --i) message.add_colors(Color());
    if (Chance(40)) message.set_snake_case_field(String());
    if (Chance(40)) message.set_u32(Integer<std::uint32_t>());
    if (Chance(30)) message.mutable_wrapped_i64()->set_value(Integer<std::int64_t>());
    if (Chance(30)) message.mutable_wrapped_str()->set_value(String());
    if (Chance(30)) message.mutable_wrapped_bool()->set_value(Chance(50));
    if (Chance(30)) {
      auto* mask = message.mutable_mask();
      for (int i = Count(); i > 0; --i) mask->add_paths(Path());
    }
    if (Chance(40)) FillStruct(message.mutable_attrs(), 0);
    for (int i = Count(); i > 0; --i) FillNested(&(*message.mutable_nested_map())[String()], 2);
    if (Chance(40)) message.set_sf32(Integer<std::int32_t>());
    if (Chance(40)) message.set_custom_json(Integer<std::int32_t>());
    return message;
  }

  // `text` with one byte deleted, inserted or replaced.
  std::string Mutate(std::string text) {
    static constexpr char kBytes[] = "{}[]\":,\\-+.0123456789eEtrufalsn xu_=\x00\xff\xc3";
    const std::size_t position = Below(text.size() + 1);
    const char byte =
        Chance(80) ? kBytes[Below(sizeof(kBytes) - 1)] : static_cast<char>(Below(256));
    switch (Below(3)) {
      case 0:
        if (position < text.size()) text.erase(position, 1);
        break;
      case 1:
        text.insert(position, 1, byte);
        break;
      default:
        if (position < text.size()) text[position] = byte;
        break;
    }
    return text;
  }

  std::uint64_t Below(std::uint64_t bound) { return random_() % bound; }

 private:
  bool Chance(int percent) { return Below(100) < static_cast<std::uint64_t>(percent); }
  int Count() { return Chance(50) ? 0 : static_cast<int>(Below(4)); }
  std::int64_t Between(std::int64_t low, std::int64_t high) {
    return std::uniform_int_distribution<std::int64_t>(low, high)(random_);
  }
  std::int64_t Nanos() {
    switch (Below(4)) {
      case 0:
        return 0;
      case 1:
        return Between(0, 999) * 1000000;
      default:
        return Between(0, 999999999);
    }
  }

  template <typename T>
  T Integer() {
    switch (Below(4)) {
      case 0: {
        const T extremes[] = {std::numeric_limits<T>::min(), std::numeric_limits<T>::max(), 0, 1,
                              static_cast<T>(-1)};
        return extremes[Below(5)];
      }
      case 1:
        return static_cast<T>(random_());
      default:
        return static_cast<T>(Between(-1000, 1000));
    }
  }

  double Double() {
    switch (Below(5)) {
      case 0: {
        const double extremes[] = {0.0,
                                   -0.0,
                                   std::numeric_limits<double>::max(),
                                   -std::numeric_limits<double>::max(),
                                   std::numeric_limits<double>::min(),
                                   std::numeric_limits<double>::denorm_min(),
                                   -std::numeric_limits<double>::denorm_min(),
                                   1.5,
                                   0.1,
                                   1e308,
                                   9007199254740993.0,
                                   1e21,
                                   1e-7};
        return extremes[Below(sizeof(extremes) / sizeof(extremes[0]))];
      }
      case 1: {
        double value = 0;
        const std::uint64_t bits = random_();
        std::memcpy(&value, &bits, sizeof(value));
        return std::isfinite(value) ? value : 1.0;
      }
      case 2:
        return static_cast<double>(static_cast<std::int64_t>(random_()));
      default:
        return std::uniform_real_distribution<double>(-1e6, 1e6)(random_);
    }
  }

  float Float() {
    switch (Below(4)) {
      case 0: {
        const float extremes[] = {0.0f,
                                  -0.0f,
                                  std::numeric_limits<float>::max(),
                                  -std::numeric_limits<float>::max(),
                                  std::numeric_limits<float>::min(),
                                  std::numeric_limits<float>::denorm_min(),
                                  0.1f,
                                  16777217.0f,
                                  3.0e38f};
        return extremes[Below(sizeof(extremes) / sizeof(extremes[0]))];
      }
      case 1: {
        float value = 0;
        const auto bits = static_cast<std::uint32_t>(random_());
        std::memcpy(&value, &bits, sizeof(value));
        return std::isfinite(value) ? value : 1.0f;
      }
      default: {
        // Converting a double beyond float's range is undefined.
        const double value = Double();
        return std::fabs(value) <= std::numeric_limits<float>::max() ? static_cast<float>(value)
                                                                     : 2.5f;
      }
    }
  }

  std::string String() {
    static const char* const kPieces[] = {
        "a",      "Z",      "0",          " ",          "\"",   "\\",     "/",
        "\n",     "\t",     "\x01",       "\x1f",       "<",    ">",      "&",
        "'",      "=",      "é",          "€",          "😀",    "\u2028", "\uFEFF",
        "\u00AD", "\uFFFF", "\U0010FFFF", "\U0001D173", "\x7f", "key",    "\u0600"};
    std::string out;
    for (int i = static_cast<int>(Below(8)); i > 0; --i) {
      out += kPieces[Below(sizeof(kPieces) / sizeof(kPieces[0]))];
    }
    if (Chance(5)) out.push_back('\0');
    return out;
  }

  std::string Binary() {
    std::string out;
    for (int i = static_cast<int>(Below(11)); i > 0; --i) {
      out.push_back(static_cast<char>(Below(256)));
    }
    return out;
  }

  cppgateway::test::v1::Color Color() { return static_cast<cppgateway::test::v1::Color>(Below(4)); }

  // A snake_case path that survives lowerCamelCase and back: components of pieces joined by '_',
  // the first [a-z][a-z0-9]{0,2}, the others [a-z][a-z0-9]{1,3}.
  std::string Path() {
    std::string path;
    for (int component = static_cast<int>(Below(3)); component >= 0; --component) {
      if (!path.empty()) path += '.';
      for (int piece = static_cast<int>(Below(3)); piece >= 0; --piece) {
        const bool first = path.empty() || path.back() == '.';
        if (!first) path += '_';
        path += static_cast<char>('a' + Below(26));
        // "a_b_c" would be "aBC", which protobuf reads back as "a_bc".
        for (int i = static_cast<int>(Below(3)) + (first ? 0 : 1); i > 0; --i) {
          path += static_cast<char>(Chance(70) ? 'a' + Below(26) : '0' + Below(10));
        }
      }
    }
    return path;
  }

  void FillNested(Nested* nested, int depth) {
    if (Chance(50)) nested->set_name(String());
    if (Chance(50)) nested->set_value(Integer<std::int64_t>());
    if (Chance(50)) nested->set_color(Color());
    if (depth < 3 && Chance(30)) FillNested(nested->mutable_child(), depth + 1);
  }

  void FillStruct(google::protobuf::Struct* message, int depth) {
    for (int i = Count(); i > 0; --i) FillValue(&(*message->mutable_fields())[String()], depth);
  }

  void FillValue(google::protobuf::Value* value, int depth) {
    switch (Below(depth < 3 ? 6 : 4)) {
      case 0:
        value->set_null_value(google::protobuf::NULL_VALUE);
        break;
      case 1:
        value->set_number_value(Double());
        break;
      case 2:
        value->set_string_value(String());
        break;
      case 3:
        value->set_bool_value(Chance(50));
        break;
      case 4:
        FillStruct(value->mutable_struct_value(), depth + 1);
        break;
      default: {
        auto* list = value->mutable_list_value();
        for (int i = Count(); i > 0; --i) FillValue(list->add_values(), depth + 1);
        break;
      }
    }
  }

  std::mt19937_64 random_;
};

TEST(JsonReaderTest, RandomMessagesAndMutationsAgreeWithProtobuf) {
  RandomEverything random(20240601);
  const std::vector<JsonPrintOptions> variants = PrintVariants();
  int accepted_mutations = 0;
  for (int i = 0; i < 2000; ++i) {
    const Everything message = random.Next();
    JsonPrintOptions options = variants[random.Below(variants.size())];
    // Enum numbers are left to protobuf: checked, but not required to be read.
    options.always_print_enums_as_ints = random.Below(8) == 0;
    const std::string text = Print(message, options);
    const bool accepted = AgreesWithProtobuf(text);
    if (!options.always_print_enums_as_ints) {
      ASSERT_TRUE(accepted) << text;
    }
    for (int m = 0; m < 3; ++m) {
      if (AgreesWithProtobuf(random.Mutate(text))) ++accepted_mutations;
    }
    if (HasFailure()) break;
  }
  // Many mutations (a digit for a digit, a letter in a string) leave valid documents.
  EXPECT_GT(accepted_mutations, 500);
}

}  // namespace
}  // namespace cppgateway
