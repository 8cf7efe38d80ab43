// A plain TCP client for the end-to-end tests, for what an HTTP library would hide: partial
// prefaces, silence, pipelining, bodies sent in pieces, answers read chunk by chunk as they arrive,
// many connections at once.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace cppgateway::testing {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Checks `condition` until it holds or `timeout` passes; returns whether it held. The short pause
// between checks only spares the CPU: what the test waits for is the condition.
template <class Condition>
bool WaitUntil(Condition condition, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!condition()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(1));
  }
  return true;
}

// One HTTP/1.1 response as read off the wire.
struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;                            // decoded when it was chunked
  bool chunked = false;

  std::string header(const std::string& lower_case_name) const {
    auto found = headers.find(lower_case_name);
    return found == headers.end() ? "" : found->second;
  }
};

class RawSocket {
 public:
  // Connects (blocking) to `host`:`port`, trying each address the host has. With
  // `receive_buffer`, the socket's receive buffer is set to that size before connecting (a client
  // that takes bytes slowly).
  RawSocket(const std::string& host, int port, int receive_buffer = 0);
  explicit RawSocket(int port) : RawSocket("127.0.0.1", port) {}
  // Takes an fd that is connected already.
  static RawSocket Adopt(int fd);
  RawSocket(RawSocket&& other) noexcept;
  ~RawSocket();

  bool connected() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  bool Send(std::string_view bytes);
  // Sends `bytes` as one chunk of a chunked body ("" sends the last chunk).
  bool SendChunk(std::string_view bytes);
  // Half-closes: no more bytes from this side.
  void ShutdownWrite();

  // Reads exactly `count` bytes.
  std::optional<std::string> ReadBytes(std::size_t count, milliseconds timeout);
  // Reads one whole response: its body framed by Content-Length, chunked (then decoded), or by
  // the connection's close. A `head_request`'s answer has no body.
  std::optional<RawResponse> ReadResponse(milliseconds timeout, bool head_request = false);
  // Reads a response's head; for a chunked one, the body follows with ReadChunk.
  std::optional<RawResponse> ReadHead(milliseconds timeout);
  // The data of the next chunk of a chunked body; "" for the last chunk (trailers skipped);
  // nullopt on timeout, close or a malformed chunk.
  std::optional<std::string> ReadChunk(milliseconds timeout);
  // Reads chunks until the decoded body read so far by this call contains `text`.
  std::optional<std::string> ReadChunksUntil(std::string_view text, milliseconds timeout);

  // Every byte until the peer closes the connection, as received (framing included); nullopt on
  // timeout.
  std::optional<std::string> ReadUntilClose(milliseconds timeout);

  // True when the peer closes the connection (end of stream or reset) within `timeout` with no
  // further bytes; false on timeout or when bytes arrive.
  bool WaitForClose(milliseconds timeout);

  // Bytes received and not yet consumed.
  const std::string& buffered() const { return buffer_; }

 private:
  RawSocket() = default;
  bool Fill(Clock::time_point deadline);
  // Reads up to and including the next "\r\n"; returns the line without it.
  std::optional<std::string> ReadLine(Clock::time_point deadline);

  int fd_ = -1;
  std::string buffer_;
};

std::string GetRequest(const std::string& path);

}  // namespace cppgateway::testing
