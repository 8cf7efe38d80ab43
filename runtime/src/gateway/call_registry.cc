#include "gateway/call_registry.h"

#include <grpcpp/client_context.h>

namespace cppgateway {

bool CallRegistry::Add(grpc::ClientContext* context) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (cancelled_) return false;
  contexts_.insert(context);
  return true;
}

void CallRegistry::Remove(grpc::ClientContext* context) {
  std::lock_guard<std::mutex> lock(mutex_);
  contexts_.erase(context);
  if (contexts_.empty()) emptied_.notify_all();
}

void CallRegistry::CancelAll() {
  std::lock_guard<std::mutex> lock(mutex_);
  cancelled_ = true;
  for (grpc::ClientContext* context : contexts_) context->TryCancel();
}

void CallRegistry::WaitUntilEmpty() {
  std::unique_lock<std::mutex> lock(mutex_);
  emptied_.wait(lock, [this] { return contexts_.empty(); });
}

}  // namespace cppgateway
