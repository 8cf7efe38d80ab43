// Everything a user may tune. The defaults are grpc-gateway v2's conventions (DESIGN.md).
#pragma once

#include <chrono>
#include <cstddef>

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
};

// How query parameters fill the request.
struct QueryOptions {
  // Answer 400 to a parameter that names no field, instead of ignoring it.
  bool reject_unknown_parameters = false;
};

struct ServerOptions {
  JsonOptions json;
  QueryOptions query;

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
  // How long Shutdown() lets in-flight gRPC calls run before cancelling them.
  std::chrono::milliseconds shutdown_grace{5000};
};

}  // namespace cppgateway
