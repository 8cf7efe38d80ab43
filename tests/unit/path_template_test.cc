#include "cppgateway/path_template.h"

#include <gtest/gtest.h>

#include <ostream>
#include <random>
#include <string>
#include <vector>

namespace cppgateway {
namespace {

using Kind = TemplateSegment::Kind;

TemplateSegment Literal(const std::string& text) { return {Kind::kLiteral, text}; }
TemplateSegment Star() { return {Kind::kSingleWildcard, ""}; }
TemplateSegment StarStar() { return {Kind::kMultiWildcard, ""}; }

// Parses a template that must be valid.
PathTemplate MustParse(const std::string& text) {
  std::string error;
  std::optional<PathTemplate> parsed = PathTemplate::Parse(text, &error);
  EXPECT_TRUE(parsed.has_value()) << text << ": " << error;
  return parsed.value_or(PathTemplate());
}

// The error for a template that must be rejected.
std::string ParseError(const std::string& text) {
  std::string error;
  std::optional<PathTemplate> parsed = PathTemplate::Parse(text, &error);
  EXPECT_FALSE(parsed.has_value()) << text << " was accepted";
  EXPECT_FALSE(error.empty()) << text;
  return error;
}

TEST(PathTemplateTest, LiteralsOnly) {
  PathTemplate t = MustParse("/v1/shelves");
  EXPECT_EQ(t.segments(), (std::vector<TemplateSegment>{Literal("v1"), Literal("shelves")}));
  EXPECT_TRUE(t.variables().empty());
  EXPECT_EQ(t.verb(), "");
  EXPECT_EQ(t.text(), "/v1/shelves");
}

TEST(PathTemplateTest, RootTemplate) {
  PathTemplate t = MustParse("/");
  EXPECT_TRUE(t.segments().empty());
  EXPECT_TRUE(t.variables().empty());
  EXPECT_EQ(t.verb(), "");
}

TEST(PathTemplateTest, SimpleVariableIsOneStar) {
  PathTemplate t = MustParse("/shelves/{shelf}/books/{book}");
  EXPECT_EQ(t.segments(),
            (std::vector<TemplateSegment>{Literal("shelves"), Star(), Literal("books"), Star()}));
  ASSERT_EQ(t.variables().size(), 2u);
  EXPECT_EQ(t.variables()[0].field_path, std::vector<std::string>{"shelf"});
  EXPECT_EQ(t.variables()[0].begin, 1);
  EXPECT_EQ(t.variables()[0].end, 2);
  EXPECT_FALSE(t.variables()[0].multi_segment);
  EXPECT_EQ(t.variables()[1].field_path, std::vector<std::string>{"book"});
  EXPECT_EQ(t.variables()[1].begin, 3);
  EXPECT_EQ(t.variables()[1].end, 4);
}

TEST(PathTemplateTest, NestedFieldPath) {
  PathTemplate t = MustParse("/v1/users/{user.profile.id}");
  ASSERT_EQ(t.variables().size(), 1u);
  EXPECT_EQ(t.variables()[0].field_path, (std::vector<std::string>{"user", "profile", "id"}));
}

TEST(PathTemplateTest, IdentifiersWithUnderscoresAndDigits) {
  PathTemplate t = MustParse("/v1/{_a1.b_2}");
  EXPECT_EQ(t.variables()[0].field_path, (std::vector<std::string>{"_a1", "b_2"}));
}

TEST(PathTemplateTest, VariableWithExplicitStarIsSingleSegment) {
  PathTemplate t = MustParse("/v1/{name=*}");
  EXPECT_EQ(t.segments(), (std::vector<TemplateSegment>{Literal("v1"), Star()}));
  EXPECT_FALSE(t.variables()[0].multi_segment);
}

TEST(PathTemplateTest, VariableOverSeveralSegmentsIsMultiSegment) {
  PathTemplate t = MustParse("/v1/{name=shelves/*/books/*}");
  EXPECT_EQ(t.segments(), (std::vector<TemplateSegment>{Literal("v1"), Literal("shelves"), Star(),
                                                        Literal("books"), Star()}));
  ASSERT_EQ(t.variables().size(), 1u);
  EXPECT_EQ(t.variables()[0].begin, 1);
  EXPECT_EQ(t.variables()[0].end, 5);
  EXPECT_TRUE(t.variables()[0].multi_segment);
}

TEST(PathTemplateTest, VariableOverDoubleStarIsMultiSegment) {
  PathTemplate t = MustParse("/v1/{name=**}");
  EXPECT_EQ(t.segments(), (std::vector<TemplateSegment>{Literal("v1"), StarStar()}));
  EXPECT_EQ(t.variables()[0].begin, 1);
  EXPECT_EQ(t.variables()[0].end, 2);
  EXPECT_TRUE(t.variables()[0].multi_segment);
}

TEST(PathTemplateTest, VariableOverOneLiteralIsSingleSegment) {
  PathTemplate t = MustParse("/v1/{kind=users}");
  EXPECT_EQ(t.segments(), (std::vector<TemplateSegment>{Literal("v1"), Literal("users")}));
  EXPECT_FALSE(t.variables()[0].multi_segment);
}

TEST(PathTemplateTest, BareWildcards) {
  PathTemplate t = MustParse("/v1/*/items/**");
  EXPECT_EQ(t.segments(),
            (std::vector<TemplateSegment>{Literal("v1"), Star(), Literal("items"), StarStar()}));
  EXPECT_TRUE(t.variables().empty());
}

TEST(PathTemplateTest, LiteralsAfterDoubleStar) {
  PathTemplate t = MustParse("/v1/{name=**}/versions/latest");
  EXPECT_EQ(t.segments(), (std::vector<TemplateSegment>{Literal("v1"), StarStar(),
                                                        Literal("versions"), Literal("latest")}));
  EXPECT_EQ(t.variables()[0].begin, 1);
  EXPECT_EQ(t.variables()[0].end, 2);
  EXPECT_TRUE(t.variables()[0].multi_segment);
  MustParse("/**/tail");
}

TEST(PathTemplateTest, VariableEndingInDoubleStar) {
  PathTemplate t = MustParse("/v1/{name=projects/*/files/**}:download");
  EXPECT_EQ(t.segments(), (std::vector<TemplateSegment>{Literal("v1"), Literal("projects"), Star(),
                                                        Literal("files"), StarStar()}));
  EXPECT_EQ(t.variables()[0].begin, 1);
  EXPECT_EQ(t.variables()[0].end, 5);
  EXPECT_EQ(t.verb(), "download");
}

// As grpc-httpjson-transcoding routes them: literals may follow a `**` inside its variable, and
// more literals after the variable.
TEST(PathTemplateTest, LiteralsAfterDoubleStarInsideAVariable) {
  PathTemplate t = MustParse("/a/{b=c/**/d}/e:verb");
  EXPECT_EQ(t.segments(), (std::vector<TemplateSegment>{Literal("a"), Literal("c"), StarStar(),
                                                        Literal("d"), Literal("e")}));
  ASSERT_EQ(t.variables().size(), 1u);
  EXPECT_EQ(t.variables()[0].begin, 1);
  EXPECT_EQ(t.variables()[0].end, 4);
  EXPECT_TRUE(t.variables()[0].multi_segment);
  EXPECT_EQ(t.verb(), "verb");

  t = MustParse("/{x=a/**/b}/c");
  EXPECT_EQ(t.segments(),
            (std::vector<TemplateSegment>{Literal("a"), StarStar(), Literal("b"), Literal("c")}));
  EXPECT_EQ(t.variables()[0].end, 3);
  EXPECT_TRUE(MustParse("/v1/{name=**/x}").variables()[0].multi_segment);
}

// grpc-gateway reads everything after the colon that follows the segments as the verb.
TEST(PathTemplateTest, VerbsMayHoldColons) {
  PathTemplate t = MustParse("/v1/things/{uuid}:custom:custom");
  EXPECT_EQ(t.segments(), (std::vector<TemplateSegment>{Literal("v1"), Literal("things"), Star()}));
  EXPECT_EQ(t.verb(), "custom:custom");
  EXPECT_EQ(MustParse("/v1/users:do:it").verb(), "do:it");
  EXPECT_EQ(MustParse("/v1/**:a:b:c").verb(), "a:b:c");
}

TEST(PathTemplateTest, CustomVerbOnLiteral) {
  PathTemplate t = MustParse("/v1/metrics:query");
  EXPECT_EQ(t.segments(), (std::vector<TemplateSegment>{Literal("v1"), Literal("metrics")}));
  EXPECT_EQ(t.verb(), "query");
}

TEST(PathTemplateTest, CustomVerbAfterVariable) {
  PathTemplate t = MustParse("/v1/{name=shelves/*}:publish");
  EXPECT_EQ(t.segments(),
            (std::vector<TemplateSegment>{Literal("v1"), Literal("shelves"), Star()}));
  EXPECT_EQ(t.verb(), "publish");
  EXPECT_EQ(t.variables()[0].begin, 1);
  EXPECT_EQ(t.variables()[0].end, 3);
}

TEST(PathTemplateTest, CustomVerbAfterSimpleVariableAndDoubleStar) {
  EXPECT_EQ(MustParse("/v1/users/{id}:undelete").verb(), "undelete");
  EXPECT_EQ(MustParse("/v1/**:batchGet").verb(), "batchGet");
}

TEST(PathTemplateTest, LiteralCharactersAndEscapes) {
  PathTemplate t = MustParse("/a-b.c_d~e/f!$&'()+,;@/x%20y");
  EXPECT_EQ(t.segments(), (std::vector<TemplateSegment>{Literal("a-b.c_d~e"),
                                                        Literal("f!$&'()+,;@"), Literal("x%20y")}));
}

TEST(PathTemplateTest, SeveralVariables) {
  PathTemplate t = MustParse("/v1/{parent=projects/*}/items/{item.id}/{rest=**}");
  ASSERT_EQ(t.variables().size(), 3u);
  EXPECT_EQ(t.variables()[0].begin, 1);
  EXPECT_EQ(t.variables()[0].end, 3);
  EXPECT_EQ(t.variables()[1].begin, 4);
  EXPECT_EQ(t.variables()[1].end, 5);
  EXPECT_EQ(t.variables()[2].begin, 5);
  EXPECT_EQ(t.variables()[2].end, 6);
  EXPECT_EQ(t.segments().size(), 6u);
}

// Random texts over the grammar's alphabet: whatever parses is self-consistent, the rest has an
// error, and nothing crashes.
TEST(PathTemplateTest, RandomTextsAreParsedOrRejected) {
  const std::string alphabet = "/{}=*.:%2Fab_1 ";
  std::mt19937 random(20240601);
  int parsed_count = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text = "/";
    const int length = static_cast<int>(random() % 14);
    for (int j = 0; j < length; ++j) text += alphabet[random() % alphabet.size()];
    std::string error;
    std::optional<PathTemplate> parsed = PathTemplate::Parse(text, &error);
    if (!parsed) {
      EXPECT_NE(error.find(" at position "), std::string::npos) << text << ": " << error;
      continue;
    }
    ++parsed_count;
    int multi_wildcards = 0;
    for (const TemplateSegment& segment : parsed->segments()) {
      if (segment.kind == Kind::kMultiWildcard) ++multi_wildcards;
      if (segment.kind == Kind::kLiteral) {
        EXPECT_FALSE(segment.literal.empty()) << text;
      }
    }
    EXPECT_LE(multi_wildcards, 1) << text;
    for (const TemplateVariable& variable : parsed->variables()) {
      EXPECT_LE(0, variable.begin) << text;
      EXPECT_LT(variable.begin, variable.end) << text;
      EXPECT_LE(variable.end, static_cast<int>(parsed->segments().size())) << text;
      EXPECT_FALSE(variable.field_path.empty()) << text;
    }
  }
  EXPECT_GT(parsed_count, 100);  // the alphabet does reach valid templates
}

TEST(PathTemplateTest, ErrorIsOptional) { EXPECT_FALSE(PathTemplate::Parse("v1").has_value()); }

struct InvalidCase {
  std::string text;
  std::string gist;  // a part of the error message
};

void PrintTo(const InvalidCase& c, std::ostream* os) { *os << '"' << c.text << '"'; }

class InvalidTemplateTest : public testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidTemplateTest, IsRejectedWithAClearError) {
  const std::string error = ParseError(GetParam().text);
  EXPECT_NE(error.find(GetParam().gist), std::string::npos)
      << GetParam().text << " gave: " << error;
}

