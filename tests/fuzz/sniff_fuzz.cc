// The mux's protocol sniffing (SniffProtocol) on any first bytes of a connection.
//
// Checks, beyond no crash:
// - the answer is the specification: HTTP/2 exactly when the bytes begin with the whole preface,
//   "need more" exactly when they are a proper prefix of it, HTTP/1.1 otherwise;
// - the decision is final: once some prefix of the bytes (every prefix is tried, as the bytes
//   could arrive one at a time) is decided, the whole is decided the same way, so how a client's
//   bytes are split into TCP segments never changes the protocol chosen;
// - only the first 24 bytes count (the mux peeks no more).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "transport/protocol_sniffer.h"

namespace cppgateway {
namespace {

const char* Name(SniffedProtocol protocol) {
  switch (protocol) {
    case SniffedProtocol::kNeedMore:
      return "need more";
    case SniffedProtocol::kHttp2:
      return "HTTP/2";
    case SniffedProtocol::kHttp1:
      return "HTTP/1.1";
  }
  return "?";
}

}  // namespace
}  // namespace cppgateway

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using cppgateway::kHttp2Preface;
  using cppgateway::SniffedProtocol;
  using cppgateway::fuzz::Escape;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const SniffedProtocol protocol = cppgateway::SniffProtocol(bytes);

  SniffedProtocol expected = SniffedProtocol::kHttp1;
  if (bytes.size() >= kHttp2Preface.size() &&
      bytes.substr(0, kHttp2Preface.size()) == kHttp2Preface) {
    expected = SniffedProtocol::kHttp2;
  } else if (bytes.size() < kHttp2Preface.size() &&
             kHttp2Preface.substr(0, bytes.size()) == bytes) {
    expected = SniffedProtocol::kNeedMore;
  }
  FUZZ_CHECK(protocol == expected, std::string("got ") + cppgateway::Name(protocol) +
                                       ", expected " + cppgateway::Name(expected) + " for " +
                                       Escape(bytes));

  SniffedProtocol decided = SniffedProtocol::kNeedMore;
  for (std::size_t length = 0; length <= bytes.size(); ++length) {
    const SniffedProtocol prefix = cppgateway::SniffProtocol(bytes.substr(0, length));
    if (decided != SniffedProtocol::kNeedMore) {
      FUZZ_CHECK(prefix == decided, "the decision changed after " + std::to_string(length) +
                                        " bytes of " + Escape(bytes));
    }
    decided = prefix;
  }

  const SniffedProtocol peeked = cppgateway::SniffProtocol(bytes.substr(0, kHttp2Preface.size()));
  FUZZ_CHECK(peeked == protocol,
             "the bytes after the preface changed the answer for " + Escape(bytes));
  return 0;
}
