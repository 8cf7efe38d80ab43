// One HTTP request and its answer as a handler sees them, independent of the wire: the request's
// head, its body as it arrives, and a writer for the answer that any thread may use. The HTTP/1.1
// side of the shared port implements HttpExchange; the gateway's routes implement RequestHandler.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cppgateway {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// The first value of the header `name` (case-insensitive) in `headers`, or nullptr.
const std::string* FindHeader(const HttpHeaders& headers, std::string_view name);
// Whether the comma-separated header value `list` ("gzip, br;q=0.5") names `token`
// (case-insensitive, parameters ignored).
bool HasToken(std::string_view list, std::string_view token);

struct HttpRequestHead {
  std::string method;   // any token: "GET", "PURGE"
  std::string target;   // as received: origin form "/v1/x?y=1", or absolute form "http://h/v1/x"
  std::string path;     // raw (percent-encoded) path of the target, without the query
  std::string query;    // raw query, without the `?`
  int version = 11;     // 10 for HTTP/1.0, 11 for HTTP/1.1
  HttpHeaders headers;  // as received, in order
  // How the body is framed: by a Content-Length (nullopt without one), or chunked.
  std::optional<std::uint64_t> content_length;
  bool chunked = false;

  // The client asked to close the connection after the answer (Connection: close, or HTTP/1.0
  // without Connection: keep-alive).
  bool wants_close = false;
  // The client waits for `100 Continue` before it sends the body.
  bool expects_continue = false;

  bool has_body() const { return chunked || content_length.value_or(0) > 0; }
  // Whether the client takes HTTP trailers (TE: trailers).
  bool AcceptsTrailers() const;
  const std::string* FindHeader(std::string_view name) const {
    return cppgateway::FindHeader(headers, name);
  }
};

struct HttpResponseHead {
  int status = 200;
  HttpHeaders headers;  // Content-Type among them; the framing headers are the transport's
  // The body's length when it is known up front; nullopt streams it (chunked on HTTP/1.1).
  std::optional<std::uint64_t> content_length;
};

// The transport's side of one request: the head, and the answer's writer. The answer is written
// in order (SendHead, any SendBody, End), from any thread but not from two at once.
class HttpExchange {
 public:
  virtual ~HttpExchange() = default;

  virtual const HttpRequestHead& request() const = 0;
  // The client's address, "127.0.0.1:54321" or "[::1]:54321".
  virtual const std::string& peer() const = 0;

  virtual void SendHead(HttpResponseHead head) = 0;
  // Queues `bytes` of the body. Returns false once the queue is over its limit: the producer
  // should stop until the handler's OnWritable is called, so that a slow reader slows the
  // producer instead of growing a buffer. What is sent after the client has gone is dropped.
  virtual bool SendBody(std::string_view bytes) = 0;
  // Ends the answer. `trailers` go after a streamed body as HTTP trailers (chunked encoding
  // carries them; they are dropped where it is not used).
  virtual void End(const HttpHeaders& trailers = {}) = 0;
  // Cuts the answer off instead of ending it: the connection is closed without the end of a
  // streamed body, so that the client sees it incomplete. For an error in the middle of a raw
  // stream, which has no way to say so in band.
  virtual void Abort() = 0;

  // After RequestHandler::OnBody returned false: the handler wants the rest of the body.
  virtual void ResumeBody() = 0;

  // Runs `task` soon on the thread that calls the handler (the connection's event loop), never
  // inside this call: for work that must not run on the caller's stack. Any thread.
  virtual void Post(std::function<void()> task) = 0;
};

// What a route does with one request. Every call comes from the event loop that owns the
// connection, never two at once; the handler answers through its HttpExchange from any thread.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;

  // The next piece of the body. Returning false pauses the body: no more pieces come until the
  // handler calls HttpExchange::ResumeBody.
  virtual bool OnBody(std::string_view bytes) = 0;
  // The whole body has arrived (at once after the head when there is none).
  virtual void OnBodyEnd() = 0;
  // True when the body is a stream of messages (client streaming, bidi): it may take as long as
  // the call, so no read deadline applies to it; the client's going away still ends it.
  virtual bool BodyIsStream() const { return false; }
  // After SendBody returned false: the queue has room again.
  virtual void OnWritable() = 0;
  // The client has gone, the request cannot be completed (a malformed body, a timeout) or the
  // server is shutting down: stop; anything still sent is dropped.
  virtual void OnCancel() = 0;
};

}  // namespace cppgateway
