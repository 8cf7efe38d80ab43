// Everything a user may tune. The defaults are grpc-gateway v2's conventions (DESIGN.md).
#pragma once

#include <grpcpp/support/status.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cppgateway/http_exchange.h"

namespace google::protobuf {
class Message;
}

namespace cppgateway {

// How messages become JSON and back.
struct JsonOptions {
  // Out: emit the proto field names (`display_name`) instead of lowerCamel json_name
  // (`displayName`).
  bool use_proto_names = false;
  // Out: emit fields that hold their default value (0, "", false, empty lists and maps).
  bool emit_unpopulated = true;
  // Out: emit 64-bit integers (and their wrappers) as JSON strings, as proto3 JSON says; false
  // emits numbers, which lose precision above 2^53 in JavaScript.
  bool int64_as_strings = true;
  // Out: emit enums by number instead of by name.
  bool enums_as_ints = false;
  // In: ignore fields the message does not have, instead of answering 400.
  bool ignore_unknown_fields = true;
  // In: a document nested deeper (arrays and objects alike) is answered with 400.
  std::size_t max_depth = 64;
  // In: a document with more values (each array element, object key and member value) is
  // answered with 400: parsing costs memory per value, far more than the value's bytes
  // (protobuf's JSON parser keeps a tree of the whole document).
  std::size_t max_values = 100000;
};

// How query parameters fill the request.
struct QueryOptions {
  // Answer 400 to a parameter that names no field, instead of ignoring it.
  bool reject_unknown_parameters = false;
};

// Maps a name across: an HTTP header to a metadata key or back. nullopt drops it.
using HeaderMatcher = std::function<std::optional<std::string>(std::string_view name)>;

// grpc-gateway's DefaultHeaderMatcher: `Grpc-Metadata-K` -> `k`, the permanent HTTP headers it
// lists (Accept, Authorization, Cookie, Origin, User-Agent, ...) -> `grpcgateway-<name>`, anything
// else dropped.
std::optional<std::string> DefaultIncomingHeaderMatcher(std::string_view header);

// How HTTP headers and gRPC metadata map to each other.
struct MetadataOptions {
  // A request header -> the metadata key it is sent as (grpc-gateway's WithIncomingHeaderMatcher);
  // unset: DefaultIncomingHeaderMatcher. Whatever it says, `Authorization` is also sent as
  // `authorization`, `x-forwarded-for` (the client's address appended) and `x-forwarded-host`
  // are added, and a key ending in `-bin` gets its value base64-decoded.
  HeaderMatcher incoming;
  // A response header metadata key -> the HTTP header it becomes (WithOutgoingHeaderMatcher);
  // unset: `Grpc-Metadata-<key>`.
  HeaderMatcher outgoing;
  // A response trailer metadata key -> the HTTP trailer it becomes (WithOutgoingTrailerMatcher);
  // unset: `Grpc-Trailer-<key>`. Sent as HTTP trailers when the client takes them (TE: trailers)
  // on a streamed answer; as headers of a unary answer otherwise.
  HeaderMatcher outgoing_trailer;
  // More metadata of the user's own, from the request (WithMetadata): called once per call.
  std::function<void(const HttpRequestHead& request, HttpHeaders* metadata)> from_request;
  // The metadata forwarded from one request's headers may hold no more bytes (keys and values):
  // gRPC servers refuse much larger metadata. More is answered with 400.
  std::size_t max_bytes = 8 * 1024;
};

// Cross-origin calls from browsers.
struct CorsOptions {
  // The origins whose pages may call ("https://app.example.com"), or "*" for any. Empty turns
  // CORS off: no CORS headers, and an OPTIONS request goes to the routes like any other.
  std::vector<std::string> allowed_origins;
  // What a preflight allows.
  std::vector<std::string> allowed_methods = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};
  // Request headers a page may send; empty allows those the preflight asks for.
  std::vector<std::string> allowed_headers;
  // Response headers a page may read beyond the simple ones (Grpc-Metadata-*, ...).
  std::vector<std::string> exposed_headers;
  // Whether a page may send cookies and Authorization with credentials mode "include".
  bool allow_credentials = false;
  // How long a browser may keep a preflight's answer.
  std::chrono::seconds max_age{600};
};

// gzip both ways (zlib).
struct CompressionOptions {
  // Answers are gzip-encoded when the client accepts gzip: those of a known length from this size
  // on, streams always.
  bool gzip_responses = true;
  std::size_t min_bytes = 1024;
  // zlib's level, 1 (fastest) to 9 (smallest).
  int level = 6;
  // Request bodies with Content-Encoding: gzip are decoded; off, they are answered with 415.
  bool gzip_requests = true;
};

