#include "transport/mux.h"

#include <grpcpp/server.h>
#include <grpcpp/server_posix.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace cppgateway {
namespace {

// What every HTTP/2 client sends first (RFC 9113, section 3.4).
constexpr char kHttp2Preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
constexpr std::size_t kHttp2PrefaceSize = sizeof(kHttp2Preface) - 1;  // 24

// How long to wait before accepting again when the process is out of file descriptors: the
// pending connections stay in the listen queue meanwhile.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

// How long a closing HTTP/1.1 connection may keep sending after its last answer (a request the
// server refused, the rest of a body over the limit), and how much of it is read and dropped.
// Closing a socket with unread bytes sends a reset, and a reset can destroy the answer before
// the client reads it.
constexpr std::chrono::milliseconds kLingerTime{2000};
constexpr std::size_t kMaxLingerBytes = 64 * 1024 * 1024;
// Dropped per readiness event, so that one fast sender cannot hold the loop. Not much less than a
// receive buffer: a window reopened by less is not announced, and the sender would wait for its
// persist timer (200 ms) to send the bytes that bring the next edge.
constexpr std::size_t kLingerBytesPerEvent = 8 * 1024 * 1024;

// Connection events the loop listens for. EPOLLET: a peeked half preface stays in the socket,
// and a level-triggered loop would be woken for it again and again.
constexpr uint32_t kUndecidedEvents = EPOLLIN | EPOLLRDHUP | EPOLLET;
// EPOLLONESHOT: once a request's head is in, the connection belongs to a worker, which must not
// race the loop for its events; the loop re-arms it when the worker gives it back.
constexpr uint32_t kIdleEvents = EPOLLIN | EPOLLRDHUP | EPOLLET | EPOLLONESHOT;
// Lingering: only the loop reads, to drop what comes.
constexpr uint32_t kLingeringEvents = EPOLLIN | EPOLLRDHUP | EPOLLET;

std::runtime_error SystemError(const std::string& what) {
  return std::runtime_error("cppgateway: " + what + ": " + std::strerror(errno));
}

}  // namespace

struct Mux::Connection {
  explicit Connection(int socket) : fd(socket) {}
  ~Connection() {
    if (!http1 && fd >= 0) ::close(fd);  // else Http1Connection closes it
  }

  int fd;
  State state = State::kUndecided;
  std::unique_ptr<Http1Connection> http1;  // once judged HTTP/1.1
  Clock::time_point deadline;
  std::list<Connection*>::iterator timer;  // its place in the list of its state
  std::size_t lingered_bytes = 0;
};

Mux::Mux(int listen_fd, grpc::Server* grpc_server, const Gateway& gateway,
         const ServerOptions& options)
    : options_(options), gateway_(gateway), grpc_server_(grpc_server), listen_fd_(listen_fd) {
  epoll_event listen_event{};
  listen_event.events = EPOLLIN | EPOLLET;
  listen_event.data.ptr = &listen_fd_;
  epoll_event wake_event{};
  wake_event.events = EPOLLIN | EPOLLET;
  wake_event.data.ptr = &wake_fd_;
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0 ||
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &listen_event) != 0 ||
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &wake_event) != 0) {
    std::runtime_error error = SystemError("cannot set up the event loop");
    Stop();  // closes what was opened, the listening socket too
    throw error;
  }
}

Mux::~Mux() {
  if (started_ && !stopped_) Drain(Clock::now());
  Stop();
}

void Mux::Start() {
  started_ = true;
  loop_thread_ = std::thread([this] { RunEventLoop(); });
  int worker_count = std::max(1, options_.http_worker_threads);
  workers_.reserve(worker_count);
  for (int i = 0; i < worker_count; ++i) workers_.emplace_back([this] { RunWorker(); });
}

bool Mux::Drain(Clock::time_point deadline) {
  if (!started_ || stopped_) return true;
  draining_.store(true);
  std::unique_lock<std::mutex> lock(mutex_);
  stop_accepting_ = true;
  uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof(one));
  // The loop answers at once; only the requests in flight are worth a deadline.
  state_changed_.wait(lock, [this] { return accepting_stopped_; });
  return state_changed_.wait_until(lock, deadline, [this] { return in_flight_ == 0; });
}

void Mux::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (started_) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_workers_ = true;
    }
    work_ready_.notify_all();
    for (std::thread& worker : workers_) worker.join();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_loop_ = true;
    }
    uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof(one));
    loop_thread_.join();
  }
  // Every thread has ended: what is left is ours to close.
  jobs_.clear();
  returned_.clear();
  undecided_.clear();
  idle_.clear();
  reading_.clear();
  lingering_.clear();
  connections_.clear();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
  if (wake_fd_ >= 0) ::close(wake_fd_);
  wake_fd_ = -1;
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  epoll_fd_ = -1;
}

