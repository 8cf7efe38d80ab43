// The plugin's line layout on its own, for the shapes the golden files do not reach.
#include "line_layout.h"

#include <gtest/gtest.h>

namespace cppgateway::plugin {
namespace {

TEST(LayoutCallTest, KeepsAShortCallOnOneLine) {
  EXPECT_EQ(LayoutCall("  f(", {"a", "b"}, ");"), "  f(a, b);");
  EXPECT_EQ(LayoutCall("  f(", {}, ");"), "  f();");
}

TEST(LayoutCallTest, AlignsArgumentsAfterTheParenthesis) {
  std::string a(50, 'a');
  std::string b(50, 'b');
  EXPECT_EQ(LayoutCall("  f(", {a, b}, ");"), "  f(" + a + ",\n    " + b + ");");
}

TEST(LayoutCallTest, BreaksAfterTheParenthesisWhenAlignedArgumentsDoNotFit) {
  std::string head = "  " + std::string(90, 'f') + "(";
  std::string a(10, 'a');
  EXPECT_EQ(LayoutCall(head, {a, "b"}, ");"), head + "\n      " + a + ", b);");
}

TEST(LayoutCallTest, NeverDropsAnArgumentLongerThanALine) {
  std::string a(120, 'a');
  EXPECT_EQ(LayoutCall("  f(", {a, "b"}, ");"), "  f(\n      " + a + ",\n      b);");
}

TEST(LayoutAssignmentTest, BreaksAfterTheEqualsSign) {
  EXPECT_EQ(LayoutAssignment("  ", "int x", "1"), "  int x = 1;");
  std::string lhs(60, 'l');
  std::string rhs(40, 'r');
  EXPECT_EQ(LayoutAssignment("  ", lhs, rhs), "  " + lhs + " =\n      " + rhs + ";");
}

TEST(LayoutCommentTest, WrapsBetweenWords) {
  EXPECT_EQ(LayoutComment("", "short"), "// short");
  std::string word(60, 'w');
  EXPECT_EQ(LayoutComment("  ", word + " " + word), "  // " + word + "\n  // " + word);
}

TEST(CppStringLiteralTest, EscapesWhatCppWouldMisread) {
  EXPECT_EQ(CppStringLiteral("/v1/{name=*}"), R"("/v1/{name=*}")");
  EXPECT_EQ(CppStringLiteral("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(CppStringLiteral("a\nb\tc"), R"("a\nb\tc")");
  EXPECT_EQ(CppStringLiteral(std::string("a\x01"
                                         "1",
                                         3)),
            R"("a\0011")");
}

}  // namespace
}  // namespace cppgateway::plugin
