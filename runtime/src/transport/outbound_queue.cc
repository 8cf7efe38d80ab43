#include "transport/outbound_queue.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>

#include "transport/event_loop.h"

namespace cppgateway {
namespace {

// Small appends (NDJSON lines, chunk headers) go into the last chunk while it is this small, so
// that a stream of small messages is written with a few large writes.
constexpr std::size_t kCoalesceBytes = 16 * 1024;
// The most chunks handed to one writev.
constexpr int kMaxIovecs = 64;

}  // namespace

OutboundQueue::OutboundQueue(EventLoop& loop, std::function<void()> wake, std::size_t limit)
    : loop_(loop), wake_(std::move(wake)), limit_(limit) {}

bool OutboundQueue::Append(uint64_t exchange, std::string_view bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (exchange != current_ || answer_ended_) return true;  // dropped: nobody waits for it
  current_started_ = true;
  AppendLocked(bytes);
  if (size_ <= limit_) return true;
  told_to_stop_ = true;
  return false;
}

void OutboundQueue::End(uint64_t exchange, bool abort, bool close) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (exchange != current_ || answer_ended_) return;
  answer_ended_ = true;
  abort_ = abort;
  close_ = close;
  WakeLocked();
}

void OutboundQueue::SetCurrent(uint64_t exchange) {
  std::lock_guard<std::mutex> lock(mutex_);
  current_ = exchange;
  current_started_ = false;
  answer_ended_ = abort_ = close_ = told_to_stop_ = false;
}

bool OutboundQueue::TakeOver() {
  std::lock_guard<std::mutex> lock(mutex_);
  bool started = current_started_;
  current_ = 0;
  current_started_ = false;
  told_to_stop_ = false;
  return started;
}

void OutboundQueue::AppendOwn(std::string_view bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  AppendLocked(bytes);
}

bool OutboundQueue::AppendInterim(std::string_view bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (current_started_) return false;
  AppendLocked(bytes);
  return true;
}

void OutboundQueue::AppendLocked(std::string_view bytes) {
  if (bytes.empty()) return;
  if (size_ == 0) WakeLocked();
  if (!chunks_.empty() && chunks_.back().size() + bytes.size() <= kCoalesceBytes) {
    chunks_.back().append(bytes);
  } else {
    chunks_.emplace_back(bytes);
  }
  size_ += bytes.size();
}

void OutboundQueue::WakeLocked() {
  if (wake_pending_) return;
  wake_pending_ = true;
  loop_.Post(wake_);
}

ssize_t OutboundQueue::WriteTo(int fd, bool* blocked) {
  std::lock_guard<std::mutex> lock(mutex_);
  wake_pending_ = false;
  *blocked = false;
  ssize_t total = 0;
  while (size_ > 0) {
    iovec iov[kMaxIovecs];
    int count = 0;
    std::size_t offset = front_offset_;
    for (auto chunk = chunks_.begin(); chunk != chunks_.end() && count < kMaxIovecs; ++chunk) {
      iov[count].iov_base = chunk->data() + offset;
      iov[count].iov_len = chunk->size() - offset;
      offset = 0;
      ++count;
    }
    msghdr message{};
    message.msg_iov = iov;
    message.msg_iovlen = static_cast<std::size_t>(count);
    ssize_t written = ::sendmsg(fd, &message, MSG_NOSIGNAL);
    if (written < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        *blocked = true;
        break;
      }
      return -1;
    }
    total += written;
    size_ -= static_cast<std::size_t>(written);
    auto left = static_cast<std::size_t>(written);
    while (left > 0) {
      std::size_t in_front = chunks_.front().size() - front_offset_;
      if (left < in_front) {
        front_offset_ += left;
        break;
      }
      left -= in_front;
      chunks_.pop_front();
      front_offset_ = 0;
    }
  }
  return total;
}

OutboundQueue::State OutboundQueue::Peek() {
  std::lock_guard<std::mutex> lock(mutex_);
  State state;
  state.empty = size_ == 0;
  state.answer_ended = answer_ended_;
  state.abort = abort_;
  state.close = close_;
  return state;
}

bool OutboundQueue::TakeWritable() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!told_to_stop_ || size_ > limit_ / 2) return false;
  told_to_stop_ = false;
  return true;
}

}  // namespace cppgateway
