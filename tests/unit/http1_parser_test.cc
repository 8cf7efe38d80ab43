#include "transport/http1_parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace cppgateway {
namespace {

using namespace std::string_literals;
using Result = Http1Parser::Result;
using Limits = Http1Parser::Limits;

// Small limits, so that the tests reach them with short requests.
Limits SmallLimits() {
  Limits limits;
  limits.max_target_bytes = 32;
  limits.max_header_bytes = 200;
  limits.max_header_count = 3;
  return limits;
}

// What a parser reported for a stream of bytes, one string per event: "head <method> <target>",
// "body <bytes>" (consecutive pieces joined, so that where the bytes were split does not show),
// "done", "error <status> <message>", and "need more" when the bytes end inside a request.
struct Fed {
  std::vector<std::string> events;
  std::vector<HttpRequestHead> heads;
};

// Feeds `wire` to a parser as a connection would: `sizes` says how many bytes arrive each time
// (cycled; empty: all at once), and the bytes not consumed stay in front of what arrives next.
// Checks on the way what every call must satisfy.
Fed Feed(std::string_view wire, const std::vector<std::size_t>& sizes, Limits limits = {}) {
  Fed fed;
  Http1Parser parser(limits);
  std::string pending;
  std::size_t given = 0;
  std::size_t next_size = 0;
  std::string body_run;
  auto end_body_run = [&] {
    if (!body_run.empty()) fed.events.push_back("body " + body_run);
    body_run.clear();
  };
  auto arrive = [&] {
    std::size_t size = sizes.empty() ? wire.size() : sizes[next_size++ % sizes.size()];
    size = std::min(std::max<std::size_t>(size, 1), wire.size() - given);
    pending.append(wire.substr(given, size));
    given += size;
  };
  // Every call consumes bytes or reports an event: more calls than this means a loop.
  for (std::size_t calls = 0; calls < 4 * wire.size() + 100; ++calls) {
    std::size_t consumed = 12345;
    std::string_view body = "junk";
    Result result = parser.Parse(pending, &consumed, &body);
    EXPECT_LE(consumed, pending.size());
    consumed = std::min(consumed, pending.size());
    if (result != Result::kBody) {
      EXPECT_TRUE(body.empty());
    }
    switch (result) {
      case Result::kNeedMore: {
        pending.erase(0, consumed);
        // kNeedMore means that nothing more can be done with these bytes.
        std::size_t again = 0;
        std::string_view no_body;
        EXPECT_EQ(parser.Parse(pending, &again, &no_body), Result::kNeedMore);
        EXPECT_EQ(again, 0u);
        if (given == wire.size()) {  // nothing more arrives
          end_body_run();
          if (parser.InRequest() || !pending.empty()) fed.events.push_back("need more");
          return fed;
        }
        arrive();
        continue;
      }
      case Result::kHead:
        EXPECT_FALSE(parser.head().method.empty());
        EXPECT_FALSE(parser.head().path.empty());
        fed.events.push_back("head " + parser.head().method + " " + parser.head().target);
        fed.heads.push_back(parser.TakeHead());
        break;
      case Result::kBody:
        EXPECT_FALSE(body.empty()) << "an empty body piece";
        // A view into the input, not a copy.
        EXPECT_TRUE(body.data() >= pending.data() &&
                    body.data() + body.size() <= pending.data() + pending.size());
        body_run.append(body);
        break;
      case Result::kDone:
        end_body_run();
        fed.events.push_back("done");
        EXPECT_FALSE(parser.InRequest());
        parser.Reset();
        break;
      case Result::kError:
        end_body_run();
        fed.events.push_back("error " + std::to_string(parser.error_status()) + " " +
                             parser.error_message());
        return fed;
    }
    pending.erase(0, consumed);
  }
  ADD_FAILURE() << "the parser does not get anywhere";
  return fed;
}

std::vector<std::string> Whole(std::string_view wire, Limits limits = {}) {
  return Feed(wire, {}, limits).events;
}

std::vector<std::string> OneByteAtATime(std::string_view wire, Limits limits = {}) {
  return Feed(wire, {1}, limits).events;
}

// The head of a request that must parse, fed whole (and one byte at a time, with the same result).
HttpRequestHead HeadOf(std::string_view wire) {
  Fed fed = Feed(wire, {});
  EXPECT_EQ(OneByteAtATime(wire), fed.events) << wire;
  if (fed.heads.empty()) {
    ADD_FAILURE() << "no head in " << wire;
    return {};
  }
  return fed.heads.front();
}

// ---------------------------------------------------------------------------------------------
// The suite: requests and the events they must give. Each is also fed one byte at a time.

struct Case {
  std::string name;
  std::string wire;
  std::vector<std::string> events;
  Limits limits = {};
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::string Repeat(char c, std::size_t n) { return std::string(n, c); }

// A GET with `fields` (each "Name: value\r\n") as its header fields.
std::string Get(const std::string& target, const std::string& fields = "") {
  return "GET " + target + " HTTP/1.1\r\n" + fields + "\r\n";
}

std::vector<Case> Suite() {
  const std::string long_target = "/" + Repeat('a', 8191);  // 8192 bytes: the default limit
  const std::string huge_target = "/" + Repeat('a', 100000);
  std::vector<Case> cases = {
      // Methods: any token, compared as received.
      {"Get", Get("/v1/x"), {"head GET /v1/x", "done"}},
      {"Purge", "PURGE /v1/x HTTP/1.1\r\n\r\n", {"head PURGE /v1/x", "done"}},
      {"UnknownTokenMethod", "FOO /v1/x HTTP/1.1\r\n\r\n", {"head FOO /v1/x", "done"}},
      {"MSearch", "M-SEARCH /x HTTP/1.1\r\n\r\n", {"head M-SEARCH /x", "done"}},
      {"MethodWithNonTokenCharacter",
       "GE(T / HTTP/1.1\r\n\r\n",
       {"error 400 malformed method (a token expected)"}},
      {"MethodWithSlash",
       "GET/ / HTTP/1.1\r\n\r\n",
       {"error 400 malformed method (a token expected)"}},
      {"EmptyMethod", " / HTTP/1.1\r\n\r\n", {"error 400 malformed method (a token expected)"}},

      // Targets.
      {"OriginFormWithQuery", Get("/v1/x?y=1&z=%2F"), {"head GET /v1/x?y=1&z=%2F", "done"}},
      {"AbsoluteForm",
       Get("http://host:8080/v1/x?y=1"),
       {"head GET http://host:8080/v1/x?y=1", "done"}},
      {"AbsoluteFormHttpsUpperCase", Get("HTTPS://Host/v1"), {"head GET HTTPS://Host/v1", "done"}},
      {"AbsoluteFormWithoutPath", Get("http://host"), {"head GET http://host", "done"}},
      {"AbsoluteFormWithoutHost",
       Get("http:///v1"),
       {"error 400 request target must be /path or http://host/path"}},
      {"OtherScheme",
       Get("ftp://host/v1"),
       {"error 400 request target must be /path or http://host/path"}},
      {"RelativeTarget",
       Get("v1/x"),
       {"error 400 request target must be /path or http://host/path"}},
      {"AuthorityForm",
       "CONNECT host:443 HTTP/1.1\r\n\r\n",
       {"error 400 request target must be /path or http://host/path"}},
      {"AsteriskForOptions", "OPTIONS * HTTP/1.1\r\n\r\n", {"head OPTIONS *", "done"}},
      {"AsteriskForGet", Get("*"), {"error 400 request target * is for OPTIONS only"}},
      {"TwoSpacesBeforeTarget", "GET  /x HTTP/1.1\r\n\r\n", {"error 400 malformed request target"}},
      {"NulInTarget", "GET /a\0b HTTP/1.1\r\n\r\n"s, {"error 400 malformed request target"}},

      // Versions.
      {"Http10", "GET /x HTTP/1.0\r\n\r\n", {"head GET /x", "done"}},
      {"Http20",
       "GET /x HTTP/2.0\r\n\r\n",
       {"error 400 malformed or unsupported HTTP version (HTTP/1.0 and HTTP/1.1 only)"}},
      {"Http12",
       "GET /x HTTP/1.2\r\n\r\n",
       {"error 400 malformed or unsupported HTTP version (HTTP/1.0 and HTTP/1.1 only)"}},
      {"Http09",
       "GET /x HTTP/0.9\r\n\r\n",
       {"error 400 malformed or unsupported HTTP version (HTTP/1.0 and HTTP/1.1 only)"}},
      {"LowerCaseVersion",
       "GET /x http/1.1\r\n\r\n",
       {"error 400 malformed or unsupported HTTP version (HTTP/1.0 and HTTP/1.1 only)"}},
      {"NoVersion", "GET /x\r\n\r\n", {"error 400 malformed request target"}},

      // Framing.
      {"ContentLength",
       "POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
       {"head POST /x", "body hello", "done"}},
      {"ContentLengthZero",
       "POST /x HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
       {"head POST /x", "done"}},
      {"ContentLengthWithLeadingZeros",
       "POST /x HTTP/1.1\r\nContent-Length: 005\r\n\r\nhello",
       {"head POST /x", "body hello", "done"}},
      {"Chunked",
       "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
       "5\r\nhello\r\n6;name=value;q=\"a b\"\r\n world\r\n0\r\n\r\n",
       {"head POST /x", "body hello world", "done"}},
      {"ChunkedUpperCaseAndHexSizes",
       "POST /x HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n"
       "A\r\n0123456789\r\n00010\r\nabcdefghijklmnop\r\n000\r\n\r\n",
       {"head POST /x", "body 0123456789abcdefghijklmnop", "done"}},
      {"ChunkedEmpty",
       "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
       {"head POST /x", "done"}},
      {"ChunkedWithTrailers",
       "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
       "3\r\nabc\r\n0\r\nX-Checksum: 123\r\nX-Other: y\r\n\r\n",
       {"head POST /x", "body abc", "done"}},
      {"ChunkedEmptyWithTrailer",
       "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-Checksum: 1\r\n\r\n",
       {"head POST /x", "done"}},
      {"DuplicateContentLengthSameValue",
       "POST /x HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
       {"error 400 duplicate Content-Length"}},
      {"DuplicateContentLengthOtherValue",
       "POST /x HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
       {"error 400 duplicate Content-Length"}},
      {"ContentLengthList",
       "POST /x HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\nhello",
       {"error 400 invalid Content-Length (one number expected)"}},
      {"ContentLengthNotANumber",
       "POST /x HTTP/1.1\r\nContent-Length: five\r\n\r\nhello",
       {"error 400 invalid Content-Length, or Content-Length with Transfer-Encoding"}},
      {"ContentLengthWithSign",
       "POST /x HTTP/1.1\r\nContent-Length: +5\r\n\r\nhello",
       {"error 400 invalid Content-Length, or Content-Length with Transfer-Encoding"}},
      {"ContentLengthNegative",
       "POST /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
       {"error 400 invalid Content-Length, or Content-Length with Transfer-Encoding"}},
      {"ContentLengthEmpty",
       "POST /x HTTP/1.1\r\nContent-Length: \r\n\r\n",
       {"error 400 invalid Content-Length, or Content-Length with Transfer-Encoding"}},
      {"ContentLengthOverflow",
       "POST /x HTTP/1.1\r\nContent-Length: 18446744073709551616\r\n\r\n",
       {"error 400 invalid Content-Length, or Content-Length with Transfer-Encoding"}},
      {"ContentLengthThenTransferEncoding",
       "POST /x HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
       {"error 400 Transfer-Encoding given twice, or with Content-Length"}},
      {"TransferEncodingThenContentLength",
       "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
       {"error 400 invalid Content-Length, or Content-Length with Transfer-Encoding"}},
      {"TransferEncodingTwice",
       "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
       {"error 400 Transfer-Encoding given twice, or with Content-Length"}},
      {"TransferEncodingNotChunked",
       "POST /x HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nhello",
       {"error 400 Transfer-Encoding whose final coding is not chunked"}},
      {"TransferEncodingChunkedNotLast",
       "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\nhello",
       {"error 400 Transfer-Encoding whose final coding is not chunked"}},
      {"TransferEncodingChunkedWithParameter",
       "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked;q=1\r\n\r\n0\r\n\r\n",
       {"error 400 Transfer-Encoding whose final coding is not chunked"}},
      {"TransferEncodingEmpty",
       "POST /x HTTP/1.1\r\nTransfer-Encoding: \r\n\r\n",
       {"error 400 Transfer-Encoding whose final coding is not chunked"}},
      {"TransferEncodingChunkedTwiceInOneField",
       "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
       {"error 400 Transfer-Encoding with chunked applied twice"}},
      {"TransferEncodingMalformed",
       "POST /x HTTP/1.1\r\nTransfer-Encoding: g(zip), chunked\r\n\r\n0\r\n\r\n",
       {"error 400 malformed Transfer-Encoding"}},
      {"TransferCodingBeforeChunked",
       "POST /x HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
       {"error 501 transfer coding not supported"}},
      {"TransferEncodingInHttp10",
       "POST /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
       {"error 400 Transfer-Encoding in an HTTP/1.0 request"}},
      {"TransferEncodingListWithEmptyElements",
       "POST /x HTTP/1.1\r\nTransfer-Encoding: , chunked ,\r\n\r\n1\r\nx\r\n0\r\n\r\n",
       {"head POST /x", "body x", "done"}},

      // No framing headers: no body, whatever the method.
      {"PostWithoutFraming",
       "POST /x HTTP/1.1\r\n\r\nGET /y HTTP/1.1\r\n\r\n",
       {"head POST /x", "done", "head GET /y", "done"}},
      {"GetWithBody",
       "GET /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /y HTTP/1.1\r\n\r\n",
       {"head GET /x", "body abc", "done", "head GET /y", "done"}},
      {"HeadWithChunkedBody",
       "HEAD /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
       "GET /y HTTP/1.1\r\n\r\n",
       {"head HEAD /x", "body abc", "done", "head GET /y", "done"}},
      {"OptionsWithBody",
       "OPTIONS * HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}",
       {"head OPTIONS *", "body {}", "done"}},

      // Limits.
      {"TargetAtLimit", Get(long_target), {"head GET " + long_target, "done"}},
      {"TargetOverLimit",
       Get(long_target + "b"),
       {"error 414 request target longer than 8192 bytes"}},
      {"TargetOverLimitInIncompleteLine",
       "GET " + long_target + "b",
       {"error 414 request target longer than 8192 bytes"}},
      {"HugeTargetIs414Not431",
       Get(huge_target),
       {"error 414 request target longer than 8192 bytes"}},
      {"HugeTargetWithoutLineEnd",
       "GET " + huge_target,
       {"error 414 request target longer than 8192 bytes"}},
      {"SmallTargetLimit",
       Get("/" + Repeat('t', 32)),
       {"error 414 request target longer than 32 bytes"},
       SmallLimits()},
      {"HeadAtLimit",
       // 17 + 181 + 2 = 200 bytes.
       Get("/x", "A: " + Repeat('v', 176) + "\r\n"),
       {"head GET /x", "done"},
       SmallLimits()},
      {"HeadOverLimit",
       Get("/x", "A: " + Repeat('v', 177) + "\r\n"),
       {"error 431 request head longer than 200 bytes"},
       SmallLimits()},
      {"HeadWithoutEndOverLimit",
       "GET /x HTTP/1.1\r\nA: b\r\n" + Repeat('c', 300),
       {"error 431 request head longer than 200 bytes"},
       SmallLimits()},
      {"HeaderCountAtLimit",
       Get("/x", "A: 1\r\nB: 2\r\nC: 3\r\n"),
       {"head GET /x", "done"},
       SmallLimits()},
      {"HeaderCountOverLimit",
       Get("/x", "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n"),
       {"error 431 more than 3 header fields"},
       SmallLimits()},
      {"ChunkLineOverLimit",
       "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;" + Repeat('e', 300) + "\r\n",
       {"head POST /x", "error 431 chunk size line or trailer section longer than 200 bytes"},
       SmallLimits()},
      {"TrailersOverLimit",
       "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: " + Repeat('t', 300),
       {"head POST /x", "error 431 chunk size line or trailer section longer than 200 bytes"},
       SmallLimits()},

      // Malformed.
      {"BareLineFeeds",
       "GET /x HTTP/1.1\nHost: a\n\n",
       {"error 400 malformed line ending (CRLF expected)"}},
      {"BareLineFeedInFields",
       Get("/x", "A: b\nC: d\r\n"),
       {"error 400 malformed line ending (CRLF expected)"}},
      {"BareLineFeedsWithoutEnd",
       "GET /x HTTP/1.1\nHost: a\n",
       {"error 400 malformed line ending (CRLF expected)"}},
      {"BareLineFeedEndingTheHead",
       Get("/x", "A: b\r\n\n"),
       {"error 400 malformed line ending (CRLF expected)"}},
      {"BodyMayHoldAnything",
       "POST /x HTTP/1.1\r\nContent-Length: 6\r\n\r\n\n\r\r\0\n\r"s,
       {"head POST /x", "body \n\r\r\0\n\r"s, "done"}},
      {"CarriageReturnWithoutLineFeed",
       Get("/x", "A: b\rC: d\r\n"),
       {"error 400 malformed line ending (CRLF expected)"}},
      {"ObsFold",
       Get("/x", "A: b\r\n c\r\n"),
       {"error 400 obsolete line folding in a header field"}},
      {"ObsFoldWithTab",
       Get("/x", "A: b\r\n\tc\r\n"),
       {"error 400 obsolete line folding in a header field"}},
      {"ObsFoldAfterEmptyValue",
       Get("/x", "A:\r\n c\r\n"),
       {"error 400 obsolete line folding in a header field"}},
      {"FieldWithoutColon", Get("/x", "A b\r\n"), {"error 400 malformed header field name"}},
      {"SpaceBeforeColon",
       Get("/x", "Content-Length : 5\r\n"),
       {"error 400 malformed header field name"}},
      {"EmptyFieldName", Get("/x", ": b\r\n"), {"error 400 malformed header field name"}},
      {"WhitespaceBeforeFirstField",
       Get("/x", " A: b\r\n"),
       {"error 400 malformed header field name"}},
      {"NulInFieldValue", Get("/x", "A: b\0c\r\n"s), {"error 400 malformed header field value"}},
      {"NulInFieldName", Get("/x", "A\0: b\r\n"s), {"error 400 malformed header field name"}},
      {"BadChunkSize",
       "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
       {"head POST /x", "error 400 malformed chunk (size line or the CRLF after its data)"}},
      {"ChunkSizeOverflow",
       "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n",
       {"head POST /x", "error 400 malformed chunk (size line or the CRLF after its data)"}},
      {"ChunkWithoutCrlfAfterData",
       "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n",
       {"head POST /x", "body abc",
        "error 400 malformed chunk (size line or the CRLF after its data)"}},
      {"ChunkSizeWithBareLineFeed",
       "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n",
       {"head POST /x", "error 400 malformed chunk extension"}},
      {"LineFeedInChunkExtension",
       "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;a=\"x\ny\"\r\nX\r\n0\r\n\r\n",
       {"head POST /x", "error 400 control character in a chunk extension"}},
      {"MalformedTrailer",
       "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA b\r\n\r\n",
       {"head POST /x", "error 400 malformed header field name"}},

      // Pipelining and what is between requests.
      {"Pipelined",
       Get("/a") + "POST /b HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi" +
           "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nyo\r\n0\r\n\r\n" + Get("/d"),
       {"head GET /a", "done", "head POST /b", "body hi", "done", "head POST /c", "body yo", "done",
        "head GET /d", "done"}},
      {"EmptyLinesBetweenRequests",
       "\r\n" + Get("/a") + "\r\n\r\n" + Get("/b"),
       {"head GET /a", "done", "head GET /b", "done"}},
      {"IncompleteHead", "GET /x HTTP/1.1\r\nHost: a\r\n", {"need more"}},
      {"IncompleteBody",
       "POST /x HTTP/1.1\r\nContent-Length: 10\r\n\r\nhello",
       {"head POST /x", "body hello", "need more"}},
      {"IncompleteChunkedBody",
       "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n",
       {"head POST /x", "body hello", "need more"}},
      {"NextRequestIncomplete", Get("/a") + "GET /b HT", {"head GET /a", "done", "need more"}},
      {"LoneCarriageReturnAfterRequest", Get("/a") + "\r", {"head GET /a", "done", "need more"}},
  };
  return cases;
}

class Http1ParserSuiteTest : public testing::TestWithParam<Case> {};

TEST_P(Http1ParserSuiteTest, GivesTheExpectedEventsFedWhole) {
  EXPECT_EQ(Whole(GetParam().wire, GetParam().limits), GetParam().events);
}

TEST_P(Http1ParserSuiteTest, GivesTheSameEventsFedOneByteAtATime) {
  EXPECT_EQ(OneByteAtATime(GetParam().wire, GetParam().limits), GetParam().events);
}

INSTANTIATE_TEST_SUITE_P(Requests, Http1ParserSuiteTest, testing::ValuesIn(Suite()),
                         [](const testing::TestParamInfo<Case>& info) { return info.param.name; });

// ---------------------------------------------------------------------------------------------
// The head's fields.

TEST(Http1ParserTest, HeadKeepsWhatWasReceived) {
  HttpRequestHead head = HeadOf(
      "PATCH /v1/users/a%2Fb?x=1&y=%20 HTTP/1.1\r\nHost: example.com\r\n"
      "x-lower: a\r\nX-UPPER:   b  \r\nx-lower: c\r\nEmpty:\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(head.method, "PATCH");
  EXPECT_EQ(head.target, "/v1/users/a%2Fb?x=1&y=%20");
  EXPECT_EQ(head.path, "/v1/users/a%2Fb");
  EXPECT_EQ(head.query, "x=1&y=%20");
  EXPECT_EQ(head.version, 11);
  // In order, names as received, values without the whitespace around them.
  const HttpHeaders expected = {{"Host", "example.com"}, {"x-lower", "a"}, {"X-UPPER", "b"},
                                {"x-lower", "c"},        {"Empty", ""},    {"Content-Length", "0"}};
  EXPECT_EQ(head.headers, expected);
  EXPECT_EQ(head.content_length, 0u);
  EXPECT_FALSE(head.chunked);
  EXPECT_FALSE(head.has_body());
  ASSERT_NE(head.FindHeader("X-LOWER"), nullptr);
  EXPECT_EQ(*head.FindHeader("X-LOWER"), "a");
}

TEST(Http1ParserTest, PathAndQuerySplitAtTheFirstQuestionMark) {
  HttpRequestHead head = HeadOf(Get("/a?b?c=d"));
  EXPECT_EQ(head.path, "/a");
  EXPECT_EQ(head.query, "b?c=d");
  head = HeadOf(Get("/a?"));
  EXPECT_EQ(head.path, "/a");
  EXPECT_EQ(head.query, "");
  head = HeadOf(Get("/"));
  EXPECT_EQ(head.path, "/");
  EXPECT_EQ(head.query, "");
}

TEST(Http1ParserTest, AbsoluteFormGivesPathAndQuery) {
  struct Expected {
    std::string target, path, query;
  };
  for (const Expected& e : std::vector<Expected>{
           {"http://host:8080/v1/x?y=1", "/v1/x", "y=1"},
           {"HTTP://host/v1/x", "/v1/x", ""},
           {"https://host/", "/", ""},
           {"hTTpS://user@host:1/a/b?c", "/a/b", "c"},
           {"http://host", "/", ""},
           {"http://host?y=1", "/", "y=1"},
       }) {
    HttpRequestHead head = HeadOf(Get(e.target));
    EXPECT_EQ(head.target, e.target);
    EXPECT_EQ(head.path, e.path) << e.target;
    EXPECT_EQ(head.query, e.query) << e.target;
  }
}

TEST(Http1ParserTest, AsteriskFormIsThePath) {
  HttpRequestHead head = HeadOf("OPTIONS * HTTP/1.1\r\n\r\n");
  EXPECT_EQ(head.target, "*");
  EXPECT_EQ(head.path, "*");
}

TEST(Http1ParserTest, WantsCloseFollowsConnectionByVersion) {
  EXPECT_FALSE(HeadOf(Get("/")).wants_close);
  EXPECT_TRUE(HeadOf(Get("/", "Connection: close\r\n")).wants_close);
  EXPECT_TRUE(HeadOf(Get("/", "connection: Keep-Alive, CLOSE\r\n")).wants_close);
  EXPECT_FALSE(HeadOf(Get("/", "Connection: keep-alive\r\n")).wants_close);
  EXPECT_TRUE(HeadOf("GET / HTTP/1.0\r\n\r\n").wants_close);
  EXPECT_TRUE(HeadOf("GET / HTTP/1.0\r\nConnection: something\r\n\r\n").wants_close);
  EXPECT_FALSE(HeadOf("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").wants_close);
  EXPECT_FALSE(HeadOf("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").wants_close);
  EXPECT_EQ(HeadOf("GET / HTTP/1.0\r\n\r\n").version, 10);
}

TEST(Http1ParserTest, ExpectsContinueOnHttp11Only) {
  const std::string post = "POST /x HTTP/1.1\r\nContent-Length: 3\r\n";
  EXPECT_TRUE(HeadOf(post + "Expect: 100-continue\r\n\r\nabc").expects_continue);
  EXPECT_TRUE(HeadOf(post + "expect: 100-Continue\r\n\r\nabc").expects_continue);
  EXPECT_FALSE(HeadOf(post + "\r\nabc").expects_continue);
  EXPECT_FALSE(HeadOf(post + "Expect: something-else\r\n\r\nabc").expects_continue);
  EXPECT_FALSE(HeadOf("POST /x HTTP/1.0\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabc")
                   .expects_continue);
}

TEST(Http1ParserTest, FramingIsInTheHead) {
  HttpRequestHead head = HeadOf("POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_EQ(head.content_length, 5u);
  EXPECT_FALSE(head.chunked);
  EXPECT_TRUE(head.has_body());

  head = HeadOf("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  EXPECT_EQ(head.content_length, std::nullopt);
  EXPECT_TRUE(head.chunked);
  EXPECT_TRUE(head.has_body());

  head = HeadOf("DELETE /x HTTP/1.1\r\n\r\n");
  EXPECT_EQ(head.content_length, std::nullopt);
  EXPECT_FALSE(head.chunked);
  EXPECT_FALSE(head.has_body());
}

TEST(Http1ParserTest, TrailersAreNotHeaders) {
  HttpRequestHead head = HeadOf(
      "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nX-Trailer: t\r\n\r\n");
  const HttpHeaders expected = {{"Transfer-Encoding", "chunked"}};
  EXPECT_EQ(head.headers, expected);
}

// ---------------------------------------------------------------------------------------------
// The calls, one by one.

TEST(Http1ParserTest, RequestWithoutBodyGoesHeadThenDone) {
  Http1Parser parser(Limits{});
  const std::string wire = Get("/a") + Get("/b");
  std::size_t consumed = 0;
  std::string_view body;
  ASSERT_EQ(parser.Parse(wire, &consumed, &body), Result::kHead);
  EXPECT_EQ(consumed, Get("/a").size());  // not a byte of the next request
  EXPECT_TRUE(parser.InRequest());
  std::string_view rest = std::string_view(wire).substr(consumed);
  EXPECT_EQ(parser.Parse(rest, &consumed, &body), Result::kDone);
  EXPECT_EQ(consumed, 0u);
  EXPECT_FALSE(parser.InRequest());
  // Until Reset, nothing more is parsed.
  EXPECT_EQ(parser.Parse(rest, &consumed, &body), Result::kDone);
  EXPECT_EQ(consumed, 0u);

  parser.Reset();
  EXPECT_EQ(parser.Parse(rest, &consumed, &body), Result::kHead);
  EXPECT_EQ(parser.head().path, "/b");
  EXPECT_EQ(consumed, rest.size());
}

TEST(Http1ParserTest, LastBodyPieceThenDoneAndTheNextRequestIsLeft) {
  Http1Parser parser(Limits{});
  const std::string first = "POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\n";
  const std::string wire = first + "hello" + Get("/b");
  std::size_t consumed = 0;
  std::string_view body;
  ASSERT_EQ(parser.Parse(wire, &consumed, &body), Result::kHead);
  EXPECT_EQ(consumed, first.size());  // the body is not consumed with the head
  std::string_view rest = std::string_view(wire).substr(consumed);
  ASSERT_EQ(parser.Parse(rest, &consumed, &body), Result::kBody);
  EXPECT_EQ(body, "hello");
  EXPECT_EQ(body.data(), rest.data());
  EXPECT_EQ(consumed, 5u);
  rest.remove_prefix(consumed);
  EXPECT_EQ(parser.Parse(rest, &consumed, &body), Result::kDone);
  EXPECT_EQ(consumed, 0u);
  EXPECT_EQ(rest, Get("/b"));
}

TEST(Http1ParserTest, ChunkedEndConsumesTrailersButNotTheNextRequest) {
  Http1Parser parser(Limits{});
  const std::string ending = "0\r\nA: b\r\n\r\n";
  std::size_t consumed = 0;
  std::string_view body;
  ASSERT_EQ(
      parser.Parse("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", &consumed, &body),
      Result::kHead);
  const std::string rest = ending + Get("/b");
  EXPECT_EQ(parser.Parse(rest, &consumed, &body), Result::kDone);
  EXPECT_EQ(consumed, ending.size());
}

TEST(Http1ParserTest, HeadBytesStayWithTheCallerUntilTheHeadIsComplete) {
  // Beast parses the head once its end is there: until then the caller keeps the bytes.
  Http1Parser parser(Limits{});
  std::size_t consumed = 99;
  std::string_view body;
  const std::string partial = "GET /x HTTP/1.1\r\nHost: a";
  EXPECT_EQ(parser.Parse(partial, &consumed, &body), Result::kNeedMore);
  EXPECT_LE(consumed, partial.size());
  EXPECT_TRUE(parser.InRequest());
}

TEST(Http1ParserTest, InRequestFromTheFirstByteToDone) {
  Http1Parser parser(Limits{});
  std::size_t consumed = 0;
  std::string_view body;
  EXPECT_FALSE(parser.InRequest());
  EXPECT_EQ(parser.Parse("", &consumed, &body), Result::kNeedMore);
  EXPECT_FALSE(parser.InRequest());
  EXPECT_EQ(parser.Parse("\r\n\r\n", &consumed, &body), Result::kNeedMore);
  EXPECT_EQ(consumed, 4u);  // empty lines before a request
  EXPECT_FALSE(parser.InRequest());
  EXPECT_EQ(parser.Parse("G", &consumed, &body), Result::kNeedMore);
  EXPECT_TRUE(parser.InRequest());
}

TEST(Http1ParserTest, ErrorStaysUntilReset) {
  Http1Parser parser(Limits{});
  std::size_t consumed = 0;
  std::string_view body;
  ASSERT_EQ(parser.Parse("GET / HTTP/3.0\r\n\r\n", &consumed, &body), Result::kError);
  EXPECT_EQ(parser.error_status(), 400);
  EXPECT_EQ(parser.Parse(Get("/"), &consumed, &body), Result::kError);
  EXPECT_EQ(consumed, 0u);
  parser.Reset();
  EXPECT_EQ(parser.error_status(), 0);
  EXPECT_TRUE(parser.error_message().empty());
  EXPECT_EQ(parser.Parse(Get("/"), &consumed, &body), Result::kHead);
}

TEST(Http1ParserTest, TakeHeadMovesTheHeadOut) {
  Http1Parser parser(Limits{});
  std::size_t consumed = 0;
  std::string_view body;
  ASSERT_EQ(parser.Parse("POST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", &consumed, &body),
            Result::kHead);
  HttpRequestHead head = parser.TakeHead();
  EXPECT_EQ(head.path, "/x");
  EXPECT_EQ(head.content_length, 3u);
  // The body goes on without the head.
  EXPECT_EQ(parser.Parse("abc", &consumed, &body), Result::kBody);
  EXPECT_EQ(body, "abc");
}

// A streamed upload: 10 MiB in chunks of many sizes, read 16 KiB at a time. The parser hands out
// views of the bytes as they arrive: the caller never keeps more than a read and a partial chunk
// size line, and every byte of the body arrives once and in order.
TEST(Http1ParserTest, TenMegabyteChunkedBodyIsNotBuffered) {
  constexpr std::size_t kBodyBytes = 10 * 1024 * 1024;
  constexpr std::size_t kReadBytes = 16 * 1024;
  auto body_byte = [](std::size_t i) { return static_cast<char>('a' + i % 26); };

  // The bytes a client sends, produced as they are read.
  std::string outgoing = "POST /upload HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::size_t produced = 0;
  std::size_t chunk_index = 0;
  bool ended = false;
  auto read = [&](std::string* into) {
    while (outgoing.size() < kReadBytes && !ended) {
      if (produced == kBodyBytes) {
        outgoing += "0\r\nX-Sum: 1\r\n\r\n";
        ended = true;
        break;
      }
      std::size_t size =
          std::min<std::size_t>(1 + (chunk_index++ * 7919) % 70000, kBodyBytes - produced);
      char size_line[32];
      std::snprintf(size_line, sizeof(size_line), "%zx\r\n", size);
      outgoing += size_line;
      for (std::size_t i = 0; i < size; ++i) outgoing += body_byte(produced + i);
      outgoing += "\r\n";
      produced += size;
    }
    std::size_t size = std::min(kReadBytes, outgoing.size());
    into->append(outgoing, 0, size);
    outgoing.erase(0, size);
  };

  Http1Parser parser(Limits{});
  std::string pending;
  std::size_t received = 0;
  std::size_t largest_pending = 0;
  std::size_t pieces = 0;
  bool body_in_order = true;
  for (;;) {
    std::size_t consumed = 0;
    std::string_view body;
    Result result = parser.Parse(pending, &consumed, &body);
    ASSERT_NE(result, Result::kError) << parser.error_message();
    if (result == Result::kDone) break;
    if (result == Result::kBody) {
      ++pieces;
      ASSERT_TRUE(body.data() >= pending.data() &&
                  body.data() + body.size() <= pending.data() + pending.size());
      for (std::size_t i = 0; i < body.size() && body_in_order; ++i) {
        body_in_order = body[i] == body_byte(received + i);
      }
      received += body.size();
    }
    pending.erase(0, consumed);
    if (result == Result::kNeedMore) {
      ASSERT_FALSE(ended && outgoing.empty()) << "the parser waits for bytes that never come";
      read(&pending);
      largest_pending = std::max(largest_pending, pending.size());
    }
  }
  EXPECT_EQ(received, kBodyBytes);
  EXPECT_TRUE(body_in_order);
  EXPECT_GT(pieces, kBodyBytes / kReadBytes);
  EXPECT_LE(largest_pending, kReadBytes + 32);
}

// ---------------------------------------------------------------------------------------------
// Random splits and garbage.

// Random sizes for the bytes that arrive, small ones often.
std::vector<std::size_t> RandomSizes(std::mt19937& random) {
  std::vector<std::size_t> sizes(1 + random() % 8);
  for (std::size_t& size : sizes) size = random() % 4 == 0 ? 1 + random() % 200 : 1 + random() % 5;
  return sizes;
}

TEST(Http1ParserFuzzTest, EveryRandomSplitGivesTheSameEvents) {
  std::mt19937 random(20261129);
  for (const Case& c : Suite()) {
    for (int i = 0; i < 20; ++i) {
      std::vector<std::size_t> sizes = RandomSizes(random);
      EXPECT_EQ(Feed(c.wire, sizes, c.limits).events, c.events) << c.name;
    }
  }
}

// The events make sense: requests one after another, each a head, body pieces and done; at most
// one error, last, with a status the parser gives.
void ExpectWellFormed(const std::vector<std::string>& events, const std::string& wire) {
  bool in_request = false;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const std::string& event = events[i];
    bool last = i + 1 == events.size();
    if (event.rfind("head ", 0) == 0) {
      EXPECT_FALSE(in_request) << wire;
      in_request = true;
    } else if (event.rfind("body ", 0) == 0) {
      EXPECT_TRUE(in_request) << wire;
    } else if (event == "done") {
      EXPECT_TRUE(in_request) << wire;
      in_request = false;
    } else if (event == "need more") {
      EXPECT_TRUE(last) << wire;
    } else if (event.rfind("error ", 0) == 0) {
      EXPECT_TRUE(last) << wire;
      const std::string status = event.substr(6, 3);
      EXPECT_TRUE(status == "400" || status == "414" || status == "431" || status == "501")
          << event;
      EXPECT_GT(event.size(), 10u) << "an error without a message";
    } else {
      ADD_FAILURE() << "unknown event " << event;
    }
  }
}

// Suite requests with random bytes changed, inserted, deleted or repeated, and random bytes
// alone, fed in random pieces: nothing crashes (the ASan+UBSan build runs this too), the events
// are well-formed, and how the bytes arrive changes no request that parses.
TEST(Http1ParserFuzzTest, GarbageGivesAnErrorOrWellFormedEvents) {
  const std::vector<Case> suite = Suite();
  // Bytes that mean something to the grammar, half of the time.
  const std::string interesting = "\r\n\r\n :;,\t\"0aF-/?*\0\x7f\x80\xff"s;
  std::mt19937 random(7);
  auto random_byte = [&] {
    return random() % 2 == 0 ? interesting[random() % interesting.size()]
                             : static_cast<char>(random() % 256);
  };
  int errors = 0;
  int parsed = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string wire;
    Limits limits;
    if (i % 10 == 0) {
      for (std::size_t n = random() % 300; n > 0; --n) wire += random_byte();
    } else {
      const Case& c = suite[random() % suite.size()];
      if (c.wire.size() > 2000) continue;
      wire = c.wire;
      limits = random() % 2 == 0 ? c.limits : SmallLimits();
      for (int edits = 1 + (random() % 4 == 0 ? random() % 4 : 0); edits > 0 && !wire.empty();
           --edits) {
        std::size_t at = random() % wire.size();
        switch (random() % 4) {
          case 0:
            wire[at] = random_byte();
            break;
          case 1:
            wire.insert(wire.begin() + at, random_byte());
            break;
          case 2:
            wire.erase(at, 1 + random() % 4);
            break;
          default:
            wire.insert(at, wire.substr(at, random() % 40));
            break;
        }
      }
    }
    const std::vector<std::string> whole = Whole(wire, limits);
    ExpectWellFormed(whole, wire);
    const std::vector<std::string> split = Feed(wire, RandomSizes(random), limits).events;
    ExpectWellFormed(split, wire);
    bool failed = !whole.empty() && whole.back().rfind("error ", 0) == 0;
    (failed ? errors : parsed) += 1;
    if (!failed) {
      EXPECT_EQ(split, whole) << testing::PrintToString(wire);
    } else {
      // The same requests up to the error. Which error is found first, and whether it is found
      // before the end of a head, depends on what was there to see: in pieces, Beast waits for
      // the end of a head that began well before it parses the rest.
      ASSERT_FALSE(split.empty()) << testing::PrintToString(wire);
      EXPECT_EQ(std::vector<std::string>(split.begin(), split.end() - 1),
                std::vector<std::string>(whole.begin(), whole.end() - 1))
          << testing::PrintToString(wire);
      EXPECT_TRUE(split.back().rfind("error ", 0) == 0 || split.back() == "need more")
          << testing::PrintToString(wire);
    }
    if (testing::Test::HasFailure()) break;  // one garbage input is enough to look at
  }
  // The edits reach the error paths, and leave requests that parse too.
  EXPECT_GT(errors, 1000);
  EXPECT_GT(parsed, 200);
}

}  // namespace
}  // namespace cppgateway
