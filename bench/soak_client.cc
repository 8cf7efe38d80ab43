// The soak load client (bench/soak.sh): for a fixed time, legitimate clients at full load on one
// port (REST unary, REST streams, gRPC unary), each request checked to the byte, with or without
// hostile clients on the same port at the same time.
//
//   soak_client --port=P [--seconds=60] [--rest=4] [--streams=4] [--grpc=4] [--hostile=32]
//               [--bombs=4] [--only=NAME] [--server-pid=PID]
//
// Legitimate (a thread each, no pause between requests):
//   --rest     keep-alive connections (cpp-httplib) alternating GET /v1/users/42 and
//              POST /v1/users; the answer must be 200 with exactly the expected JSON;
//   --streams  connections repeating GET /v1/ticks?count=20&interval_ms=10; the answer must be
//              200 with exactly the 20 expected NDJSON lines and a clean end (the last chunk);
//   --grpc     channels (a connection each) repeating GetUser; OK and the expected User.
// REST waits at most 10 s for each read, gRPC calls have a 10 s deadline; any error, other
// status or other body is a failure.
//
// Hostile (one thread, epoll, non-blocking sockets; --hostile connections of each kind, --bombs of
// each JSON bomb, --only=NAME keeps the kinds whose name holds NAME; a connection that ends is
// opened again 100 ms later; what a connection sends at once goes out as far as its socket takes
// it at each turn of the loop, at least every 50 ms):
//   slowloris head    a request head, one byte a second, never finished;
//   slowloris body    a head with Content-Length: 1000, then one body byte a second;
//   non-reader GETs   GET /v1/users/42 pipelined as fast as the socket takes them, not read
//                     (a 4 KiB receive buffer);
//   non-reader stream GET /v1/ticks?count=1000000&interval_ms=0 (no pause), not read (4 KiB);
//   idle HTTP/2       the client preface and nothing more (the server's frames are read, a
//                     GOAWAY noted);
//   JSON bomb deep    POST /v1/users, 3 MB of nested lists {"user":{"tags":[[[[...]]]]}};
//   JSON bomb wide    POST /v1/users, a list of a million "" (3 MB);
//   reset stream      GET /v1/ticks, reset (SO_LINGER 0) as soon as the answer begins;
//   reset unary       GET /v1/users/42, reset as soon as the request is sent.
// For each kind it prints how the server answered and closed the connections, and how long after
// their opening it closed them. A server that closes a connection whose answers are not read
// sends its FIN only after them, so a client that does not read cannot see that close. Once a
// second, the server's side of each non-reader's connection is looked up in /proc/net/tcp: once
// the server has closed its socket, the kernel holds it alone (inode 0), still trying to send.
// A non-reader that the server still holds after 30 s counts as "still open after 30 s unread".
// Either way the non-reader then resets its connection. The server's write timeout counts from
// the moment its socket takes no more bytes, and Linux grows a socket's send buffer up to
// tcp_wmem's maximum (4 MiB by default) first: the most that waited in one is printed too.
//
// With --server-pid it samples the server's RSS and threads once a second (the peak is printed).
// Prints the figures, then `result ...` lines for scripts. Exits 1 if a legitimate request failed.
// Connects to 127.0.0.1 only.
#include <arpa/inet.h>
#include <dirent.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>
#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/v1/bench.grpc.pb.h"
#include "client_support.h"

namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// ---------------------------------------------------------------------------------------------
// Legitimate clients.

// What one kind of legitimate request did: latencies of the good ones, the failures by reason.
struct Tally {
  std::vector<double> ms;
  long failed = 0;
  std::map<std::string, long> failures;
  std::map<std::string, double> first_failure_s;  // when each reason was first seen, in the run
  double max_ms = 0;
  double max_at_s = 0;  // when the slowest good one began, in the run

  void Add(Clock::time_point run_start, Clock::time_point start, const std::string& failure) {
    if (failure.empty()) {
      ms.push_back(MsSince(start));
      if (ms.back() > max_ms) {
        max_ms = ms.back();
        max_at_s = std::chrono::duration<double>(start - run_start).count();
      }
      return;
    }
    ++failed;
    if (failures[failure]++ == 0) first_failure_s[failure] = MsSince(run_start) / 1000;
  }

