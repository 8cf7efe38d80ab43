// The implementation of cppgateway.test.v1.StreamService that the streaming tests call: gRPC's
// callback API throughout (timers are grpc::Alarms), so that no stream holds a thread on the
// service's side, and counters a test can wait on: ticks produced, cancellations seen, writes
// that gRPC's flow control let through, streams the gateway called directly. Count sends the
// client's `echo` metadata back as header and trailer metadata.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "cppgateway/test/v1/stream.grpc.pb.h"

namespace cppgateway::testing {

class StreamServiceImpl final : public test::v1::StreamService::CallbackService {
 public:
  using Tick = test::v1::Tick;

  grpc::ServerWriteReactor<Tick>* Count(grpc::CallbackServerContext* context,
                                        const test::v1::CountRequest* request) override;
  grpc::ServerWriteReactor<Tick>* Watch(grpc::CallbackServerContext* context,
                                        const test::v1::WatchRequest* request) override;
  grpc::ServerWriteReactor<google::api::HttpBody>* Download(
      grpc::CallbackServerContext* context, const test::v1::DownloadRequest* request) override;
  grpc::ServerReadReactor<test::v1::UploadLine>* Upload(grpc::CallbackServerContext* context,
                                                        test::v1::UploadSummary* summary) override;
  grpc::ServerBidiReactor<test::v1::ChatMessage, test::v1::ChatMessage>* Chat(
      grpc::CallbackServerContext* context) override;
  grpc::ServerReadReactor<google::api::HttpBody>* UploadRaw(grpc::CallbackServerContext* context,
                                                            test::v1::BlobInfo* info) override;
  grpc::ServerUnaryReactor* GetBlob(grpc::CallbackServerContext* context,
                                    const test::v1::BlobRequest* request,
                                    google::api::HttpBody* response) override;
  grpc::ServerUnaryReactor* PutBlob(grpc::CallbackServerContext* context,
                                    const test::v1::PutBlobRequest* request,
                                    test::v1::BlobInfo* response) override;
  grpc::ServerUnaryReactor* PostRaw(grpc::CallbackServerContext* context,
                                    const google::api::HttpBody* request,
                                    test::v1::BlobInfo* response) override;
  grpc::ServerUnaryReactor* Wait(grpc::CallbackServerContext* context,
                                 const test::v1::WaitRequest* request,
                                 google::protobuf::Empty* response) override;

  // Lets every gated Count stream send its next tick (or the next one to wait, if none waits
  // yet: its write may not have completed when the client has read the tick).
  void Release();

  // Byte `i` of a Download's whole: what a test compares the received bytes with.
  static char DownloadByte(int64_t i) { return static_cast<char>((i * 7 + 3) % 256); }

  // Ticks handed to gRPC so far, by every Count stream.
  int ticks_produced();
  // Streams that saw their call cancelled (the client went away).
  int cancellations();
  // Download messages whose write gRPC completed.
  int64_t download_writes();
  // Server streams that the gateway called directly (ServerOptions::direct_calls).
  int direct_streams();
  // Reactors not yet done: 0 once every call has ended.
  int open_calls();

  // Waits until `condition()` holds, checked whenever a counter changes, for up to `timeout`.
  bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

 private:
  friend class CallCounter;
  class CountReactor;
  class WatchReactor;
  class DownloadReactor;

  // Runs `release` on the next Release(); used by gated streams.
  void AwaitRelease(std::function<void()> release);
  void Changed(const std::function<void()>& change);
  // Counts a server stream as it starts.
  void CountStarted(grpc::CallbackServerContext& context);

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::function<void()>> gated_;
  int early_releases_ = 0;  // Release calls that found no stream waiting
  int ticks_produced_ = 0;
  int cancellations_ = 0;
  int64_t download_writes_ = 0;
  int direct_streams_ = 0;
  int open_calls_ = 0;
  uint64_t version_ = 0;  // counts changes, so that WaitFor misses none
};

}  // namespace cppgateway::testing
