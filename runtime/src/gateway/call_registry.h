// The gRPC calls a gateway has in flight, so that shutdown can cancel them and wait for them.
#pragma once

#include <condition_variable>
#include <mutex>
#include <unordered_set>

namespace grpc {
class ClientContext;
}

namespace cppgateway {

class CallRegistry {
 public:
  // A call about to start. Returns false once calls are cancelled: it must not start.
  bool Add(grpc::ClientContext* context);
  // A call that has ended (its last callback has run).
  void Remove(grpc::ClientContext* context);
  // Cancels every call in flight and refuses later ones.
  void CancelAll();
  // Blocks until no call is in flight.
  void WaitUntilEmpty();

 private:
  std::mutex mutex_;
  std::condition_variable emptied_;
  std::unordered_set<grpc::ClientContext*> contexts_;
  bool cancelled_ = false;
};

}  // namespace cppgateway
