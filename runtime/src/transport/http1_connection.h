// HTTP/1.1 on a socket the mux has accepted: the socket with its read-ahead buffer
// (Http1Connection), and the cpp-httplib adapter that parses and answers its requests
// (Http1Server). This is the only place that knows cpp-httplib's protected internals
// (Server::process_request), whose signature changes between cpp-httplib versions.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "cppgateway/gateway.h"
#include "cppgateway/options.h"

namespace cppgateway {

// A non-blocking socket with buffered reads: the request parser reads a line byte by byte, so every
// byte must not cost a system call. Reads and writes wait with poll(), never by blocking the fd.
class Http1Connection {
 public:
  using Clock = std::chrono::steady_clock;

  // Takes ownership of `fd`, which must be non-blocking.
  explicit Http1Connection(int fd);
  // Closes the socket.
  ~Http1Connection();
  Http1Connection(const Http1Connection&) = delete;
  Http1Connection& operator=(const Http1Connection&) = delete;

  int fd() const { return fd_; }

  // Reads up to `size` bytes, from the buffer first, waiting for the socket until `deadline`.
  // Returns the count, 0 at end of stream, -1 on error or when the deadline passed.
  ssize_t Read(char* data, std::size_t size, Clock::time_point deadline);
  // Writes all of `data`; each wait for room in the send buffer may last up to `stall_timeout`.
  // Returns `size`, or -1 on error or a stalled peer.
  ssize_t Write(const char* data, std::size_t size, std::chrono::milliseconds stall_timeout);
  // True when a byte can be read before `deadline` (buffered, or arriving on the socket).
  bool WaitReadable(Clock::time_point deadline);
  // True when the socket accepts a write within `timeout`.
  bool WaitWritable(std::chrono::milliseconds timeout) const;

  // Reads what the socket holds, without waiting, after the bytes already buffered (as many as
  // fit). Returns false when the peer has closed its side or the socket failed.
  bool ReadAhead();
  // True when the buffer holds a request's whole head (request line and headers, up to the blank
  // line), or is full: a worker can then read it without waiting for the client.
  bool HasRequestHead() const;
  bool HasBufferedBytes() const { return buffer_begin_ < buffer_end_; }
  // Gives the buffer's memory back while nothing is buffered: idle connections hold none.
  void ReleaseBuffer();

  // The peer's and our own address, looked up once.
  void RemoteAddress(std::string* ip, int* port);
  void LocalAddress(std::string* ip, int* port);

 private:
  // Reads from the socket into the (empty) buffer without waiting: >0 count, 0 end of stream,
  // -1 error, -2 nothing to read now.
  ssize_t FillBuffer();

  int fd_;
  std::unique_ptr<char[]> buffer_;  // allocated while the connection is in use
  std::size_t buffer_begin_ = 0;    // unread bytes are [buffer_begin_, buffer_end_)
  std::size_t buffer_end_ = 0;
  std::string remote_ip_, local_ip_;
  int remote_port_ = -1, local_port_ = -1;
};

// Parses and answers the HTTP/1.1 requests of a connection with cpp-httplib and the Gateway.
// Holds state for the one request it is serving: each worker thread owns one.
class Http1Server {
 public:
  // Why Serve returned.
  enum class Outcome {
    kIdle,       // no whole request is buffered: the event loop waits for one
    kMoreInput,  // a further request is there already, but others should get a turn first
    kClose,      // close the connection (the peer's wish, an error, or draining)
  };

  // `gateway` answers the requests; while `draining` is set, answers say Connection: close and
  // the connection is closed after them. Both must outlive this object.
  Http1Server(const Gateway& gateway, const ServerOptions& options,
              const std::atomic<bool>& draining);
  ~Http1Server();
  Http1Server(const Http1Server&) = delete;
  Http1Server& operator=(const Http1Server&) = delete;

  // Serves the requests whose bytes have arrived on `connection`, at least one.
  Outcome Serve(Http1Connection& connection);

 private:
  class Adapter;
  std::unique_ptr<Adapter> adapter_;
  std::chrono::milliseconds read_timeout_;
  std::chrono::milliseconds write_timeout_;
};

}  // namespace cppgateway
