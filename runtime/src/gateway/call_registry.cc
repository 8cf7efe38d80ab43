#include "gateway/call_registry.h"

#include <utility>

namespace cppgateway {

bool CallRegistry::Add(const void* call, std::function<void()> cancel) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (cancelled_) return false;
  calls_.emplace(call, std::move(cancel));
  return true;
}

void CallRegistry::Remove(const void* call) {
  std::lock_guard<std::mutex> lock(mutex_);
  calls_.erase(call);
  if (calls_.empty()) emptied_.notify_all();
}

void CallRegistry::CancelAll() {
  std::lock_guard<std::mutex> lock(mutex_);
  cancelled_ = true;
  for (auto& [call, cancel] : calls_) cancel();
}

void CallRegistry::WaitUntilEmpty() {
  std::unique_lock<std::mutex> lock(mutex_);
  emptied_.wait(lock, [this] { return calls_.empty(); });
}

}  // namespace cppgateway
