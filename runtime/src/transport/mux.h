// The shared port: accepts connections, tells gRPC from HTTP/1.1 by the first 24 bytes, and hands
// each to its server.
//
// The decision rests on the HTTP/2 client preface ALONE. gRPC clients (grpc-go, C-core) wait for
// the server's SETTINGS frame before they send HEADERS, so a mux that waits for HEADERS (cmux's
// HTTP2HeaderField matcher) and a client that waits for SETTINGS hang each other for 20 s.
//
// One event-loop thread owns every connection that is not being served: undecided ones (closed
// after first_bytes_timeout) and idle HTTP/1.1 keep-alive ones (closed after keep_alive_timeout).
// Readiness is edge-triggered: with level-triggered epoll, a client that sent half a preface and
// stopped would wake the loop for the same bytes forever and spin a core. An HTTP/1.1 connection
// with a request waiting goes to a worker thread, which serves the requests that have arrived and
// gives the connection back, so idle connections hold no thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cppgateway/gateway.h"
#include "cppgateway/options.h"
#include "transport/http1_connection.h"

namespace grpc {
class Server;
}

namespace cppgateway {

class Mux {
 public:
  using Clock = std::chrono::steady_clock;

  // Serves `listen_fd` (listening, non-blocking; the mux owns it): gRPC connections go to
  // `grpc_server`, HTTP/1.1 requests to `gateway`. Both must outlive the mux. Throws
  // std::runtime_error when it cannot set up its event loop.
  Mux(int listen_fd, grpc::Server* grpc_server, const Gateway& gateway,
      const ServerOptions& options);
  // Drains (with no grace) and stops, if still running.
  ~Mux();
  Mux(const Mux&) = delete;
  Mux& operator=(const Mux&) = delete;

  // Starts the event loop and the HTTP/1.1 workers.
  void Start();

  // Closes the listening socket and every connection not being served, then waits until the
  // HTTP/1.1 requests in flight have been answered (with Connection: close), or until
  // `deadline`. Returns true when none is left in flight.
  bool Drain(Clock::time_point deadline);

  // Waits for the workers to finish what they hold, stops every thread and closes every
  // connection. Call after Drain (gRPC calls that HTTP/1.1 requests wait on must be able to end).
  void Stop();

 private:
  // Where a connection is in its life, and so which deadline list holds it.
  enum class State {
    kUndecided,    // waiting for enough bytes to tell gRPC from HTTP/1.1; in undecided_
    kIdle,         // HTTP/1.1, waiting for a request; in idle_
    kReadingHead,  // HTTP/1.1, part of a request's head has come; in reading_
    kBusy,         // HTTP/1.1, held by a worker; no events until the loop re-arms it
    kLingering,    // HTTP/1.1, answered for the last time and half-closed; in lingering_
  };
  struct Connection;
  // A connection handed back by a worker, and what Http1Server::Serve said about it.
  using Returned = std::pair<Connection*, Http1Server::Outcome>;

  void RunEventLoop();
  void RunWorker();

  // Event-loop thread only.
  void AcceptAll();
  void OnUndecidedReadable(Connection* connection, uint32_t events);
  void OnHttp1Readable(Connection* connection);
  void OnLingeringReadable(Connection* connection);
  void TakeBackReturned();
  void CloseExpired();
  void StopAccepting();
  void Dispatch(Connection* connection);
  void AwaitRequest(Connection* connection);
  void Enter(Connection* connection, State state, Clock::duration timeout);
  std::list<Connection*>* DeadlineList(State state);
  void Linger(Connection* connection);
  void Close(Connection* connection);
  int MillisecondsToNextDeadline() const;

  const ServerOptions options_;
  const Gateway& gateway_;
  grpc::Server* const grpc_server_;
  int listen_fd_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;  // an eventfd: workers and Drain/Stop wake the loop through it
  std::atomic<bool> draining_{false};
  bool started_ = false;
  bool stopped_ = false;

  // Owned by the event-loop thread (and by Stop once that thread has ended).
  std::unordered_map<Connection*, std::unique_ptr<Connection>> connections_;
  std::list<Connection*> undecided_;     // by deadline: accepted earlier closes earlier
  std::list<Connection*> idle_;          // by deadline: idle since earlier closes earlier
  std::list<Connection*> reading_;       // by deadline: a request head begun earlier, earlier
  std::list<Connection*> lingering_;     // by deadline: answered and half-closed
  Clock::time_point accept_retry_at_{};  // out of file descriptors: accept again then
  bool accept_paused_ = false;

  // Shared between the loop, the workers and Drain/Stop.
  std::mutex mutex_;
  std::condition_variable work_ready_;     // jobs_ has work, or the workers should stop
  std::condition_variable state_changed_;  // in_flight_ fell, or accepting stopped
  std::deque<Connection*> jobs_;
  std::vector<Returned> returned_;
  int in_flight_ = 0;  // connections handed to workers and not yet handed back
  bool stop_accepting_ = false;
  bool accepting_stopped_ = false;
  bool stop_workers_ = false;
  bool stop_loop_ = false;

  std::thread loop_thread_;
  std::vector<std::thread> workers_;
};

}  // namespace cppgateway