// User code on the way out.
struct Hooks {
  // Writes the gateway's error answers (grpc-gateway's WithErrorHandler): called with the default
  // answer's head and JSON body, which it may change.
  std::function<void(const HttpRequestHead& request, const grpc::Status& status,
                     HttpResponseHead* head, std::string* body)>
      error_writer;
  // Called before a successful answer's head is sent, with the response message (a stream's
  // first one) (WithForwardResponseOption): may change the head's status and headers; a status
  // that is not OK is answered as that error instead.
  std::function<grpc::Status(const HttpRequestHead& request,
                             const google::protobuf::Message& response, HttpResponseHead* head)>
      response;
};

struct ServerOptions {
  JsonOptions json;
  QueryOptions query;
  MetadataOptions metadata;
  CorsOptions cors;
  CompressionOptions compression;
  Hooks hooks;

  // The deadline of a REST call whose request names none (Grpc-Timeout: 500m, 10S, 1H); zero
  // for none. An expired deadline is answered with 504 (code 4).
  std::chrono::milliseconds default_deadline{0};

  // The listen queue of the shared port: a short one (5 is common) overflows under tens of
  // concurrent connects and costs clients 1 s SYN retries.
  int listen_backlog = 1024;
  // A connection that has not sent enough to be told apart (HTTP/2 preface or not) by then is
  // closed.
  std::chrono::milliseconds first_bytes_timeout{10000};
  // An HTTP/1.1 keep-alive connection idle for longer is closed.
  std::chrono::milliseconds keep_alive_timeout{60000};
  // A request's head and body must have arrived within this time of its first byte, or it is
  // answered with 408. A streamed body (client streaming, bidi) has no such deadline.
  std::chrono::milliseconds read_timeout{5000};
  // An answer the client does not read for this long (not one byte taken) closes the connection.
  std::chrono::milliseconds write_timeout{5000};
  // A larger request body is answered with 413; a streamed body's lines each have this limit.
  std::size_t max_body_bytes = 4 * 1024 * 1024;
  // A longer request target is answered with 414.
  std::size_t max_target_bytes = 8 * 1024;
  // A request head (request line and headers) larger than this, or with more header fields, is
  // answered with 431.
  std::size_t max_header_bytes = 64 * 1024;
  std::size_t max_header_count = 100;
  // A gRPC connection with no call open for this long is closed with GOAWAY (grpc's
  // max_connection_idle): a client that sends the preface and nothing else does not keep it.
  std::chrono::milliseconds grpc_max_connection_idle{300000};
  // A gRPC connection open for longer is asked to go away, its calls given the grace (grpc's
  // max_connection_age); zero for no limit.
  std::chrono::milliseconds grpc_max_connection_age{0};
  std::chrono::milliseconds grpc_max_connection_age_grace{0};
  // Connections of each kind open at once; past the limit a new one is closed at once, so that a
  // flood of one kind cannot starve the other. Connections not yet told apart have the HTTP/1.1
  // limit of their own. Zero takes a share of the process's open-file limit: half for HTTP/1.1,
  // a tenth for gRPC (two descriptors each).
  int max_http1_connections = 0;
  int max_grpc_connections = 0;
  // Event-loop threads serving HTTP/1.1 connections, each connection on one loop for life; the
  // first also accepts connections and tells them apart. Zero takes one per core.
  int event_loops = 0;

  // REST calls to a unary or server-streaming method that an in-process service implements as a
  // callback method (the service derives from the generated Foo::CallbackService) call the method
  // itself instead of going through gRPC's in-process channel: no serialization, no gRPC call, no
  // thread handoff; the method runs on the event loop, as gRPC runs it on its own threads, and a
  // stream's OnWriteDone comes on the loop once the connection has room. The service
  // sees the request's metadata, IsCancelled() and OnCancel, and its header and trailer metadata
  // reach the answer. What it does not get, so the option is off by default (grpc-gateway's
  // RegisterXHandlerServer makes the same trade): no server interceptors run; peer() is empty and
  // auth_context() null; TryCancel() must not be called (it needs a gRPC call). A request with a
  // deadline (Grpc-Timeout, default_deadline) still goes through the channel, where gRPC keeps it.
  bool direct_calls = false;

  // How long Shutdown() lets in-flight gRPC calls run before cancelling them.
  std::chrono::milliseconds shutdown_grace{5000};

  // glibc only, and for the whole process: blocks of 128 KiB and more (request bodies, their
  // decoded copies) are mapped on their own and given back to the system when freed, so that RSS
  // returns to where it was after a large request. glibc otherwise raises that threshold after
  // the first large block is freed and keeps later ones in its heaps. Set by Start();
  // false leaves the allocator as the program configured it.
  bool return_large_blocks = true;
};

}  // namespace cppgateway
