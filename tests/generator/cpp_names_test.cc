// The C++ names the plugin gives to messages, for the cases the golden files do not reach.
#include "cpp_names.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <string>

namespace cppgateway::plugin {
namespace {

using google::protobuf::Descriptor;

class CppNamesTest : public ::testing::Test {
 protected:
  // Adds the file described by `text_proto` (a FileDescriptorProto in text form) to the pool.
  void AddFile(const std::string& text_proto) {
    google::protobuf::FileDescriptorProto file;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(text_proto, &file));
    ASSERT_NE(pool_.BuildFile(file), nullptr) << text_proto;
  }

  const Descriptor& Message(const std::string& full_name) {
    const Descriptor* message = pool_.FindMessageTypeByName(full_name);
    EXPECT_NE(message, nullptr) << full_name;
    return message != nullptr ? *message : *google::protobuf::FileDescriptorProto::descriptor();
  }

  void SetUp() override {
    AddFile(R"pb(
      name: "foo/v1/foo.proto"
      package: "foo.v1"
      message_type {
        name: "Outer"
        nested_type {
          name: "Inner"
          nested_type { name: "Deepest" }
        }
        nested_type { name: "class" }
      }
      message_type { name: "class" }
      message_type { name: "channel" }
    )pb");
    AddFile(R"pb(
      name: "bare.proto"
      message_type { name: "Bare" }
    )pb");
  }

  google::protobuf::DescriptorPool pool_;
};

TEST(CppNamespaceTest, ReplacesDotsWithColons) {
  EXPECT_EQ(CppNamespace("foo.v1"), "foo::v1");
  EXPECT_EQ(CppNamespace("foo"), "foo");
  EXPECT_EQ(CppNamespace(""), "");
}

TEST(ProtoStemTest, DropsTheProtoSuffix) {
  EXPECT_EQ(ProtoStem("foo/v1/foo.proto"), "foo/v1/foo");
  EXPECT_EQ(ProtoStem("foo/v1/foo"), "foo/v1/foo");
}

TEST_F(CppNamesTest, NestedMessagesAreJoinedWithUnderscores) {
  EXPECT_EQ(CppClassName(Message("foo.v1.Outer")), "Outer");
  EXPECT_EQ(CppClassName(Message("foo.v1.Outer.Inner")), "Outer_Inner");
  EXPECT_EQ(CppClassName(Message("foo.v1.Outer.Inner.Deepest")), "Outer_Inner_Deepest");
}

TEST_F(CppNamesTest, AKeywordGetsATrailingUnderscore) {
  EXPECT_EQ(CppClassName(Message("foo.v1.class")), "class_");
  // Joined, the nested name is no keyword any more.
  EXPECT_EQ(CppClassName(Message("foo.v1.Outer.class")), "Outer_class");
}

TEST_F(CppNamesTest, SamePackageIsRelativeOthersFullyQualified) {
  EXPECT_EQ(CppTypeName(Message("foo.v1.Outer.Inner"), "foo.v1"), "Outer_Inner");
  EXPECT_EQ(CppTypeName(Message("foo.v1.Outer.Inner"), "bar.v1"), "::foo::v1::Outer_Inner");
  EXPECT_EQ(CppTypeName(Message("foo.v1.Outer.Inner"), "foo"), "::foo::v1::Outer_Inner");
  EXPECT_EQ(CppTypeName(Message("foo.v1.Outer"), ""), "::foo::v1::Outer");
  EXPECT_EQ(CppTypeName(Message("Bare"), ""), "Bare");
  EXPECT_EQ(CppTypeName(Message("Bare"), "foo.v1"), "::Bare");
}

TEST_F(CppNamesTest, NamesOfTheRegisterFunctionsParametersAreQualified) {
  EXPECT_EQ(CppTypeName(Message("foo.v1.channel"), "foo.v1"), "::foo::v1::channel");
  EXPECT_EQ(CppTypeName(Message("foo.v1.class"), "foo.v1"), "class_");
}

}  // namespace
}  // namespace cppgateway::plugin
