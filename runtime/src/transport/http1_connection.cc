#include "transport/http1_connection.h"

#include <arpa/inet.h>
#include <grpcpp/support/status.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "cppgateway/gateway.h"
#include "cppgateway/status.h"
#include "transport/gzip.h"
#include "transport/http1_exchange.h"
#include "transport/outbound_queue.h"

namespace cppgateway {
namespace {

// A read takes this much at most; the buffer holds one read beyond a request's head.
constexpr std::size_t kReadBytes = 16 * 1024;

// Answer bytes queued beyond this make the call wait for the client to read (backpressure).
constexpr std::size_t kQueueLimit = 256 * 1024;

// After an answer given before the whole body came (an error), this much more of the body is read
// and dropped so that the connection can carry the next request; a longer rest closes it instead
// (Go's net/http draws the line at the same place).
constexpr std::size_t kMaxDiscardBytes = 256 * 1024;

// How long a closing connection may keep sending after its last answer (a request the server
// refused, the rest of a body over the limit), and how much of it is read and dropped. Closing a
// socket with unread bytes sends a reset, and a reset can destroy the answer before the client
// reads it.
constexpr std::chrono::milliseconds kLingerTime{2000};
constexpr std::size_t kMaxLingerBytes = 64 * 1024 * 1024;

// The gRPC code in the body of an answer the transport makes itself.
grpc::StatusCode CodeForTransportError(int http_status) {
  switch (http_status) {
    case 408:
      return grpc::StatusCode::DEADLINE_EXCEEDED;
    case 501:
    case 505:
      return grpc::StatusCode::UNIMPLEMENTED;
    default:
      return grpc::StatusCode::INVALID_ARGUMENT;
  }
}

// A whole answer with a JSON error body and Connection: close.
std::string ErrorAnswer(int http_status, std::string_view message) {
  std::string body =
      ErrorBody(grpc::Status(CodeForTransportError(http_status), std::string(message)));
  std::string answer = StatusLine(http_status);
  answer.append("Content-Type: application/json\r\nContent-Length: ");
  answer.append(std::to_string(body.size()));
  answer.append("\r\nConnection: close\r\n\r\n");
  answer.append(body);
  return answer;
}

std::string PeerAddress(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return "";
  char text[INET6_ADDRSTRLEN] = "";
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    ::inet_ntop(AF_INET, &v4.sin_addr, text, sizeof(text));
    return std::string(text) + ":" + std::to_string(ntohs(v4.sin_port));
  }
  if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    ::inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof(text));
    return "[" + std::string(text) + "]:" + std::to_string(ntohs(v6.sin6_port));
  }
  return "";
}

Http1Parser::Limits ParserLimits(const ServerOptions& options) {
  Http1Parser::Limits limits;
  limits.max_target_bytes = options.max_target_bytes;
  limits.max_header_bytes = options.max_header_bytes;
  limits.max_header_count = options.max_header_count;
  return limits;
}

}  // namespace

Http1Connection::Http1Connection(int fd, EventLoop& loop, const Gateway& gateway,
                                 const ServerOptions& options, Owner& owner)
    : fd_(fd),
      loop_(loop),
      gateway_(gateway),
      options_(options),
      owner_(owner),
      keep_alive_value_("timeout=" +
                        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                           options.keep_alive_timeout)
                                           .count())),
      parser_(ParserLimits(options)) {}

Http1Connection::~Http1Connection() { Close(); }

void Http1Connection::Start() {
  peer_ = PeerAddress(fd_);
  std::weak_ptr<Http1Connection> self = weak_from_this();
  queue_ = std::make_shared<OutboundQueue>(
      loop_,
      [self] {
        if (auto connection = self.lock()) connection->OnQueueActivity();
      },
      kQueueLimit);
  idle_since_ = Clock::now();
  if (!loop_.Add(fd_, EPOLLIN | EPOLLOUT | EPOLLRDHUP, this)) {
    Close();
    return;
  }
  Pump();
}

void Http1Connection::Drain() {
  draining_ = true;
  if (phase_ == Phase::kIdle || phase_ == Phase::kHead) {
    Close();
  }
}

