// A server-streaming callback method called by the gateway itself (ServerOptions::direct_calls):
// the grpc::ServerCallbackWriter its reactor binds to. gRPC's reactor is typed by the response, so
// the writer is a template, instantiated by Gateway::HandleServerStream for the generated tables;
// it only forwards. What a write, a finish and a cancellation do is the runtime's, untyped
// (DirectStreamSink); what the runtime tells the reactor goes back through DirectStreamReactions.
#pragma once

#include <google/protobuf/message.h>
#include <grpcpp/support/server_callback.h>
#include <grpcpp/support/status.h>

#include <utility>

namespace cppgateway {

// The runtime's side of a directly called server stream: the writer's calls, untyped.
class DirectStreamSink {
 public:
  virtual void SendInitialMetadata() = 0;
  // Writes `message` at once (it may go as soon as this returns). With `react`, the reactor's
  // OnWriteDone follows, later and never inside this call.
  virtual void Write(const google::protobuf::Message& message, bool react) = 0;
  virtual void Finish(grpc::Status status) = 0;
  // The reactor's OnDone has run: the call is over for good.
  virtual void Done() = 0;

 protected:
  ~DirectStreamSink() = default;
};

// The reactor's side, untyped, for the runtime to drive: its reactions and gRPC's bookkeeping of
// when OnCancel and OnDone may come (grpc::internal::ServerCallbackCall).
class DirectStreamReactions {
 public:
  virtual ~DirectStreamReactions() = default;
  // Binds the reactor: what it asked for before (a write from its constructor) is done now.
  virtual void Bind() = 0;
  // The reactions owed for SendInitialMetadata and Write with `react`; each ends its hold.
  virtual void OnSendInitialMetadataDone(bool ok) = 0;
  virtual void OnWriteDone(bool ok) = 0;
  virtual grpc::internal::ServerCallbackCall& call() = 0;
};

template <class Response>
class DirectServerStream final : public grpc::ServerCallbackWriter<Response>,
                                 public DirectStreamReactions {
 public:
  DirectServerStream(DirectStreamSink& sink, grpc::ServerWriteReactor<Response>* reactor)
      : sink_(sink), reactor_(reactor) {}

  // grpc::ServerCallbackWriter, for the reactor. A reaction owed holds the call open (Ref).
  void SendInitialMetadata() override {
    this->Ref();
    sink_.SendInitialMetadata();
  }
  void Write(const Response* message, grpc::WriteOptions) override {
    this->Ref();
    sink_.Write(*message, /*react=*/true);
  }
  void WriteAndFinish(const Response* message, grpc::WriteOptions, grpc::Status status) override {
    sink_.Write(*message, /*react=*/false);
    sink_.Finish(std::move(status));
  }
  void Finish(grpc::Status status) override { sink_.Finish(std::move(status)); }

  // DirectStreamReactions, for the runtime.
  void Bind() override { this->BindReactor(reactor_); }
  void OnSendInitialMetadataDone(bool ok) override {
    reactor_->OnSendInitialMetadataDone(ok);
    this->MaybeDone(/*inline_ondone=*/true);
  }
  void OnWriteDone(bool ok) override {
    reactor_->OnWriteDone(ok);
    this->MaybeDone(/*inline_ondone=*/true);
  }
  grpc::internal::ServerCallbackCall& call() override { return *this; }

 private:
  grpc::internal::ServerReactor* reactor() override { return reactor_; }
  void CallOnDone() override {
    reactor_->OnDone();
    sink_.Done();  // may destroy this
  }

  DirectStreamSink& sink_;
  grpc::ServerWriteReactor<Response>* const reactor_;
};

}  // namespace cppgateway
