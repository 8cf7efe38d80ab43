#include "transport/http1_exchange.h"

#include <strings.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <utility>

#include "transport/event_loop.h"
#include "transport/http1_connection.h"
#include "transport/outbound_queue.h"

namespace cppgateway {
namespace {

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// Headers that frame the message on this connection: the transport writes its own.
bool IsFramingHeader(std::string_view name) {
  return EqualsIgnoringCase(name, "Content-Length") ||
         EqualsIgnoringCase(name, "Transfer-Encoding") || EqualsIgnoringCase(name, "Connection") ||
         EqualsIgnoringCase(name, "Keep-Alive");
}

// An origin server with a clock sends Date (RFC 9110, 6.6.1). Formatted once a second per thread.
const std::string& DateHeaderValue() {
  thread_local std::time_t formatted_second = -1;
  thread_local std::string value;
  std::time_t now = std::time(nullptr);
  if (now != formatted_second) {
    std::tm utc{};
    ::gmtime_r(&now, &utc);
    char text[64];
    std::strftime(text, sizeof(text), "%a, %d %b %Y %H:%M:%S GMT", &utc);
    value = text;
    formatted_second = now;
  }
  return value;
}

// Whether the client accepts gzip (Accept-Encoding: gzip, not with q=0).
bool AcceptsGzip(const HttpRequestHead& request) {
  const std::string* accept = request.FindHeader("Accept-Encoding");
  if (accept == nullptr || !HasToken(*accept, "gzip")) return false;
  std::size_t gzip = accept->find("gzip");
  std::string_view rest = std::string_view(*accept).substr(gzip + 4);
  rest = rest.substr(0, rest.find(','));
  std::size_t q = rest.find("q=");
  return q == std::string_view::npos ||
         rest.substr(q + 2).find_first_not_of("0. ") != std::string_view::npos;
}

void AppendHeader(std::string* out, std::string_view name, std::string_view value) {
  out->append(name);
  out->append(": ");
  out->append(value);
  out->append("\r\n");
}

}  // namespace

std::string_view ReasonPhrase(int status) {
  static constexpr std::pair<int, std::string_view> kReasons[] = {
      {100, "Continue"},
      {200, "OK"},
      {201, "Created"},
      {202, "Accepted"},
      {204, "No Content"},
      {206, "Partial Content"},
      {301, "Moved Permanently"},
      {302, "Found"},
      {304, "Not Modified"},
      {400, "Bad Request"},
      {401, "Unauthorized"},
      {403, "Forbidden"},
      {404, "Not Found"},
      {405, "Method Not Allowed"},
      {408, "Request Timeout"},
      {409, "Conflict"},
      {411, "Length Required"},
      {412, "Precondition Failed"},
      {413, "Content Too Large"},
      {414, "URI Too Long"},
      {415, "Unsupported Media Type"},
      {416, "Range Not Satisfiable"},
      {429, "Too Many Requests"},
      {431, "Request Header Fields Too Large"},
      {499, "Client Closed Request"},
      {500, "Internal Server Error"},
      {501, "Not Implemented"},
      {502, "Bad Gateway"},
      {503, "Service Unavailable"},
      {504, "Gateway Timeout"},
      {505, "HTTP Version Not Supported"},
  };
  for (const auto& [code, reason] : kReasons) {
    if (code == status) return reason;
  }
  return "";
}

std::string StatusLine(int status) {
  std::string line = "HTTP/1.1 " + std::to_string(status) + " ";
  line.append(ReasonPhrase(status));
  line.append("\r\nDate: ");
  line.append(DateHeaderValue());
  line.append("\r\n");
  return line;
}

Http1Exchange::Http1Exchange(uint64_t id, HttpRequestHead request, std::string peer,
                             std::shared_ptr<OutboundQueue> queue, EventLoop& loop,
                             std::weak_ptr<Http1Connection> connection, Settings settings)
    : id_(id),
      request_(std::move(request)),
      peer_(std::move(peer)),
      queue_(std::move(queue)),
      loop_(loop),
      connection_(std::move(connection)),
      head_request_(request_.method == "HEAD"),
      close_after_(settings.close_after),
      keep_alive_value_(settings.keep_alive_value),
      compression_(settings.compression),
      accepts_gzip_(AcceptsGzip(request_)) {}

bool Http1Exchange::ShouldCompress(const HttpResponseHead& head) const {
  if (compression_ == nullptr || !compression_->gzip_responses || !accepts_gzip_) return false;
  if (head_request_ || head.status == 204 || head.status == 304) return false;
  if (FindHeader(head.headers, "Content-Encoding") != nullptr) return false;  // encoded already
  return !head.content_length || *head.content_length >= compression_->min_bytes;
}

void Http1Exchange::SendHead(HttpResponseHead head) {
  if (head_sent_) return;
  head_sent_ = true;
  if (compression_ != nullptr && compression_->gzip_responses) {
    // Caches must keep gzip and plain answers apart (one Vary, added to any there is).
    auto vary = std::find_if(head.headers.begin(), head.headers.end(), [](const auto& header) {
      return EqualsIgnoringCase(header.first, "Vary");
    });
    if (vary == head.headers.end()) {
      head.headers.emplace_back("Vary", "Accept-Encoding");
    } else {
      vary->second += ", Accept-Encoding";
    }
  }
  if (ShouldCompress(head)) {
    gzip_ = std::make_unique<GzipEncoder>(compression_->level);
    head.headers.emplace_back("Content-Encoding", "gzip");
    if (head.content_length) {
      // The compressed length is known once the whole body is.
      held_head_ = std::move(head);
      return;
    }
  }
  WriteHead(std::move(head));
}

void Http1Exchange::WriteHead(HttpResponseHead head) {
  no_body_ = head_request_ || head.status == 204 || head.status == 304;
  for (const auto& [name, value] : head.headers) {
    if (EqualsIgnoringCase(name, "Connection") && EqualsIgnoringCase(value, "close")) {
      close_after_ = true;
    }
  }
  if (!head.content_length && head.status != 204 && head.status != 304) {
    // Streamed: chunked where the client can take it, else delimited by closing.
    chunked_ = request_.version >= 11;
    close_delimited_ = !chunked_;
    if (close_delimited_) close_after_ = true;
  }

  std::string out = StatusLine(head.status);
  for (const auto& [name, value] : head.headers) {
    if (!IsFramingHeader(name)) AppendHeader(&out, name, value);
  }
  if (head.content_length && head.status != 204 && head.status != 304) {
    AppendHeader(&out, "Content-Length", std::to_string(*head.content_length));
  } else if (chunked_) {
    AppendHeader(&out, "Transfer-Encoding", "chunked");
  }
  if (close_after_) {
    AppendHeader(&out, "Connection", "close");
  } else {
    if (request_.version < 11) AppendHeader(&out, "Connection", "keep-alive");
    AppendHeader(&out, "Keep-Alive", keep_alive_value_);
  }
  out.append("\r\n");
  queue_->Append(id_, out);
}

bool Http1Exchange::SendBody(std::string_view bytes) {
  if (!head_sent_ || ended_ || bytes.empty()) return true;
  if (held_head_) {
    held_body_.append(bytes);
    return true;
  }
  if (no_body_) return true;
  if (gzip_) {
    std::string compressed;
    gzip_->Write(bytes, &compressed);
    return WriteBody(compressed);
  }
  return WriteBody(bytes);
}

bool Http1Exchange::WriteBody(std::string_view bytes) {
  if (bytes.empty()) return true;
  if (!chunked_) return queue_->Append(id_, bytes);
  char size_line[24];
  int length = std::snprintf(size_line, sizeof(size_line), "%zx\r\n", bytes.size());
  std::string chunk;
  chunk.reserve(static_cast<std::size_t>(length) + bytes.size() + 2);
  chunk.append(size_line, static_cast<std::size_t>(length));
  chunk.append(bytes);
  chunk.append("\r\n");
  return queue_->Append(id_, chunk);
}

void Http1Exchange::End(const HttpHeaders& trailers) {
  if (ended_) return;
  if (!head_sent_) {
    // An answer must have a head: the handler ended without one.
    HttpResponseHead head;
    head.status = 500;
    head.content_length = 0;
    SendHead(std::move(head));
  }
  if (held_head_) {
    std::string compressed;
    gzip_->Write(held_body_, &compressed);
    gzip_->Finish(&compressed);
    std::string().swap(held_body_);
    held_head_->content_length = compressed.size();
    WriteHead(std::move(*held_head_));
    held_head_.reset();
    WriteBody(compressed);
  } else if (gzip_ && !no_body_) {
    std::string tail;
    gzip_->Finish(&tail);
    WriteBody(tail);
  }
  ended_ = true;
  if (chunked_ && !no_body_) {
    std::string last = "0\r\n";
    for (const auto& [name, value] : trailers) {
      if (!IsFramingHeader(name)) AppendHeader(&last, name, value);
    }
    last.append("\r\n");
    queue_->Append(id_, last);
  }
  queue_->End(id_, /*abort=*/false, close_after_);
}

void Http1Exchange::Abort() {
  if (ended_) return;
  ended_ = true;
  queue_->End(id_, /*abort=*/true, /*close=*/true);
}

void Http1Exchange::Post(std::function<void()> task) { loop_.Post(std::move(task)); }

void Http1Exchange::ResumeBody() {
  loop_.Post([connection = connection_, id = id_] {
    if (auto alive = connection.lock()) alive->ResumeBody(id);
  });
}

}  // namespace cppgateway
