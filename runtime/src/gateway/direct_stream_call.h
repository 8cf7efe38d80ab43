// A REST request to a server-streaming method answered by calling the in-process service's
// callback method itself (ServerOptions::direct_calls), as DirectCall does for unary methods: the
// reactor's writes become the answer's messages as it makes them, with no serialization, no gRPC
// call and no thread handoff between.
//
// What grpc::ServerCallbackWriter promises the reactor is kept: a write is encoded and queued on
// the connection at once, and its OnWriteDone comes later, on the connection's event loop, never
// inside the reactor's own call. When the connection's queue is full, OnWriteDone waits until it
// has room: a client that does not read holds the service back. Reactions run on the loop a batch
// at a time, so that a reactor writing from OnWriteDone sends many messages per socket write.
// The context carries the request's metadata; the header metadata goes out with the answer's
// head, the trailer metadata with its end. When the client goes away, the server shuts down or a
// message cannot be written, the answer ends at once, the context reads as cancelled and the
// reactor gets OnCancel; OnDone comes once it has finished and every reaction has run.
#pragma once

#include <google/protobuf/message.h>
#include <grpcpp/server_context.h>

#include <memory>
#include <mutex>
#include <optional>

#include "cppgateway/direct_stream.h"
#include "cppgateway/http_exchange.h"
#include "gateway/metadata.h"
#include "gateway/response_writer.h"
#include "gateway/route.h"

namespace cppgateway {

class DirectStreamCall final : public DirectStreamSink,
                               public std::enable_shared_from_this<DirectStreamCall> {
 public:
  // Calls `route`'s direct stream handler with `request` and `metadata`, answering on `exchange`.
  // The call keeps itself alive until OnDone; the pointer returned (null when the server is
  // shutting down, which is answered) is for OnWritable and Cancel.
  static std::shared_ptr<DirectStreamCall> Start(const Route& route,
                                                 std::shared_ptr<HttpExchange> exchange,
                                                 std::unique_ptr<google::protobuf::Message> request,
                                                 HttpHeaders metadata);

  // The request's handler passes these on. The connection has room again: on the event loop.
  void OnWritable();
  // The client went away or the server shuts down. Any thread.
  void Cancel();

  // DirectStreamSink, for the reactor's writer; any thread.
  void SendInitialMetadata() override;
  void Write(const google::protobuf::Message& message, bool react) override;
  void Finish(grpc::Status status) override;
  void Done() override;

 private:
  DirectStreamCall(const Route& route, std::shared_ptr<HttpExchange> exchange,
                   std::unique_ptr<google::protobuf::Message> request, HttpHeaders metadata);
  // The service's metadata as the answer reads it (under mutex_): none once the call is
  // cancelled, when the reactor may still be adding to its context on another thread.
  class CallMetadata final : public ServerMetadata {
   public:
    explicit CallMetadata(const DirectStreamCall& call) : call_(call) {}
    void ForEachHeader(const Visitor& visit) const override;
    void ForEachTrailer(const Visitor& visit) const override;

   private:
    const DirectStreamCall& call_;
  };

  void Run();
  // Under mutex_. The answer's head may go from now on, with the header metadata as it is now.
  void HeaderMetadataLocked();
  // Under mutex_. Ends the answer with `status` (once) and, unless it is the reactor's Finish,
  // cancels the call. Returns whether this call ended it.
  bool EndAnswerLocked(const grpc::Status& status, bool cancel);
  // After EndAnswerLocked, outside the lock: gRPC's bookkeeping of the call's end, now or, before
  // the method has given its reactor, by Run.
  void CallEnded(bool cancelled);
  void ReportEnd(DirectStreamReactions* stream, bool cancelled);
  // Under mutex_. A reaction is owed: it runs on the loop, in the batch under way or a new one.
  void ScheduleLocked();
  void RunReactions();

  const Route& route_;
  const std::shared_ptr<HttpExchange> exchange_;
  const HttpHeaders metadata_;  // the context's client metadata refers to it: declared before
  grpc::CallbackServerContext context_;
  const std::unique_ptr<google::protobuf::Message> request_;
  const CallMetadata call_metadata_{*this};
  std::shared_ptr<DirectStreamCall> self_;  // from Start until OnDone

  std::mutex mutex_;  // the writer, the reactions owed and the call's state
  const std::unique_ptr<ResponseWriter> writer_;
  std::unique_ptr<DirectStreamReactions> stream_;  // set once the method gave its reactor
  bool headers_collected_ = false;
  bool ended_ = false;           // the answer has ended
  bool cancelled_ = false;       // ... by a cancellation, not by Finish
  bool end_unreported_ = false;  // ended before stream_ was set: Run reports it
  std::optional<bool> metadata_done_owed_;
  std::optional<bool> write_done_owed_;  // a write's reaction, with its ok
  bool waiting_for_room_ = false;        // the write's reaction waits for OnWritable
  bool scheduled_ = false;               // RunReactions is posted or running
};

}  // namespace cppgateway
