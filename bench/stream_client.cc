// The open-streams load client: N idle SSE subscribers on one server, each a GET /v1/ticks with
// `Accept: text/event-stream` on its own connection, all driven by one thread (epoll, non-blocking
// sockets). It counts the `data:` events of every connection (or its NDJSON lines, when the server
// answers with those), and reads the server's RSS and thread count from /proc/<pid>/status before
// the streams and while all of them are open.
//
//   stream_client --port=P --server-pid=PID [--streams=1000] [--count=20] [--interval-ms=1000]
//                 [--opening=256] [--open-timeout-s=60]
//
// Connections are opened at most `opening` at a time (a connect or a stream that has not had its
// first event yet), so that the server's listen queue never overflows into SYN retries. A stream
// is open once its first event has arrived; once all are open, the server is sampled every second
// until the first stream ends. Each stream must then end cleanly (the last chunk) with exactly
// `count` events. Prints the figures, then one `result ...` line for scripts.
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "client_support.h"

namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// What /proc/<pid> says about the server.
struct ProcessSample {
  long rss_kib = 0;
  long threads = 0;
  double cpu_seconds = 0;    // user + system
  std::string thread_names;  // "name x count" of each kind: which pool grew, if one did
};

ProcessSample SampleProcess(int pid) {
  ProcessSample sample;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) sample.rss_kib = std::atol(line.c_str() + 6);
    if (line.rfind("Threads:", 0) == 0) sample.threads = std::atol(line.c_str() + 8);
  }
  sample.thread_names = bench::ThreadNames(pid);
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::size_t after_name = text.rfind(')');  // the name may hold spaces
  if (after_name != std::string::npos) {
    // Fields from the state (3rd) on; utime and stime are the 14th and 15th.
    unsigned long utime = 0, stime = 0;
    if (std::sscanf(text.c_str() + after_name + 2,
                    "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) == 2) {
      sample.cpu_seconds = static_cast<double>(utime + stime) / sysconf(_SC_CLK_TCK);
    }
  }
  return sample;
}

// One subscriber: its socket and how far its answer has been read.
struct Stream {
  enum class State { kIdle, kConnecting, kWaiting, kOpen, kDone, kFailed };
  enum class Body { kChunkSize, kChunkData, kChunkDataEnd, kLastChunk };

  int fd = -1;
  State state = State::kIdle;  // changed by Client::SetState only
  std::string head;            // the response head until its blank line
  bool head_done = false;
  bool sse = false;  // else NDJSON (the Go peer's grpc-gateway v1 streams no SSE)
  Body body = Body::kChunkSize;
  std::string size_line;
  std::size_t chunk_left = 0;
  std::string line;  // the SSE line being read
  bool error_event = false;
  int events = 0;
  int error_events = 0;
  std::string failure;
};

class Client {
 public:
  Client(int port, int count, int interval_ms) : port_(port), counts_{} {
    request_ = "GET /v1/ticks?count=" + std::to_string(count) +
               "&interval_ms=" + std::to_string(interval_ms) +
               " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n";
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  }

