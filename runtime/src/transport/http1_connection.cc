#include "transport/http1_connection.h"

#include <arpa/inet.h>
#include <grpcpp/support/status.h>
#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string_view>
#include <utility>

#include "cppgateway/http_message.h"
#include "cppgateway/status.h"

namespace cppgateway {
namespace {

using Clock = Http1Connection::Clock;

// Big enough for a typical request's line and headers in one system call.
constexpr std::size_t kReadBufferSize = 16 * 1024;

// The request line and headers may take no more: cpp-httplib itself sets no limit, and a client
// could send header lines until the read deadline, all kept in memory.
constexpr std::size_t kMaxHeaderBytes = 64 * 1024;

// A connection with pipelined requests gets this many answered in a row, then goes to the back of
// the queue so that other connections are served too.
constexpr int kRequestsPerTurn = 32;

// Waits until `fd` is ready for `events` (or failed, or hung up), for at most `timeout_ms`.
bool PollFor(int fd, short events, int timeout_ms) {
  pollfd entry{fd, events, 0};
  for (;;) {
    int ready = ::poll(&entry, 1, timeout_ms);
    if (ready > 0) return true;
    if (ready == 0) return false;
    if (errno != EINTR) return false;
  }
}

// Waits for the rest of a request. A client that wrote the request in pieces (headers, then
// body) and has Nagle's algorithm on holds the next piece until the last one is acknowledged,
// while Linux delays that acknowledgement by up to 40 ms: acknowledge at once instead.
bool WaitForMoreOfRequest(int fd, int timeout_ms) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
  return PollFor(fd, POLLIN, timeout_ms);
}

// The milliseconds left until `deadline`, rounded up, and 0 once it has passed.
int MillisecondsUntil(Clock::time_point deadline) {
  auto left = deadline - Clock::now();
  if (left <= Clock::duration::zero()) return 0;
  auto millis = std::chrono::ceil<std::chrono::milliseconds>(left).count();
  return static_cast<int>(std::min<long long>(millis, 1 << 30));
}

void AddressOf(const sockaddr_storage& address, std::string* ip, int* port) {
  char text[INET6_ADDRSTRLEN] = "";
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    ::inet_ntop(AF_INET, &v4.sin_addr, text, sizeof(text));
    *port = ntohs(v4.sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    ::inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof(text));
    *port = ntohs(v6.sin6_port);
  } else {
    *port = -1;
  }
  *ip = text;
}

// The request headers cpp-httplib adds itself; they are not the client's, and a client sending a
// header of the same name must not be able to pass for them.
bool IsInjectedHeader(std::string_view name) {
  static constexpr std::string_view kInjected[] = {"REMOTE_ADDR", "REMOTE_PORT", "LOCAL_ADDR",
                                                   "LOCAL_PORT"};
  for (std::string_view injected : kInjected) {
    if (name.size() == injected.size() &&
        std::equal(name.begin(), name.end(), injected.begin(), [](char a, char b) {
          return std::toupper(static_cast<unsigned char>(a)) == b;
        })) {
      return true;
    }
  }
  return false;
}

// The gRPC code and message for an error status that cpp-httplib answered by itself, before any
// request reached the gateway.
grpc::Status StatusForParserError(int http_status) {
  switch (http_status) {
    case 400:
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "malformed HTTP/1.1 request");
    case 413:
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "request body too large");
    case 414:
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "request URI too long");
    case 416:
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "malformed Range header");
    case 404:
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "not found");
    case 431:
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "request header fields too large");
    default:
      if (http_status >= 500) return grpc::Status(grpc::StatusCode::INTERNAL, "internal error");
      return grpc::Status(grpc::StatusCode::UNKNOWN, "HTTP error " + std::to_string(http_status));
  }
}

// The path and query of a request target. A request to a proxy (and any server must accept one,
// RFC 9112, 3.2.2) names the scheme and authority first: "http://host:8080/v1/users?x=1".
std::string_view OriginForm(std::string_view target) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.size() >= scheme.size() &&
        std::equal(scheme.begin(), scheme.end(), target.begin(), [](char a, char b) {
          return a == std::tolower(static_cast<unsigned char>(b));
        })) {
      std::size_t path = target.find('/', scheme.size());
      return path == std::string_view::npos ? std::string_view("/") : target.substr(path);
    }
  }
  return target;
}

// cpp-httplib's view of an Http1Connection for one request. The read deadline covers the whole
// request, so a client trickling bytes cannot hold a worker for longer than read_timeout; a byte
// budget bounds what the parser may read (first the head, then the body), so it cannot be made to
// buffer without end.
class ConnectionStream final : public httplib::Stream {
 public:
  ConnectionStream(Http1Connection& connection, Clock::time_point read_deadline,
                   std::chrono::milliseconds write_timeout)
      : connection_(connection), read_deadline_(read_deadline), write_timeout_(write_timeout) {}

