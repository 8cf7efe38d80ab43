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
  EXPECT_EQ(LayoutCall("  f(", {a, "b"}, ");"), "  f(" + a + ",\n    b);");
}

// The expectations below are clang-format's own layout of the same statements on one line.
TEST(LayoutCallTest, SplitsAStringLiteralTooLongForALineAfterItsLastSlash) {
  std::string method =
      "/cppgateway.golden.v1.AServiceWithANameLongEnoughToWrapEveryLine/"
      "GetTheResourceByItsIdentifier";
  EXPECT_EQ(LayoutCall("  gateway.Handle<Request, Response>(",
                       {R"({"GET", "/v1/short"})", "channel", CppStringLiteral(method)}, ");"),
            R"(  gateway.Handle<Request, Response>(
      {"GET", "/v1/short"}, channel,
      "/cppgateway.golden.v1.AServiceWithANameLongEnoughToWrapEveryLine/"
      "GetTheResourceByItsIdentifier");)");
}

TEST(LayoutCallTest, SplitsAStringLiteralWithoutASlashThatFitsAfterItsLastPunctuation) {
  std::string method =
      "/a.b.v1."
      "AServiceWithANameLongEnoughToWrapEveryLineXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/"
      "Method";
  EXPECT_EQ(LayoutCall("  f(", {"channel", CppStringLiteral(method)}, ");"),
            R"(  f(channel,
    "/a.b.v1."
    "AServiceWithANameLongEnoughToWrapEveryLineXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/"
    "Method");)");
}

TEST(LayoutCallTest, BreaksABracedListTooLongForALineAfterItsElements) {
  EXPECT_EQ(
      LayoutCall(
          "  gateway.Handle<Request, Response>(",
          {R"({"POST", "/v1/{name=projects/*/locations/*/catalogs/*/branches/*/products/*}:removeFulfillmentPlaces", "*"})",
           "channel", R"("/a.B/C")"},
          ");"),
      R"(  gateway.Handle<Request, Response>(
      {"POST",
       "/v1/{name=projects/*/locations/*/catalogs/*/branches/*/products/*}:removeFulfillmentPlaces",
       "*"},
      channel, "/a.B/C");)");
}

TEST(LayoutCallTest, SplitsAStringLiteralInsideABracedList) {
  EXPECT_EQ(
      LayoutCall(
          "  gateway.Handle<GetBookRequest, Book>(",
          {R"({"POST", "/v1/{name=projects/*/locations/*/catalogs/*/branches/*/products/*}:removeFulfillmentPlacesAndMoreAndMoreAndMore", "*"})",
           "channel", R"("/google.cloud.retail.v2.ProductService/RemoveFulfillmentPlaces")"},
          ");"),
      R"(  gateway.Handle<GetBookRequest, Book>(
      {"POST",
       "/v1/{name=projects/*/locations/*/catalogs/*/branches/*/products/"
       "*}:removeFulfillmentPlacesAndMoreAndMoreAndMore",
       "*"},
      channel, "/google.cloud.retail.v2.ProductService/RemoveFulfillmentPlaces");)");
}

TEST(LayoutTemplateCallTest, KeepsTheHeadOnOneLineWhenItFits) {
  EXPECT_EQ(LayoutTemplateCall("  ", "gateway", "Handle", {"A", "B"}, {"x", "y"}, ");"),
            "  gateway.Handle<A, B>(x, y);");
}

TEST(LayoutTemplateCallTest, BreaksBeforeTheDotWhenThatMakesTheHeadFit) {
  EXPECT_EQ(LayoutTemplateCall(
                "  ", "gateway", "Handle",
                {"::cppgateway::golden::imported::v1::SomeVeryLongMessageName_WithANestedMessage",
                 "Book"},
                {R"({"GET", "/v1/x"})", "channel", R"("/a.b.v1.Foo/Bar")"}, ");"),
            R"(  gateway
      .Handle<::cppgateway::golden::imported::v1::SomeVeryLongMessageName_WithANestedMessage, Book>(
          {"GET", "/v1/x"}, channel, "/a.b.v1.Foo/Bar");)");
}

TEST(LayoutTemplateCallTest, AlignsTemplateArgumentsWhenTheHeadIsTooLongEvenThen) {
  EXPECT_EQ(
      LayoutTemplateCall(
          "  ", "gateway", "Handle",
          {"::cppgateway::golden::imported::v1::SomeVeryLongMessageName_WithANestedMessage",
           "::cppgateway::golden::imported::v1::SomeVeryLongMessageName"},
          {R"({"GET", "/v1/x"})", "channel", R"("/a.b.v1.Foo/Bar")"}, ");"),
      R"(  gateway.Handle<::cppgateway::golden::imported::v1::SomeVeryLongMessageName_WithANestedMessage,
                 ::cppgateway::golden::imported::v1::SomeVeryLongMessageName>(
      {"GET", "/v1/x"}, channel, "/a.b.v1.Foo/Bar");)");
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