void Http1Connection::Close() {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosed;
  loop_.Remove(fd_);
  loop_.CancelTimer(this);
  // Closed now, not when the object goes: the client sees the close at once.
  ::close(fd_);
  fd_ = -1;
  if (handler_) {
    queue_->TakeOver();
    std::shared_ptr<RequestHandler> handler = std::move(handler_);
    exchange_.reset();
    handler->OnCancel();
    owner_.OnExchangeEnd();
  }
  queue_->SetCurrent(0);
  buffer_.reset();
  owner_.OnClosed(this);
}

void Http1Connection::ResumeBody(uint64_t exchange) {
  if (phase_ == Phase::kClosed || exchange != exchange_id_ || !body_paused_) return;
  body_paused_ = false;
  Pump();
}

void Http1Connection::OnQueueActivity() {
  if (phase_ != Phase::kClosed) Pump();
}

void Http1Connection::OnReady(uint32_t events) {
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) readable_ = true;
  if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) writable_ = true;
  Pump();
}

void Http1Connection::Pump() {
  while (phase_ != Phase::kClosed) {
    if (!Write()) return;
    CheckAnswer();
    if (phase_ == Phase::kClosed) return;
    bool read = Read();
    if (phase_ == Phase::kClosed) return;
    bool parsed = ParseBuffer();
    if (!read && !parsed) break;
  }
  if (phase_ == Phase::kClosed) return;
  if (phase_ == Phase::kHead || (phase_ == Phase::kBody && !body_paused_)) AcknowledgeAtOnce();
  // A connection waiting (for a request, a call or a stream's next message) holds no buffer.
  ReleaseEmptyBuffer();
  UpdateTimer();
}

bool Http1Connection::Write() {
  if (writable_) {
    bool blocked = false;
    ssize_t written = queue_->WriteTo(fd_, &blocked);
    if (written < 0) {
      Close();
      return false;
    }
    if (written > 0 || blocked) last_write_ = Clock::now();
    // EPOLLOUT brings the next edge; the write timeout counts from the last progress.
    if (blocked) writable_ = false;
  }
  OutboundQueue::State state = queue_->Peek();
  answer_ended_ = state.answer_ended;
  if (handler_ && queue_->TakeWritable()) handler_->OnWritable();
  if (state.empty && closing_ && phase_ != Phase::kLinger) {
    // Everything is written: FIN after it, then drop what the client still sends.
    ::shutdown(fd_, SHUT_WR);
    phase_ = Phase::kLinger;
    linger_until_ = Clock::now() + kLingerTime;
    if (handler_) {
      std::shared_ptr<RequestHandler> handler = std::move(handler_);
      exchange_.reset();
      handler->OnCancel();
      owner_.OnExchangeEnd();
    }
    if (peer_eof_) Close();
  }
  return true;
}

void Http1Connection::CheckAnswer() {
  if (!handler_ || !answer_ended_) return;
  OutboundQueue::State state = queue_->Peek();
  if (!state.empty) return;
  if (state.abort || state.close) {
    CloseAfterAnswer();
    return;
  }
  if (!body_done_) {
    // Answered before the whole body came (an error, or a stream that ended early): the body
    // is still read and dropped, unless the client may never send it (it waits for a 100
    // Continue that did not come) or it is a stream that has no reason to end.
    if (exchange_->request().expects_continue || body_is_stream_) CloseAfterAnswer();
    return;
  }
  EndExchange();
}

void Http1Connection::EndExchange() {
  handler_.reset();
  exchange_.reset();
  queue_->SetCurrent(0);
  owner_.OnExchangeEnd();
  answer_ended_ = false;
  idle_since_ = Clock::now();
  if (draining_ || (peer_eof_ && begin_ == end_)) {
    CloseAfterAnswer();
    return;
  }
  phase_ = Phase::kIdle;
  ReleaseEmptyBuffer();
}