  // From now on reads may return `bytes` more; once they are spent, reads fail.
  void SetReadBudget(std::size_t bytes) {
    read_budget_ = bytes;
    budget_exceeded_ = false;
  }
  // A read failed because the budget was spent.
  bool budget_exceeded() const { return budget_exceeded_; }

  bool is_readable() const override { return connection_.WaitReadable(read_deadline_); }
  bool is_writable() const override { return connection_.WaitWritable(write_timeout_); }
  ssize_t read(char* data, size_t size) override {
    if (read_budget_ == 0) {
      budget_exceeded_ = true;
      return -1;
    }
    ssize_t count = connection_.Read(data, std::min(size, read_budget_), read_deadline_);
    if (count > 0) read_budget_ -= static_cast<std::size_t>(count);
    return count;
  }
  ssize_t write(const char* data, size_t size) override {
    return connection_.Write(data, size, write_timeout_);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    connection_.RemoteAddress(&ip, &port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    connection_.LocalAddress(&ip, &port);
  }
  socket_t socket() const override { return connection_.fd(); }

 private:
  Http1Connection& connection_;
  Clock::time_point read_deadline_;
  std::chrono::milliseconds write_timeout_;
  std::size_t read_budget_ = kMaxHeaderBytes;
  bool budget_exceeded_ = false;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Http1Connection

Http1Connection::Http1Connection(int fd) : fd_(fd) {}

Http1Connection::~Http1Connection() { ::close(fd_); }

ssize_t Http1Connection::FillBuffer() {
  if (!buffer_) buffer_ = std::make_unique<char[]>(kReadBufferSize);
  buffer_begin_ = buffer_end_ = 0;
  for (;;) {
    ssize_t n = ::recv(fd_, buffer_.get(), kReadBufferSize, 0);
    if (n >= 0) {
      buffer_end_ = static_cast<std::size_t>(n);
      return n;
    }
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK ? -2 : -1;
  }
}

ssize_t Http1Connection::Read(char* data, std::size_t size, Clock::time_point deadline) {
  if (size == 0) return 0;
  if (buffer_begin_ == buffer_end_) {
    if (size >= kReadBufferSize) {
      // A large body read: straight into the caller's memory.
      for (;;) {
        ssize_t n = ::recv(fd_, data, size, 0);
        if (n >= 0) return n;
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
        if (!WaitForMoreOfRequest(fd_, MillisecondsUntil(deadline))) return -1;
      }
    }
    for (;;) {
      ssize_t n = FillBuffer();
      if (n >= 0) {
        if (n == 0) return 0;
        break;
      }
      if (n == -1) return -1;
      if (!WaitForMoreOfRequest(fd_, MillisecondsUntil(deadline))) return -1;
    }
  }
  std::size_t count = std::min(size, buffer_end_ - buffer_begin_);
  std::memcpy(data, buffer_.get() + buffer_begin_, count);
  buffer_begin_ += count;
  return static_cast<ssize_t>(count);
}

ssize_t Http1Connection::Write(const char* data, std::size_t size,
                               std::chrono::milliseconds stall_timeout) {
  std::size_t written = 0;
  while (written < size) {
    ssize_t n = ::send(fd_, data + written, size - written, MSG_NOSIGNAL);
    if (n > 0) {
      written += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
        PollFor(fd_, POLLOUT, static_cast<int>(stall_timeout.count()))) {
      continue;
    }
    return -1;
  }
  return static_cast<ssize_t>(size);
}

bool Http1Connection::WaitReadable(Clock::time_point deadline) {
  return buffer_begin_ < buffer_end_ || PollFor(fd_, POLLIN, MillisecondsUntil(deadline));
}

bool Http1Connection::WaitWritable(std::chrono::milliseconds timeout) const {
  return PollFor(fd_, POLLOUT, static_cast<int>(timeout.count()));
}

bool Http1Connection::ReadAhead() {
  if (!buffer_) buffer_ = std::make_unique<char[]>(kReadBufferSize);
  if (buffer_begin_ > 0) {
    std::memmove(buffer_.get(), buffer_.get() + buffer_begin_, buffer_end_ - buffer_begin_);
    buffer_end_ -= buffer_begin_;
    buffer_begin_ = 0;
  }
  while (buffer_end_ < kReadBufferSize) {
    ssize_t n = ::recv(fd_, buffer_.get() + buffer_end_, kReadBufferSize - buffer_end_, 0);
    if (n > 0) {
      buffer_end_ += static_cast<std::size_t>(n);
    } else if (n == 0) {
      return false;
    } else if (errno != EINTR) {
      return errno == EAGAIN || errno == EWOULDBLOCK;
    }
  }
  return true;
}

bool Http1Connection::HasRequestHead() const {
  if (buffer_end_ - buffer_begin_ == kReadBufferSize) return true;
  std::string_view buffered(buffer_.get() + buffer_begin_, buffer_end_ - buffer_begin_);
  // A bare "\n\n" is no valid head, but the parser, not the wait, should say so.
  return buffered.find("\r\n\r\n") != std::string_view::npos ||
         buffered.find("\n\n") != std::string_view::npos;
}

void Http1Connection::ReleaseBuffer() {
  if (buffer_begin_ == buffer_end_) {
    buffer_.reset();
    buffer_begin_ = buffer_end_ = 0;
  }
}

void Http1Connection::RemoteAddress(std::string* ip, int* port) {
  if (remote_port_ < 0) {
    sockaddr_storage address{};
    socklen_t length = sizeof(address);
    if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      AddressOf(address, &remote_ip_, &remote_port_);
    }
  }
  *ip = remote_ip_;
  *port = remote_port_;
}

void Http1Connection::LocalAddress(std::string* ip, int* port) {
  if (local_port_ < 0) {
    sockaddr_storage address{};
    socklen_t length = sizeof(address);
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      AddressOf(address, &local_ip_, &local_port_);
    }
  }
  *ip = local_ip_;
  *port = local_port_;
}

