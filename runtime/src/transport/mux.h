// The shared port: accepts connections, tells gRPC from HTTP/1.1 by the first 24 bytes, and hands
// each to its server.
//
// The decision rests on the HTTP/2 client preface ALONE. gRPC clients (grpc-go, C-core) wait for
// the server's SETTINGS frame before they send HEADERS, so a mux that waits for HEADERS (cmux's
// HTTP2HeaderField matcher) and a client that waits for SETTINGS hang each other for 20 s.
//
// The first event loop owns the listening socket, the connections not yet told apart (closed
// after first_bytes_timeout) and the watches on gRPC connections. HTTP/1.1 connections are dealt
// out in turn to every loop (ServerOptions::event_loops, the first included), each connection
// staying on its loop for life, so that REST work (JSON, direct calls) uses every core.
// Readiness is edge-triggered: with level-triggered epoll, a client that sent half a preface and
// stopped would wake the loop for the same bytes forever and spin a core.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "cppgateway/options.h"
#include "transport/event_loop.h"
#include "transport/http1_connection.h"

namespace grpc {
class Server;
}

namespace cppgateway {

class Gateway;

class Mux final {
 public:
  using Clock = std::chrono::steady_clock;

  // Serves `listen_fd` (listening, non-blocking; the mux owns it): gRPC connections go to
  // `grpc_server`, HTTP/1.1 requests to `gateway`. Both must outlive the mux. Throws
  // std::runtime_error when it cannot set up its event loop.
  Mux(int listen_fd, grpc::Server* grpc_server, const Gateway& gateway,
      const ServerOptions& options);
  // Stops, if still running.
  ~Mux();
  Mux(const Mux&) = delete;
  Mux& operator=(const Mux&) = delete;

  void Start();

  // Closes the listening socket, the connections not yet told apart and every HTTP/1.1
  // connection with no request under way; the others close after their answer. Then waits until
  // no request is under way, or until `deadline`. Returns true when none is left.
  bool Drain(Clock::time_point deadline);

  // Shuts down the socket of every gRPC connection. For shutdown once no gRPC call is in flight:
  // gRPC's own shutdown would otherwise wait for clients that never close an idle connection.
  void CloseGrpcConnections();

  // Stops the event loops and closes every connection. Call once no call can still answer (the
  // gateway's calls have ended): nothing is written after this.
  void Stop();

 private:
  class Listener;
  class Undecided;
  class GrpcWatch;
  class Worker;
  struct PendingSocket;

  // Event-loop thread only.
  void AcceptAll();
  void Decide(Undecided* connection, uint32_t events);
  void Forget(Undecided* connection);
  void StopAccepting();
  // Hands `fd` to the next worker's loop as an HTTP/1.1 connection.
  void HandToHttp1(int fd);
  // Hands `fd` to gRPC, watching a duplicate of it to know when the connection ends.
  void HandToGrpc(int fd);
  void ForgetGrpc(GrpcWatch* watch);

  // Any loop thread.
  void OnExchangeBegin();
  void OnExchangeEnd();

  const ServerOptions options_;
  const Gateway& gateway_;
  grpc::Server* const grpc_server_;
  int listen_fd_;
  std::vector<std::unique_ptr<Worker>> workers_;  // at least one
  EventLoop& loop_;                               // the first worker's: accepts and decides
  std::unique_ptr<Listener> listener_;
  bool started_ = false;
  bool stopped_ = false;

  // Owned by the first loop's thread (and by Stop once the loops have ended).
  std::unordered_map<Undecided*, std::unique_ptr<Undecided>> undecided_;
  std::unordered_map<GrpcWatch*, std::unique_ptr<GrpcWatch>> grpc_;
  std::size_t next_worker_ = 0;
  std::size_t max_http1_;  // also the cap on connections not yet told apart
  std::size_t max_grpc_;
  // HTTP/1.1 connections open on every loop, counted from the hand-off to the close.
  std::atomic<std::size_t> http1_count_{0};

  // For Drain, which waits on another thread.
  std::mutex mutex_;
  std::condition_variable changed_;
  int exchanges_in_flight_ = 0;
};

}  // namespace cppgateway