  void Merge(const Tally& other) {
    ms.insert(ms.end(), other.ms.begin(), other.ms.end());
    failed += other.failed;
    if (other.max_ms > max_ms) {
      max_ms = other.max_ms;
      max_at_s = other.max_at_s;
    }
    for (const auto& [why, count] : other.failures) {
      failures[why] += count;
      auto first = first_failure_s.find(why);
      double when = other.first_failure_s.at(why);
      if (first == first_failure_s.end() || when < first->second) first_failure_s[why] = when;
    }
  }
};

double Percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  std::size_t rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size(), std::max<std::size_t>(rank, 1)) - 1];
}

// What bench_server answers (bench/bench_server.cc), as the gateway prints it.
const char kGetUserAnswer[] =
    R"({"id":"42","displayName":"user-42","age":"42","favoriteColor":"COLOR_BLUE","tags":["a","b"]})";

std::string CreateUserBody(const std::string& id) {
  return R"({"user":{"id":")" + id + R"(","displayName":"Soak"},"requestId":"r"})";
}
std::string CreateUserAnswer(const std::string& id) {
  return R"({"id":")" + id +
         R"(","displayName":"Soak","age":"0","favoriteColor":"COLOR_UNSPECIFIED","tags":[]})";
}

constexpr int kTicks = 20;
const char kTicksPath[] = "/v1/ticks?count=20&interval_ms=10";
std::string TicksAnswer() {
  std::string answer;
  for (int i = 0; i < kTicks; ++i) {
    answer += R"({"result":{"seq":)" + std::to_string(i) + R"(,"label":"tick-)" +
              std::to_string(i) + R"(","big":")" + std::to_string((int64_t{1} << 53) + i) +
              "\"}}\n";
  }
  return answer;
}

std::unique_ptr<httplib::Client> RestClient(int port) {
  auto client = std::make_unique<httplib::Client>("127.0.0.1", port);
  client->set_keep_alive(true);
  client->set_connection_timeout(5);
  client->set_read_timeout(10);
  client->set_write_timeout(10);
  return client;
}

// Why an httplib answer is not the expected one; empty when it is.
std::string Check(const httplib::Result& result, const std::string& expected) {
  if (!result) return "no answer: " + httplib::to_string(result.error());
  if (result->status != 200) return "status " + std::to_string(result->status);
  if (result->body != expected) return "wrong body: " + result->body.substr(0, 120);
  return "";
}

// One keep-alive connection alternating GET /v1/users/42 and POST /v1/users until `end`.
void RestUnary(int port, int index, Clock::time_point run_start, Clock::time_point end, Tally* gets,
               Tally* posts) {
  auto client = RestClient(port);
  for (long n = 0; Clock::now() < end; ++n) {
    Clock::time_point start = Clock::now();
    if (n % 2 == 0) {
      gets->Add(run_start, start, Check(client->Get("/v1/users/42"), kGetUserAnswer));
    } else {
      std::string id = "soak-" + std::to_string(index) + "-" + std::to_string(n);
      posts->Add(run_start, start,
                 Check(client->Post("/v1/users", CreateUserBody(id), "application/json"),
                       CreateUserAnswer(id)));
    }
  }
}

// One connection repeating the 20-message stream until `end`; httplib checks the chunked framing
// (no Accept-Encoding is sent: the stream comes uncompressed).
void RestStreams(int port, Clock::time_point run_start, Clock::time_point end, Tally* streams) {
  auto client = RestClient(port);
  const std::string expected = TicksAnswer();
  while (Clock::now() < end) {
    Clock::time_point start = Clock::now();
    std::string body;
    httplib::Result result = client->Get(kTicksPath, [&body](const char* data, std::size_t size) {
      body.append(data, size);
      return true;
    });
    std::string failure;
    if (!result) {
      failure = "no clean end: " + httplib::to_string(result.error()) + " after " +
                std::to_string(std::count(body.begin(), body.end(), '\n')) + " lines";
    } else if (result->status != 200) {
      failure = "status " + std::to_string(result->status);
    } else if (body != expected) {
      failure = std::to_string(std::count(body.begin(), body.end(), '\n')) +
                " lines, not the expected " + std::to_string(kTicks);
    }
    streams->Add(run_start, start, failure);
  }
}

