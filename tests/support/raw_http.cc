#include "raw_http.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>

namespace cppgateway::testing {

RawSocket::RawSocket(const std::string& host, int port, int receive_buffer) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return;
  for (addrinfo* a = found; a != nullptr && fd_ < 0; a = a->ai_next) {
    fd_ = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) continue;
    if (receive_buffer > 0) {
      setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
    }
    if (connect(fd_, a->ai_addr, a->ai_addrlen) != 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  freeaddrinfo(found);
}

RawSocket RawSocket::Adopt(int fd) {
  RawSocket adopted;
  adopted.fd_ = fd;
  return adopted;
}

RawSocket::RawSocket(RawSocket&& other) noexcept
    : fd_(other.fd_), buffer_(std::move(other.buffer_)) {
  other.fd_ = -1;
}

RawSocket::~RawSocket() {
  if (fd_ >= 0) close(fd_);
}

bool RawSocket::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool RawSocket::SendChunk(std::string_view bytes) {
  char size[32];
  std::snprintf(size, sizeof(size), "%zx\r\n", bytes.size());
  std::string chunk = size;
  chunk.append(bytes);
  chunk.append("\r\n");
  return Send(chunk);
}

void RawSocket::ShutdownWrite() { shutdown(fd_, SHUT_WR); }

std::optional<std::string> RawSocket::ReadBytes(std::size_t count, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (buffer_.size() < count) {
    if (!Fill(deadline)) return std::nullopt;
  }
  std::string bytes = buffer_.substr(0, count);
  buffer_.erase(0, count);
  return bytes;
}

std::optional<RawResponse> RawSocket::ReadHead(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::size_t head_end;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!Fill(deadline)) return std::nullopt;
  }
  RawResponse response;
  std::string head = buffer_.substr(0, head_end);
  buffer_.erase(0, head_end + 4);
  std::size_t line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  if (status_line.size() < 12 || status_line.compare(0, 9, "HTTP/1.1 ") != 0) return std::nullopt;
  response.status = std::stoi(status_line.substr(9, 3));
  while (line_end != std::string::npos) {
    std::size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    std::string line =
        head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
    std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    std::size_t value_start = line.find_first_not_of(' ', colon + 1);
    response.headers[name] = value_start == std::string::npos ? "" : line.substr(value_start);
  }
  response.chunked = response.header("transfer-encoding") == "chunked";
  return response;
}

std::optional<RawResponse> RawSocket::ReadResponse(milliseconds timeout, bool head_request) {
  const auto deadline = Clock::now() + timeout;
  std::optional<RawResponse> response = ReadHead(timeout);
  if (!response || head_request || response->status == 204 || response->status == 304 ||
      response->status / 100 == 1) {
    return response;
  }
  if (response->chunked) {
    for (;;) {
      auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      std::optional<std::string> chunk = ReadChunk(std::max(left, milliseconds(0)));
      if (!chunk) return std::nullopt;
      if (chunk->empty()) return response;
      response->body += *chunk;
    }
  }
  if (response->headers.count("content-length") == 0) {
    // Delimited by the close.
    while (Fill(deadline)) {
    }
    response->body = std::move(buffer_);
    buffer_.clear();
    return response;
  }
  std::size_t length = std::stoul(response->header("content-length"));
  while (buffer_.size() < length) {
    if (!Fill(deadline)) return std::nullopt;
  }
  response->body = buffer_.substr(0, length);
  buffer_.erase(0, length);
  return response;
}

std::optional<std::string> RawSocket::ReadLine(Clock::time_point deadline) {
  std::size_t end;
  while ((end = buffer_.find("\r\n")) == std::string::npos) {
    if (!Fill(deadline)) return std::nullopt;
  }
  std::string line = buffer_.substr(0, end);
  buffer_.erase(0, end + 2);
  return line;
}

std::optional<std::string> RawSocket::ReadChunk(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::optional<std::string> size_line = ReadLine(deadline);
  if (!size_line) return std::nullopt;
  std::size_t size = 0;
  try {
    size = std::stoul(*size_line, nullptr, 16);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (size == 0) {
    // Trailers, up to the blank line.
    for (;;) {
      std::optional<std::string> trailer = ReadLine(deadline);
      if (!trailer) return std::nullopt;
      if (trailer->empty()) return std::string();
    }
  }
  while (buffer_.size() < size + 2) {
    if (!Fill(deadline)) return std::nullopt;
  }
  if (buffer_.compare(size, 2, "\r\n") != 0) return std::nullopt;
  std::string data = buffer_.substr(0, size);
  buffer_.erase(0, size + 2);
  return data;
}

std::optional<std::string> RawSocket::ReadChunksUntil(std::string_view text, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::string body;
  while (body.find(text) == std::string::npos) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    std::optional<std::string> chunk = ReadChunk(std::max(left, milliseconds(0)));
    if (!chunk || chunk->empty()) return std::nullopt;
    body += *chunk;
  }
  return body;
}

std::optional<std::string> RawSocket::ReadUntilClose(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Fill(deadline)) {
  }
  if (Clock::now() >= deadline) return std::nullopt;  // Fill stopped at the deadline, not a close
  std::string all;
  all.swap(buffer_);
  return all;
}

bool RawSocket::WaitForClose(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    pollfd entry{fd_, POLLIN, 0};
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (poll(&entry, 1, static_cast<int>(std::max<long long>(left, 0))) <= 0) return false;
    char byte;
    ssize_t n = recv(fd_, &byte, 1, 0);
    if (n == 0 || (n < 0 && errno == ECONNRESET)) return true;
    if (n > 0) return false;
  }
}

bool RawSocket::Fill(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  pollfd entry{fd_, POLLIN, 0};
  if (left <= 0 || poll(&entry, 1, static_cast<int>(left)) <= 0) return false;
  char chunk[16384];
  ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
  if (n <= 0) return false;
  buffer_.append(chunk, static_cast<std::size_t>(n));
  return true;
}

std::string GetRequest(const std::string& path) {
  return "GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n";
}

}  // namespace cppgateway::testing
