#include "gateway/call_registry.h"

#include <utility>

#include "gateway/response_writer.h"
#include "gateway/route.h"

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

bool AdmitCall(const Route& route, HttpExchange& exchange, const void* call,
               std::function<void()> cancel) {
  if (route.calls->Add(call, std::move(cancel))) return true;
  SendErrorAnswer(exchange, *route.options,
                  grpc::Status(grpc::StatusCode::CANCELLED, "the server is shutting down"));
  return false;
}

void CallRegistry::WaitUntilEmpty() {
  std::unique_lock<std::mutex> lock(mutex_);
  emptied_.wait(lock, [this] { return calls_.empty(); });
}

}  // namespace cppgateway