  // Starts connecting `stream`. Returns false (and fails it) when the socket cannot be made.
  bool Connect(Stream& stream, int index) {
    stream.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (stream.fd < 0) return Fail(stream, std::string("socket: ") + std::strerror(errno));
    int one = 1;
    setsockopt(stream.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port_));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(stream.fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 &&
        errno != EINPROGRESS) {
      return Fail(stream, std::string("connect: ") + std::strerror(errno));
    }
    SetState(stream, Stream::State::kConnecting);
    epoll_event event{};
    event.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP;
    event.data.u32 = static_cast<uint32_t>(index);
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, stream.fd, &event);
    return true;
  }

  // Waits up to `timeout_ms` for readiness and handles it.
  void Poll(std::vector<Stream>& streams, int timeout_ms) {
    epoll_event events[256];
    int ready = epoll_wait(epoll_fd_, events, 256, timeout_ms);
    for (int i = 0; i < ready; ++i) {
      Stream& stream = streams[events[i].data.u32];
      if (stream.state == Stream::State::kConnecting) OnConnected(stream, events[i].data.u32);
      if (stream.state == Stream::State::kWaiting || stream.state == Stream::State::kOpen) {
        OnReadable(stream);
      }
    }
  }

  bool Fail(Stream& stream, std::string why) {
    stream.failure = std::move(why);
    Close(stream, Stream::State::kFailed);
    return false;
  }

  // How many streams are in `state`.
  long Count(Stream::State state) const { return counts_[static_cast<int>(state)]; }
  void Start(std::size_t streams) { counts_[static_cast<int>(Stream::State::kIdle)] = streams; }

 private:
  void OnConnected(Stream& stream, uint32_t index) {
    int error = 0;
    socklen_t length = sizeof(error);
    getsockopt(stream.fd, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) return void(Fail(stream, std::string("connect: ") + std::strerror(error)));
    // The request is small enough for an empty socket buffer: one send.
    if (send(stream.fd, request_.data(), request_.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request_.size())) {
      return void(Fail(stream, std::string("send: ") + std::strerror(errno)));
    }
    SetState(stream, Stream::State::kWaiting);
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP;
    event.data.u32 = index;
    epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, stream.fd, &event);
  }

  void OnReadable(Stream& stream) {
    char buffer[16 * 1024];
    for (;;) {
      ssize_t got = recv(stream.fd, buffer, sizeof(buffer), 0);
      if (got > 0) {
        if (!Consume(stream, buffer, static_cast<std::size_t>(got))) return;
        continue;
      }
      if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (got < 0 && errno == EINTR) continue;
      return void(Fail(stream, got == 0 ? "closed before the last chunk"
                                        : std::string("recv: ") + std::strerror(errno)));
    }
  }

  // Reads the head, then the chunked body, then the SSE lines in it. Returns false once the
  // stream has ended or failed.
  bool Consume(Stream& stream, const char* data, std::size_t size) {
    std::size_t at = 0;
    if (!stream.head_done) {
      stream.head.append(data, size);
      std::size_t end = stream.head.find("\r\n\r\n");
      if (end == std::string::npos) return true;
      stream.head_done = true;
      at = size - (stream.head.size() - end - 4);
      stream.head.resize(end + 4);
      if (stream.head.rfind("HTTP/1.1 200", 0) != 0) {
        return Fail(stream, "answer " + stream.head.substr(0, stream.head.find('\r')));
      }
      if (stream.head.find("chunked") == std::string::npos) {
        return Fail(stream, "answer not chunked");
      }
      stream.sse = stream.head.find("text/event-stream") != std::string::npos;
    }
    while (at < size) {
      switch (stream.body) {
        case Stream::Body::kChunkSize: {
          char c = data[at++];
          if (c != '\n') {
            stream.size_line += c;
            break;
          }
          stream.chunk_left = std::strtoul(stream.size_line.c_str(), nullptr, 16);
          stream.size_line.clear();
          stream.body =
              stream.chunk_left == 0 ? Stream::Body::kLastChunk : Stream::Body::kChunkData;
          break;
        }
        case Stream::Body::kChunkData: {
          std::size_t take = std::min(stream.chunk_left, size - at);
          for (std::size_t i = 0; i < take; ++i) OnBodyByte(stream, data[at + i]);
          at += take;
          stream.chunk_left -= take;
          if (stream.chunk_left == 0) stream.body = Stream::Body::kChunkDataEnd;
          break;
        }
        case Stream::Body::kChunkDataEnd:  // the CRLF after a chunk's data
          if (data[at++] == '\n') stream.body = Stream::Body::kChunkSize;
          break;
        case Stream::Body::kLastChunk:  // "0\r\n" read; the final CRLF ends the answer
          if (data[at++] == '\n') {
            Close(stream, Stream::State::kDone);
            return false;
          }
          break;
      }
    }
    return true;
  }

  // SSE: an event is its lines up to a blank one; `event: error` marks the stream's error.
  // NDJSON: a line is a message, `{"error":...}` the stream's error.
  void OnBodyByte(Stream& stream, char c) {
    if (c != '\n') {
      stream.line += c;
      return;
    }
    if (stream.sse && stream.line == "event: error") stream.error_event = true;
    if (stream.sse ? stream.line.empty() : !stream.line.empty()) {
      if (stream.error_event || (!stream.sse && stream.line.rfind("{\"error\"", 0) == 0)) {
        ++stream.error_events;
      } else {
        ++stream.events;
        if (stream.state == Stream::State::kWaiting) SetState(stream, Stream::State::kOpen);
      }
      stream.error_event = false;
    }
    stream.line.clear();
  }

  void Close(Stream& stream, Stream::State state) {
    if (stream.fd >= 0) {
      // A reset instead of TIME_WAIT: a ramp of 10,000 connections after another would otherwise
      // run short of loopback ports.
      linger reset{1, 0};
      setsockopt(stream.fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
      close(stream.fd);  // leaves the epoll set with it
      stream.fd = -1;
    }
    SetState(stream, state);
    std::string().swap(stream.line);
    std::string().swap(stream.head);
  }

  void SetState(Stream& stream, Stream::State state) {
    --counts_[static_cast<int>(stream.state)];
    ++counts_[static_cast<int>(state)];
    stream.state = state;
  }

  const int port_;
  std::string request_;
  int epoll_fd_ = -1;
  long counts_[6];  // streams per State
};

}  // namespace

