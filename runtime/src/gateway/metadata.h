// HTTP headers <-> gRPC metadata, as grpc-gateway maps them: a request's headers become its call's
// metadata and deadline (AnnotateContext), and the call's header and trailer metadata become the
// answer's headers and trailers (ForwardResponseServerMetadata / ForwardResponseTrailer).
#pragma once

#include <grpcpp/client_context.h>
#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "cppgateway/http_exchange.h"
#include "cppgateway/options.h"

namespace cppgateway {

// What the request of a call gives the call: metadata and a timeout.
struct CallSetup {
  HttpHeaders metadata;  // gRPC keys, `-bin` values decoded
  std::optional<std::chrono::nanoseconds> timeout;
};

// Reads the call setup of the request of `exchange`: the metadata its headers carry (through the
// incoming matcher, Authorization, X-Forwarded-For/-Host, the from_request hook) and its timeout
// (Grpc-Timeout, else the default). INVALID_ARGUMENT for a bad Grpc-Timeout, a `-bin` value that
// is not base64, a header that cannot be gRPC metadata, or more metadata than allowed.
grpc::Status ReadCallSetup(const HttpExchange& exchange, const ServerOptions& options,
                           CallSetup* setup);

// Gives `context` the metadata and the deadline of `setup`.
void ApplyCallSetup(const CallSetup& setup, grpc::ClientContext* context);

// The metadata a service sent back, wherever the call ran: through a channel (the ClientContext
// has it) or in a direct call (the service's own context has it).
class ServerMetadata {
 public:
  using Visitor = std::function<void(std::string_view key, std::string_view value)>;
  virtual ~ServerMetadata() = default;
  // Each header metadata entry; once it has arrived.
  virtual void ForEachHeader(const Visitor& visit) const = 0;
  // Each trailer metadata entry; once the call has ended.
  virtual void ForEachTrailer(const Visitor& visit) const = 0;
};

// The server metadata of a call through a channel.
class ClientContextMetadata final : public ServerMetadata {
 public:
  explicit ClientContextMetadata(const grpc::ClientContext& context) : context_(context) {}
  void ForEachHeader(const Visitor& visit) const override;
  void ForEachTrailer(const Visitor& visit) const override;

 private:
  const grpc::ClientContext& context_;
};

// The server metadata of a direct call: what the service added to its own context.
class ServerContextMetadata final : public ServerMetadata {
 public:
  explicit ServerContextMetadata(const grpc::ServerContextBase& context) : context_(context) {}
  void ForEachHeader(const Visitor& visit) const override;
  void ForEachTrailer(const Visitor& visit) const override;

 private:
  const grpc::ServerContextBase& context_;
};

// What a call's metadata says about its answer.
struct AnswerMetadata {
  HttpHeaders headers;           // the header metadata, as the outgoing matcher names them
  HttpHeaders trailers;          // the trailer metadata, as the outgoing trailer matcher names them
  int http_status = 0;           // `x-http-code` set by the service (not forwarded), 0 when unset
  std::string www_authenticate;  // for a 401 answer
};

// Reads the call's header metadata into `*answer`: once it has arrived (with the first response
// message, or at the end of the call).
void CollectHeaderMetadata(const ServerMetadata& call, const MetadataOptions& options,
                           AnswerMetadata* answer);
// Reads the call's trailer metadata into `*answer`: once the call has ended.
void CollectTrailerMetadata(const ServerMetadata& call, const MetadataOptions& options,
                            AnswerMetadata* answer);

}  // namespace cppgateway
