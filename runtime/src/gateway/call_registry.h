// The calls a gateway has in flight, so that shutdown can cancel them and wait for them.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <unordered_map>

namespace cppgateway {

class HttpExchange;
struct Route;

class CallRegistry {
 public:
  // A call about to start, known by `call`, with how to cancel it from any thread. Returns false
  // once calls are cancelled: it must not start.
  bool Add(const void* call, std::function<void()> cancel);
  // A call that has ended (its last callback has run).
  void Remove(const void* call);
  // Cancels every call in flight and refuses later ones.
  void CancelAll();
  // Blocks until no call is in flight.
  void WaitUntilEmpty();

 private:
  std::mutex mutex_;
  std::condition_variable emptied_;
  std::unordered_map<const void*, std::function<void()>> calls_;
  bool cancelled_ = false;
};

// Adds `call` to the registry of `route`, or, once calls are cancelled (the server is shutting
// down), answers `exchange` with CANCELLED and returns false: the call must not start.
bool AdmitCall(const Route& route, HttpExchange& exchange, const void* call,
               std::function<void()> cancel);

}  // namespace cppgateway
