#include "transport/protocol_sniffer.h"

#include <gtest/gtest.h>

#include <string>

namespace cppgateway {
namespace {

using namespace std::string_literals;

TEST(SniffProtocolTest, TheWholePrefaceIsHttp2) {
  EXPECT_EQ(SniffProtocol(kHttp2Preface), SniffedProtocol::kHttp2);
  EXPECT_EQ(kHttp2Preface.size(), 24u);
}

TEST(SniffProtocolTest, BytesAfterThePrefaceAreNotAwaitedNorRead) {
  // A client's SETTINGS frame may follow at once, or never (it waits for the server's).
  EXPECT_EQ(SniffProtocol(std::string(kHttp2Preface) + "\x00\x00\x00\x04"s),
            SniffedProtocol::kHttp2);
  EXPECT_EQ(SniffProtocol(std::string(kHttp2Preface) + "GET / HTTP/1.1\r\n"),
            SniffedProtocol::kHttp2);
}

TEST(SniffProtocolTest, EveryProperPrefixNeedsMore) {
  for (std::size_t size = 0; size < kHttp2Preface.size(); ++size) {
    EXPECT_EQ(SniffProtocol(kHttp2Preface.substr(0, size)), SniffedProtocol::kNeedMore) << size;
  }
}

TEST(SniffProtocolTest, AnythingElseIsHttp1AsSoonAsItDiffers) {
  EXPECT_EQ(SniffProtocol("G"), SniffedProtocol::kHttp1);
  EXPECT_EQ(SniffProtocol("GET / HTTP/1.1\r\n\r\n"), SniffedProtocol::kHttp1);
  // A method that begins like the preface: told apart at the first byte that differs.
  EXPECT_EQ(SniffProtocol("PRINT / HTTP/1.1\r\n\r\n"), SniffedProtocol::kHttp1);
  EXPECT_EQ(SniffProtocol("PRI"), SniffedProtocol::kNeedMore);
  EXPECT_EQ(SniffProtocol("PRI / HTTP/1.1\r\n\r\n"), SniffedProtocol::kHttp1);
  // HTTP/2 with the last byte wrong, and a NUL inside.
  EXPECT_EQ(SniffProtocol("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\r"), SniffedProtocol::kHttp1);
  EXPECT_EQ(SniffProtocol("PRI * HTTP/2.0\r\n\0"s), SniffedProtocol::kHttp1);
  EXPECT_EQ(SniffProtocol("pri * HTTP/2.0\r\n\r\nSM\r\n\r\n"), SniffedProtocol::kHttp1);
}

}  // namespace
}  // namespace cppgateway