void Mux::RunEventLoop() {
  std::vector<epoll_event> events(256);
  for (;;) {
    int count = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()),
                             MillisecondsToNextDeadline());
    if (count < 0) count = 0;  // EINTR; nothing else can fail on a valid epoll fd
    for (int i = 0; i < count; ++i) {
      void* tag = events[i].data.ptr;
      if (tag == &listen_fd_) {
        AcceptAll();
      } else if (tag == &wake_fd_) {
        uint64_t value;
        (void)!::read(wake_fd_, &value, sizeof(value));
      } else {
        // Only a connection's own event may close it here, so no later event in this batch
        // points to a closed connection. Busy connections get none: their one shot is spent.
        auto* connection = static_cast<Connection*>(tag);
        if (connection->state == State::kUndecided) {
          OnUndecidedReadable(connection, events[i].events);
        } else if (connection->state == State::kIdle || connection->state == State::kReadingHead) {
          OnHttp1Readable(connection);
        } else if (connection->state == State::kLingering) {
          OnLingeringReadable(connection);
        }
      }
    }

    bool stop_accepting, stop_loop;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_accepting = stop_accepting_ && !accepting_stopped_;
      stop_loop = stop_loop_;
    }
    TakeBackReturned();
    if (stop_accepting) StopAccepting();
    if (stop_loop) return;
    if (accept_paused_ && Clock::now() >= accept_retry_at_) AcceptAll();
    CloseExpired();
  }
}

void Mux::AcceptAll() {
  if (listen_fd_ < 0) return;
  accept_paused_ = false;
  for (;;) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      // A connection that failed before we took it, or a signal: take the next one.
      if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO || errno == ENETDOWN ||
          errno == ENOPROTOOPT || errno == EHOSTDOWN || errno == ENONET || errno == EHOSTUNREACH ||
          errno == ENETUNREACH) {
        continue;
      }
      // Out of file descriptors or memory: the edge has passed, so come back on a timer.
      accept_paused_ = true;
      accept_retry_at_ = Clock::now() + kAcceptRetryDelay;
      return;
    }
    // Without it a keep-alive client gets about 300 requests/s (Nagle against delayed ACKs).
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

    auto connection = std::make_unique<Connection>(fd);
    epoll_event event{};
    event.events = kUndecidedEvents;
    event.data.ptr = connection.get();
    // Bytes that arrived before this call are reported too: no need to peek now.
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) continue;  // closes it
    connection->deadline = Clock::now() + options_.first_bytes_timeout;
    connection->timer = undecided_.insert(undecided_.end(), connection.get());
    Connection* key = connection.get();
    connections_.emplace(key, std::move(connection));
  }
}

void Mux::OnUndecidedReadable(Connection* connection, uint32_t events) {
  char bytes[kHttp2PrefaceSize];
  ssize_t count;
  do {
    count = ::recv(connection->fd, bytes, sizeof(bytes), MSG_PEEK);
  } while (count < 0 && errno == EINTR);
  bool peer_gone = (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
  if (count == 0 || (count < 0 && (errno != EAGAIN || peer_gone))) {
    Close(connection);
    return;
  }
  if (count < 0) return;

  if (std::memcmp(bytes, kHttp2Preface, static_cast<std::size_t>(count)) != 0) {
    // Not HTTP/2: HTTP/1.1. Armed one-shot, it fires at once for the bytes already there.
    connection->http1 = std::make_unique<Http1Connection>(connection->fd);
    AwaitRequest(connection);
    return;
  }
  if (static_cast<std::size_t>(count) == kHttp2PrefaceSize) {
    // The whole preface: gRPC takes the socket, and answers with its SETTINGS at once. Nothing
    // after the preface is awaited (that is what hangs clients behind cmux).
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, connection->fd, nullptr);
    undecided_.erase(connection->timer);
    int fd = connection->fd;
    connection->fd = -1;
    connections_.erase(connection);
    grpc::AddInsecureChannelFromFd(grpc_server_, fd);
    return;
  }
  // A prefix of the preface: the next edge comes with more bytes. If the peer has stopped
  // sending, none will come.
  if (peer_gone) Close(connection);
}

void Mux::OnHttp1Readable(Connection* connection) {
  // The head is read here, so a client sending it slowly holds no worker: one is taken only
  // when a request can be served without waiting for its head.
  Http1Connection& http1 = *connection->http1;
  bool open = http1.ReadAhead();
  if (http1.HasRequestHead()) {
    Dispatch(connection);  // even if the peer has closed its side since: it awaits the answer
  } else if (!open) {
    Close(connection);
  } else {
    AwaitRequest(connection);
  }
}

