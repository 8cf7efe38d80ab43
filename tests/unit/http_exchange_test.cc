#include "cppgateway/http_exchange.h"

#include <gtest/gtest.h>

namespace cppgateway {
namespace {

TEST(FindHeaderTest, MatchesNamesWhateverTheirCase) {
  const HttpHeaders headers = {{"Content-Type", "application/json"}, {"x-id", "7"}};
  ASSERT_NE(FindHeader(headers, "content-type"), nullptr);
  EXPECT_EQ(*FindHeader(headers, "content-type"), "application/json");
  ASSERT_NE(FindHeader(headers, "X-ID"), nullptr);
  EXPECT_EQ(*FindHeader(headers, "X-ID"), "7");
}

TEST(FindHeaderTest, GivesTheFirstOfRepeatedNames) {
  const HttpHeaders headers = {{"Accept", "a"}, {"ACCEPT", "b"}};
  ASSERT_NE(FindHeader(headers, "accept"), nullptr);
  EXPECT_EQ(*FindHeader(headers, "accept"), "a");
}

TEST(FindHeaderTest, MissingNamesAndPrefixesAreNotFound) {
  const HttpHeaders headers = {{"Content-Type", "text/plain"}, {"", "empty name"}};
  EXPECT_EQ(FindHeader(headers, "Content"), nullptr);
  EXPECT_EQ(FindHeader(headers, "Content-Type-X"), nullptr);
  EXPECT_EQ(FindHeader(HttpHeaders{}, "Content-Type"), nullptr);
}

TEST(FindHeaderTest, TheHeadFindsItsOwnHeaders) {
  HttpRequestHead head;
  head.headers = {{"Authorization", "Bearer t"}};
  ASSERT_NE(head.FindHeader("authorization"), nullptr);
  EXPECT_EQ(*head.FindHeader("authorization"), "Bearer t");
  EXPECT_EQ(head.FindHeader("Host"), nullptr);
}

}  // namespace
}  // namespace cppgateway
