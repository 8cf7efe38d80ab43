#include "cppgateway/query.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "cppgateway/test/v1/test.pb.h"

namespace cppgateway {
namespace {

using cppgateway::test::v1::Everything;

using BoundPaths = std::vector<std::vector<std::string>>;

// Applies `query` to a fresh Everything, expecting success.
Everything Apply(const std::string& query, const BoundPaths& bound = {},
                 const QueryOptions& options = QueryOptions()) {
  Everything message;
  const grpc::Status status = ApplyQueryParameters(query, bound, options, &message);
  EXPECT_TRUE(status.ok()) << query << ": " << status.error_message();
  return message;
}

// The error of applying `query`, expecting INVALID_ARGUMENT.
grpc::Status ApplyFails(const std::string& query, const QueryOptions& options = QueryOptions()) {
  Everything message;
  const grpc::Status status = ApplyQueryParameters(query, {}, options, &message);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << query << " was accepted";
  return status;
}

TEST(ApplyQueryParametersTest, ScalarsByProtoOrJsonName) {
  const Everything message = Apply(
      "str=hello&i32=-5&flag=true&dbl=2.5&u64=18446744073709551615&snakeCaseField=s"
      "&customName=9&data=AP8=");
  EXPECT_EQ(message.str(), "hello");
  EXPECT_EQ(message.i32(), -5);
  EXPECT_TRUE(message.flag());
  EXPECT_EQ(message.dbl(), 2.5);
  EXPECT_EQ(message.u64(), 18446744073709551615u);
  EXPECT_EQ(message.snake_case_field(), "s");
  EXPECT_EQ(message.custom_json(), 9);
  EXPECT_EQ(message.data(), std::string("\x00\xff", 2));
}

TEST(ApplyQueryParametersTest, KeysAndValuesArePercentDecoded) {
  const Everything message = Apply("str=a%20b+c%2Bd%26e%3Df&nested%2Ename=n%C3%A9&w%6Frds=x");
  EXPECT_EQ(message.str(), "a b c+d&e=f");
  EXPECT_EQ(message.nested().name(), "n\xc3\xa9");
  ASSERT_EQ(message.words_size(), 1);
  EXPECT_EQ(message.words(0), "x");
}

TEST(ApplyQueryParametersTest, ValueMayHoldEqualsSigns) {
  EXPECT_EQ(Apply("str=a=b=").str(), "a=b=");
  EXPECT_EQ(Apply("data=aGk=").data(), "hi");
}

TEST(ApplyQueryParametersTest, KeyWithoutValueIsTheEmptyString) {
  Everything message;
  message.set_str("before");
  ASSERT_TRUE(ApplyQueryParameters("str", {}, QueryOptions(), &message).ok());
  EXPECT_EQ(message.str(), "");
  ASSERT_TRUE(ApplyQueryParameters("str=", {}, QueryOptions(), &message).ok());
  EXPECT_EQ(message.str(), "");
  ApplyFails("i32");
  ApplyFails("flag");
}

TEST(ApplyQueryParametersTest, EmptyQueryAndEmptyParametersChangeNothing) {
  for (const char* query : {"", "&", "&&"}) EXPECT_EQ(Apply(query).ByteSizeLong(), 0u) << query;
  EXPECT_EQ(Apply("&str=x&&").str(), "x");
}

TEST(ApplyQueryParametersTest, NestedFields) {
  const Everything message = Apply(
      "nested.name=a&nested.child.value=3&nested.child.child.color=COLOR_RED"
      "&wrappedI64.value=4");
  EXPECT_EQ(message.nested().name(), "a");
  EXPECT_EQ(message.nested().child().value(), 3);
  EXPECT_EQ(message.nested().child().child().color(), cppgateway::test::v1::COLOR_RED);
  EXPECT_EQ(message.wrapped_i64().value(), 4);
}

TEST(ApplyQueryParametersTest, RepeatedFieldsByRepeatingTheKey) {
  const Everything message =
      Apply("nums=1&words=a&nums=2&words=b,c&colors=COLOR_RED&colors=3&nums=-3");
  ASSERT_EQ(message.nums_size(), 3);
  EXPECT_EQ(message.nums(0), 1);
  EXPECT_EQ(message.nums(1), 2);
  EXPECT_EQ(message.nums(2), -3);
  ASSERT_EQ(message.words_size(), 2);
  EXPECT_EQ(message.words(1), "b,c");
  ASSERT_EQ(message.colors_size(), 2);
  EXPECT_EQ(message.colors(0), cppgateway::test::v1::COLOR_RED);
  EXPECT_EQ(message.colors(1), cppgateway::test::v1::COLOR_BLUE);
}

TEST(ApplyQueryParametersTest, MapEntries) {
  const Everything message = Apply(
      "counts[a]=1&counts[b]=2&names[7]=seven&counts%5Bc%5D=3"
      "&counts[x.y]=4&counts[a[0]]=5&counts[]=6");
  EXPECT_EQ(message.counts().at("a"), 1);
  EXPECT_EQ(message.counts().at("b"), 2);
  EXPECT_EQ(message.counts().at("c"), 3);
  EXPECT_EQ(message.counts().at("x.y"), 4);
  EXPECT_EQ(message.counts().at("a[0]"), 5);
  EXPECT_EQ(message.counts().at(""), 6);
  EXPECT_EQ(message.names().at(7), "seven");
}

TEST(ApplyQueryParametersTest, MapErrors) {
  ApplyFails("counts[a]=1&counts[a]=2");  // one key, two values
  ApplyFails("names[x]=v");               // the key is an int32
  ApplyFails("counts[a]=v");              // the value is an int64
  ApplyFails("counts=1");                 // no key
  ApplyFails("str[a]=1");                 // not a map
  ApplyFails("nested_map[a]=1");          // message values have no text form
}

TEST(ApplyQueryParametersTest, EnumsByNameOrNumber) {
  EXPECT_EQ(Apply("color=COLOR_BLUE").color(), cppgateway::test::v1::COLOR_BLUE);
  EXPECT_EQ(Apply("color=2").color(), cppgateway::test::v1::COLOR_GREEN);
  ApplyFails("color=BLUE");
}

TEST(ApplyQueryParametersTest, WellKnownTypes) {
  const Everything message = Apply(
      "ts=2020-01-02T04:04:05.25%2B01:00&dur=1.5s&wrapped_i64=-7&wrappedStr=w"
      "&wrapped_bool=false&mask=user.display_name,tags");
  EXPECT_EQ(message.ts().seconds(), 1577934245);
  EXPECT_EQ(message.ts().nanos(), 250000000);
  EXPECT_EQ(message.dur().seconds(), 1);
  EXPECT_EQ(message.dur().nanos(), 500000000);
  EXPECT_EQ(message.wrapped_i64().value(), -7);
  EXPECT_EQ(message.wrapped_str().value(), "w");
  EXPECT_TRUE(message.has_wrapped_bool());
  EXPECT_FALSE(message.wrapped_bool().value());
  ASSERT_EQ(message.mask().paths_size(), 2);
  EXPECT_EQ(message.mask().paths(0), "user.display_name");
  EXPECT_EQ(message.mask().paths(1), "tags");
  // An unescaped '+' is a space, which no timestamp has.
  ApplyFails("ts=2020-01-02T04:04:05+01:00");
  ApplyFails("dur=1.5");
}

// Found by tests/fuzz/query_fuzz.cc (corpus/query/crash-field-mask-invalid-utf8): FieldMask paths
// are proto3 strings, and a mask with bytes that are not UTF-8 made a request that the gRPC server
// could not parse.
TEST(ApplyQueryParametersTest, FieldMaskPathsMustBeUtf8) {
  const grpc::Status status = ApplyFails("mask=user.display_%EEad,tags");
  EXPECT_NE(status.error_message().find("\"mask\""), std::string::npos) << status.error_message();
  ApplyFails("mask=%C0%AF");  // an overlong '/'
  EXPECT_EQ(Apply("mask=n%C3%A9,tags").mask().paths(0), "n\xc3\xa9");
}

TEST(ApplyQueryParametersTest, NonRepeatedFieldGivenTwiceIsRejected) {
  for (const char* query :
       {"i32=1&i32=2", "str=a&str=a", "snake_case_field=a&snakeCaseField=b",
        "customName=1&custom_json=1", "nested.name=a&nested.name=b",
        "ts=2020-01-02T03:04:05Z&ts=2020-01-02T03:04:05Z", "mask=a&mask=b", "str&str"}) {
    const grpc::Status status = ApplyFails(query);
    EXPECT_NE(status.error_message().find("more than once"), std::string::npos)
        << status.error_message();
  }
}

TEST(ApplyQueryParametersTest, TwoMembersOfAOneofAreRejected) {
  const grpc::Status status = ApplyFails("choice_str=a&choice_num=1");
  EXPECT_NE(status.error_message().find("choice"), std::string::npos) << status.error_message();
  EXPECT_EQ(Apply("choiceNum=7").choice_num(), 7);
}

TEST(ApplyQueryParametersTest, BoundPathsWin) {
  Everything message;
  message.set_str("from path");
  message.mutable_nested()->set_name("from body");
  message.set_snake_case_field("from path");
  const BoundPaths bound = {{"str"}, {"nested"}, {"snakeCaseField"}, {"wrapped_i64", "value"}};
  ASSERT_TRUE(ApplyQueryParameters("str=q&nested.name=q&nested.child.value=1&i32=5&"
                                   "snake_case_field=q&wrappedI64.value=1&nums=1&str=again",
                                   bound, QueryOptions(), &message)
                  .ok());
  EXPECT_EQ(message.str(), "from path");
  EXPECT_EQ(message.nested().name(), "from body");
  EXPECT_FALSE(message.nested().has_child());
  EXPECT_EQ(message.snake_case_field(), "from path");
  EXPECT_FALSE(message.has_wrapped_i64());
  EXPECT_EQ(message.i32(), 5);
  ASSERT_EQ(message.nums_size(), 1);
}

TEST(ApplyQueryParametersTest, ParameterAboveABoundPathIsNotSkipped) {
  // Only `nested.name` is bound: the rest of `nested` still comes from the query.
  Everything message;
  message.mutable_nested()->set_name("from path");
  ASSERT_TRUE(ApplyQueryParameters("nested.name=q&nested.value=3", {{"nested", "name"}},
                                   QueryOptions(), &message)
                  .ok());
  EXPECT_EQ(message.nested().name(), "from path");
  EXPECT_EQ(message.nested().value(), 3);
}

TEST(ApplyQueryParametersTest, UnknownParametersIgnoredByDefault) {
  const Everything message =
      Apply("nope=1&str=x&nested.nope=2&str.length=3&nested_list.value=4&=5&Str=6&%20=7");
  EXPECT_EQ(message.str(), "x");
  EXPECT_EQ(message.nested_list_size(), 0);
  EXPECT_FALSE(message.has_nested());
}

TEST(ApplyQueryParametersTest, UnknownParametersRejectedOnRequest) {
  QueryOptions options;
  options.reject_unknown_parameters = true;
  for (const char* query : {"nope=1", "str=x&nested.nope=2", "str.length=3", "=5", "nope"}) {
    ApplyFails(query, options);
  }
  const grpc::Status status = ApplyFails("str=x&n%6Fpe=1", options);
  EXPECT_NE(status.error_message().find("\"nope\""), std::string::npos) << status.error_message();
  EXPECT_EQ(Apply("str=x&nums=1", {}, options).str(), "x");
}

TEST(ApplyQueryParametersTest, BadValuesNameFieldAndValue) {
  const grpc::Status status = ApplyFails("str=ok&i32=12x");
  EXPECT_NE(status.error_message().find("\"i32\""), std::string::npos) << status.error_message();
  EXPECT_NE(status.error_message().find("\"12x\""), std::string::npos) << status.error_message();
  for (const char* query : {"i32=99999999999", "flag=yes", "dbl=abc", "u32=-1", "data=*",
                            "nested=x", "attrs=x", "str=%FF", "nums=1&nums=x"}) {
    ApplyFails(query);
  }
}

TEST(ApplyQueryParametersTest, MalformedEscapesAreRejected) {
  for (const char* query : {"str=%zz", "str=%4", "str=%", "%g=1", "str=a&n%=1", "str=%%41"}) {
    const grpc::Status status = ApplyFails(query);
    EXPECT_NE(status.error_message().find("percent"), std::string::npos) << status.error_message();
  }
}

// Whatever the query, the answer is success or INVALID_ARGUMENT, and what was accepted is a message
// the service can parse (valid UTF-8 in strings, among others).
TEST(ApplyQueryParametersTest, RandomQueriesAreAcceptedOrRefusedCleanly) {
  const std::vector<std::string> tokens = {
      "str",        "i32",        "nested",      ".",          "child",     "counts",
      "[",          "]",          "names",       "=",          "&",         "%",
      "%2",         "%41",        "%FF",         "+",          "COLOR_RED", "1",
      "-",          "1.5s",       "ts",          "mask",       ",",         "color",
      "choice_str", "choice_num", "data",        "\xff",       "nums",      "customName",
      "value",      "attrs",      "wrapped_i64", "nested_map", "%C3%A9",    "2020-01-02T03:04:05Z",
      "flag",       "true",       "dbl",         "NaN"};
  std::mt19937 random(20240601);
  for (int i = 0; i < 5000; ++i) {
    std::string query;
    const int length = static_cast<int>(random() % 12);
    for (int k = 0; k < length; ++k) query += tokens[random() % tokens.size()];
    Everything message;
    const grpc::Status status =
        ApplyQueryParameters(query, {{"nested", "name"}}, QueryOptions(), &message);
    ASSERT_TRUE(status.ok() || status.error_code() == grpc::StatusCode::INVALID_ARGUMENT)
        << query << ": " << status.error_message();
    if (status.ok()) {
      Everything reparsed;
      ASSERT_TRUE(reparsed.ParseFromString(message.SerializeAsString())) << query;
    }
  }
}

// A message built at run time: a map under a nested message, which Everything does not have.
class DynamicQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    google::protobuf::FileDescriptorProto file;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
        R"pb(
          name: "dynamic.proto"
          package: "dyn"
          syntax: "proto3"
          message_type {
            name: "Outer"
            field {
              name: "inner"
              number: 1
              type: TYPE_MESSAGE
              label: LABEL_OPTIONAL
              type_name: ".dyn.Inner"
            }
            field { name: "id" number: 2 type: TYPE_STRING label: LABEL_OPTIONAL }
          }
          message_type {
            name: "Inner"
            field {
              name: "labels"
              number: 1
              type: TYPE_MESSAGE
              label: LABEL_REPEATED
              type_name: ".dyn.Inner.LabelsEntry"
              json_name: "labels"
            }
            field {
              name: "flags"
              number: 2
              type: TYPE_MESSAGE
              label: LABEL_REPEATED
              type_name: ".dyn.Inner.FlagsEntry"
            }
            nested_type {
              name: "LabelsEntry"
              field { name: "key" number: 1 type: TYPE_STRING label: LABEL_OPTIONAL }
              field { name: "value" number: 2 type: TYPE_STRING label: LABEL_OPTIONAL }
              options { map_entry: true }
            }
            nested_type {
              name: "FlagsEntry"
              field { name: "key" number: 1 type: TYPE_BOOL label: LABEL_OPTIONAL }
              field { name: "value" number: 2 type: TYPE_INT32 label: LABEL_OPTIONAL }
              options { map_entry: true }
            }
          }
        )pb",
        &file));
    ASSERT_NE(pool_.BuildFile(file), nullptr);
    const google::protobuf::Descriptor* outer = pool_.FindMessageTypeByName("dyn.Outer");
    ASSERT_NE(outer, nullptr);
    message_.reset(factory_.GetPrototype(outer)->New());
  }

  google::protobuf::DescriptorPool pool_;
  google::protobuf::DynamicMessageFactory factory_;
  std::unique_ptr<google::protobuf::Message> message_;
};

TEST_F(DynamicQueryTest, MapUnderANestedField) {
  ASSERT_TRUE(ApplyQueryParameters("inner.labels[env]=prod&inner.labels[team]=a%20b&id=1"
                                   "&inner.flags[true]=1&inner.flags[false]=0",
                                   {}, QueryOptions(), message_.get())
                  .ok());
  std::string text;
  google::protobuf::TextFormat::Printer printer;
  printer.SetSingleLineMode(true);
  printer.PrintToString(*message_, &text);
  EXPECT_NE(text.find(R"(key: "env" value: "prod")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(key: "team" value: "a b")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(key: true value: 1)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(id: "1")"), std::string::npos) << text;
}

TEST_F(DynamicQueryTest, MapKeyOfWrongTypeAndDuplicateKey) {
  EXPECT_FALSE(ApplyQueryParameters("inner.flags[yes]=1", {}, QueryOptions(), message_.get()).ok());
  message_->Clear();
  EXPECT_FALSE(ApplyQueryParameters("inner.labels[a]=1&inner.labels[a]=2", {}, QueryOptions(),
                                    message_.get())
                   .ok());
}

}  // namespace
}  // namespace cppgateway
