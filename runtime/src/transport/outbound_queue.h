// The bytes an HTTP/1.1 connection has yet to write. Any thread may append (a gRPC callback writing
// an answer, the event loop writing an error); the event loop writes them to the socket. A queue
// over its limit tells the appender to stop, so that a client that does not read slows the gRPC
// call down instead of growing a buffer.
//
// Answers go out one exchange (request and answer) at a time. Bytes are appended for an exchange
// id and dropped unless that exchange is the current one: a call that is still answering after
// its connection has moved on, closed, or answered for it (a timeout) cannot reach the socket.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace cppgateway {

class EventLoop;

class OutboundQueue {
 public:
  // `wake` is posted to `loop` whenever the loop has something new to do: bytes after an empty
  // queue, or the end of an answer. `limit`: Append returns false above it.
  OutboundQueue(EventLoop& loop, std::function<void()> wake, std::size_t limit);

  // Any thread. Appends bytes of exchange `exchange`; returns false once over the limit (the
  // loop then calls the exchange's OnWritable when the queue has drained to half of it).
  bool Append(uint64_t exchange, std::string_view bytes);
  // Any thread. The exchange's answer is complete (or, with `abort`, cut off); with `close`, the
  // connection must close after it.
  void End(uint64_t exchange, bool abort, bool close);

  // Event loop only. Makes `exchange` the current one (0: none).
  void SetCurrent(uint64_t exchange);
  // Event loop only. Ends the current exchange for the connection: its later appends are
  // dropped. Returns whether any byte of its answer was appended.
  bool TakeOver();
  // Event loop only. Appends bytes of the connection's own: an error for a request that never
  // became an exchange, or the answer to one it took over.
  void AppendOwn(std::string_view bytes);
  // Event loop only. Appends an interim answer (100 Continue) unless the current exchange's
  // answer has begun: then it is too late for one. Returns whether it was appended.
  bool AppendInterim(std::string_view bytes);

  // Event loop only. Writes what it can to the non-blocking socket `fd`. Returns the bytes
  // written, or -1 when the socket failed (the peer has gone); `*blocked` says whether the socket
  // took less than there was (EAGAIN: wait for it to be writable again).
  ssize_t WriteTo(int fd, bool* blocked);

  // Event loop only: what the loop needs to know after a write.
  struct State {
    bool empty = true;
    bool answer_ended = false;  // End was called for the current exchange
    bool abort = false;
    bool close = false;
  };
  State Peek();
  // Event loop only. True once after the appender was told to stop and the queue has drained to
  // half its limit: the loop then tells the appender to go on. Only the one caller that acts on it
  // may ask, or the signal is lost.
  bool TakeWritable();

 private:
  void AppendLocked(std::string_view bytes);
  void WakeLocked();

  EventLoop& loop_;
  const std::function<void()> wake_;
  const std::size_t limit_;

  std::mutex mutex_;
  std::deque<std::string> chunks_;
  std::size_t front_offset_ = 0;  // bytes of chunks_.front() already written
  std::size_t size_ = 0;          // bytes not yet written
  uint64_t current_ = 0;
  bool current_started_ = false;  // a byte of the current exchange's answer was appended
  bool answer_ended_ = false;
  bool abort_ = false;
  bool close_ = false;
  bool told_to_stop_ = false;
  bool wake_pending_ = false;
};

}  // namespace cppgateway
