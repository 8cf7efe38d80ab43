#include "cppgateway/field_path.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "cppgateway/test/v1/test.pb.h"

namespace cppgateway {
namespace {

using cppgateway::test::v1::Everything;
using google::protobuf::FieldDescriptor;

std::vector<std::string> Names(const std::vector<const FieldDescriptor*>& fields) {
  std::vector<std::string> names;
  for (const FieldDescriptor* field : fields) names.push_back(field->full_name());
  return names;
}

// --- ResolveFieldPath

TEST(ResolveFieldPathTest, ProtoNamesStepByStep) {
  EXPECT_EQ(Names(ResolveFieldPath(Everything::descriptor(), {"nested", "child", "name"})),
            (std::vector<std::string>{"cppgateway.test.v1.Everything.nested",
                                      "cppgateway.test.v1.Nested.child",
                                      "cppgateway.test.v1.Nested.name"}));
}

TEST(ResolveFieldPathTest, JsonNamesAndCustomJsonName) {
  EXPECT_EQ(Names(ResolveFieldPath(Everything::descriptor(), {"snakeCaseField"})),
            (std::vector<std::string>{"cppgateway.test.v1.Everything.snake_case_field"}));
  EXPECT_EQ(Names(ResolveFieldPath(Everything::descriptor(), {"customName"})),
            (std::vector<std::string>{"cppgateway.test.v1.Everything.custom_json"}));
  EXPECT_EQ(Names(ResolveFieldPath(Everything::descriptor(), {"custom_json"})),
            (std::vector<std::string>{"cppgateway.test.v1.Everything.custom_json"}));
  EXPECT_EQ(ResolveFieldPath(Everything::descriptor(), {"wrappedI64", "value"}).size(), 2u);
}

TEST(ResolveFieldPathTest, LastStepMayBeRepeatedOrAMap) {
  EXPECT_EQ(ResolveFieldPath(Everything::descriptor(), {"nums"}).size(), 1u);
  EXPECT_EQ(ResolveFieldPath(Everything::descriptor(), {"counts"}).size(), 1u);
  EXPECT_EQ(ResolveFieldPath(Everything::descriptor(), {"nested_list"}).size(), 1u);
}

TEST(ResolveFieldPathTest, BadPathsResolveToNothing) {
  const std::vector<std::vector<std::string>> bad_paths = {
      {},                        // nothing named
      {"no_such_field"},         // unknown
      {"nested", "nope"},        // unknown further down
      {"str", "length"},         // through a scalar
      {"nested_list", "value"},  // through a repeated message
      {"nested_map", "value"},   // through a map
      {"nested", ""},            // empty step
      {"Str"},                   // names are case-sensitive
      {"cppgateway.test.v1.Everything.str"},
  };
  for (const auto& path : bad_paths) {
    EXPECT_TRUE(ResolveFieldPath(Everything::descriptor(), path).empty())
        << ::testing::PrintToString(path);
  }
}

// --- SetFieldFromText: scalars

// Sets `field` of a fresh Everything from `text`, expecting success.
Everything Set(const std::string& field, const std::string& text) {
  Everything message;
  const grpc::Status status = SetFieldFromText(&message, {field}, text);
  EXPECT_TRUE(status.ok()) << field << "=" << text << ": " << status.error_message();
  return message;
}

// The error of setting `field` from `text`, expecting one.
grpc::Status SetFails(const std::string& field, const std::string& text) {
  Everything message;
  const grpc::Status status = SetFieldFromText(&message, {field}, text);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << field << "=" << text << " was accepted";
  return status;
}

TEST(SetFieldFromTextTest, SignedIntegers) {
  EXPECT_EQ(Set("i32", "12").i32(), 12);
  EXPECT_EQ(Set("i32", "-2147483648").i32(), std::numeric_limits<std::int32_t>::min());
  EXPECT_EQ(Set("i32", "2147483647").i32(), std::numeric_limits<std::int32_t>::max());
  EXPECT_EQ(Set("i32", "007").i32(), 7);
  EXPECT_EQ(Set("i64", "-9223372036854775808").i64(), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(Set("s64", "-5").s64(), -5);
  EXPECT_EQ(Set("sf32", "-6").sf32(), -6);
  EXPECT_EQ(Set("customName", "8").custom_json(), 8);
  for (const char* bad : {"12x", "", " 1", "1 ", "99999999999", "2147483648", "-2147483649", "0x10",
                          "1.0", "1e3", "--1", "abc"}) {
    SetFails("i32", bad);
  }
  for (const char* bad : {"9223372036854775808", "-9223372036854775809", "1.5", "x"}) {
    SetFails("i64", bad);
  }
}

TEST(SetFieldFromTextTest, UnsignedIntegers) {
  EXPECT_EQ(Set("u32", "4294967295").u32(), 4294967295u);
  EXPECT_EQ(Set("u64", "18446744073709551615").u64(), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(Set("f64", "12").f64(), 12u);
  for (const char* bad : {"-1", "4294967296", "", "+1"}) SetFails("u32", bad);
  for (const char* bad : {"-1", "18446744073709551616", "1x"}) SetFails("u64", bad);
  SetFails("f64", "-3");
}

TEST(SetFieldFromTextTest, FloatingPoint) {
  EXPECT_EQ(Set("dbl", "1.5").dbl(), 1.5);
  EXPECT_EQ(Set("dbl", "-2e10").dbl(), -2e10);
  EXPECT_EQ(Set("dbl", "3").dbl(), 3.0);
  EXPECT_EQ(Set("dbl", ".5").dbl(), 0.5);
  EXPECT_TRUE(std::isnan(Set("dbl", "NaN").dbl()));
  EXPECT_EQ(Set("dbl", "Infinity").dbl(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(Set("dbl", "-Infinity").dbl(), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(Set("flt", "0.25").flt(), 0.25f);
  EXPECT_EQ(Set("flt", "-Infinity").flt(), -std::numeric_limits<float>::infinity());
  for (const char* bad :
       {"", "inf", "nan", "infinity", "-inf", "1.5x", "1,5", " 1", "0x1p3", "1e400", "-", "e5"}) {
    SetFails("dbl", bad);
  }
  SetFails("flt", "1e39");
}

TEST(SetFieldFromTextTest, Bools) {
  EXPECT_TRUE(Set("flag", "true").flag());
  EXPECT_TRUE(Set("flag", "1").flag());
  Everything message;
  message.set_flag(true);
  ASSERT_TRUE(SetFieldFromText(&message, {"flag"}, "false").ok());
  EXPECT_FALSE(message.flag());
  EXPECT_FALSE(Set("flag", "0").flag());
  for (const char* bad : {"", "yes", "TRUE", "True", "2", "t", " true"}) SetFails("flag", bad);
}

TEST(SetFieldFromTextTest, StringsAreTakenAsTheyAre) {
  EXPECT_EQ(Set("str", "a b/c%20 \"d\"").str(), "a b/c%20 \"d\"");
  EXPECT_EQ(Set("str", "").str(), "");
  EXPECT_EQ(Set("str", "h\xc3\xa9llo").str(), "h\xc3\xa9llo");
  EXPECT_EQ(Set("str", std::string("nul\0in", 6)).str(), std::string("nul\0in", 6));
  // proto3 strings must be UTF-8: the service could not parse the request otherwise.
  for (const char* bad : {"\xff", "a\xc3", "\xc0\xaf", "\xed\xa0\x80"}) SetFails("str", bad);
}

TEST(SetFieldFromTextTest, BytesAreBase64InEitherAlphabet) {
  EXPECT_EQ(Set("data", "AP8=").data(), std::string("\x00\xff", 2));
  EXPECT_EQ(Set("data", "AP8").data(), std::string("\x00\xff", 2));
  EXPECT_EQ(Set("data", "+/8=").data(), "\xfb\xff");
  EXPECT_EQ(Set("data", "-_8=").data(), "\xfb\xff");
  EXPECT_EQ(Set("data", "-_8").data(), "\xfb\xff");
  EXPECT_EQ(Set("data", "aGVsbG8gd29ybGQ=").data(), "hello world");
  EXPECT_EQ(Set("data", "aGk=").data(), "hi");
  EXPECT_EQ(Set("data", "").data(), "");
  for (const char* bad : {"A", "A===", "+_8=", "AP8=x", "AP=8", "a b=", "====", "AP8==", "*"}) {
    SetFails("data", bad);
  }
}

TEST(SetFieldFromTextTest, EnumsByNameOrNumber) {
  EXPECT_EQ(Set("color", "COLOR_GREEN").color(), cppgateway::test::v1::COLOR_GREEN);
  EXPECT_EQ(Set("color", "3").color(), cppgateway::test::v1::COLOR_BLUE);
  // The enum is proto3, so open: a number it does not name is kept.
  EXPECT_EQ(static_cast<int>(Set("color", "42").color()), 42);
  for (const char* bad : {"COLOR_PURPLE", "color_green", "", "1.0", "99999999999"}) {
    SetFails("color", bad);
  }
}

TEST(SetFieldFromTextTest, RepeatedFieldsAppend) {
  Everything message;
  ASSERT_TRUE(SetFieldFromText(&message, {"nums"}, "1").ok());
  ASSERT_TRUE(SetFieldFromText(&message, {"nums"}, "-2").ok());
  ASSERT_TRUE(SetFieldFromText(&message, {"words"}, "w").ok());
  ASSERT_TRUE(SetFieldFromText(&message, {"colors"}, "COLOR_RED").ok());
  ASSERT_TRUE(SetFieldFromText(&message, {"colors"}, "3").ok());
  ASSERT_EQ(message.nums_size(), 2);
  EXPECT_EQ(message.nums(0), 1);
  EXPECT_EQ(message.nums(1), -2);
  EXPECT_EQ(message.words(0), "w");
  ASSERT_EQ(message.colors_size(), 2);
  EXPECT_EQ(message.colors(1), cppgateway::test::v1::COLOR_BLUE);
  EXPECT_FALSE(SetFieldFromText(&message, {"nums"}, "x").ok());
  EXPECT_EQ(message.nums_size(), 2);
  // A repeated message field has no text form.
  EXPECT_FALSE(SetFieldFromText(&message, {"nested_list"}, "x").ok());
  EXPECT_EQ(message.nested_list_size(), 0);
}

TEST(SetFieldFromTextTest, NestedFieldsAreCreatedOnTheWay) {
  Everything message;
  ASSERT_TRUE(SetFieldFromText(&message, {"nested", "child", "name"}, "deep").ok());
  ASSERT_TRUE(SetFieldFromText(&message, {"nested", "value"}, "5").ok());
  ASSERT_TRUE(SetFieldFromText(&message, {"nested", "color"}, "COLOR_RED").ok());
  EXPECT_EQ(message.nested().child().name(), "deep");
  EXPECT_EQ(message.nested().value(), 5);
  EXPECT_EQ(message.nested().color(), cppgateway::test::v1::COLOR_RED);
  ASSERT_TRUE(SetFieldFromText(&message, {"wrappedI64", "value"}, "6").ok());
  EXPECT_EQ(message.wrapped_i64().value(), 6);
}

// --- SetFieldFromPathValue

TEST(SetFieldFromPathValueTest, RepeatedFieldsTakeACommaSeparatedList) {
  Everything message;
  ASSERT_TRUE(SetFieldFromPathValue(&message, {"nums"}, "1,-2,3").ok());
  EXPECT_EQ(std::vector<std::int64_t>(message.nums().begin(), message.nums().end()),
            (std::vector<std::int64_t>{1, -2, 3}));
  ASSERT_TRUE(SetFieldFromPathValue(&message, {"colors"}, "COLOR_RED,3").ok());
  ASSERT_EQ(message.colors_size(), 2);
  EXPECT_EQ(message.colors(1), cppgateway::test::v1::COLOR_BLUE);
  ASSERT_TRUE(SetFieldFromPathValue(&message, {"words"}, "one").ok());
  EXPECT_EQ(message.words_size(), 1);
}

TEST(SetFieldFromPathValueTest, ThePathReplacesWhatTheQueryAppended) {
  Everything message;
  ASSERT_TRUE(SetFieldFromText(&message, {"nums"}, "7").ok());
  ASSERT_TRUE(SetFieldFromPathValue(&message, {"nums"}, "1,2").ok());
  EXPECT_EQ(std::vector<std::int64_t>(message.nums().begin(), message.nums().end()),
            (std::vector<std::int64_t>{1, 2}));
}

TEST(SetFieldFromPathValueTest, SingularFieldsKeepTheirCommas) {
  Everything message;
  ASSERT_TRUE(SetFieldFromPathValue(&message, {"str"}, "a,b").ok());
  EXPECT_EQ(message.str(), "a,b");
  ASSERT_TRUE(SetFieldFromPathValue(&message, {"nested", "name"}, "c,d").ok());
  EXPECT_EQ(message.nested().name(), "c,d");
}

TEST(SetFieldFromPathValueTest, ABadItemNamesItself) {
  Everything message;
  grpc::Status status = SetFieldFromPathValue(&message, {"nums"}, "1,x,3");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("\"x\""), std::string::npos) << status.error_message();
  EXPECT_FALSE(SetFieldFromPathValue(&message, {"nums"}, "1,,3").ok());
}

// --- SetFieldFromText: maps

TEST(SetFieldFromTextTest, MapEntries) {
  Everything message;
  const std::string a = "a", seven = "7", negative = "-1";
  ASSERT_TRUE(SetFieldFromText(&message, {"counts"}, "5", &a).ok());
  ASSERT_TRUE(SetFieldFromText(&message, {"names"}, "seven", &seven).ok());
  ASSERT_TRUE(SetFieldFromText(&message, {"names"}, "minus one", &negative).ok());
  EXPECT_EQ(message.counts().at("a"), 5);
  EXPECT_EQ(message.names().at(7), "seven");
  EXPECT_EQ(message.names().at(-1), "minus one");
  // The same key again: the later value wins, as on the wire.
  ASSERT_TRUE(SetFieldFromText(&message, {"counts"}, "6", &a).ok());
  EXPECT_EQ(message.counts().size(), 1u);
  EXPECT_EQ(message.counts().at("a"), 6);
}

TEST(SetFieldFromTextTest, MapErrors) {
  Everything message;
  const std::string x = "x", a = "a";
  grpc::Status status = SetFieldFromText(&message, {"names"}, "v", &x);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("map key \"x\""), std::string::npos)
      << status.error_message();
  status = SetFieldFromText(&message, {"counts"}, "zz", &a);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("counts[a]"), std::string::npos) << status.error_message();
  EXPECT_NE(status.error_message().find("\"zz\""), std::string::npos) << status.error_message();
  // A map of messages has no text form for its values.
  EXPECT_FALSE(SetFieldFromText(&message, {"nested_map"}, "v", &a).ok());
  // A map needs a key; a key needs a map.
  EXPECT_FALSE(SetFieldFromText(&message, {"counts"}, "1").ok());
  EXPECT_FALSE(SetFieldFromText(&message, {"str"}, "1", &a).ok());
  EXPECT_TRUE(message.counts().empty());
  EXPECT_TRUE(message.names().empty());
  EXPECT_TRUE(message.nested_map().empty());
}

// --- SetFieldFromText: well-known types

TEST(SetFieldFromTextTest, Timestamp) {
  Everything message = Set("ts", "2020-01-02T03:04:05.5Z");
  EXPECT_EQ(message.ts().seconds(), 1577934245);
  EXPECT_EQ(message.ts().nanos(), 500000000);
  message = Set("ts", "2020-01-02T04:04:05+01:00");
  EXPECT_EQ(message.ts().seconds(), 1577934245);
  for (const char* bad : {"2020-01-02", "2020-01-02T03:04:05", "yesterday", "", "1577934245",
                          "2020-13-02T03:04:05Z"}) {
    SetFails("ts", bad);
  }
}

TEST(SetFieldFromTextTest, Duration) {
  Everything message = Set("dur", "1.5s");
  EXPECT_EQ(message.dur().seconds(), 1);
  EXPECT_EQ(message.dur().nanos(), 500000000);
  message = Set("dur", "-0.25s");
  EXPECT_EQ(message.dur().seconds(), 0);
  EXPECT_EQ(message.dur().nanos(), -250000000);
  message = Set("dur", "3s");
  EXPECT_EQ(message.dur().seconds(), 3);
  message = Set("dur", "0.000000001s");
  EXPECT_EQ(message.dur().nanos(), 1);
  message = Set("dur", "315576000000s");
  EXPECT_EQ(message.dur().seconds(), 315576000000);
  for (const char* bad : {"1.5", "", "s", "1e3s", " 1s", "1s ", "1.s", "1.0000000001s",
                          "315576000001s", "1m", "--1s", "-s", "1.5ms", "+1s"}) {
    SetFails("dur", bad);
  }
}

TEST(SetFieldFromTextTest, Wrappers) {
  EXPECT_EQ(Set("wrapped_i64", "-42").wrapped_i64().value(), -42);
  EXPECT_EQ(Set("wrappedStr", "hi there").wrapped_str().value(), "hi there");
  EXPECT_TRUE(Set("wrapped_bool", "true").wrapped_bool().value());
  // An explicit false is a set wrapper, unlike an absent one.
  EXPECT_TRUE(Set("wrapped_bool", "false").has_wrapped_bool());
  EXPECT_TRUE(Set("wrapped_str", "").has_wrapped_str());
  Everything message;
  grpc::Status status = SetFieldFromText(&message, {"wrapped_i64"}, "4x");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_FALSE(message.has_wrapped_i64());
  SetFails("wrapped_bool", "maybe");
}

TEST(SetFieldFromTextTest, FieldMaskKeepsPathsAsGiven) {
  Everything message = Set("mask", "user.display_name,tags,userAge");
  ASSERT_EQ(message.mask().paths_size(), 3);
  EXPECT_EQ(message.mask().paths(0), "user.display_name");
  EXPECT_EQ(message.mask().paths(1), "tags");
  EXPECT_EQ(message.mask().paths(2), "userAge");
  message = Set("mask", ",a,,");
  ASSERT_EQ(message.mask().paths_size(), 1);
  EXPECT_EQ(message.mask().paths(0), "a");
  message = Set("mask", "");
  EXPECT_TRUE(message.has_mask());
  EXPECT_EQ(message.mask().paths_size(), 0);
}

TEST(SetFieldFromTextTest, MessagesWithoutTextFormAreRejected) {
  SetFails("nested", "x");
  SetFails("nested", "");
  SetFails("attrs", R"({"a":1})");
  Everything message;
  EXPECT_FALSE(SetFieldFromText(&message, {"nested"}, "x").ok());
  EXPECT_FALSE(message.has_nested());
}

// --- SetFieldFromText: oneofs and errors

TEST(SetFieldFromTextTest, SecondMemberOfAOneofIsRejected) {
  Everything message;
  ASSERT_TRUE(SetFieldFromText(&message, {"choice_str"}, "a").ok());
  const grpc::Status status = SetFieldFromText(&message, {"choice_num"}, "1");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("choice"), std::string::npos) << status.error_message();
  EXPECT_EQ(message.choice_str(), "a");
  // The same member again replaces its value.
  ASSERT_TRUE(SetFieldFromText(&message, {"choiceStr"}, "b").ok());
  EXPECT_EQ(message.choice_str(), "b");
}

TEST(SetFieldFromTextTest, ErrorsNameTheFieldAndTheValue) {
  Everything message;
  grpc::Status status = SetFieldFromText(&message, {"nested", "value"}, "12x");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("\"nested.value\""), std::string::npos)
      << status.error_message();
  EXPECT_NE(status.error_message().find("\"12x\""), std::string::npos) << status.error_message();

  status = SetFieldFromText(&message, {"nested", "nope"}, "1");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("nested.nope"), std::string::npos)
      << status.error_message();
  EXPECT_EQ(SetFieldFromText(&message, {}, "1").error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace cppgateway
