#include "gateway/stream_call.h"

#include <grpcpp/impl/codegen/proto_utils.h>

#include <utility>

#include "gateway/call_registry.h"
#include "gateway/direct_stream_call.h"
#include "gateway/metadata.h"
#include "gateway/request_builder.h"

namespace cppgateway {
namespace {

using google::protobuf::Message;

// Request messages serialized and waiting for their turn to be written, beyond which the body is
// paused until gRPC's flow control lets them go.
constexpr std::size_t kMaxPendingWriteBytes = 256 * 1024;

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

}  // namespace

StreamCall::StreamCall(const Route& route, std::shared_ptr<HttpExchange> exchange,
                       std::vector<PathBinding> path)
    : route_(route),
      exchange_(std::move(exchange)),
      path_(std::move(path)),
      writer_(ResponseWriter::Create(route_, *exchange_, server_metadata_)) {}

void StreamCall::Begin() {
  if (route_.streams_requests()) {
    CallSetup setup;
    grpc::Status status = ReadCallSetup(*exchange_, *route_.options, &setup);
    if (!status.ok()) {
      refused_ = true;
      return SendErrorAnswer(*exchange_, *route_.options, status);
    }
    StartStreaming(std::nullopt, setup);
  } else if (exchange_->request().content_length.value_or(0) > route_.options->max_body_bytes) {
    refused_ = true;
    SendBodyTooLarge(*exchange_, *route_.options, /*close_connection=*/true);
  }
}

bool StreamCall::StartStreaming(std::optional<grpc::ByteBuffer> first, const CallSetup& setup) {
  ApplyCallSetup(setup, &context_);
  if (!AdmitCall(route_, *exchange_, this, [this] { context_.TryCancel(); })) {
    refused_ = true;
    return false;
  }
  self_ = shared_from_this();
  route_.stub->PrepareBidiStreamingCall(&context_, route_.grpc_method, grpc::StubOptions(), this);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    started_ = true;
    write_hold_ = route_.streams_requests();
  }
  // The loop writes requests from outside any reaction: the hold keeps the call open for them.
  if (route_.streams_requests()) AddHold();
  if (first) {
    writing_ = std::move(*first);
    StartWriteLast(&writing_, grpc::WriteOptions());
  }
  StartRead(&response_);
  StartCall();
  return true;
}

bool StreamCall::OnBody(std::string_view bytes) {
  if (refused_) return true;
  if (!route_.streams_requests()) {
    // A server stream's one request: gathered whole, like a unary call's.
    if (pending_body_.size() + bytes.size() > route_.options->max_body_bytes) {
      refused_ = true;
      std::string().swap(pending_body_);
      SendBodyTooLarge(*exchange_, *route_.options, /*close_connection=*/false);
      return true;
    }
    pending_body_.append(bytes);
    return true;
  }
  if (route_.request.body_is_raw) {
    SendRequest(bytes);  // each piece of a raw body is one HttpBody message
  } else {
    pending_body_.append(bytes);
    std::size_t start = 0;
    for (std::size_t newline; (newline = pending_body_.find('\n', start)) != std::string::npos;
         start = newline + 1) {
      std::string_view line(pending_body_.data() + start, newline - start);
      if (!IsBlank(line)) SendRequest(line);
    }
    pending_body_.erase(0, start);
    if (pending_body_.size() > route_.options->max_body_bytes) {
      std::string().swap(pending_body_);
      Fail(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "a request message (one line of the body) is longer than the body limit"));
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (failed_ || write_bytes_ <= kMaxPendingWriteBytes) return true;
  body_paused_ = true;
  return false;
}

void StreamCall::OnBodyEnd() {
  if (refused_) return;
  if (!route_.streams_requests()) {
    std::unique_ptr<Message> request(route_.request_prototype->New());
    grpc::Status status =
        BuildRequest(route_, exchange_->request(), path_, pending_body_, request.get());
    std::string().swap(pending_body_);
    CallSetup setup;
    if (status.ok()) status = ReadCallSetup(*exchange_, *route_.options, &setup);
    if (!status.ok()) return SendErrorAnswer(*exchange_, *route_.options, status);
    // A deadline is gRPC's to keep: such a call goes through the channel.
    if (route_.direct.server_stream && !setup.timeout) {
      direct_ =
          DirectStreamCall::Start(route_, exchange_, std::move(request), std::move(setup.metadata));
      return;
    }
    grpc::ByteBuffer buffer;
    bool own_buffer;
    status = grpc::SerializationTraits<Message>::Serialize(*request, &buffer, &own_buffer);
    if (!status.ok()) return SendErrorAnswer(*exchange_, *route_.options, status);
    StartStreaming(std::move(buffer), setup);
    return;
  }
  if (!IsBlank(pending_body_)) SendRequest(pending_body_);
  std::string().swap(pending_body_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    body_ended_ = true;
  }
  PumpWrites();
}

void StreamCall::SendRequest(std::string_view body) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (failed_) return;
  }
  std::unique_ptr<Message> request(route_.request_prototype->New());
  grpc::Status status = BuildRequest(route_, exchange_->request(), path_, body, request.get());
  grpc::ByteBuffer buffer;
  bool own_buffer;
  if (status.ok()) {
    status = grpc::SerializationTraits<Message>::Serialize(*request, &buffer, &own_buffer);
  }
  if (!status.ok()) return Fail(status);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (failed_) return;
    write_bytes_ += buffer.Length();
    writes_.push_back(std::move(buffer));
  }
  PumpWrites();
}

