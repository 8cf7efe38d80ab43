#include "cppgateway/percent_encoding.h"

#include <gtest/gtest.h>

#include <string>

namespace cppgateway {
namespace {

// The decoding of `in`, or "<malformed>" when it is rejected.
std::string Decode(std::string_view in, PercentDecodeMode mode) {
  std::string out = "junk from before";
  if (!PercentDecode(in, mode, &out)) return "<malformed>";
  return out;
}

TEST(PercentDecodeTest, PlainTextIsUnchanged) {
  for (PercentDecodeMode mode : {PercentDecodeMode::kAll, PercentDecodeMode::kAllButSlash,
                                 PercentDecodeMode::kQueryComponent}) {
    EXPECT_EQ(Decode("", mode), "");
    EXPECT_EQ(Decode("abc-._~!$&'()*,;=:@", mode), "abc-._~!$&'()*,;=:@");
  }
}

TEST(PercentDecodeTest, AllDecodesEveryEscape) {
  EXPECT_EQ(Decode("a%20b", PercentDecodeMode::kAll), "a b");
  EXPECT_EQ(Decode("a%2Fb%2fc", PercentDecodeMode::kAll), "a/b/c");
  EXPECT_EQ(Decode("%41%62%3a%3A", PercentDecodeMode::kAll), "Ab::");
  EXPECT_EQ(Decode("%25", PercentDecodeMode::kAll), "%");
  EXPECT_EQ(Decode("%2525", PercentDecodeMode::kAll), "%25");  // decoded once only
  EXPECT_EQ(Decode("%C3%A9", PercentDecodeMode::kAll), "\xC3\xA9");
  EXPECT_EQ(Decode("%00", PercentDecodeMode::kAll), std::string(1, '\0'));
  EXPECT_EQ(Decode("%ff", PercentDecodeMode::kAll), "\xFF");
}

TEST(PercentDecodeTest, AllKeepsPlus) {
  EXPECT_EQ(Decode("a+b", PercentDecodeMode::kAll), "a+b");
  EXPECT_EQ(Decode("a+b", PercentDecodeMode::kAllButSlash), "a+b");
}

TEST(PercentDecodeTest, AllButSlashKeepsEncodedSlashAsWritten) {
  EXPECT_EQ(Decode("a%2Fb", PercentDecodeMode::kAllButSlash), "a%2Fb");
  EXPECT_EQ(Decode("a%2fb", PercentDecodeMode::kAllButSlash), "a%2fb");
  EXPECT_EQ(Decode("a/b%20c%2F", PercentDecodeMode::kAllButSlash), "a/b c%2F");
  EXPECT_EQ(Decode("%252F", PercentDecodeMode::kAllButSlash), "%2F");  // an escaped '%', then "2F"
}

TEST(PercentDecodeTest, QueryComponentTurnsPlusIntoSpace) {
  EXPECT_EQ(Decode("a+b", PercentDecodeMode::kQueryComponent), "a b");
  EXPECT_EQ(Decode("a%2Bb", PercentDecodeMode::kQueryComponent), "a+b");
  EXPECT_EQ(Decode("x%2Fy+z%20", PercentDecodeMode::kQueryComponent), "x/y z ");
  EXPECT_EQ(Decode("++", PercentDecodeMode::kQueryComponent), "  ");
}

TEST(PercentDecodeTest, MalformedEscapesAreRejectedInEveryMode) {
  for (PercentDecodeMode mode : {PercentDecodeMode::kAll, PercentDecodeMode::kAllButSlash,
                                 PercentDecodeMode::kQueryComponent}) {
    for (const char* malformed :
         {"%", "%2", "%zz", "%2z", "%z2", "a%", "a%4", "ok%2Fthen%g0", "%%20", "% 20", "%-1"}) {
      EXPECT_EQ(Decode(malformed, mode), "<malformed>") << malformed;
    }
  }
}

TEST(PercentDecodeTest, WellFormedCheckAgreesWithDecode) {
  for (const char* text : {"", "abc", "%20", "a%2Fb", "%25%25", "%", "%2", "%zz", "a%2Fb%", "%%"}) {
    std::string out;
    EXPECT_EQ(IsWellFormedPercentEncoding(text), PercentDecode(text, PercentDecodeMode::kAll, &out))
        << text;
  }
}

}  // namespace
}  // namespace cppgateway