bool Http1Connection::Read() {
  if (!readable_ || phase_ == Phase::kClosed) return false;
  bool want = phase_ == Phase::kLinger || (phase_ == Phase::kBody && !body_paused_) ||
              phase_ == Phase::kIdle || phase_ == Phase::kHead || phase_ == Phase::kAnswer;
  if (!want) return false;
  if (phase_ == Phase::kLinger) {
    char discarded[16 * 1024];
    for (;;) {
      ssize_t count = ::recv(fd_, discarded, sizeof(discarded), 0);
      if (count > 0) {
        lingered_bytes_ += static_cast<std::size_t>(count);
        if (lingered_bytes_ > kMaxLingerBytes) break;
        continue;
      }
      if (count < 0 && errno == EINTR) continue;
      if (count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        readable_ = false;
        return false;
      }
      break;  // the peer has closed too, or the socket failed
    }
    Close();
    return false;
  }

  // Pipelined requests wait while an answer is under way: one read's worth of them is enough.
  if (phase_ == Phase::kAnswer && end_ - begin_ >= kReadBytes) return false;
  // The buffer grows to hold a whole head, up to the header limit: the parser needs it in one
  // piece. After the head one read's worth is enough: the parser takes body bytes as they come.
  const std::size_t limit = options_.max_header_bytes + kReadBytes;
  std::size_t unparsed = end_ - begin_;
  if (unparsed >= limit) return false;  // the parser decides first (it refuses such a head)
  std::size_t capacity = std::max(2 * kReadBytes, std::min(limit, unparsed + kReadBytes));
  if (!buffer_ || capacity > buffer_capacity_) {
    auto grown = std::make_unique<char[]>(capacity);
    if (buffer_) std::memcpy(grown.get(), buffer_.get() + begin_, unparsed);
    buffer_ = std::move(grown);
    buffer_capacity_ = capacity;
    begin_ = 0;
    end_ = unparsed;
  } else if (end_ + kReadBytes > buffer_capacity_ && begin_ > 0) {
    std::memmove(buffer_.get(), buffer_.get() + begin_, unparsed);
    begin_ = 0;
    end_ = unparsed;
  }
  std::size_t room = std::min(kReadBytes, buffer_capacity_ - end_);
  if (room == 0) return false;
  for (;;) {
    ssize_t count = ::recv(fd_, buffer_.get() + end_, room, 0);
    if (count > 0) {
      end_ += static_cast<std::size_t>(count);
      if (static_cast<std::size_t>(count) < room) readable_ = false;  // drained the socket
      return true;
    }
    if (count < 0 && errno == EINTR) continue;
    if (count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      readable_ = false;
      ReleaseEmptyBuffer();
      return false;
    }
    if (count == 0) {
      readable_ = false;
      peer_eof_ = true;
      ReleaseEmptyBuffer();
      OnEndOfInput();
      return false;
    }
    Close();  // the connection was reset
    return false;
  }
}

void Http1Connection::AcknowledgeAtOnce() {
  // Waiting for the rest of a request: a client that wrote it in pieces (headers, then body) with
  // Nagle's algorithm on holds the next piece until the last one is acknowledged, and Linux
  // delays that acknowledgement by up to 40 ms. The flag does not stick: set it per wait.
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
}

void Http1Connection::ReleaseEmptyBuffer() {
  // Connections waiting (idle, or for a call or a stream) hold no buffer.
  if (begin_ == end_) {
    buffer_.reset();
    buffer_capacity_ = begin_ = end_ = 0;
  }
}

void Http1Connection::OnEndOfInput() {
  switch (phase_) {
    case Phase::kIdle:
    case Phase::kHead:
    case Phase::kLinger:
      Close();
      return;
    case Phase::kBody:
      if (answer_ended_) {
        CloseAfterAnswer();  // answered already: the rest of the body does not matter
      } else {
        Close();  // the client will not send the rest: the request cannot complete
      }
      return;
    case Phase::kAnswer:
      // A client that stops sending and has no further request waiting has gone (or will only
      // read): its call is cancelled, as grpc-gateway's net/http cancels the request's context.
      // What is answered still goes out, then the connection closes.
      if (begin_ == end_ && handler_) handler_->OnCancel();
      return;
    case Phase::kClosed:
      return;
  }
}

