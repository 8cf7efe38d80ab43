// An HTTP/1.1 connection on the event loop: reads requests as their bytes arrive, hands each to
// the gateway as an exchange, feeds it the body, and writes the answer from the outbound queue.
// No thread is held while a request arrives, waits for its call, or streams: a connection is a
// state machine driven by socket readiness, the queue and its timer.
//
// Requests are answered in order, one at a time; pipelined requests wait in the read buffer,
// which has a fixed size, so a client that pipelines and never reads holds at most that and
// one answer's queue. Every request body is consumed (or the connection closed): a body is never
// read as the next request.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "cppgateway/http_exchange.h"
#include "cppgateway/options.h"
#include "transport/event_loop.h"
#include "transport/http1_parser.h"

namespace cppgateway {

class Gateway;
class GzipDecoder;
class Http1Exchange;
class OutboundQueue;

class Http1Connection final : public EventLoop::Watcher,
                              public EventLoop::Timer,
                              public std::enable_shared_from_this<Http1Connection> {
 public:
  using Clock = EventLoop::Clock;

  // What a connection tells the one that owns it (the mux). Called on the loop thread.
  class Owner {
   public:
    virtual ~Owner() = default;
    // An exchange began or ended: shutdown waits for those in flight.
    virtual void OnExchangeBegin() = 0;
    virtual void OnExchangeEnd() = 0;
    // The connection has closed its socket and can be destroyed (not from inside this call).
    virtual void OnClosed(Http1Connection* connection) = 0;
  };

  // Takes `fd` (non-blocking, connected). Everything else must outlive the connection.
  Http1Connection(int fd, EventLoop& loop, const Gateway& gateway, const ServerOptions& options,
                  Owner& owner);
  ~Http1Connection() override;
  Http1Connection(const Http1Connection&) = delete;
  Http1Connection& operator=(const Http1Connection&) = delete;

  // Loop thread. Registers with the loop and serves what has arrived already.
  void Start();
  // Loop thread. The server is shutting down: close now if no request is under way, else after
  // its answer.
  void Drain();
  // Loop thread. Closes at once; an exchange in flight is cancelled.
  void Close();

  // Loop thread, posted by the exchange and the queue.
  void ResumeBody(uint64_t exchange);
  void OnQueueActivity();

  void OnReady(uint32_t events) override;
  void OnTimer() override;

 private:
  enum class Phase {
    kIdle,    // waiting for a request; nothing buffered
    kHead,    // a request's head is arriving
    kBody,    // an exchange is open and its body is arriving (or being discarded)
    kAnswer,  // the body is in; waiting for the answer to be written
    kLinger,  // answered for the last time and half-closed: dropping what the client still sends
    kClosed,
  };

  void Pump();
  bool Write();        // false when the connection closed
  bool Read();         // true when bytes were read
  bool ParseBuffer();  // true when something changed
  bool ParseHead();
  bool ParseBody();
  bool DecodeBody();
  void EndOfBody();
  void BeginExchange(HttpRequestHead head);
  void CheckAnswer();
  void EndExchange();
  void OnEndOfInput();
  // The request cannot be completed: answers `status` if the answer has not begun, and closes.
  void FailRequest(int status, std::string_view message);
  // Closes once the queue is written: after a FIN, lingers.
  void CloseAfterAnswer();
  void UpdateTimer();

  void Consume(std::size_t bytes);
  void ReleaseEmptyBuffer();
  void AcknowledgeAtOnce();
  std::string_view Buffered() const;

  int fd_;  // -1 once closed
  EventLoop& loop_;
  const Gateway& gateway_;
  const ServerOptions& options_;
  Owner& owner_;
  const std::string keep_alive_value_;
  std::string peer_;
  std::shared_ptr<OutboundQueue> queue_;
  Http1Parser parser_;

  Phase phase_ = Phase::kIdle;
  bool readable_ = true;  // edge-triggered: until a read says EAGAIN
  bool writable_ = true;  // edge-triggered: until a write says EAGAIN
  bool peer_eof_ = false;
  bool draining_ = false;
  bool closing_ = false;  // close once the queue is written

  // The read buffer: bytes [begin_, end_) are unparsed. Allocated while in use.
  std::unique_ptr<char[]> buffer_;
  std::size_t buffer_capacity_ = 0;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;

  // The exchange in flight.
  uint64_t exchange_id_ = 0;
  std::shared_ptr<Http1Exchange> exchange_;
  std::shared_ptr<RequestHandler> handler_;
  bool body_done_ = false;
  bool parser_done_ = false;  // the parser saw the end of the body; decoded bytes may remain
  bool body_paused_ = false;
  bool body_is_stream_ = false;
  bool answer_ended_ = false;
  std::size_t discarded_bytes_ = 0;       // body bytes dropped after the answer ended
  std::unique_ptr<GzipDecoder> decoder_;  // for a body with Content-Encoding: gzip

  Clock::time_point request_started_{};  // the first byte of the current request
  Clock::time_point idle_since_{};       // the end of the last answer (keep_alive_timeout)
  Clock::time_point last_write_{};       // the last write that made progress
  Clock::time_point linger_until_{};
  std::size_t lingered_bytes_ = 0;
};

}  // namespace cppgateway