void Mux::OnLingeringReadable(Connection* connection) {
  char discarded[16 * 1024];
  std::size_t this_event = 0;
  for (;;) {
    // A sender that keeps going brings the next edge with its next bytes.
    if (this_event >= kLingerBytesPerEvent) return;
    ssize_t count = ::recv(connection->fd, discarded, sizeof(discarded), 0);
    if (count > 0) {
      this_event += static_cast<std::size_t>(count);
      connection->lingered_bytes += static_cast<std::size_t>(count);
      if (connection->lingered_bytes > kMaxLingerBytes) break;
      continue;
    }
    if (count < 0 && errno == EINTR) continue;
    if (count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;  // until the next edge
    break;  // the peer has closed too, or the socket failed
  }
  Close(connection);
}

void Mux::Dispatch(Connection* connection) {
  Enter(connection, State::kBusy, {});
  {
    std::lock_guard<std::mutex> lock(mutex_);
    jobs_.push_back(connection);
    ++in_flight_;
  }
  work_ready_.notify_one();
}

void Mux::AwaitRequest(Connection* connection) {
  // Idle until a request begins, for keep_alive_timeout; then its head has read_timeout.
  if (!connection->http1->HasBufferedBytes()) {
    connection->http1->ReleaseBuffer();
    if (connection->state != State::kIdle) {
      Enter(connection, State::kIdle, options_.keep_alive_timeout);
    }
  } else if (connection->state != State::kReadingHead) {
    Enter(connection, State::kReadingHead, options_.read_timeout);
  }
  // Re-armed, it fires at once if bytes came meanwhile.
  epoll_event event{};
  event.events = kIdleEvents;
  event.data.ptr = connection;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, connection->fd, &event) != 0) Close(connection);
}

void Mux::Linger(Connection* connection) {
  // The answers are written: FIN after them, then drop what the client still sends.
  ::shutdown(connection->fd, SHUT_WR);
  Enter(connection, State::kLingering, kLingerTime);
  epoll_event event{};
  event.events = kLingeringEvents;
  event.data.ptr = connection;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, connection->fd, &event) != 0) Close(connection);
}

void Mux::Close(Connection* connection) {
  if (auto* list = DeadlineList(connection->state)) list->erase(connection->timer);
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, connection->fd, nullptr);
  connections_.erase(connection);
}

void Mux::TakeBackReturned() {
  std::vector<Returned> returned;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    returned.swap(returned_);
  }
  for (auto [connection, outcome] : returned) {
    if (draining_.load() || outcome == Http1Server::Outcome::kClose) {
      Linger(connection);
    } else if (outcome == Http1Server::Outcome::kMoreInput) {
      Dispatch(connection);  // to the back of the queue: others get their turn first
    } else {
      AwaitRequest(connection);
    }
  }
}

void Mux::CloseExpired() {
  Clock::time_point now = Clock::now();
  while (!undecided_.empty() && undecided_.front()->deadline <= now) Close(undecided_.front());
  while (!idle_.empty() && idle_.front()->deadline <= now) Close(idle_.front());
  while (!reading_.empty() && reading_.front()->deadline <= now) Close(reading_.front());
  while (!lingering_.empty() && lingering_.front()->deadline <= now) Close(lingering_.front());
}

void Mux::StopAccepting() {
  if (listen_fd_ >= 0) {
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
  accept_paused_ = false;
  while (!undecided_.empty()) Close(undecided_.front());
  while (!idle_.empty()) Close(idle_.front());
  while (!reading_.empty()) Close(reading_.front());
  {
    std::lock_guard<std::mutex> lock(mutex_);
    accepting_stopped_ = true;
  }
  state_changed_.notify_all();
}

int Mux::MillisecondsToNextDeadline() const {
  bool any = false;
  Clock::time_point next;
  auto consider = [&](Clock::time_point deadline) {
    if (!any || deadline < next) next = deadline;
    any = true;
  };
  if (!undecided_.empty()) consider(undecided_.front()->deadline);
  if (!idle_.empty()) consider(idle_.front()->deadline);
  if (!reading_.empty()) consider(reading_.front()->deadline);
  if (!lingering_.empty()) consider(lingering_.front()->deadline);
  if (accept_paused_) consider(accept_retry_at_);
  if (!any) return -1;
  auto left = std::chrono::ceil<std::chrono::milliseconds>(next - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 1 << 30));
}

std::list<Mux::Connection*>* Mux::DeadlineList(State state) {
  switch (state) {
    case State::kUndecided:
      return &undecided_;
    case State::kIdle:
      return &idle_;
    case State::kReadingHead:
      return &reading_;
    case State::kLingering:
      return &lingering_;
    case State::kBusy:
      break;
  }
  return nullptr;  // a worker's deadlines apply
}

void Mux::Enter(Connection* connection, State state, Clock::duration timeout) {
  if (auto* list = DeadlineList(connection->state)) list->erase(connection->timer);
  connection->state = state;
  if (auto* list = DeadlineList(state)) {
    // Each list has one timeout, so appending keeps it in deadline order.
    connection->deadline = Clock::now() + timeout;
    connection->timer = list->insert(list->end(), connection);
  }
}

void Mux::RunWorker() {
  Http1Server server(gateway_, options_, draining_);
  for (;;) {
    Connection* connection;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      work_ready_.wait(lock, [this] { return !jobs_.empty() || stop_workers_; });
      if (jobs_.empty()) return;
      connection = jobs_.front();
      jobs_.pop_front();
    }
    Http1Server::Outcome outcome;
    try {
      outcome = server.Serve(*connection->http1);
    } catch (const std::exception&) {
      outcome = Http1Server::Outcome::kClose;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      returned_.emplace_back(connection, outcome);
      --in_flight_;
    }
    state_changed_.notify_all();
    uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof(one));
  }
}

}  // namespace cppgateway