// ---------------------------------------------------------------------------------------------
// Http1Server::Adapter

// cpp-httplib's request parser and response writer, with catch-all handlers that hand every
// request to the Gateway. Its listening and connection handling are not used: the mux accepts,
// and Serve drives one request at a time through the protected process_request.
class Http1Server::Adapter final : public httplib::Server {
 public:
  Adapter(const Gateway& gateway, const ServerOptions& options, const std::atomic<bool>& draining)
      : gateway_(gateway), draining_(draining), max_body_bytes_(options.max_body_bytes) {
    auto handle = [this](const httplib::Request& request, httplib::Response& response) {
      Handle(request, response);
    };
    // ECMAScript's `.` does not match line terminators, which a decoded path may hold.
    const std::string kAnyPath = "[\\s\\S]*";
    Get(kAnyPath, handle);  // HEAD arrives here too, with method "HEAD"
    Post(kAnyPath, handle);
    Put(kAnyPath, handle);
    Patch(kAnyPath, handle);
    Delete(kAnyPath, handle);
    Options(kAnyPath, handle);
    set_error_handler(
        HandlerWithResponse([this](const httplib::Request& request, httplib::Response& response) {
          return OnError(request, response);
        }));
    set_post_routing_handler([this](const httplib::Request& request, httplib::Response& response) {
      BeforeWrite(request, response);
    });
    set_expect_100_continue_handler(
        [this](const httplib::Request& request, httplib::Response& response) {
          return BeforeBody(request, response);
        });
    set_payload_max_length(options.max_body_bytes);
    keep_alive_header_ =
        "timeout=" +
        std::to_string(
            std::chrono::duration_cast<std::chrono::seconds>(options.keep_alive_timeout).count());
  }

  // Reads one request from `stream`, answers it and returns whether the connection may carry
  // another one.
  bool ServeOne(ConnectionStream& stream) {
    stream_ = &stream;
    parsed_ = false;
    answered_by_gateway_ = false;
    announced_close_ = false;
    bool close_requested = draining_.load();
    bool peer_closes = false;
    bool written = process_request(stream, close_requested, peer_closes,
                                   [this](httplib::Request& request) { AfterHead(request); });
    stream_ = nullptr;
    // A request line or header block that did not parse leaves the stream at an unknown place:
    // reading on would answer garbage lines with more errors.
    return written && parsed_ && !peer_closes && !close_requested && !announced_close_ &&
           !draining_.load();
  }

 private:
  // Runs once the request line and headers have parsed, before the body is read.
  void AfterHead(httplib::Request& request) {
    parsed_ = true;
    // The gateway answers whole messages: no byte ranges.
    request.ranges.clear();
    // Without Content-Length or Transfer-Encoding a request has no body (RFC 9112, 6.3), but
    // cpp-httplib would read one until the client closes or the read deadline passes.
    if (!request.has_header("Content-Length") && !request.has_header("Transfer-Encoding")) {
      request.set_header("Content-Length", "0");
    }
    // cpp-httplib checks max_body_bytes against Content-Length only; a chunked body is checked
    // once read (Handle), and its encoding may add some overhead until then.
    stream_->SetReadBudget(2 * max_body_bytes_ + kMaxHeaderBytes);
  }

