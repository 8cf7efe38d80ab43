#include "transport/event_loop.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace cppgateway {

EventLoop::EventLoop() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event wake{};
  wake.events = EPOLLIN | EPOLLET;
  wake.data.ptr = nullptr;  // the one registration without a watcher
  if (epoll_fd_ < 0 || wake_fd_ < 0 ||
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &wake) != 0) {
    std::string reason = std::strerror(errno);
    if (epoll_fd_ >= 0) ::close(epoll_fd_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
    throw std::runtime_error("cppgateway: cannot set up the event loop: " + reason);
  }
}

EventLoop::~EventLoop() {
  if (thread_.joinable()) Stop();
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

void EventLoop::Start() {
  thread_ = std::thread([this] {
    thread_id_.store(std::this_thread::get_id());
    Run();
  });
}

void EventLoop::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof(one));
  if (thread_.joinable()) thread_.join();
  // What the dropped tasks hold (a connection on its way out) goes now, not with the loop.
  std::vector<std::function<void()>> dropped;
  std::lock_guard<std::mutex> lock(mutex_);
  dropped.swap(tasks_);
}

void EventLoop::Post(std::function<void()> task) {
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    // Kept even while stopping: a task may hold what must not be destroyed where it was posted
    // (a connection posting its own destruction from inside its call). Stop drops the rest.
    tasks_.push_back(std::move(task));
    // The loop looks at its tasks before it waits again: its own posts need no wake-up.
    wake = !wake_pending_ && !InLoopThread();
    if (wake) wake_pending_ = true;
  }
  // One write per batch of tasks: the loop takes them all when it wakes.
  if (wake) {
    uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof(one));
  }
}

bool EventLoop::Add(int fd, uint32_t events, Watcher* watcher) {
  epoll_event event{};
  event.events = events | EPOLLET;
  event.data.ptr = watcher;
  return ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) == 0;
}

void EventLoop::Remove(int fd) { ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr); }

void EventLoop::SetTimer(Timer* timer, Clock::time_point deadline) {
  if (timer->armed_) {
    if (timer->position_->first == deadline) return;
    timers_.erase(timer->position_);
  }
  timer->position_ = timers_.emplace(deadline, timer);
  timer->armed_ = true;
}

void EventLoop::CancelTimer(Timer* timer) {
  if (!timer->armed_) return;
  timers_.erase(timer->position_);
  timer->armed_ = false;
}

void EventLoop::Run() {
  std::vector<epoll_event> events(256);
  for (;;) {
    bool tasks_waiting;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      tasks_waiting = !tasks_.empty();
    }
    int count = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()),
                             tasks_waiting ? 0 : MillisecondsToNextTimer());
    if (count < 0) count = 0;  // EINTR; nothing else can fail on a valid epoll fd
    for (int i = 0; i < count; ++i) {
      auto* watcher = static_cast<Watcher*>(events[i].data.ptr);
      if (watcher == nullptr) {  // the wake-up: the tasks run below
        uint64_t value;
        (void)!::read(wake_fd_, &value, sizeof(value));
        continue;
      }
      // Owners destroy a watcher in a posted task, never inside OnReady, so no later event of
      // this batch points to freed memory.
      watcher->OnReady(events[i].events);
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return;
    }
    RunTasks();
    RunTimers();
  }
}

void EventLoop::RunTasks() {
  std::vector<std::function<void()>> tasks;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_pending_ = false;
    tasks.swap(tasks_);
  }
  for (std::function<void()>& task : tasks) task();
}

void EventLoop::RunTimers() {
  Clock::time_point now = Clock::now();
  while (!timers_.empty() && timers_.begin()->first <= now) {
    Timer* timer = timers_.begin()->second;
    timers_.erase(timers_.begin());
    timer->armed_ = false;
    timer->OnTimer();
  }
}

int EventLoop::MillisecondsToNextTimer() const {
  if (timers_.empty()) return -1;
  auto left = std::chrono::ceil<std::chrono::milliseconds>(timers_.begin()->first - Clock::now());
  return static_cast<int>(std::clamp<long long>(left.count(), 0, 1 << 30));
}

}  // namespace cppgateway
