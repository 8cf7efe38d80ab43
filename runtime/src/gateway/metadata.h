// HTTP headers <-> gRPC metadata, as grpc-gateway maps them: a request's headers become its call's
// metadata and deadline (AnnotateContext), and the call's header and trailer metadata become the
// answer's headers and trailers (ForwardResponseServerMetadata / ForwardResponseTrailer).
#pragma once

#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include <string>

#include "cppgateway/http_exchange.h"
#include "cppgateway/options.h"

namespace cppgateway {

// Sets up `context` for the request of `exchange`: the metadata its headers carry (through the
// incoming matcher, Authorization, X-Forwarded-For/-Host, the from_request hook) and its deadline
// (Grpc-Timeout, else the default). INVALID_ARGUMENT for a bad Grpc-Timeout, a `-bin` value that
// is not base64, a header that cannot be gRPC metadata, or more metadata than allowed.
grpc::Status PrepareCallContext(const HttpExchange& exchange, const ServerOptions& options,
                                grpc::ClientContext* context);

// What a call's metadata says about its answer.
struct AnswerMetadata {
  HttpHeaders headers;           // the header metadata, as the outgoing matcher names them
  HttpHeaders trailers;          // the trailer metadata, as the outgoing trailer matcher names them
  int http_status = 0;           // `x-http-code` set by the service (not forwarded), 0 when unset
  std::string www_authenticate;  // for a 401 answer
};

// Reads the call's header metadata into `*answer`: once it has arrived (with the first response
// message, or at the end of the call).
void CollectHeaderMetadata(const grpc::ClientContext& context, const MetadataOptions& options,
                           AnswerMetadata* answer);
// Reads the call's trailer metadata into `*answer`: once the call has ended.
void CollectTrailerMetadata(const grpc::ClientContext& context, const MetadataOptions& options,
                            AnswerMetadata* answer);

}  // namespace cppgateway