  // A client that sent `Expect: 100-continue` waits for this before it sends the body: a body
  // over the limit is refused before it travels.
  int BeforeBody(const httplib::Request& request, httplib::Response& response) {
    const std::string length = request.get_header_value("Content-Length");
    if (!length.empty() && std::strtoull(length.c_str(), nullptr, 10) > max_body_bytes_) {
      response.status = 413;
      return 413;
    }
    return 100;
  }

  void Handle(const httplib::Request& request, httplib::Response& response) {
    answered_by_gateway_ = true;
    if (request.body.size() > max_body_bytes_) {
      response.status = 413;
      response.set_content(ErrorBody(StatusForParserError(413)), "application/json");
      return;
    }
    HttpRequest http_request;
    http_request.method = request.method;
    // The raw target: cpp-httplib's `path` is already percent-decoded, which would lose `%2F`.
    std::string_view target = OriginForm(request.target);
    std::size_t question_mark = target.find('?');
    http_request.path = target.substr(0, question_mark);
    if (question_mark != std::string_view::npos) {
      http_request.query = target.substr(question_mark + 1);
    }
    http_request.headers.reserve(request.headers.size());
    for (const auto& [name, value] : request.headers) {
      if (!IsInjectedHeader(name)) http_request.headers.emplace_back(name, value);
    }
    http_request.body = request.body;

    HttpResponse http_response;
    try {
      gateway_.Serve(http_request, &http_response);
    } catch (const std::exception&) {
      // What went wrong inside is not the client's business.
      http_response = HttpResponse{};
      http_response.status = 500;
      http_response.body = ErrorBody(grpc::Status(grpc::StatusCode::INTERNAL, "internal error"));
    }

    response.status = http_response.status;
    for (const auto& [name, value] : http_response.headers) response.set_header(name, value);
    if (http_response.content_type.empty()) {
      response.body = std::move(http_response.body);
    } else {
      response.set_content(std::move(http_response.body), http_response.content_type);
    }
  }

  // Every answer of 400 or more passes here. Those the gateway made are complete; those
  // cpp-httplib made itself (a request that did not parse, a body over the limit, ...) have no
  // body yet and get the gateway's JSON error.
  HandlerResponse OnError(const httplib::Request&, httplib::Response& response) {
    if (answered_by_gateway_) return HandlerResponse::Unhandled;
    // The rest of the stream cannot be trusted after a request the parser rejected.
    announced_close_ = true;
    if (stream_ != nullptr && stream_->budget_exceeded()) response.status = parsed_ ? 413 : 431;
    response.set_content(ErrorBody(StatusForParserError(response.status)), "application/json");
    return HandlerResponse::Handled;
  }

  // Runs just before the status line is written: says whether the connection stays open.
  void BeforeWrite(const httplib::Request& request, httplib::Response& response) {
    bool closing =
        announced_close_ || draining_.load() ||
        response.get_header_value("Connection") == "close" ||
        (request.version == "HTTP/1.0" && request.get_header_value("Connection") != "Keep-Alive");
    // cpp-httplib's own Keep-Alive header advertises its request limit, which is not ours.
    response.headers.erase("Keep-Alive");
    if (closing) {
      announced_close_ = true;
      if (response.get_header_value("Connection") != "close") {
        response.headers.erase("Connection");
        response.set_header("Connection", "close");
      }
    } else {
      response.set_header("Keep-Alive", keep_alive_header_);
    }
  }

  const Gateway& gateway_;
  const std::atomic<bool>& draining_;
  const std::size_t max_body_bytes_;
  std::string keep_alive_header_;
  // About the request being served.
  ConnectionStream* stream_ = nullptr;
  bool parsed_ = false;               // the request line and headers parsed
  bool answered_by_gateway_ = false;  // the gateway made the answer
  bool announced_close_ = false;      // the answer says Connection: close
};

// ---------------------------------------------------------------------------------------------
// Http1Server

Http1Server::Http1Server(const Gateway& gateway, const ServerOptions& options,
                         const std::atomic<bool>& draining)
    : adapter_(std::make_unique<Adapter>(gateway, options, draining)),
      read_timeout_(options.read_timeout),
      write_timeout_(options.write_timeout) {}

Http1Server::~Http1Server() = default;

Http1Server::Outcome Http1Server::Serve(Http1Connection& connection) {
  for (int served = 0; served < kRequestsPerTurn; ++served) {
    ConnectionStream stream(connection, Clock::now() + read_timeout_, write_timeout_);
    if (!adapter_->ServeOne(stream)) return Outcome::kClose;
    // Pipelined requests wait in the buffer: they are served now, not after an event that
    // will never come for bytes already read.
    bool open = connection.ReadAhead();
    if (connection.HasRequestHead()) continue;
    return open ? Outcome::kIdle : Outcome::kClose;
  }
  return Outcome::kMoreInput;
}

}  // namespace cppgateway
