#include "cppgateway/json.h"

#include <google/protobuf/any.pb.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/field_mask.pb.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/wrappers.pb.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "cppgateway/test/v1/test.pb.h"
#include "full_everything.h"

namespace cppgateway {
namespace {

using cppgateway::test::v1::Everything;
using cppgateway::test::v1::Nested;
using nlohmann::json;

json Print(const google::protobuf::Message& message, const JsonOptions& options) {
  std::string out;
  const grpc::Status status = MessageToJson(message, options, &out);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return json::parse(out);
}

TEST(MessageToJsonTest, DefaultsFollowGrpcGateway) {
  const json printed = Print(FullEverything(), JsonOptions());
  EXPECT_EQ(printed, json::parse(R"({
    "i64": "-9007199254740993", "u64": "18446744073709551615", "i32": -7, "s64": "-12",
    "f64": "12345678901234567", "dbl": 1.5, "flt": 0.25, "flag": true,
    "str": "héllo \"quoted\"", "data": "AP8Q", "color": "COLOR_GREEN",
    "nums": ["1", "-9223372036854775808"], "words": ["a", "b"],
    "counts": {"big": "9223372036854775807"}, "names": {"7": "seven"},
    "nested": {"name": "n", "value": "42", "color": "COLOR_UNSPECIFIED",
               "child": {"name": "", "value": "43", "color": "COLOR_UNSPECIFIED"}},
    "nestedList": [{"name": "", "value": "44", "color": "COLOR_UNSPECIFIED"}],
    "ts": "1970-01-01T00:00:01.500Z", "dur": "2s", "choiceNum": "45",
    "colors": ["COLOR_RED", "COLOR_BLUE"], "snakeCaseField": "snake", "u32": 4000000000,
    "wrappedI64": "-46", "wrappedStr": "w", "wrappedBool": false,
    "mask": "user.displayName,tags", "attrs": {"k": 3},
    "nestedMap": {"m": {"name": "", "value": "47", "color": "COLOR_UNSPECIFIED"}},
    "sf32": -48, "customName": 49})"));
}

TEST(MessageToJsonTest, OutputIsCompactAndReplacesPreviousContent) {
  Everything message;
  message.set_i32(1);
  JsonOptions options;
  options.emit_unpopulated = false;
  std::string out = "leftover";
  ASSERT_TRUE(MessageToJson(message, options, &out).ok());
  EXPECT_EQ(out, R"({"i32":1})");
  options.int64_as_strings = false;
  ASSERT_TRUE(MessageToJson(message, options, &out).ok());
  EXPECT_EQ(out, R"({"i32":1})");
}

TEST(MessageToJsonTest, UnpopulatedFieldsAreEmittedByDefault) {
  const json printed = Print(Everything(), JsonOptions());
  EXPECT_EQ(printed["i64"], "0");
  EXPECT_EQ(printed["i32"], 0);
  EXPECT_EQ(printed["str"], "");
  EXPECT_EQ(printed["flag"], false);
  EXPECT_EQ(printed["data"], "");
  EXPECT_EQ(printed["color"], "COLOR_UNSPECIFIED");
  EXPECT_EQ(printed["nums"], json::array());
  EXPECT_EQ(printed["counts"], json::object());
  EXPECT_EQ(printed["customName"], 0);
  // Members of a oneof that is not set are not fields with a default value: they stay out.
  EXPECT_FALSE(printed.contains("choiceStr"));
  EXPECT_FALSE(printed.contains("choiceNum"));
}

TEST(MessageToJsonTest, UnpopulatedFieldsCanBeLeftOut) {
  JsonOptions options;
  options.emit_unpopulated = false;
  EXPECT_EQ(Print(Everything(), options), json::object());
  Everything message;
  message.set_str("x");
  EXPECT_EQ(Print(message, options), json::parse(R"({"str":"x"})"));
}

TEST(MessageToJsonTest, ProtoNamesOnRequest) {
  JsonOptions options;
  options.use_proto_names = true;
  const json printed = Print(FullEverything(), options);
  EXPECT_EQ(printed["snake_case_field"], "snake");
  EXPECT_EQ(printed["custom_json"], 49);
  EXPECT_EQ(printed["nested_list"][0]["value"], "44");
  EXPECT_EQ(printed["wrapped_i64"], "-46");
  EXPECT_FALSE(printed.contains("snakeCaseField"));
  EXPECT_FALSE(printed.contains("customName"));
}

TEST(MessageToJsonTest, EnumsAsIntsOnRequest) {
  JsonOptions options;
  options.enums_as_ints = true;
  const json printed = Print(FullEverything(), options);
  EXPECT_EQ(printed["color"], 2);
  EXPECT_EQ(printed["colors"], json::parse("[1, 3]"));
  EXPECT_EQ(printed["nested"]["color"], 0);
}

TEST(MessageToJsonTest, Int64AsNumbersEverywhere) {
  JsonOptions options;
  options.int64_as_strings = false;
  std::string out;
  ASSERT_TRUE(MessageToJson(FullEverything(), options, &out).ok());
  // Checked on the text too: a double on the way would round the values above 2^53.
  EXPECT_NE(out.find(R"("i64":-9007199254740993)"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("u64":18446744073709551615)"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("f64":12345678901234567)"), std::string::npos) << out;

  const json printed = json::parse(out);
  EXPECT_EQ(printed["i64"], -9007199254740993);
  EXPECT_EQ(printed["u64"], std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(printed["s64"], -12);
  EXPECT_EQ(printed["nums"], json::parse("[1, -9223372036854775808]"));
  EXPECT_EQ(printed["counts"], json::parse(R"({"big": 9223372036854775807})"));
  EXPECT_EQ(printed["nested"]["value"], 42);
  EXPECT_EQ(printed["nested"]["child"]["value"], 43);
  EXPECT_EQ(printed["nestedList"][0]["value"], 44);
  EXPECT_EQ(printed["nestedMap"]["m"]["value"], 47);
  EXPECT_EQ(printed["choiceNum"], 45);
  EXPECT_EQ(printed["wrappedI64"], -46);
  // Everything else is as before: strings that look like numbers, map keys, other WKTs.
  EXPECT_EQ(printed["names"], json::parse(R"({"7": "seven"})"));
  EXPECT_EQ(printed["ts"], "1970-01-01T00:00:01.500Z");
  EXPECT_EQ(printed["dur"], "2s");
  EXPECT_EQ(printed["data"], "AP8Q");
  EXPECT_EQ(printed["u32"], 4000000000u);
  EXPECT_EQ(printed["dbl"], 1.5);
  EXPECT_EQ(printed["color"], "COLOR_GREEN");
  // Field order is protobuf's.
  EXPECT_EQ(out.rfind(R"({"i64":)", 0), 0u) << out;
}

TEST(MessageToJsonTest, Int64AsNumbersWithProtoNames) {
  JsonOptions options;
  options.int64_as_strings = false;
  options.use_proto_names = true;
  const json printed = Print(FullEverything(), options);
  EXPECT_EQ(printed["nested_list"][0]["value"], 44);
  EXPECT_EQ(printed["nested_map"]["m"]["value"], 47);
  EXPECT_EQ(printed["wrapped_i64"], -46);
}

TEST(MessageToJsonTest, StringsThatLookLikeNumbersStayStrings) {
  Everything message;
  message.set_str("123");
  message.add_words("456");
  message.mutable_wrapped_str()->set_value("789");
  (*message.mutable_names())[1] = "2";
  JsonOptions options;
  options.int64_as_strings = false;
  const json printed = Print(message, options);
  EXPECT_EQ(printed["str"], "123");
  EXPECT_EQ(printed["words"], json::parse(R"(["456"])"));
  EXPECT_EQ(printed["wrappedStr"], "789");
  EXPECT_EQ(printed["names"], json::parse(R"({"1": "2"})"));
}

TEST(MessageToJsonTest, Int64AsNumbersInsideAnyAndAtTheTop) {
  JsonOptions options;
  options.int64_as_strings = false;

  google::protobuf::Int64Value wrapper;
  wrapper.set_value(-5);
  EXPECT_EQ(Print(wrapper, options), json(-5));
  google::protobuf::UInt64Value unsigned_wrapper;
  unsigned_wrapper.set_value(18446744073709551615u);
  EXPECT_EQ(Print(unsigned_wrapper, options), json(18446744073709551615u));

  google::protobuf::Any any_wrapper;
  any_wrapper.PackFrom(wrapper);
  EXPECT_EQ(Print(any_wrapper, options), json::parse(R"(
      {"@type": "type.googleapis.com/google.protobuf.Int64Value", "value": -5})"));

  Nested nested;
  nested.set_value(6);
  google::protobuf::Any any_nested;
  any_nested.PackFrom(nested);
  EXPECT_EQ(Print(any_nested, options), json::parse(R"(
      {"@type": "type.googleapis.com/cppgateway.test.v1.Nested",
       "name": "", "value": 6, "color": "COLOR_UNSPECIFIED"})"));
}

TEST(MessageToJsonTest, SpecialFloatsAndUnicode) {
  Everything message;
  message.set_dbl(std::numeric_limits<double>::quiet_NaN());
  message.set_flt(-std::numeric_limits<float>::infinity());
  message.set_str("\xe2\x82\xac \x01");
  for (bool int64_as_strings : {true, false}) {
    JsonOptions options;
    options.int64_as_strings = int64_as_strings;
    const json printed = Print(message, options);
    EXPECT_EQ(printed["dbl"], "NaN");
    EXPECT_EQ(printed["flt"], "-Infinity");
    EXPECT_EQ(printed["str"], "\xe2\x82\xac \x01");
  }
}

TEST(MessageToJsonTest, FailureToPrintIsInternal) {
  google::protobuf::Any any;
  any.set_type_url("type.googleapis.com/acme.NotLinkedHere");
  any.set_value("abc");
  std::string out;
  const grpc::Status status = MessageToJson(any, JsonOptions(), &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_TRUE(out.empty());
}

Everything Parse(const std::string& text, const JsonOptions& options = JsonOptions()) {
  Everything message;
  const grpc::Status status = JsonToMessage(text, options, &message);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return message;
}

TEST(JsonToMessageTest, TakesLowerCamelAndProtoNames) {
  EXPECT_EQ(Parse(R"({"snakeCaseField": "a"})").snake_case_field(), "a");
  EXPECT_EQ(Parse(R"({"snake_case_field": "b"})").snake_case_field(), "b");
  EXPECT_EQ(Parse(R"({"customName": 3})").custom_json(), 3);
  EXPECT_EQ(Parse(R"({"custom_json": 4})").custom_json(), 4);
  EXPECT_EQ(Parse(R"({"nestedList": [{"value": "5"}]})").nested_list(0).value(), 5);
}

TEST(JsonToMessageTest, TakesEnumNamesAndNumbers) {
  EXPECT_EQ(Parse(R"({"color": "COLOR_BLUE"})").color(), cppgateway::test::v1::COLOR_BLUE);
  EXPECT_EQ(Parse(R"({"color": 2})").color(), cppgateway::test::v1::COLOR_GREEN);
  EXPECT_EQ(Parse(R"({"colors": ["COLOR_RED", 3]})").colors_size(), 2);
}

TEST(JsonToMessageTest, Takes64BitIntegersAsStringsOrNumbers) {
  EXPECT_EQ(Parse(R"({"i64": "-9007199254740993"})").i64(), -9007199254740993);
  EXPECT_EQ(Parse(R"({"i64": 12})").i64(), 12);
  EXPECT_EQ(Parse(R"({"u64": "18446744073709551615"})").u64(),
            std::numeric_limits<std::uint64_t>::max());
}

TEST(JsonToMessageTest, RoundTripsEveryFieldKind) {
  for (bool use_proto_names : {false, true}) {
    for (bool int64_as_strings : {false, true}) {
      for (bool enums_as_ints : {false, true}) {
        JsonOptions options;
        options.use_proto_names = use_proto_names;
        options.int64_as_strings = int64_as_strings;
        options.enums_as_ints = enums_as_ints;
        const Everything original = FullEverything();
        std::string text;
        ASSERT_TRUE(MessageToJson(original, options, &text).ok());
        Everything parsed;
        const grpc::Status status = JsonToMessage(text, options, &parsed);
        ASSERT_TRUE(status.ok()) << status.error_message() << "\n" << text;
        EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(original, parsed))
            << parsed.DebugString() << "\n"
            << text;
      }
    }
  }
}

TEST(JsonToMessageTest, UnknownFieldsIgnoredByDefault) {
  EXPECT_EQ(Parse(R"({"str": "x", "noSuchField": {"a": [1, 2]}})").str(), "x");
}

TEST(JsonToMessageTest, UnknownFieldsRejectedOnRequest) {
  JsonOptions options;
  options.ignore_unknown_fields = false;
  Everything message;
  const grpc::Status status = JsonToMessage(R"({"noSuchField": 1})", options, &message);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("noSuchField"), std::string::npos)
      << status.error_message();
}

TEST(JsonToMessageTest, ClearsTheMessageFirst) {
  Everything message;
  message.set_str("old");
  message.add_nums(1);
  ASSERT_TRUE(JsonToMessage(R"({"i32": 2})", JsonOptions(), &message).ok());
  EXPECT_EQ(message.str(), "");
  EXPECT_EQ(message.nums_size(), 0);
  EXPECT_EQ(message.i32(), 2);
}

TEST(JsonToMessageTest, BadInputIsInvalidArgument) {
  for (const char* text :
       {"", "   ", "{", "{\"i32\": }", "[]", "null", "42", "{\"i32\": \"abc\"}", "{\"i32\": 1.5}",
        "{\"i32\": 99999999999}", "{\"ts\": \"yesterday\"}", "{\"data\": \"***\"}",
        "{\"str\": 1} trailing", "{\"nested\": 1}", "{\"words\": [1]}"}) {
    Everything message;
    message.set_str("before");
    const grpc::Status status = JsonToMessage(text, JsonOptions(), &message);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << "input: " << text;
    EXPECT_FALSE(status.error_message().empty()) << "input: " << text;
    EXPECT_EQ(message.ByteSizeLong(), 0u) << "input: " << text;
  }
}

// protobuf 3.21 counts an enum name it does not know as an unknown field: ignored with them (the
// field stays unset), rejected when unknown fields are.
TEST(JsonToMessageTest, UnknownEnumNameFollowsTheUnknownFieldsOption) {
  EXPECT_EQ(Parse(R"({"color": "COLOR_PURPLE", "str": "x"})").color(),
            cppgateway::test::v1::COLOR_UNSPECIFIED);
  JsonOptions options;
  options.ignore_unknown_fields = false;
  Everything message;
  EXPECT_EQ(JsonToMessage(R"({"color": "COLOR_PURPLE"})", options, &message).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// Found by tests/fuzz/json_fuzz.cc (corpus/json/crash-field-mask-path-changes): protobuf turns
// FieldMask paths from lowerCamelCase to snake_case and back without checking either way, so some
// paths came back changed ("_8=" printed as "8=", "a_b_c" as "aBC", read back as "a_bc").
TEST(JsonToMessageTest, FieldMaskPathsMustSurvivePrintingBack) {
  const Everything message = Parse(R"({"mask": "user.displayName,tags,nestedList.value"})");
  ASSERT_EQ(message.mask().paths_size(), 3);
  EXPECT_EQ(message.mask().paths(0), "user.display_name");
  EXPECT_EQ(message.mask().paths(2), "nested_list.value");
  EXPECT_EQ(Print(message, JsonOptions())["mask"], "user.displayName,tags,nestedList.value");

  for (const char* text : {R"({"mask": "use..displayName,_8="})", R"({"mask": "a_b_c"})",
                           R"({"str": "x", "mask": "ok,_"})"}) {
    Everything refused;
    const grpc::Status status = JsonToMessage(text, JsonOptions(), &refused);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << text;
    EXPECT_NE(status.error_message().find("FieldMask"), std::string::npos)
        << status.error_message();
    EXPECT_EQ(refused.ByteSizeLong(), 0u) << text;
  }
}

// The same check on a message of a pool built at run time, which protobuf's own resolver prints.
TEST(JsonToMessageTest, FieldMaskPathsMustSurvivePrintingBackInDynamicMessages) {
  google::protobuf::FileDescriptorProto field_mask_file;
  google::protobuf::FieldMask::descriptor()->file()->CopyTo(&field_mask_file);
  google::protobuf::FileDescriptorProto file;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(
        name: "dynamic_mask.proto"
        package: "dyn"
        syntax: "proto3"
        dependency: "google/protobuf/field_mask.proto"
        message_type {
          name: "Update"
          field {
            name: "masks"
            number: 1
            type: TYPE_MESSAGE
            type_name: ".google.protobuf.FieldMask"
            label: LABEL_REPEATED
            json_name: "masks"
          }
        }
      )pb",
      &file));
  google::protobuf::DescriptorPool pool;
  ASSERT_NE(pool.BuildFile(field_mask_file), nullptr);
  ASSERT_NE(pool.BuildFile(file), nullptr);
  google::protobuf::DynamicMessageFactory factory;
  std::unique_ptr<google::protobuf::Message> message(
      factory.GetPrototype(pool.FindMessageTypeByName("dyn.Update"))->New());
  EXPECT_TRUE(JsonToMessage(R"({"masks": ["a.bC", "d"]})", JsonOptions(), message.get()).ok());
  EXPECT_EQ(
      JsonToMessage(R"({"masks": ["a.bC", "_8"]})", JsonOptions(), message.get()).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(message->ByteSizeLong(), 0u);
}

// Found by tests/fuzz/json_fuzz.cc (corpus/json/crash-empty-key-in-list-element): protobuf 3.21
// refuses an empty key in an object ("Proto fields must have a name") except in an element of a
// repeated message field, where it wrote a copy of the list's field into the element as an unknown
// field: data that no JSON key named, sent on to the service.
TEST(JsonToMessageTest, EmptyKeyInAListElementIsRefusedAsElsewhere) {
  for (const char* text : {R"({"": {}})", R"({"nested": {"": {}}})", R"({"nestedList": [{"": {}}])",
                           R"({"nested_list": [{"name": "a"}, {"": {"name": "x"}}]})",
                           R"({"nestedList": {"": {}}})", R"({"nestedMap": {"k": {"": {}}}})"}) {
    Everything message;
    message.set_str("before");
    const grpc::Status status = JsonToMessage(text, JsonOptions(), &message);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << text;
    EXPECT_EQ(message.ByteSizeLong(), 0u) << text;
  }
  // An empty key is a key like any other in a Struct.
  EXPECT_TRUE(Parse(R"({"attrs": {"": {}}})").attrs().fields().contains(""));
  EXPECT_EQ(Parse(R"({"nestedList": [{"name": "x"}, {}]})").nested_list_size(), 2);
}

TEST(JsonToMessageTest, EmptyObjectIsAnEmptyMessage) {
  Everything message = Parse("{}");
  EXPECT_EQ(message.ByteSizeLong(), 0u);
}

TEST(JsonTest, ConcurrentConversionsAgree) {
  // The type cache behind both directions is shared by all threads.
  const Everything original = FullEverything();
  std::string expected;
  ASSERT_TRUE(MessageToJson(original, JsonOptions(), &expected).ok());
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        std::string text;
        Everything parsed;
        if (!MessageToJson(original, JsonOptions(), &text).ok() || text != expected ||
            !JsonToMessage(text, JsonOptions(), &parsed).ok() ||
            !google::protobuf::util::MessageDifferencer::Equals(original, parsed)) {
          ++failures[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

// Messages of a pool built at run time go through protobuf's own resolver for that pool.
TEST(JsonTest, DynamicMessages) {
  google::protobuf::FileDescriptorProto file;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"pb(
                                                              name: "dynamic.proto"
                                                              package: "dyn"
                                                              syntax: "proto3"
                                                              message_type {
                                                                name: "Counter"
                                                                field {
                                                                  name: "total_count"
                                                                  number: 1
                                                                  type: TYPE_INT64
                                                                  label: LABEL_OPTIONAL
                                                                  json_name: "totalCount"
                                                                }
                                                                field {
                                                                  name: "label"
                                                                  number: 2
                                                                  type: TYPE_STRING
                                                                  label: LABEL_OPTIONAL
                                                                  json_name: "label"
                                                                }
                                                              }
                                                            )pb",
                                                            &file));
  google::protobuf::DescriptorPool pool;
  ASSERT_NE(pool.BuildFile(file), nullptr);
  google::protobuf::DynamicMessageFactory factory;
  std::unique_ptr<google::protobuf::Message> message(
      factory.GetPrototype(pool.FindMessageTypeByName("dyn.Counter"))->New());

  ASSERT_TRUE(
      JsonToMessage(R"({"total_count": "12", "label": "x"})", JsonOptions(), message.get()).ok());
  EXPECT_EQ(Print(*message, JsonOptions()), json::parse(R"({"totalCount": "12", "label": "x"})"));
  JsonOptions numbers;
  numbers.int64_as_strings = false;
  EXPECT_EQ(Print(*message, numbers), json::parse(R"({"totalCount": 12, "label": "x"})"));
  EXPECT_EQ(JsonToMessage("{", JsonOptions(), message.get()).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST(CheckJsonShapeTest, DepthCountsArraysAndObjectsAlike) {
  JsonOptions options;
  options.max_depth = 3;
  EXPECT_TRUE(CheckJsonShape(R"({"a":[{"b":1}]})", options).ok());
  EXPECT_EQ(CheckJsonShape(R"({"a":[[{"b":1}]]})", options).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(CheckJsonShape("[[[[]]]]", options).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // Brackets inside strings, escaped quotes among them, are no nesting.
  EXPECT_TRUE(CheckJsonShape(R"({"a":"[[[[\"{{{{"})", options).ok());
}

TEST(CheckJsonShapeTest, ValuesAreCounted) {
  JsonOptions options;
  options.max_values = 5;
  EXPECT_TRUE(CheckJsonShape(R"(["a","b","c","d"])", options).ok());  // the array and four
  EXPECT_EQ(CheckJsonShape(R"(["a","b","c","d",""])", options).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(CheckJsonShape(R"({"k":12345})", options).ok());  // a number is one value
  grpc::Status status = CheckJsonShape(R"({"a":1,"b":2,"c":3})", options);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("more than 5 values"), std::string::npos);
}

TEST(CheckJsonShapeTest, JsonToMessageRefusesWhatIsOverTheLimits) {
  JsonOptions options;
  test::v1::Everything message;
  std::string deep = "{\"words\":" + std::string(1000, '[') + std::string(1000, ']') + "}";
  grpc::Status status = JsonToMessage(deep, options, &message);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("nested deeper than 64"), std::string::npos);
  std::string wide = "{\"words\":[\"\"";
  for (int i = 0; i < 200000; ++i) wide += ",\"\"";
  wide += "]}";
  EXPECT_EQ(JsonToMessage(wide, options, &message).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace cppgateway
