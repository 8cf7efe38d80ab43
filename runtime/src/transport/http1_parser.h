// An incremental HTTP/1.1 request parser: bytes in as they arrive, the request's head, body pieces
// and end out. Boost.Beast's basic_parser does the parsing (kept, fuzzed upstream, any token as a
// method, and it works on plain buffers without Asio's sockets); this class adds what a server in
// front of other proxies must refuse on top (RFC 9112): a duplicate Content-Length, Content-Length
// with Transfer-Encoding, a transfer coding other than chunked, and the limits with their statuses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "cppgateway/http_exchange.h"

namespace cppgateway {

class Http1Parser {
 public:
  struct Limits {
    std::size_t max_target_bytes = 8 * 1024;   // a longer request target: 414
    std::size_t max_header_bytes = 64 * 1024;  // request line and headers together: 431
                                               // (also bounds a chunk size line, and trailers)
    std::size_t max_header_count = 100;        // more header fields: 431
  };

  // Where the parser stopped.
  enum class Result {
    kNeedMore,  // the current part is not complete yet: more bytes are needed
    kHead,      // the request's head is complete: head() is set, the body (if any) is next
    kBody,      // `body` holds the next piece of the body, never empty
    kDone,      // the request is complete (after its head, or after its last body piece)
    kError,     // the request is malformed or over a limit: error_status() says how to answer
  };

  explicit Http1Parser(Limits limits);
  ~Http1Parser();
  Http1Parser(const Http1Parser&) = delete;
  Http1Parser& operator=(const Http1Parser&) = delete;

  // Parses from the start of `input` and returns what it reached; `*consumed` is set to the
  // number of bytes of `input` used up, which the caller drops before the next call (bytes not
  // consumed must be passed again, followed by what arrives next). The head and each chunk size
  // line are consumed only once complete, so after kNeedMore the caller may still hold up to
  // max_header_bytes of them. It stops after the head (kHead), after each body piece (kBody, with
  // `*body` a view into `input`, valid until `input` changes) and at the end of the request
  // (kDone), so that the caller can act between them; bytes of a following, pipelined request are
  // not consumed. A request without a body goes kHead, then kDone on the next call, as does a
  // Content-Length body after its last piece. Chunk extensions and trailer fields are accepted
  // and dropped. Empty lines before a request are consumed and ignored (RFC 9112, 2.2).
  // After kDone, Parse returns kDone and consumes nothing until Reset is called for the next
  // request. After kError it returns kError: the connection must be answered with
  // error_status() and error_message(), and closed.
  Result Parse(std::string_view input, std::size_t* consumed, std::string_view* body);

  // The head, once kHead was returned; moved out with TakeHead.
  const HttpRequestHead& head() const { return head_; }
  HttpRequestHead TakeHead() { return std::move(head_); }

  // The answer to a malformed request once kError was returned: 400, 414, 431, or 501 for a
  // transfer coding other than chunked; with a message that says what was wrong ("duplicate
  // Content-Length", "request target longer than 8192 bytes"). 0 before.
  int error_status() const { return error_status_; }
  const std::string& error_message() const { return error_message_; }

  // Gets ready for the next request on the same connection.
  void Reset();

  // True from the first byte of a request given to Parse (empty lines before it do not count)
  // until kDone was returned for it: a connection that ends now cuts a request off.
  bool InRequest() const;

 private:
  class Beast;  // the basic_parser subclass
  Limits limits_;
  std::unique_ptr<Beast> beast_;
  HttpRequestHead head_;
  int error_status_ = 0;
  std::string error_message_;
};

}  // namespace cppgateway