// One channel (a connection of its own) repeating GetUser until `end`.
void GrpcUnary(int port, int index, Clock::time_point run_start, Clock::time_point end,
               Tally* calls) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // not shared with the other channels
  args.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);          // loopback: never through an http_proxy
  auto stub = bench::v1::BenchService::NewStub(grpc::CreateCustomChannel(
      "127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials(), args));
  for (long n = 0; Clock::now() < end; ++n) {
    std::string id = "g" + std::to_string(index) + "-" + std::to_string(n);
    bench::v1::GetUserRequest request;
    request.mutable_user()->set_id(id);
    bench::v1::User user;
    grpc::ClientContext context;
    Clock::time_point start = Clock::now();
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::Status status = stub->GetUser(&context, request, &user);
    std::string failure;
    if (!status.ok()) {
      failure = "status " + std::to_string(status.error_code()) + ": " + status.error_message();
    } else if (user.id() != id || user.display_name() != "user-" + id || user.age() != 42 ||
               user.tags_size() != 2) {
      failure = "wrong user: " + user.ShortDebugString();
    }
    calls->Add(run_start, start, failure);
  }
}

// ---------------------------------------------------------------------------------------------
// Hostile clients.

enum class Reset { kNever, kAfterRequest, kAfterAnswerBegins };

// How long a non-reader waits for the server to close its connection.
constexpr std::chrono::seconds kNonReaderPatience{30};

// The server's side of a connection, from /proc/net/tcp.
struct ServerSocket {
  unsigned long inode = 0;   // 0 once no process holds the socket (or before it is accepted)
  unsigned long unsent = 0;  // bytes in its send queue
};

// The server's sockets on `port`, by the client's port.
std::map<unsigned, ServerSocket> ServerSockets(int port) {
  std::map<unsigned, ServerSocket> sockets;
  std::ifstream table("/proc/net/tcp");
  std::string line;
  std::getline(table, line);  // the header
  while (std::getline(table, line)) {
    // sl local:port remote:port st tx:rx tr:when retrnsmt uid timeout inode
    unsigned local_port = 0, remote_port = 0;
    ServerSocket socket;
    if (std::sscanf(line.c_str(), " %*u: %*x:%x %*x:%x %*x %lx:%*x %*x:%*x %*x %*u %*u %lu",
                    &local_port, &remote_port, &socket.unsent, &socket.inode) == 4 &&
        local_port == static_cast<unsigned>(port)) {
      sockets[remote_port] = socket;
    }
  }
  return sockets;
}

// One kind of hostile client: what it sends at once (`burst`), what it then sends one byte a
// second (`drip`), whether it reads, and when it resets the connection itself.
struct AttackKind {
  std::string name;
  int connections = 0;
  std::string burst;
  std::string drip;
  bool non_reader = false;  // a 4 KiB receive buffer, never read
  bool repeat_burst = false;
  Reset reset = Reset::kNever;
  bool http2 = false;           // the answer is HTTP/2 frames
  bool ends_at_answer = false;  // the outcome is the answer's status: closed once it has come

  // What happened to its connections.
  long opened = 0;
  std::map<std::string, long> outcomes;
  std::map<std::string, std::pair<double, double>> lifetimes_s;  // per outcome: min, max
  unsigned long most_unsent = 0;  // non-readers: the most bytes seen waiting in a server socket
};

std::string Request(const std::string& method, const std::string& target,
                    const std::string& headers = "") {
  return method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "\r\n";
}

std::string Post(const std::string& body) {
  return Request("POST", "/v1/users",
                 "Content-Type: application/json\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\n") +
         body;
}

std::vector<AttackKind> AttackKinds(int hostile, int bombs) {
  const std::string preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  std::string gets;
  for (int i = 0; i < 2000; ++i) gets += Request("GET", "/v1/users/42");
  constexpr std::size_t kDepth = 1500000;  // 3 MB of brackets
  std::string deep =
      R"({"user":{"tags":)" + std::string(kDepth, '[') + std::string(kDepth, ']') + "}}";
  std::string wide = R"({"user":{"tags":["")";
  for (int i = 1; i < 1000000; ++i) wide += R"(,"")";
  wide += "]}}";

  std::vector<AttackKind> kinds;
  auto add = [&kinds](std::string name, int connections, std::string burst, std::string drip) {
    AttackKind& kind = kinds.emplace_back();
    kind.name = std::move(name);
    kind.connections = connections;
    kind.burst = std::move(burst);
    kind.drip = std::move(drip);
    return &kind;
  };
  add("slowloris head", hostile, "",
      Request("GET", "/v1/users/42", "X-Slow: " + std::string(200, 'a') + "\r\n"));
  add("slowloris body", hostile,
      Request("POST", "/v1/users", "Content-Type: application/json\r\nContent-Length: 1000\r\n"),
      std::string(1000, ' '));
  AttackKind* kind = add("non-reader GETs", hostile, gets, "");
  kind->non_reader = true;
  kind->repeat_burst = true;
  add("non-reader stream", hostile, Request("GET", "/v1/ticks?count=1000000&interval_ms=0"), "")
      ->non_reader = true;
  add("idle HTTP/2 preface", hostile, preface, "")->http2 = true;
  add("JSON bomb deep", bombs, Post(deep), "")->ends_at_answer = true;
  add("JSON bomb wide", bombs, Post(wide), "")->ends_at_answer = true;
  add("reset stream", hostile, Request("GET", "/v1/ticks?count=1000&interval_ms=5"), "")->reset =
      Reset::kAfterAnswerBegins;
  add("reset unary", hostile, Request("GET", "/v1/users/42"), "")->reset = Reset::kAfterRequest;
  return kinds;
}

// One hostile connection.
struct Attacker {
  AttackKind* kind = nullptr;
  int fd = -1;
  Clock::time_point opened;
  Clock::time_point reopen_at;  // when closed
  Clock::time_point next_drip;
  std::size_t burst_sent = 0;
  std::size_t dripped = 0;
  unsigned local_port = 0;  // a non-reader's, to find the server's side of its connection
  bool held = false;        // the server has been seen holding its side
  std::string answer;       // the first bytes of the server's answer
  bool goaway = false;
  std::size_t frames_at = 0;  // HTTP/2: the next frame's offset in `answer`
};

class Attack {
 public:
  Attack(int port, std::vector<AttackKind>& kinds) : port_(port) {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    for (AttackKind& kind : kinds) {
      for (int i = 0; i < kind.connections; ++i) attackers_.emplace_back().kind = &kind;
    }
  }
  ~Attack() { close(epoll_fd_); }

  void Run(Clock::time_point end) {
    if (attackers_.empty()) return;
    Clock::time_point now = Clock::now();
    for (Attacker& attacker : attackers_) attacker.reopen_at = now;
    Clock::time_point next_look = now;
    while ((now = Clock::now()) < end) {
      if (now >= next_look) {
        LookAtNonReaders(now);
        next_look = now + std::chrono::seconds(1);
      }
      for (Attacker& attacker : attackers_) {
        if (attacker.fd < 0 && now >= attacker.reopen_at) Open(attacker);
        if (attacker.fd >= 0) Send(attacker, now);
      }
      epoll_event events[256];
      int ready = epoll_wait(epoll_fd_, events, 256, 50);
      for (int i = 0; i < ready; ++i) OnEvent(attackers_[events[i].data.u32], events[i].events);
    }
    for (Attacker& attacker : attackers_) {
      if (attacker.fd >= 0) End(attacker, "still open at the end", true);
    }
  }

 private:
  void Open(Attacker& attacker) {
    Clear(attacker);
    ++attacker.kind->opened;
    attacker.opened = Clock::now();
    attacker.next_drip = attacker.opened;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return Count(attacker, std::string("socket: ") + std::strerror(errno));
    if (attacker.kind->non_reader) {
      int size = 4096;
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port_));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 &&
        errno != EINPROGRESS) {
      close(fd);
      return Count(attacker, std::string("connect: ") + std::strerror(errno));
    }
    attacker.fd = fd;
    epoll_event event{};
    event.events = EPOLLRDHUP | (attacker.kind->non_reader ? 0u : EPOLLIN);
    event.data.u32 = static_cast<uint32_t>(&attacker - attackers_.data());
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event);
  }

  // Whether the server still holds each non-reader's connection (see the top of the file).
  void LookAtNonReaders(Clock::time_point now) {
    std::map<unsigned, ServerSocket> sockets;
    bool looked = false;
    for (Attacker& attacker : attackers_) {
      if (attacker.fd < 0 || !attacker.kind->non_reader) continue;
      if (attacker.local_port == 0) {
        sockaddr_in local{};
        socklen_t length = sizeof(local);
        getsockname(attacker.fd, reinterpret_cast<sockaddr*>(&local), &length);
        attacker.local_port = ntohs(local.sin_port);
      }
      if (!looked) sockets = ServerSockets(port_);
      looked = true;
      auto found = sockets.find(attacker.local_port);
      if (found != sockets.end()) {
        attacker.kind->most_unsent = std::max(attacker.kind->most_unsent, found->second.unsent);
      }
      if (found != sockets.end() && found->second.inode != 0) {
        attacker.held = true;
      } else if (found != sockets.end() && attacker.held) {
        End(attacker, "closed by the server while unread");  // its reset is seen as an event
      } else if (now >= attacker.opened + kNonReaderPatience) {
        End(attacker,
            "still open after " + std::to_string(kNonReaderPatience.count()) + " s unread");
      }
    }
  }

  // The burst as far as the socket takes it (again and again if it repeats), then a byte of the
  // drip when one is due.
  void Send(Attacker& attacker, Clock::time_point now) {
    const AttackKind& kind = *attacker.kind;
    if (kind.repeat_burst && attacker.burst_sent == kind.burst.size()) attacker.burst_sent = 0;
    while (attacker.burst_sent < kind.burst.size()) {
      ssize_t sent = send(attacker.fd, kind.burst.data() + attacker.burst_sent,
                          kind.burst.size() - attacker.burst_sent, MSG_NOSIGNAL);
      if (sent > 0) {
        attacker.burst_sent += static_cast<std::size_t>(sent);
        continue;
      }
      if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOTCONN)) return;
      if (sent < 0 && errno == EINTR) continue;
      return;  // the server has closed or reset: the next event says how
    }
    if (kind.reset == Reset::kAfterRequest) return End(attacker, "reset by us after the request");
    if (attacker.dripped < kind.drip.size() && now >= attacker.next_drip) {
      if (send(attacker.fd, kind.drip.data() + attacker.dripped, 1, MSG_NOSIGNAL) == 1) {
        ++attacker.dripped;
        attacker.next_drip += std::chrono::seconds(1);
      }
    }
  }

  void OnEvent(Attacker& attacker, uint32_t events) {
    if (attacker.fd < 0) return;
    if (attacker.kind->non_reader) {
      // A hang-up while it does not read: the server reset the connection (closed it with
      // requests unread), or its FIN came after all.
      return End(attacker, (events & EPOLLERR) ? "reset by the server while unread"
                                               : "closed by the server while unread");
    }
    char buffer[64 * 1024];
    for (;;) {
      ssize_t got = recv(attacker.fd, buffer, sizeof(buffer), 0);
      if (got > 0) {
        if (attacker.answer.size() < 64 * 1024) attacker.answer.append(buffer, got);
        if (attacker.kind->http2) ReadFrames(attacker);
        if (attacker.kind->reset == Reset::kAfterAnswerBegins) {
          return End(attacker, "reset by us once the answer began (" + Status(attacker) + ")");
        }
        if (attacker.kind->ends_at_answer &&
            attacker.answer.find("\r\n\r\n") != std::string::npos) {
          return End(attacker, "answered " + Status(attacker));
        }
        continue;
      }
      if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (got < 0 && errno == EINTR) continue;
      std::string how = got == 0 ? "closed" : std::string("reset (") + std::strerror(errno) + ")";
      if (attacker.kind->http2) {
        return End(attacker, attacker.goaway
                                 ? "GOAWAY, then " + how
                                 : "no GOAWAY (" + std::to_string(attacker.answer.size()) +
                                       " bytes), " + how);
      }
      return End(attacker, attacker.answer.empty() ? how + " with no answer"
                                                   : "answered " + Status(attacker) + ", " + how);
    }
  }

  // The status line's code, or what else came.
  static std::string Status(const Attacker& attacker) {
    if (attacker.answer.rfind("HTTP/1.1 ", 0) == 0 && attacker.answer.size() >= 12) {
      return attacker.answer.substr(9, 3);
    }
    return std::to_string(attacker.answer.size()) + " bytes";
  }

  // HTTP/2 frames: a 9-byte header (length 3 bytes, type, flags, stream), then the payload.
  static void ReadFrames(Attacker& attacker) {
    const std::string& bytes = attacker.answer;
    while (attacker.frames_at + 9 <= bytes.size()) {
      const auto* header =
          reinterpret_cast<const unsigned char*>(bytes.data() + attacker.frames_at);
      std::size_t length = (std::size_t{header[0]} << 16) | (header[1] << 8) | header[2];
      if (header[3] == 0x7) attacker.goaway = true;
      attacker.frames_at += 9 + length;
    }
  }

  void End(Attacker& attacker, const std::string& outcome, bool reset = false) {
    if (reset || attacker.kind->reset != Reset::kNever || attacker.kind->non_reader) {
      linger abort{1, 0};  // RST, and no TIME_WAIT left behind
      setsockopt(attacker.fd, SOL_SOCKET, SO_LINGER, &abort, sizeof(abort));
    }
    close(attacker.fd);  // leaves the epoll set with it
    attacker.fd = -1;
    Count(attacker, outcome);
  }

  static void Count(Attacker& attacker, const std::string& outcome) {
    AttackKind& kind = *attacker.kind;
    double lifetime = MsSince(attacker.opened) / 1000;
    auto [range, first] = kind.lifetimes_s.try_emplace(outcome, lifetime, lifetime);
    if (!first) {
      range->second.first = std::min(range->second.first, lifetime);
      range->second.second = std::max(range->second.second, lifetime);
    }
    ++kind.outcomes[outcome];
    attacker.reopen_at = Clock::now() + std::chrono::milliseconds(100);
  }

  static void Clear(Attacker& attacker) {
    attacker.burst_sent = attacker.dripped = attacker.frames_at = 0;
    attacker.local_port = 0;
    attacker.held = false;
    attacker.answer.clear();
    attacker.goaway = false;
  }

  const int port_;
  int epoll_fd_;
  std::vector<Attacker> attackers_;
};

