#include "gateway/direct_stream_call.h"

#include <utility>

#include "gateway/call_registry.h"
#include "gateway/server_context_access.h"

namespace cppgateway {
namespace {

// Reactions one batch runs before the loop turns to its other connections: enough that a reactor
// writing from OnWriteDone fills a socket write, few enough that the others are not kept waiting.
constexpr int kReactionsPerBatch = 32;

}  // namespace

void DirectStreamCall::CallMetadata::ForEachHeader(const Visitor& visit) const {
  if (!call_.cancelled_) ServerContextMetadata(call_.context_).ForEachHeader(visit);
}

void DirectStreamCall::CallMetadata::ForEachTrailer(const Visitor& visit) const {
  if (!call_.cancelled_) ServerContextMetadata(call_.context_).ForEachTrailer(visit);
}

DirectStreamCall::DirectStreamCall(const Route& route, std::shared_ptr<HttpExchange> exchange,
                                   std::unique_ptr<google::protobuf::Message> request,
                                   HttpHeaders metadata)
    : route_(route),
      exchange_(std::move(exchange)),
      metadata_(std::move(metadata)),
      request_(std::move(request)),
      writer_(ResponseWriter::Create(route_, *exchange_, call_metadata_)) {
  ServerContextAccess::SetClientMetadata(context_, metadata_);
}

std::shared_ptr<DirectStreamCall> DirectStreamCall::Start(
    const Route& route, std::shared_ptr<HttpExchange> exchange,
    std::unique_ptr<google::protobuf::Message> request, HttpHeaders metadata) {
  std::shared_ptr<DirectStreamCall> call(
      new DirectStreamCall(route, std::move(exchange), std::move(request), std::move(metadata)));
  if (!AdmitCall(route, *call->exchange_, call.get(), [raw = call.get()] { raw->Cancel(); })) {
    return nullptr;
  }
  call->self_ = call;
  call->Run();
  return call;
}

void DirectStreamCall::Run() {
  std::unique_ptr<DirectStreamReactions> stream;
  try {
    stream = route_.direct.server_stream(&context_, request_.get(), *this);
  } catch (...) {
    // As gRPC's server does: a method that throws has given no reactor.
  }
  if (!stream) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      EndAnswerLocked(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, ""), /*cancel=*/false);
    }
    route_.calls->Remove(this);
    self_.reset();  // Start still holds the call
    return;
  }
  DirectStreamReactions* bound = stream.get();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stream_ = std::move(stream);
  }
  // gRPC's order (CallbackServerStreamingHandler's SetupReactor): what the reactor asked for
  // before is done by the binding; an end that came meanwhile is reported now; then the start.
  bound->Bind();
  bool end_unreported;
  bool cancelled;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    end_unreported = end_unreported_;
    end_unreported_ = false;
    cancelled = cancelled_;
  }
  if (end_unreported) ReportEnd(bound, cancelled);
  bound->call().MaybeCallOnCancel();
  bound->call().MaybeDone(/*inline_ondone=*/false);
}

void DirectStreamCall::SendInitialMetadata() {
  std::lock_guard<std::mutex> lock(mutex_);
  HeaderMetadataLocked();
  metadata_done_owed_ = !cancelled_;
  ScheduleLocked();
}

void DirectStreamCall::Write(const google::protobuf::Message& message, bool react) {
  bool ended_here = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    bool ok = !ended_;
    if (ok) {
      HeaderMetadataLocked();
      EncodedMessage encoded;
      if (!EncodeMessage(route_, message, &encoded).ok()) {
        ended_here = EndAnswerLocked(
            grpc::Status(grpc::StatusCode::INTERNAL, "a response could not be encoded"),
            /*cancel=*/true);
        ok = false;
      } else {
        bool room = writer_->Write(message, std::move(encoded));
        if (writer_->abandoned()) {
          ended_here = EndAnswerLocked(
              grpc::Status(grpc::StatusCode::CANCELLED, "the answer was refused"), true);
          ok = false;
        } else if (!room && react) {
          waiting_for_room_ = true;  // OnWritable schedules the reaction
        }
      }
    }
    if (react) {
      write_done_owed_ = ok;
      if (!waiting_for_room_) ScheduleLocked();
    }
  }
  if (ended_here) CallEnded(/*cancelled=*/true);
}

