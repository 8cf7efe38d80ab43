// A REST request to a streaming method (server, client or bidi), as one callback-API bidi call:
// on the wire a stream of one request is a server stream, and a stream with one answer a client
// stream, so one reactor serves all three. A server stream that an in-process callback method
// serves (ServerOptions::direct_calls) is handed to DirectStreamCall once its request is built.
//
// Requests: a server stream's one request is built from the whole body, as for a unary call. A
// client or bidi stream's requests are the lines of the body (newline-delimited JSON), or its
// pieces as they arrive (HttpBody), each sent as soon as it is whole; the body is paused while
// too many wait for gRPC's flow control, so a large upload is never held whole.
//
// Answers: each response message goes to the ResponseWriter as it arrives; when the client does
// not keep up, the next read waits (a hold on the reactor) until the connection has room, so that
// gRPC's flow control reaches the service instead of a buffer growing here.
//
// Threads: the handler side runs on the connection's event loop; the reactions on gRPC's threads,
// sometimes inline inside a Start* call. State shared between them is under `mutex_`, and no Start*
// is called while holding it.
#pragma once

#include <grpcpp/client_context.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/client_callback.h>

#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cppgateway/http_exchange.h"
#include "cppgateway/router.h"
#include "gateway/metadata.h"
#include "gateway/response_writer.h"
#include "gateway/route.h"

namespace cppgateway {

class DirectStreamCall;

class StreamCall final : public RequestHandler,
                         public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>,
                         public std::enable_shared_from_this<StreamCall> {
 public:
  StreamCall(const Route& route, std::shared_ptr<HttpExchange> exchange,
             std::vector<PathBinding> path);

  // Right after the head: client and bidi streams start their call at once; a server stream's
  // body declared too large is refused.
  void Begin();

  // RequestHandler, on the event loop.
  bool OnBody(std::string_view bytes) override;
  void OnBodyEnd() override;
  bool BodyIsStream() const override { return route_.streams_requests(); }
  void OnWritable() override;
  void OnCancel() override;

  // ClientBidiReactor, on gRPC's threads.
  void OnReadInitialMetadataDone(bool ok) override;
  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  // Starts the call with `setup`'s metadata and deadline and the reads going; `first` (a server
  // stream's one request) is written with it.
  bool StartStreaming(std::optional<grpc::ByteBuffer> first, const CallSetup& setup);
  // Client and bidi streams: one request message from one body line or piece.
  void SendRequest(std::string_view body);
  // Issues the next write, or the half-close once the body has ended and every write is done.
  void PumpWrites();
  // Ends the call with `status` (a bad request line) instead of what the server would say.
  void Fail(const grpc::Status& status);
  // After cancellation: gives back the holds that wait for the loop.
  void ReleaseHolds();
  // Writes one response message and reads the next, or pauses until the connection has room.
  void Deliver(std::unique_ptr<google::protobuf::Message> message, EncodedMessage encoded);

  const Route& route_;
  const std::shared_ptr<HttpExchange> exchange_;
  const std::vector<PathBinding> path_;
  grpc::ClientContext context_;
  const ClientContextMetadata server_metadata_{context_};
  const std::unique_ptr<ResponseWriter> writer_;
  std::shared_ptr<StreamCall> self_;  // from the start of the call until OnDone

  // A server stream of an in-process callback method, called directly (direct_calls).
  std::shared_ptr<DirectStreamCall> direct_;

  // Event loop only.
  std::string pending_body_;  // a server stream's whole body, or an unfinished line
  bool refused_ = false;

  // Reactions only (serialized by gRPC).
  grpc::ByteBuffer response_;

  std::mutex mutex_;
  bool started_ = false;
  std::deque<grpc::ByteBuffer> writes_;  // request messages not yet written
  std::size_t write_bytes_ = 0;          // their size
  grpc::ByteBuffer writing_;             // the one in flight
  bool write_in_flight_ = false;
  bool body_ended_ = false;
  bool writes_done_ = false;      // the half-close is issued
  bool write_hold_ = false;       // held while the loop may still write
  bool body_paused_ = false;      // OnBody returned false
  bool read_paused_ = false;      // held until the connection has room
  bool writable_signal_ = false;  // OnWritable came while a write was under way
  bool failed_ = false;           // cancelled or failed: no more writes
  std::optional<grpc::Status> failure_;
  // The answer's head needs the header metadata: a first message that comes before it waits.
  bool header_metadata_arrived_ = false;
  std::unique_ptr<google::protobuf::Message> early_message_;
  EncodedMessage early_encoded_;
};

}  // namespace cppgateway