// ---------------------------------------------------------------------------------------------

struct ServerSample {
  long rss_kib = 0;
  long threads = 0;
};

ServerSample SampleServer(int pid) {
  ServerSample sample;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) sample.rss_kib = std::atol(line.c_str() + 6);
    if (line.rfind("Threads:", 0) == 0) sample.threads = std::atol(line.c_str() + 8);
  }
  return sample;
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<bench::Flags> parsed = bench::ParseFlags(argc, argv);
  if (!parsed) {
    std::fprintf(stderr, "usage: soak_client --port=P [--seconds=60] [--hostile=32] ...\n");
    return 2;
  }
  bench::Flags& flags = *parsed;
  const int port = bench::Flag(flags, "port", 0);
  const int seconds = bench::Flag(flags, "seconds", 60);
  const int rest = bench::Flag(flags, "rest", 4);
  const int stream_connections = bench::Flag(flags, "streams", 4);
  const int grpc_channels = bench::Flag(flags, "grpc", 4);
  const int hostile = bench::Flag(flags, "hostile", 32);
  const int bombs = bench::Flag(flags, "bombs", 4);
  const int pid = bench::Flag(flags, "server-pid", 0);
  if (port <= 0 || seconds <= 0) {
    std::fprintf(stderr, "soak_client: --port and --seconds must be > 0\n");
    return 2;
  }
  rlimit files{};  // a descriptor per connection: the soft limit up to the hard one
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  setrlimit(RLIMIT_NOFILE, &files);

  std::vector<AttackKind> kinds;
  if (hostile > 0 || bombs > 0) kinds = AttackKinds(hostile, bombs);
  if (flags.count("only")) {  // the hostile kinds whose names hold it, to look at one alone
    for (AttackKind& kind : kinds) {
      if (kind.name.find(flags["only"]) == std::string::npos) kind.connections = 0;
    }
  }
  Attack attack(port, kinds);

  const Clock::time_point start = Clock::now();
  const Clock::time_point end = start + std::chrono::seconds(seconds);
  const int workers = rest + stream_connections + grpc_channels;
  std::vector<Tally> gets(workers), posts(workers), streams(workers), calls(workers);
  std::vector<std::thread> threads;
  for (int i = 0; i < rest; ++i) {
    threads.emplace_back(RestUnary, port, i, start, end, &gets[i], &posts[i]);
  }
  for (int i = 0; i < stream_connections; ++i) {
    threads.emplace_back(RestStreams, port, start, end, &streams[i]);
  }
  for (int i = 0; i < grpc_channels; ++i) {
    threads.emplace_back(GrpcUnary, port, i, start, end, &calls[i]);
  }
  std::thread attacker([&attack, end] { attack.Run(end); });

  // The server once a second, while the load lasts.
  ServerSample peak;
  std::string peak_thread_names;
  while (pid > 0 && Clock::now() < end) {
    ServerSample now = SampleServer(pid);
    peak.rss_kib = std::max(peak.rss_kib, now.rss_kib);
    if (now.threads > peak.threads) {
      peak.threads = now.threads;
      peak_thread_names = bench::ThreadNames(pid);
    }
    std::this_thread::sleep_until(std::min(end, Clock::now() + std::chrono::seconds(1)));
  }
  for (std::thread& thread : threads) thread.join();
  attacker.join();
  const double elapsed = MsSince(start) / 1000;

  struct Kind {
    const char* name;
    const char* key;
    std::vector<Tally>* tallies;
  };
  const Kind legit[] = {{"REST GET /v1/users/42", "rest_get", &gets},
                        {"REST POST /v1/users", "rest_post", &posts},
                        {"REST stream /v1/ticks, 20 msgs", "rest_stream", &streams},
                        {"gRPC GetUser", "grpc_unary", &calls}};
  std::printf("%.1f s, %d REST connections, %d stream connections, %d gRPC channels; hostile: %s\n",
              elapsed, rest, stream_connections, grpc_channels,
              kinds.empty() ? "none"
                            : (std::to_string(hostile) + " per kind, " + std::to_string(bombs) +
                               " per JSON bomb")
                                  .c_str());
  std::printf("%-32s %8s %6s %8s %8s %7s %9s  %s\n", "legitimate", "done", "failed", "p50 ms",
              "p99 ms", "> 1 s", "max ms", "(begun at)");
  long failed = 0;
  std::string results;
  for (const Kind& kind : legit) {
    Tally all;
    for (const Tally& tally : *kind.tallies) all.Merge(tally);
    std::sort(all.ms.begin(), all.ms.end());
    long done = static_cast<long>(all.ms.size()) + all.failed;
    double p50 = Percentile(all.ms, 0.5), p99 = Percentile(all.ms, 0.99);
    long over_1s = all.ms.end() - std::upper_bound(all.ms.begin(), all.ms.end(), 1000.0);
    std::printf("%-32s %8ld %6ld %8.2f %8.2f %7ld %9.1f  (%.1f s)\n", kind.name, done, all.failed,
                p50, p99, over_1s, all.max_ms, all.max_at_s);
    for (const auto& [why, count] : all.failures) {
      std::printf("  FAILED x%ld (first at %.1f s): %s\n", count, all.first_failure_s[why],
                  why.c_str());
    }
    failed += all.failed;
    char line[256];
    std::snprintf(line, sizeof(line),
                  "result %s done=%ld failed=%ld p50_ms=%.3f p99_ms=%.3f over_1s=%ld max_ms=%.1f\n",
                  kind.key, done, all.failed, p50, p99, over_1s, all.max_ms);
    results += line;
  }
  if (!kinds.empty()) {
    std::printf("%-20s %6s  %s\n", "hostile", "opened", "how each connection ended (its lifetime)");
    for (const AttackKind& kind : kinds) {
      std::printf("%-20s %6ld", kind.name.c_str(), kind.opened);
      const char* separator = "  ";
      for (const auto& [outcome, count] : kind.outcomes) {
        const auto& [low, high] = kind.lifetimes_s.at(outcome);
        std::printf("%s%s x%ld (%.1f-%.1f s)", separator, outcome.c_str(), count, low, high);
        separator = "\n                             ";
      }
      if (kind.non_reader && kind.opened > 0) {
        std::printf("%sat most %.1f MiB of answers waiting in one server socket", separator,
                    kind.most_unsent / 1048576.0);
      }
      std::printf("\n");
    }
  }
  if (pid > 0) {
    std::printf("server during the load: RSS peak %.1f MiB, threads peak %ld: %s\n",
                peak.rss_kib / 1024.0, peak.threads, peak_thread_names.c_str());
    results += "result server rss_peak_kib=" + std::to_string(peak.rss_kib) +
               " threads_peak=" + std::to_string(peak.threads) + "\n";
  }
  std::printf("%s", results.c_str());
  return failed == 0 ? 0 : 1;
}