void DirectStreamCall::Finish(grpc::Status status) {
  bool ended_here;
  DirectStreamReactions* stream;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ended_here = EndAnswerLocked(status, /*cancel=*/false);
    stream = stream_.get();  // set: the reactor finishes once bound
  }
  if (ended_here) CallEnded(/*cancelled=*/false);
  stream->call().MaybeDone(/*inline_ondone=*/false);  // Finish is done
}

void DirectStreamCall::OnWritable() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!waiting_for_room_) return;
  waiting_for_room_ = false;
  ScheduleLocked();
}

void DirectStreamCall::Cancel() {
  bool ended_here;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ended_here = EndAnswerLocked(grpc::Status(grpc::StatusCode::CANCELLED, "Cancelled"), true);
  }
  if (ended_here) CallEnded(/*cancelled=*/true);
}

void DirectStreamCall::Done() {
  route_.calls->Remove(this);
  std::shared_ptr<DirectStreamCall> last = std::move(self_);  // a reaction task may hold more
}

void DirectStreamCall::HeaderMetadataLocked() {
  if (headers_collected_) return;
  headers_collected_ = true;
  writer_->HeaderMetadataArrived();
}

bool DirectStreamCall::EndAnswerLocked(const grpc::Status& status, bool cancel) {
  if (ended_) return false;
  ended_ = true;
  cancelled_ = cancel;
  if (cancel) {
    ServerContextAccess::MarkCancelled(context_);
  } else {
    HeaderMetadataLocked();  // gRPC sends it with the status when no write did
  }
  writer_->Finish(status);
  // The connection will not say when it has room for an answer that has ended.
  if (waiting_for_room_) {
    waiting_for_room_ = false;
    if (cancel) write_done_owed_ = false;
    ScheduleLocked();
  }
  return true;
}

void DirectStreamCall::CallEnded(bool cancelled) {
  DirectStreamReactions* stream;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stream = stream_.get();
    if (stream == nullptr) {
      end_unreported_ = true;  // the method has not given its reactor yet: Run reports it
      return;
    }
  }
  ReportEnd(stream, cancelled);
}

void DirectStreamCall::ReportEnd(DirectStreamReactions* stream, bool cancelled) {
  if (cancelled) stream->call().MaybeCallOnCancel();
  stream->call().MaybeDone();  // the call is over (gRPC's CompletionOp)
}

void DirectStreamCall::ScheduleLocked() {
  if (scheduled_) return;
  scheduled_ = true;
  exchange_->Post([self = shared_from_this()] { self->RunReactions(); });
}

void DirectStreamCall::RunReactions() {
  for (int ran = 0;; ++ran) {
    std::optional<bool> metadata_done;
    std::optional<bool> write_done;
    DirectStreamReactions* stream;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      bool owed = metadata_done_owed_ || (write_done_owed_ && !waiting_for_room_);
      if (!owed) {
        scheduled_ = false;
        return;
      }
      if (ran == kReactionsPerBatch) {
        // The rest in a batch of its own, after the loop's other work: scheduled_ stays set.
        exchange_->Post([self = shared_from_this()] { self->RunReactions(); });
        return;
      }
      metadata_done.swap(metadata_done_owed_);
      if (!waiting_for_room_) write_done.swap(write_done_owed_);
      stream = stream_.get();
    }
    if (metadata_done) stream->OnSendInitialMetadataDone(*metadata_done);
    if (write_done) stream->OnWriteDone(*write_done);  // may be the end: this task holds the call
  }
}

}  // namespace cppgateway