bool Http1Connection::ParseBuffer() {
  switch (phase_) {
    case Phase::kIdle:
    case Phase::kHead:
      return ParseHead();
    case Phase::kBody:
      return ParseBody();
    case Phase::kAnswer:
    case Phase::kLinger:
    case Phase::kClosed:
      return false;
  }
  return false;
}

bool Http1Connection::ParseHead() {
  if (begin_ == end_) {
    // The parser may hold the start of a head (the request line): then the request is under way.
    if (!parser_.InRequest()) {
      phase_ = Phase::kIdle;
      if (peer_eof_) Close();
    }
    return false;
  }
  if (draining_ || closing_) {
    Close();  // no new request is begun while shutting down
    return false;
  }
  if (phase_ == Phase::kIdle) {
    phase_ = Phase::kHead;
    request_started_ = Clock::now();
  }
  std::size_t consumed = 0;
  std::string_view body;
  Http1Parser::Result result = parser_.Parse(Buffered(), &consumed, &body);
  Consume(consumed);
  switch (result) {
    case Http1Parser::Result::kNeedMore:
      if (peer_eof_) Close();
      return consumed > 0;
    case Http1Parser::Result::kHead:
      BeginExchange(parser_.TakeHead());
      return true;
    case Http1Parser::Result::kError:
      FailRequest(parser_.error_status(), parser_.error_message());
      return true;
    case Http1Parser::Result::kBody:
    case Http1Parser::Result::kDone:
      break;  // not before a head
  }
  FailRequest(400, "malformed HTTP/1.1 request");
  return true;
}

void Http1Connection::BeginExchange(HttpRequestHead head) {
  ++exchange_id_;
  queue_->SetCurrent(exchange_id_);
  Http1Exchange::Settings settings;
  settings.close_after = draining_ || head.wants_close;
  settings.keep_alive_value = keep_alive_value_;
  settings.compression = &options_.compression;
  bool expects_continue = head.expects_continue && head.has_body();
  exchange_ = std::make_shared<Http1Exchange>(exchange_id_, std::move(head), peer_, queue_, loop_,
                                              weak_from_this(), settings);
  phase_ = Phase::kBody;
  body_done_ = false;
  parser_done_ = false;
  body_paused_ = false;
  answer_ended_ = false;
  discarded_bytes_ = 0;
  decoder_.reset();
  if (const std::string* encoding = exchange_->request().FindHeader("Content-Encoding")) {
    if (HasToken(*encoding, "gzip") && options_.compression.gzip_requests &&
        encoding->find(',') == std::string::npos) {
      decoder_ = std::make_unique<GzipDecoder>();
    } else if (!HasToken(*encoding, "identity")) {
      std::string message = "Content-Encoding \"" + *encoding + "\" is not supported";
      exchange_.reset();  // `encoding` points into it
      FailRequest(415, message);
      return;
    }
  }
  owner_.OnExchangeBegin();
  handler_ = gateway_.Open(exchange_);
  body_is_stream_ = handler_->BodyIsStream();
  // The client waits for this before it sends the body; an answer already given (a body over
  // the limit) goes out instead, and the connection then closes.
  if (expects_continue) queue_->AppendInterim("HTTP/1.1 100 Continue\r\n\r\n");
}

bool Http1Connection::ParseBody() {
  if (body_paused_) return false;
  // A gzip body: what was decoded is handed on first, a bounded amount at a time.
  if (decoder_ != nullptr && decoder_->HasInput() && !answer_ended_) return DecodeBody();
  if (parser_done_) {
    EndOfBody();
    return true;
  }
  std::size_t consumed = 0;
  std::string_view body;
  Http1Parser::Result result = parser_.Parse(Buffered(), &consumed, &body);
  switch (result) {
    case Http1Parser::Result::kNeedMore:
      Consume(consumed);
      return consumed > 0;
    case Http1Parser::Result::kBody:
      if (answer_ended_) {
        discarded_bytes_ += body.size();
        if (discarded_bytes_ > kMaxDiscardBytes) CloseAfterAnswer();
      } else if (decoder_ != nullptr) {
        decoder_->Feed(body);
      } else if (!handler_->OnBody(body)) {
        body_paused_ = true;
      }
      Consume(consumed);  // after the handler: `body` points into the buffer
      return true;
    case Http1Parser::Result::kDone:
      Consume(consumed);
      parser_.Reset();
      parser_done_ = true;
      return true;
    case Http1Parser::Result::kError:
      Consume(consumed);
      FailRequest(parser_.error_status(), parser_.error_message());
      return true;
    case Http1Parser::Result::kHead:
      break;  // not twice
  }
  Consume(consumed);
  FailRequest(400, "malformed HTTP/1.1 request");
  return true;
}

