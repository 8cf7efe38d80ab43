#include "stream_service.h"

#include <grpcpp/alarm.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>

namespace cppgateway::testing {

using google::api::HttpBody;
using test::v1::BlobInfo;
using test::v1::ChatMessage;
using test::v1::UploadLine;

namespace {

std::chrono::system_clock::time_point After(int millis) {
  return std::chrono::system_clock::now() + std::chrono::milliseconds(millis);
}

uint32_t Checksum(const std::string& bytes, uint32_t sum = 0) {
  for (char c : bytes) sum += static_cast<unsigned char>(c);
  return sum;
}

}  // namespace

// Counts a reactor from its creation to its OnDone.
class CallCounter {
 public:
  explicit CallCounter(StreamServiceImpl* service) : service_(service) {
    service_->Changed([this] { ++service_->open_calls_; });
  }
  ~CallCounter() {
    service_->Changed([this] { --service_->open_calls_; });
  }

 private:
  StreamServiceImpl* service_;
};

// Count: `n` ticks, paced by an alarm or by Release. Exactly one continuation is alive at a time
// (a write, an alarm, or a wait for Release), and only it may Finish.
class StreamServiceImpl::CountReactor final : public grpc::ServerWriteReactor<Tick> {
 public:
  // Which of a gated reactor's continuations runs: Release or OnCancel, whichever takes it.
  struct Gate {
    std::mutex mutex;
    CountReactor* waiting = nullptr;
  };

  CountReactor(StreamServiceImpl* service, const test::v1::CountRequest& request)
      : service_(service), counter_(service), request_(request) {
    Next();
  }

  void Resume() { Send(); }

  void OnWriteDone(bool ok) override {
    if (!ok) return Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
    Next();
  }

  void OnCancel() override {
    service_->Changed([this] { ++service_->cancellations_; });
    alarm_.Cancel();  // its callback then finishes
    std::shared_ptr<Gate> gate;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      gate = gate_;
    }
    if (gate) {
      bool mine;
      {
        std::lock_guard<std::mutex> lock(gate->mutex);
        mine = gate->waiting == this;
        gate->waiting = nullptr;
      }
      if (mine) Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
    }
  }

  void OnDone() override { delete this; }

 private:
  void Next() {
    if (sent_ == request_.n()) return Finish(grpc::Status::OK);
    if (request_.fail_at() == sent_ + 1) {
      return Finish(grpc::Status(static_cast<grpc::StatusCode>(request_.fail_code()),
                                 "failed at tick " + std::to_string(sent_ + 1)));
    }
    if (sent_ > 0 && request_.gated()) {
      auto gate = std::make_shared<Gate>();
      gate->waiting = this;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        gate_ = gate;
      }
      service_->AwaitRelease([gate] {
        CountReactor* reactor;
        {
          std::lock_guard<std::mutex> lock(gate->mutex);
          reactor = gate->waiting;
          gate->waiting = nullptr;
        }
        if (reactor != nullptr) reactor->Resume();
      });
      return;
    }
    if (sent_ > 0 && request_.interval_ms() > 0) {
      alarm_.Set(After(request_.interval_ms()), [this](bool ok) {
        if (!ok) return Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
        Send();
      });
      return;
    }
    Send();
  }

  void Send() {
    tick_.set_index(++sent_);
    tick_.set_payload(std::string(static_cast<std::size_t>(request_.payload_bytes()), 'x'));
    tick_.mutable_detail()->set_note("tick " + std::to_string(sent_));
    service_->Changed([this] { ++service_->ticks_produced_; });
    StartWrite(&tick_);
  }

  StreamServiceImpl* const service_;
  CallCounter counter_;
  const test::v1::CountRequest request_;
  Tick tick_;
  int sent_ = 0;
  grpc::Alarm alarm_;
  std::mutex mutex_;
  std::shared_ptr<Gate> gate_;
};

// Watch: one tick, then nothing until the call is cancelled.
class StreamServiceImpl::WatchReactor final : public grpc::ServerWriteReactor<Tick> {
 public:
  explicit WatchReactor(StreamServiceImpl* service) : service_(service), counter_(service) {
    tick_.set_index(1);
    StartWrite(&tick_);
  }

  void OnWriteDone(bool ok) override {
    bool finish;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      finish = !ok || cancelled_;
      written_ = true;
    }
    if (finish) Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
  }

  void OnCancel() override {
    service_->Changed([this] { ++service_->cancellations_; });
    bool finish;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      cancelled_ = true;
      finish = written_;
    }
    if (finish) Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
  }

  void OnDone() override { delete this; }

 private:
  StreamServiceImpl* const service_;
  CallCounter counter_;
  Tick tick_;
  std::mutex mutex_;
  bool written_ = false;
  bool cancelled_ = false;
};

