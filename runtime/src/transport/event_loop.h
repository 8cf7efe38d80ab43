// One thread that owns sockets: it waits for readiness (epoll, edge-triggered), runs timers, and
// runs tasks that other threads post to it. Everything a socket's owner does happens on this
// thread, so the owners need no locks of their own; other threads reach them only through Post.
#pragma once

#include <sys/epoll.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace cppgateway {

class EventLoop {
 public:
  using Clock = std::chrono::steady_clock;

  // Something that owns a registered fd.
  class Watcher {
   public:
    virtual ~Watcher() = default;
    // The fd is ready: EPOLLIN, EPOLLOUT, EPOLLRDHUP, EPOLLHUP, EPOLLERR as epoll reported them.
    virtual void OnReady(uint32_t events) = 0;
  };

  // A deadline. Set and cancelled on the loop thread only.
  class Timer {
   public:
    virtual ~Timer() = default;
    virtual void OnTimer() = 0;

   private:
    friend class EventLoop;
    std::multimap<Clock::time_point, Timer*>::iterator position_;
    bool armed_ = false;
  };

  // Throws std::runtime_error when the kernel refuses an epoll or eventfd.
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Runs the loop on a thread of its own until Stop.
  void Start();
  // Ends the loop and joins its thread; tasks not yet run are dropped. Any thread but the loop's.
  void Stop();

  // Runs `task` on the loop thread, soon. Any thread. Tasks posted after Stop never run (they are
  // destroyed by Stop, or with the loop).
  void Post(std::function<void()> task);
  bool InLoopThread() const { return std::this_thread::get_id() == thread_id_.load(); }

  // Loop thread only. Registers `fd` for edge-triggered readiness `events` (EPOLLET is added).
  // Returns false when epoll refuses it.
  bool Add(int fd, uint32_t events, Watcher* watcher);
  // Stops reporting `fd`. Call before closing it.
  void Remove(int fd);

  // Loop thread only. Arms `timer` for `deadline` (re-arming moves it) or disarms it.
  void SetTimer(Timer* timer, Clock::time_point deadline);
  void CancelTimer(Timer* timer);

 private:
  void Run();
  void RunTasks();
  void RunTimers();
  int MillisecondsToNextTimer() const;

  int epoll_fd_ = -1;
  int wake_fd_ = -1;  // an eventfd: Post and Stop wake the loop through it
  std::thread thread_;
  std::atomic<std::thread::id> thread_id_{};
  std::multimap<Clock::time_point, Timer*> timers_;

  std::mutex mutex_;
  std::vector<std::function<void()>> tasks_;
  bool wake_pending_ = false;  // a wake-up is written and not yet read
  bool stopping_ = false;
};

}  // namespace cppgateway