void StreamCall::PumpWrites() {
  enum class Action { kNone, kWrite, kWritesDone } action = Action::kNone;
  bool resume_body = false;
  bool release_hold = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!started_ || failed_ || write_in_flight_) return;
    if (!writes_.empty()) {
      writing_ = std::move(writes_.front());
      writes_.pop_front();
      write_bytes_ -= writing_.Length();
      write_in_flight_ = true;
      action = Action::kWrite;
      if (body_paused_ && write_bytes_ <= kMaxPendingWriteBytes / 2) {
        body_paused_ = false;
        resume_body = true;
      }
    } else if (body_ended_ && !writes_done_) {
      writes_done_ = true;
      action = Action::kWritesDone;
      release_hold = write_hold_;
      write_hold_ = false;
    }
  }
  if (resume_body) exchange_->ResumeBody();
  if (action == Action::kWrite) {
    StartWrite(&writing_);
  } else if (action == Action::kWritesDone) {
    StartWritesDone();
    if (release_hold) RemoveHold();
  }
}

void StreamCall::OnWriteDone(bool ok) {
  if (!route_.streams_requests()) return;  // a server stream's one request
  bool release_hold = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    write_in_flight_ = false;
    if (!ok) {
      // The call is ending (the server finished or it was cancelled): no more requests.
      failed_ = true;
      writes_.clear();
      write_bytes_ = 0;
    }
    if (failed_ && write_hold_) {
      write_hold_ = false;
      release_hold = true;
    }
  }
  if (release_hold) {
    RemoveHold();
    return;
  }
  PumpWrites();
}

void StreamCall::OnReadDone(bool ok) {
  if (!ok) {
    // The server has finished (or the call was cancelled): requests still to come are pointless,
    // and the hold for them must not keep the call from its OnDone.
    {
      std::lock_guard<std::mutex> lock(mutex_);
      failed_ = true;
      writes_.clear();
      write_bytes_ = 0;
    }
    ReleaseHolds();
    return;
  }
  std::unique_ptr<Message> response(route_.response_prototype->New());
  EncodedMessage encoded;
  grpc::Status status = grpc::SerializationTraits<Message>::Deserialize(&response_, response.get());
  if (status.ok()) status = EncodeMessage(route_, *response, &encoded);
  if (!status.ok()) {
    return Fail(grpc::Status(grpc::StatusCode::INTERNAL, "a response could not be encoded"));
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!header_metadata_arrived_) {
      // OnReadInitialMetadataDone delivers it: the call cannot end before that reaction.
      early_message_ = std::move(response);
      early_encoded_ = std::move(encoded);
      return;
    }
  }
  Deliver(std::move(response), std::move(encoded));
}

void StreamCall::OnReadInitialMetadataDone(bool) {
  writer_->HeaderMetadataArrived();
  std::unique_ptr<Message> early;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    header_metadata_arrived_ = true;
    early = std::move(early_message_);
  }
  if (early) Deliver(std::move(early), std::move(early_encoded_));
}

void StreamCall::Deliver(std::unique_ptr<Message> message, EncodedMessage encoded) {
  {
    // A signal from before this write is not about it.
    std::lock_guard<std::mutex> lock(mutex_);
    writable_signal_ = false;
  }
  bool room = writer_->Write(*message, std::move(encoded));
  if (writer_->abandoned()) {
    Fail(grpc::Status(grpc::StatusCode::CANCELLED, "the answer was refused"));
    return;
  }
  if (!room) {
    std::lock_guard<std::mutex> lock(mutex_);
    // Cancelled or failed while this one was writing: ReleaseHolds has run already, so a hold
    // taken now would never be given back and the call would never reach OnDone.
    if (failed_) return;
    if (!writable_signal_) {
      // The next read waits for OnWritable; the hold keeps the call open meanwhile. Taken in
      // this reaction, as gRPC requires, and only now: the writer is not to be used by two
      // threads, so OnWritable must not start the next read while this one still writes.
      AddHold();
      read_paused_ = true;
      return;
    }
    writable_signal_ = false;  // the room came back while this one was writing
  }
  StartRead(&response_);
}

void StreamCall::OnWritable() {
  if (direct_) return direct_->OnWritable();
  bool resume = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (read_paused_ && !failed_) {
      read_paused_ = false;
      resume = true;
    } else {
      writable_signal_ = true;  // for the write still under way, if any
    }
  }
  if (resume) {
    StartRead(&response_);
    RemoveHold();
  }
}

void StreamCall::OnCancel() {
  refused_ = true;  // what the body still brings is dropped
  if (direct_) return direct_->Cancel();
  context_.TryCancel();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    failed_ = true;
    writes_.clear();
    write_bytes_ = 0;
  }
  ReleaseHolds();
}

void StreamCall::Fail(const grpc::Status& status) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (failure_) return;
    failure_ = status;
    failed_ = true;
    writes_.clear();
    write_bytes_ = 0;
  }
  context_.TryCancel();
  ReleaseHolds();
}

void StreamCall::ReleaseHolds() {
  bool release_write = false;
  bool release_read = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (write_hold_ && !write_in_flight_) {
      write_hold_ = false;
      release_write = true;
    }
    if (read_paused_) {
      read_paused_ = false;
      release_read = true;
    }
  }
  if (release_write) RemoveHold();
  if (release_read) RemoveHold();
}

void StreamCall::OnDone(const grpc::Status& status) {
  grpc::Status final_status = status;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (failure_) final_status = *failure_;
  }
  writer_->Finish(final_status);
  route_.calls->Remove(this);
  std::shared_ptr<StreamCall> self = std::move(self_);  // may be the last reference
}

}  // namespace cppgateway