bool Http1Connection::DecodeBody() {
  std::string decoded;
  if (!decoder_->Decode(kReadBytes, &decoded)) {
    FailRequest(400, "the request body is not valid gzip");
    return true;
  }
  if (!decoded.empty() && !handler_->OnBody(decoded)) body_paused_ = true;
  return true;
}

void Http1Connection::EndOfBody() {
  if (decoder_ != nullptr && !answer_ended_ && !decoder_->Done()) {
    FailRequest(400, "the gzip request body ends early");
    return;
  }
  parser_done_ = false;
  body_done_ = true;
  phase_ = Phase::kAnswer;
  if (!answer_ended_) handler_->OnBodyEnd();
}

void Http1Connection::FailRequest(int status, std::string_view message) {
  bool answer_begun = false;
  if (handler_) {
    answer_begun = queue_->TakeOver();
    std::shared_ptr<RequestHandler> handler = std::move(handler_);
    exchange_.reset();
    handler->OnCancel();
    owner_.OnExchangeEnd();
  }
  // An answer that has begun cannot be replaced: the client sees it cut off.
  if (!answer_begun) queue_->AppendOwn(ErrorAnswer(status, message));
  parser_.Reset();
  decoder_.reset();
  begin_ = end_;  // nothing after a malformed request can be trusted
  CloseAfterAnswer();
}

void Http1Connection::CloseAfterAnswer() {
  closing_ = true;
  if (phase_ != Phase::kLinger) phase_ = Phase::kAnswer;
  Write();
}

void Http1Connection::UpdateTimer() {
  Clock::time_point deadline = Clock::time_point::max();
  auto consider = [&deadline](Clock::time_point candidate) {
    deadline = std::min(deadline, candidate);
  };
  switch (phase_) {
    case Phase::kIdle:
      consider(idle_since_ + options_.keep_alive_timeout);
      break;
    case Phase::kHead:
      consider(request_started_ + options_.read_timeout);
      break;
    case Phase::kBody:
      if (!body_is_stream_ && !body_paused_) consider(request_started_ + options_.read_timeout);
      break;
    case Phase::kLinger:
      consider(linger_until_);
      break;
    case Phase::kAnswer:
    case Phase::kClosed:
      break;
  }
  if (!writable_) consider(last_write_ + options_.write_timeout);
  if (deadline == Clock::time_point::max()) {
    loop_.CancelTimer(this);
  } else {
    loop_.SetTimer(this, deadline);
  }
}

void Http1Connection::OnTimer() {
  Clock::time_point now = Clock::now();
  if (!writable_ && now >= last_write_ + options_.write_timeout) {
    Close();  // the client does not read what it is sent
    return;
  }
  switch (phase_) {
    case Phase::kIdle:
    case Phase::kLinger:
      Close();
      return;
    case Phase::kHead:
    case Phase::kBody:
      if (now >= request_started_ + options_.read_timeout) {
        FailRequest(408, "the request did not arrive within the read timeout");
        Pump();
        return;
      }
      break;
    case Phase::kAnswer:
    case Phase::kClosed:
      break;
  }
  UpdateTimer();
}

void Http1Connection::Consume(std::size_t bytes) {
  begin_ += bytes;
  if (begin_ == end_) begin_ = end_ = 0;
}

std::string_view Http1Connection::Buffered() const {
  if (!buffer_) return {};
  return std::string_view(buffer_.get() + begin_, end_ - begin_);
}

}  // namespace cppgateway