// Download: `size` bytes in chunks, each written when the last one's write has completed, so that
// download_writes() shows how far gRPC's flow control let the stream go.
class StreamServiceImpl::DownloadReactor final : public grpc::ServerWriteReactor<HttpBody> {
 public:
  DownloadReactor(StreamServiceImpl* service, const test::v1::DownloadRequest& request)
      : service_(service), counter_(service), request_(request) {
    Next();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) return Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
    service_->Changed([this] { ++service_->download_writes_; });
    Next();
  }

  void OnCancel() override {
    service_->Changed([this] { ++service_->cancellations_; });
  }
  void OnDone() override { delete this; }

 private:
  void Next() {
    if (request_.fail_after() > 0 && messages_ == request_.fail_after()) {
      return Finish(grpc::Status(grpc::StatusCode::INTERNAL, "the download broke off"));
    }
    if (offset_ >= request_.size()) return Finish(grpc::Status::OK);
    int64_t chunk = request_.chunk_bytes() > 0 ? request_.chunk_bytes() : 64 * 1024;
    int64_t length = std::min(chunk, request_.size() - offset_);
    std::string data(static_cast<std::size_t>(length), '\0');
    for (int64_t i = 0; i < length; ++i) data[i] = DownloadByte(offset_ + i);
    offset_ += length;
    ++messages_;
    body_.set_content_type(request_.content_type().empty() ? "application/octet-stream"
                                                           : request_.content_type());
    body_.set_data(std::move(data));
    StartWrite(&body_);
  }

  StreamServiceImpl* const service_;
  CallCounter counter_;
  const test::v1::DownloadRequest request_;
  HttpBody body_;
  int64_t offset_ = 0;
  int messages_ = 0;
};

grpc::ServerWriteReactor<StreamServiceImpl::Tick>* StreamServiceImpl::Count(
    grpc::CallbackServerContext* context, const test::v1::CountRequest* request) {
  CountStarted(*context);
  // Metadata both ways: the value of the client's `echo` comes back as header and trailer.
  auto echo = context->client_metadata().find("echo");
  if (echo != context->client_metadata().end()) {
    std::string value(echo->second.data(), echo->second.size());
    context->AddInitialMetadata("echo-header", value);
    context->AddTrailingMetadata("echo-trailer", value);
  }
  if (request->n() < 0) return nullptr;  // no reactor: gRPC answers UNIMPLEMENTED
  return new CountReactor(this, *request);
}

grpc::ServerWriteReactor<StreamServiceImpl::Tick>* StreamServiceImpl::Watch(
    grpc::CallbackServerContext* context, const test::v1::WatchRequest*) {
  CountStarted(*context);
  return new WatchReactor(this);
}

grpc::ServerWriteReactor<HttpBody>* StreamServiceImpl::Download(
    grpc::CallbackServerContext* context, const test::v1::DownloadRequest* request) {
  CountStarted(*context);
  return new DownloadReactor(this, *request);
}

void StreamServiceImpl::CountStarted(grpc::CallbackServerContext& context) {
  // A call with no gRPC call behind it is the gateway's direct call.
  if (context.c_call() == nullptr) Changed([this] { ++direct_streams_; });
}

grpc::ServerReadReactor<UploadLine>* StreamServiceImpl::Upload(grpc::CallbackServerContext*,
                                                               test::v1::UploadSummary* summary) {
  // Sums the lines as they come.
  class Reactor final : public grpc::ServerReadReactor<UploadLine> {
   public:
    Reactor(StreamServiceImpl* service, test::v1::UploadSummary* summary)
        : counter_(service), summary_(summary) {
      StartRead(&line_);
    }
    void OnReadDone(bool ok) override {
      if (!ok) return Finish(grpc::Status::OK);
      summary_->set_room(line_.room());
      summary_->set_count(summary_->count() + 1);
      summary_->set_sum(summary_->sum() + line_.value());
      summary_->set_last_text(line_.text());
      StartRead(&line_);
    }
    void OnDone() override { delete this; }

   private:
    CallCounter counter_;
    test::v1::UploadSummary* summary_;
    UploadLine line_;
  };
  return new Reactor(this, summary);
}

grpc::ServerBidiReactor<ChatMessage, ChatMessage>* StreamServiceImpl::Chat(
    grpc::CallbackServerContext*) {
  // Read, answer, read again: one operation at a time.
  class Reactor final : public grpc::ServerBidiReactor<ChatMessage, ChatMessage> {
   public:
    explicit Reactor(StreamServiceImpl* service) : service_(service), counter_(service) {
      StartRead(&in_);
    }
    void OnReadDone(bool ok) override {
      if (!ok) return Finish(grpc::Status::OK);
      out_.set_room(in_.room());
      out_.set_seq(in_.seq());
      std::string text = in_.text();
      for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out_.set_text(text);
      StartWrite(&out_);
    }
    void OnWriteDone(bool ok) override {
      if (!ok) return Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
      StartRead(&in_);
    }
    void OnCancel() override {
      service_->Changed([this] { ++service_->cancellations_; });
    }
    void OnDone() override { delete this; }

   private:
    StreamServiceImpl* const service_;
    CallCounter counter_;
    ChatMessage in_;
    ChatMessage out_;
  };
  return new Reactor(this);
}

