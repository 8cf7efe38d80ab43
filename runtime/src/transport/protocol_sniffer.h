// Telling gRPC from HTTP/1.1 on the shared port by the first bytes a connection sent: the mux's
// decision, as a pure function so that it can be tested and fuzzed without sockets.
//
// The decision rests on the HTTP/2 client preface ALONE (DESIGN.md): a gRPC client waits for the
// server's SETTINGS before it sends HEADERS, so nothing after the preface may be awaited.
#pragma once

#include <cstddef>
#include <string_view>

namespace cppgateway {

// What every HTTP/2 client sends first (RFC 9113, section 3.4).
inline constexpr std::string_view kHttp2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

enum class SniffedProtocol {
  kNeedMore,  // the bytes are a proper prefix of the preface (or none): wait for more
  kHttp2,     // the whole preface: HTTP/2, i.e. gRPC
  kHttp1,     // anything else: HTTP/1.1
};

// Decides on `first_bytes`, what the connection sent so far (the mux peeks at most
// kHttp2Preface.size() bytes; bytes after the preface do not change the answer). Once it answers
// kHttp2 or kHttp1 for some bytes, it answers the same for any bytes that begin with them.
SniffedProtocol SniffProtocol(std::string_view first_bytes);

}  // namespace cppgateway