INSTANTIATE_TEST_SUITE_P(
    Grammar, InvalidTemplateTest,
    testing::Values(
        InvalidCase{"", "must start with '/' at position 0"},
        InvalidCase{"v1/users", "must start with '/' at position 0"},
        InvalidCase{"//", "empty segment at position 1"},
        InvalidCase{"/v1//users", "empty segment at position 4"},
        InvalidCase{"/v1/users/", "empty segment at position 10"},
        InvalidCase{"/v1/{id}/", "empty segment at position 9"},
        InvalidCase{"/:verb", "empty segment at position 1"},
        InvalidCase{"/v1/{name=a/}", "empty segment at position 12"},
        InvalidCase{"/v1/{name=}", "empty segment at position 10"},
        InvalidCase{"/v1/{name", "'{' is never closed at position 4"},
        InvalidCase{"/v1/{name=a/*", "'{' is never closed at position 4"},
        InvalidCase{"/v1/{name=a/", "'{' is never closed at position 4"},
        InvalidCase{"/v1/{name.", "'{' is never closed at position 4"},
        InvalidCase{"/v1/name}", "'}' without a matching '{' at position 8"},
        InvalidCase{"/v1/}", "'}' without a matching '{' at position 4"},
        InvalidCase{"/v1/{a}}", "'}' without a matching '{' at position 7"},
        InvalidCase{"/v1/{a={b}}", "a variable inside a variable at position 7"},
        InvalidCase{"/v1/{a=x/{b}}", "a variable inside a variable at position 9"},
        InvalidCase{"/v1/{{a}}", "a variable inside a variable at position 5"},
        InvalidCase{"/v1/{a{b}}", "a variable inside a variable at position 6"},
        InvalidCase{"/v1/{}", "empty field path at position 5"},
        InvalidCase{"/v1/{=*}", "empty field path at position 5"},
        InvalidCase{"/v1/{1a}", "expected a field name but found '1' at position 5"},
        InvalidCase{"/v1/{a.}", "expected a field name but found '}' at position 7"},
        InvalidCase{"/v1/{.a}", "expected a field name but found '.' at position 5"},
        InvalidCase{"/v1/{a..b}", "expected a field name but found '.' at position 7"},
        InvalidCase{"/v1/{a-b}", "unexpected '-' in a field path at position 6"},
        InvalidCase{"/v1/{a b}", "unexpected ' ' in a field path at position 6"},
        InvalidCase{"/v1/{a}/{a}", "field 'a' is bound twice at position 8"},
        InvalidCase{"/v1/{a.b}/x/{a.b=*}", "field 'a.b' is bound twice at position 12"},
        InvalidCase{"/v1/{a}/{a.b}", "field 'a.b' overlaps field 'a'"},
        InvalidCase{"/v1/{a.b}/{a}", "field 'a' overlaps field 'a.b'"},
        InvalidCase{"/**/**", "more than one '**' in a template at position 4"},
        InvalidCase{"/v1/{a=**}/{b=**}", "a variable after '**'"},
        InvalidCase{"/v1/**/{name}",
                    "a variable after '**' (only literals may follow it) at "
                    "position 7"},
        InvalidCase{"/v1/**/*", "'*' after '**' (only literals may follow it) at position 7"},
        InvalidCase{"/v1/{a=**}/*", "'*' after '**'"},
        InvalidCase{"/v1/{name=a/**/*}", "'*' after '**' (only literals may follow it)"},
        InvalidCase{"/v1/{name=a/**/x}/*", "'*' after '**' (only literals may follow it)"},
        InvalidCase{"/v1/{name=a/**/x}/{b}", "a variable after '**'"},
        InvalidCase{"/v1/a*", "'*' is not allowed in a path literal at position 5"},
        InvalidCase{"/v1/*a", "a wildcard must be a whole segment at position 4"},
        InvalidCase{"/v1/***", "a wildcard must be a whole segment at position 4"},
        InvalidCase{"/v1/**x", "a wildcard must be a whole segment at position 4"},
        InvalidCase{"/v1/users:", "empty verb at position 10"},
        InvalidCase{"/v1/{id}:", "empty verb at position 9"},
        InvalidCase{"/v1/users:do:", "empty part of a verb at position 13"},
        InvalidCase{"/v1/users:do::it", "empty part of a verb at position 13"},
        InvalidCase{"/v1/{id}::it", "empty verb at position 9"},
        InvalidCase{"/v1/users:do/it", "unexpected '/' after the verb at position 12"},
        InvalidCase{"/v1/users:d*", "'*' is not allowed in a verb at position 11"},
        InvalidCase{"/v1/a=b", "'=' is not allowed in a path literal at position 5"},
        InvalidCase{"/v1/a b", "' ' is not allowed in a path literal at position 5"},
        InvalidCase{"/v1/a?b", "'?' is not allowed in a path literal at position 5"},
        InvalidCase{"/v1/a#b", "'#' is not allowed in a path literal at position 5"},
        InvalidCase{std::string("/v1/a\x01"), "byte 0x01 is not allowed in a path literal"},
        InvalidCase{std::string("/v1/a\0b", 7), "byte 0x00 is not allowed in a path literal"},
        InvalidCase{"/v1/a%2", "malformed percent escape in a path literal at position 5"},
        InvalidCase{"/v1/a%zz", "malformed percent escape in a path literal at position 5"},
        InvalidCase{"/v1/{name=a:b}", "expected '}' but found ':' at position 11"},
        InvalidCase{"/v1/{name}x", "unexpected 'x' at position 10"}));

}  // namespace
}  // namespace cppgateway
