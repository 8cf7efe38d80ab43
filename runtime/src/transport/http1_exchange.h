// One request of an HTTP/1.1 connection and the writer of its answer: the answer's head and body
// become HTTP/1.1 bytes (status line, framing headers, chunks) in the connection's outbound queue.
// Made by Http1Connection on its event loop; used by the request's handler from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cppgateway/http_exchange.h"
#include "cppgateway/options.h"
#include "transport/gzip.h"

namespace cppgateway {

class EventLoop;
class Http1Connection;
class OutboundQueue;

class Http1Exchange final : public HttpExchange {
 public:
  struct Settings {
    bool close_after = false;           // say Connection: close and close after the answer
    std::string_view keep_alive_value;  // the Keep-Alive header otherwise ("timeout=60")
    const CompressionOptions* compression = nullptr;  // gzip answers the client accepts
  };

  Http1Exchange(uint64_t id, HttpRequestHead request, std::string peer,
                std::shared_ptr<OutboundQueue> queue, EventLoop& loop,
                std::weak_ptr<Http1Connection> connection, Settings settings);

  uint64_t id() const { return id_; }

  const HttpRequestHead& request() const override { return request_; }
  const std::string& peer() const override { return peer_; }
  void SendHead(HttpResponseHead head) override;
  bool SendBody(std::string_view bytes) override;
  void End(const HttpHeaders& trailers) override;
  void Abort() override;
  void ResumeBody() override;
  void Post(std::function<void()> task) override;

 private:
  // Writes the head for real (a compressed answer of known length waits for its whole body).
  void WriteHead(HttpResponseHead head);
  // Writes body bytes as framed on the wire (a chunk when chunked).
  bool WriteBody(std::string_view bytes);
  // Whether the answer with `head` is gzip-encoded.
  bool ShouldCompress(const HttpResponseHead& head) const;

  const uint64_t id_;
  const HttpRequestHead request_;
  const std::string peer_;
  const std::shared_ptr<OutboundQueue> queue_;
  EventLoop& loop_;
  const std::weak_ptr<Http1Connection> connection_;
  const bool head_request_;  // a HEAD request: the answer has a head and no body
  bool close_after_;
  const std::string keep_alive_value_;

  // The answer's framing, once its head is sent. Touched by the answering thread only.
  bool head_sent_ = false;
  bool ended_ = false;
  bool no_body_ = false;          // HEAD, 204 or 304: body bytes are dropped
  bool chunked_ = false;          // streamed on HTTP/1.1
  bool close_delimited_ = false;  // streamed on HTTP/1.0: the end is the connection's close

  // gzip: the encoder, and for an answer of known length the held head and whole body.
  const CompressionOptions* const compression_;
  const bool accepts_gzip_;
  std::unique_ptr<GzipEncoder> gzip_;
  std::optional<HttpResponseHead> held_head_;
  std::string held_body_;
};

// The status line's reason phrase ("Not Found"), "" for a status it does not know.
std::string_view ReasonPhrase(int status);
// "HTTP/1.1 404 Not Found\r\nDate: ...\r\n": how every answer begins.
std::string StatusLine(int status);

}  // namespace cppgateway