int main(int argc, char** argv) {
  std::optional<bench::Flags> parsed = bench::ParseFlags(argc, argv);
  if (!parsed) {
    std::fprintf(stderr, "usage: stream_client --port=P --server-pid=PID [--streams=N] ...\n");
    return 2;
  }
  bench::Flags& flags = *parsed;
  const int port = bench::Flag(flags, "port", 0);
  const int pid = bench::Flag(flags, "server-pid", 0);
  const int total = bench::Flag(flags, "streams", 1000);
  const int count = bench::Flag(flags, "count", 20);
  const int interval_ms = bench::Flag(flags, "interval-ms", 1000);
  const int opening_limit = bench::Flag(flags, "opening", 256);
  const int open_timeout_s = bench::Flag(flags, "open-timeout-s", 60);
  if (port <= 0 || pid <= 0 || total <= 0 || count <= 0) {
    std::fprintf(stderr,
                 "stream_client: --port, --server-pid, --streams and --count must be > 0\n");
    return 2;
  }

  // One fd per connection: the soft limit (often 1,024) up to the hard one.
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  setrlimit(RLIMIT_NOFILE, &files);
  if (files.rlim_cur < static_cast<rlim_t>(total) + 64) {
    std::fprintf(stderr, "stream_client: %d streams need more than the %lu open files allowed\n",
                 total, static_cast<unsigned long>(files.rlim_cur));
    return 2;
  }

  std::vector<Stream> streams(static_cast<std::size_t>(total));
  Client client(port, count, interval_ms);
  client.Start(streams.size());
  using State = Stream::State;
  const ProcessSample before = SampleProcess(pid);
  const Clock::time_point start = Clock::now();

  // Open: keep `opening_limit` connections on their way until every stream has its first event.
  int next = 0;
  for (;;) {
    while (next < total &&
           client.Count(State::kConnecting) + client.Count(State::kWaiting) < opening_limit) {
      client.Connect(streams[static_cast<std::size_t>(next)], next);
      ++next;
    }
    if (next == total && client.Count(State::kConnecting) + client.Count(State::kWaiting) == 0) {
      break;
    }
    if (SecondsSince(start) > open_timeout_s) break;
    client.Poll(streams, 100);
  }
  const double open_seconds = SecondsSince(start);
  const long opened = client.Count(State::kOpen);
  std::printf("opened %ld of %d streams in %.1f s (%d at a time)\n", opened, total, open_seconds,
              opening_limit);

  // Hold: sample the server each second while every opened stream is still open (until the first
  // one ends), then let them all end.
  ProcessSample open_first, open_max;
  int samples = 0;
  double hold_start = 0, hold_end = 0;
  const double deadline = open_seconds + count * interval_ms / 1000.0 + 10;
  double next_sample = open_seconds;
  while (SecondsSince(start) < deadline) {
    if (opened > 0 && client.Count(State::kOpen) == opened && SecondsSince(start) >= next_sample) {
      ProcessSample now = SampleProcess(pid);
      if (samples++ == 0) {
        open_first = now;
        hold_start = SecondsSince(start);
      }
      hold_end = SecondsSince(start);
      open_max.rss_kib = std::max(open_max.rss_kib, now.rss_kib);
      if (now.threads > open_max.threads) {
        open_max.threads = now.threads;
        open_max.thread_names = now.thread_names;
      }
      open_max.cpu_seconds = now.cpu_seconds;  // the last: CPU = last - first
      next_sample += 1.0;
    }
    if (client.Count(State::kOpen) + client.Count(State::kWaiting) +
            client.Count(State::kConnecting) ==
        0) {
      break;
    }
    client.Poll(streams, 50);
  }
  for (Stream& stream : streams) {  // still going at the deadline
    if (stream.state == State::kOpen || stream.state == State::kWaiting ||
        stream.state == State::kConnecting) {
      client.Fail(stream, "not ended by the deadline");
    }
  }
  const ProcessSample after = SampleProcess(pid);

  long delivered = 0, complete = 0, error_events = 0;
  std::map<std::string, int> failures;
  for (const Stream& stream : streams) {
    delivered += stream.events;
    error_events += stream.error_events;
    if (stream.state == Stream::State::kDone && stream.events == count &&
        stream.error_events == 0) {
      ++complete;
    } else if (stream.state == Stream::State::kDone) {
      ++failures["ended with " + std::to_string(stream.events) + " events"];
    } else {
      ++failures[stream.failure.empty() ? "never opened" : stream.failure];
    }
  }
  const long expected = static_cast<long>(total) * count;
  const double per_stream_kib =
      samples > 0 ? static_cast<double>(open_max.rss_kib - before.rss_kib) / opened : 0;
  const double cpu_percent =
      hold_end > hold_start
          ? 100 * (open_max.cpu_seconds - open_first.cpu_seconds) / (hold_end - hold_start)
          : 0;

  std::printf("server before:    RSS %7.1f MiB, %ld threads\n", before.rss_kib / 1024.0,
              before.threads);
  if (samples > 0) {
    std::printf("server all open:  RSS %7.1f MiB, %ld threads (first of %d samples, 1/s)\n",
                open_first.rss_kib / 1024.0, open_first.threads, samples);
    std::printf("                  RSS %7.1f MiB, %ld threads (the most while all were open)\n",
                open_max.rss_kib / 1024.0, open_max.threads);
    std::printf("server CPU while all were open: %.0f %% of one core over %.1f s\n", cpu_percent,
                hold_end - hold_start);
  } else {
    std::printf("server all open:  never (no stream opened, or one ended before all were open)\n");
  }
  std::printf("server after:     RSS %7.1f MiB, %ld threads\n", after.rss_kib / 1024.0,
              after.threads);
  std::printf("threads before:   %s\n", before.thread_names.c_str());
  if (samples > 0) std::printf("threads all open: %s\n", open_max.thread_names.c_str());
  std::printf("RSS per open stream: %.1f KiB = (%ld - %ld KiB) / %ld\n", per_stream_kib,
              open_max.rss_kib, before.rss_kib, opened);
  std::printf("messages delivered %ld of %ld; streams complete %ld of %d; error events %ld\n",
              delivered, expected, complete, total, error_events);
  for (const auto& [why, how_many] : failures)
    std::printf("  %d streams: %s\n", how_many, why.c_str());
  // From the first connect to the last stream's end: the delivery rate of short streams.
  const double seconds = SecondsSince(start);
  std::printf("all streams ended after %.2f s: %.0f messages/s\n", seconds, delivered / seconds);
  std::printf(
      "result streams=%d open_s=%.1f rss_before_kib=%ld rss_open_kib=%ld per_stream_kib=%.1f "
      "threads_before=%ld threads_open=%ld cpu_percent=%.0f delivered=%ld expected=%ld "
      "complete=%ld seconds=%.3f messages_per_s=%.0f\n",
      total, open_seconds, before.rss_kib, open_max.rss_kib, per_stream_kib, before.threads,
      open_max.threads, cpu_percent, delivered, expected, complete, seconds, delivered / seconds);
  return complete == total ? 0 : 1;
}