grpc::ServerReadReactor<HttpBody>* StreamServiceImpl::UploadRaw(grpc::CallbackServerContext*,
                                                                BlobInfo* info) {
  class Reactor final : public grpc::ServerReadReactor<HttpBody> {
   public:
    Reactor(StreamServiceImpl* service, BlobInfo* info) : counter_(service), info_(info) {
      StartRead(&body_);
    }
    void OnReadDone(bool ok) override {
      if (!ok) return Finish(grpc::Status::OK);
      if (info_->content_type().empty()) info_->set_content_type(body_.content_type());
      info_->set_size(info_->size() + static_cast<int64_t>(body_.data().size()));
      info_->set_checksum(Checksum(body_.data(), info_->checksum()));
      StartRead(&body_);
    }
    void OnDone() override { delete this; }

   private:
    CallCounter counter_;
    BlobInfo* info_;
    HttpBody body_;
  };
  return new Reactor(this, info);
}

grpc::ServerUnaryReactor* StreamServiceImpl::GetBlob(grpc::CallbackServerContext* context,
                                                     const test::v1::BlobRequest* request,
                                                     HttpBody* response) {
  response->set_content_type("text/plain; charset=utf-8");
  response->set_data("blob:" + request->name());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* StreamServiceImpl::PutBlob(grpc::CallbackServerContext* context,
                                                     const test::v1::PutBlobRequest* request,
                                                     BlobInfo* response) {
  response->set_name(request->name());
  response->set_content_type(request->body().content_type());
  response->set_size(static_cast<int64_t>(request->body().data().size()));
  response->set_checksum(Checksum(request->body().data()));
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* StreamServiceImpl::PostRaw(grpc::CallbackServerContext* context,
                                                     const HttpBody* request, BlobInfo* response) {
  response->set_content_type(request->content_type());
  response->set_size(static_cast<int64_t>(request->data().size()));
  response->set_checksum(Checksum(request->data()));
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* StreamServiceImpl::Wait(grpc::CallbackServerContext*,
                                                  const test::v1::WaitRequest* request,
                                                  google::protobuf::Empty*) {
  class Reactor final : public grpc::ServerUnaryReactor {
   public:
    Reactor(StreamServiceImpl* service, int millis) : counter_(service) {
      alarm_.Set(After(millis), [this](bool ok) {
        Finish(ok ? grpc::Status::OK : grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
      });
    }
    void OnCancel() override { alarm_.Cancel(); }
    void OnDone() override { delete this; }

   private:
    CallCounter counter_;
    grpc::Alarm alarm_;
  };
  return new Reactor(this, request->millis());
}

void StreamServiceImpl::Release() {
  std::vector<std::function<void()>> gated;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    // A stream whose last write has not completed yet waits a moment later: it finds the
    // release waiting for it.
    if (gated_.empty()) ++early_releases_;
    gated.swap(gated_);
  }
  for (auto& release : gated) release();
}

void StreamServiceImpl::AwaitRelease(std::function<void()> release) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (early_releases_ == 0) {
      gated_.push_back(std::move(release));
      return;
    }
    --early_releases_;
  }
  release();
}

void StreamServiceImpl::Changed(const std::function<void()>& change) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    change();
    ++version_;
  }
  changed_.notify_all();
}

int StreamServiceImpl::ticks_produced() {
  std::lock_guard<std::mutex> lock(mutex_);
  return ticks_produced_;
}

int StreamServiceImpl::cancellations() {
  std::lock_guard<std::mutex> lock(mutex_);
  return cancellations_;
}

int64_t StreamServiceImpl::download_writes() {
  std::lock_guard<std::mutex> lock(mutex_);
  return download_writes_;
}

int StreamServiceImpl::direct_streams() {
  std::lock_guard<std::mutex> lock(mutex_);
  return direct_streams_;
}

int StreamServiceImpl::open_calls() {
  std::lock_guard<std::mutex> lock(mutex_);
  return open_calls_;
}

bool StreamServiceImpl::WaitFor(const std::function<bool()>& condition,
                                std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    uint64_t seen;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      seen = version_;
    }
    // `condition` reads the counters through the getters, which lock.
    if (condition()) return true;
    std::unique_lock<std::mutex> lock(mutex_);
    if (!changed_.wait_until(lock, deadline, [&] { return version_ != seen; })) {
      lock.unlock();
      return condition();
    }
  }
}

}  // namespace cppgateway::testing
