// Streaming over REST end to end: a real cppgateway::Server on 127.0.0.1 port 0 in front of the
// callback-API StreamService, read by a raw socket chunk by chunk as the bytes arrive. Server
// streams as NDJSON and Server-Sent Events, raw HttpBody both ways, client streams of many lines,
// bidi with interleaved lines, and the lifecycle: cancellation when the client goes away, flow
// control towards a slow reader, no thread per call, shutdown with streams open.
#include <cppgateway/server.h>
#include <dirent.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "cppgateway/test/v1/stream.gw.h"
#include "raw_http.h"
#include "stream_service.h"

namespace cppgateway {
namespace {

using nlohmann::json;
using testing::Clock;
using testing::GetRequest;
using testing::RawResponse;
using testing::RawSocket;
using testing::StreamServiceImpl;
using namespace std::chrono_literals;

long long Ms(Clock::duration duration) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(duration).count();
}

// Threads of this process (the server's and the test's).
int ThreadCount() {
  int count = 0;
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return -1;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return count;
}

// The JSON lines of an NDJSON body.
std::vector<json> Lines(const std::string& body) {
  std::vector<json> lines;
  std::size_t start = 0;
  for (std::size_t end; (end = body.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(json::parse(body.substr(start, end - start), nullptr, false));
  }
  EXPECT_EQ(start, body.size()) << "the body ends in the middle of a line: " << body;
  return lines;
}

std::string PostChunked(const std::string& path, const std::string& content_type) {
  return "POST " + path + " HTTP/1.1\r\nHost: test\r\nContent-Type: " + content_type +
         "\r\nTransfer-Encoding: chunked\r\n\r\n";
}

// The stream service over gRPC and REST on 127.0.0.1 port 0, REST calling it in-process: through
// gRPC's in-process channel, or with direct calls (ServerOptions::direct_calls), where every
// server stream must reach the service directly. In proxy mode the service runs on a backend
// server of its own, and the gateway calls it through a gRPC channel to the backend's port.
class StreamServer {
 public:
  enum class Mode { kInProcess, kDirect, kProxy };

  explicit StreamServer(ServerOptions options = {}, Mode mode = Mode::kInProcess)
      : mode_(mode), server_(WithMode(std::move(options), mode)) {
    if (mode == Mode::kProxy) {
      backend_ = std::make_unique<Server>();
      backend_->AddService(&service_);
      int backend_port = backend_->Start("127.0.0.1:0");
      grpc::ChannelArguments arguments;
      arguments.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);
      server_.AddGateway(&test::v1::RegisterStreamServiceHandlers,
                         grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(backend_port),
                                                   grpc::InsecureChannelCredentials(), arguments));
    } else {
      server_.AddService(&service_);
      server_.AddGateway(&test::v1::RegisterStreamServiceHandlers);
    }
    port_ = server_.Start("127.0.0.1:0");
  }
  ~StreamServer() {
    server_.Shutdown();
    if (backend_) backend_->Shutdown();
    EXPECT_EQ(service_.open_calls(), 0) << "a call outlived the server";
    if (mode_ != Mode::kDirect) {
      EXPECT_EQ(service_.direct_streams(), 0);
    }
  }

  Server& server() { return server_; }
  StreamServiceImpl& service() { return service_; }
  int port() const { return port_; }

 private:
  static ServerOptions WithMode(ServerOptions options, Mode mode) {
    options.direct_calls = mode == Mode::kDirect;
    return options;
  }

  const Mode mode_;
  StreamServiceImpl service_;  // outlives the servers
  std::unique_ptr<Server> backend_;
  Server server_;
  int port_ = 0;
};

std::string ModeName(const ::testing::TestParamInfo<StreamServer::Mode>& info) {
  switch (info.param) {
    case StreamServer::Mode::kInProcess:
      return "InProcess";
    case StreamServer::Mode::kDirect:
      return "Direct";
    case StreamServer::Mode::kProxy:
      break;
  }
  return "Proxy";
}

// ---------------------------------------------------------------------------------------------
// Server streaming, through gRPC's in-process channel and called directly

class ServerStreamTest : public ::testing::TestWithParam<StreamServer::Mode> {};

INSTANTIATE_TEST_SUITE_P(ChannelAndDirect, ServerStreamTest,
                         ::testing::Values(StreamServer::Mode::kInProcess,
                                           StreamServer::Mode::kDirect),
                         ModeName);

TEST_P(ServerStreamTest, ServerStreamMessagesArriveAsTheyAreProduced) {
  StreamServer server({}, GetParam());
  RawSocket socket(server.port());
  ASSERT_TRUE(socket.Send(GetRequest("/v1/count/3?gated=true")));
  std::optional<RawResponse> head = socket.ReadHead(5000ms);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-type"), "application/x-ndjson");
  EXPECT_TRUE(head->chunked);

  for (int tick = 1; tick <= 3; ++tick) {
    std::optional<std::string> line = socket.ReadChunksUntil("\n", 5000ms);
    ASSERT_TRUE(line) << "tick " << tick;
    json parsed = json::parse(*line, nullptr, false);
    EXPECT_EQ(parsed["result"]["index"], tick) << *line;
    // The next tick is not produced until the test releases it: this one was sent on its own.
    EXPECT_EQ(server.service().ticks_produced(), tick);
    server.service().Release();
  }
  std::optional<std::string> last = socket.ReadChunk(5000ms);
  ASSERT_TRUE(last);
  EXPECT_EQ(*last, "") << "the stream ends with the last chunk";

  // The connection carries the next request.
  ASSERT_TRUE(socket.Send(GetRequest("/v1/count/1")));
  std::optional<RawResponse> again = socket.ReadResponse(5000ms);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body,
            "{\"result\":{\"index\":1,\"payload\":\"\",\"detail\":{\"note\":\"tick 1\"}}}\n");
}

TEST_P(ServerStreamTest, ServerStreamResponseBodySelectsTheResult) {
  StreamServer server({}, GetParam());
  httplib::Client client("127.0.0.1", server.port());
  auto answer = client.Get("/v1/count/2/details");
  ASSERT_TRUE(answer) << httplib::to_string(answer.error());
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->body,
            "{\"result\":{\"note\":\"tick 1\"}}\n{\"result\":{\"note\":\"tick 2\"}}\n");
}

TEST_P(ServerStreamTest, ErrorBeforeTheFirstMessageIsAnOrdinaryErrorAnswer) {
  StreamServer server({}, GetParam());
  httplib::Client client("127.0.0.1", server.port());
  auto answer = client.Get("/v1/count/3?fail_at=1&fail_code=5");
  ASSERT_TRUE(answer) << httplib::to_string(answer.error());
  EXPECT_EQ(answer->status, 404);
  EXPECT_EQ(answer->get_header_value("Content-Type"), "application/json");
  json error = json::parse(answer->body);
  EXPECT_EQ(error["code"], 5);
  EXPECT_EQ(error["message"], "failed at tick 1");
  EXPECT_TRUE(error["details"].is_array());

  // The same as SSE.
  auto sse = client.Get("/v1/count/3?fail_at=1&fail_code=14", {{"Accept", "text/event-stream"}});
  ASSERT_TRUE(sse);
  EXPECT_EQ(sse->status, 503);
  EXPECT_EQ(json::parse(sse->body)["code"], 14);
}

TEST_P(ServerStreamTest, ErrorInTheMiddleEndsTheNdjsonStreamWithAnErrorLine) {
  StreamServer server({}, GetParam());
  httplib::Client client("127.0.0.1", server.port());
  auto answer = client.Get("/v1/count/5?fail_at=3&fail_code=14");
  ASSERT_TRUE(answer) << httplib::to_string(answer.error());
  EXPECT_EQ(answer->status, 200) << "the status was sent with the first message";
  std::vector<json> lines = Lines(answer->body);
  ASSERT_EQ(lines.size(), 3u) << answer->body;
  EXPECT_EQ(lines[0]["result"]["index"], 1);
  EXPECT_EQ(lines[1]["result"]["index"], 2);
  EXPECT_EQ(lines[2], json::parse(R"({"error":{"code":14,"message":"failed at tick 3",
                                               "details":[]}})"));
}

TEST_P(ServerStreamTest, ServerSentEvents) {
  StreamServer server({}, GetParam());
  httplib::Client client("127.0.0.1", server.port());
  auto answer = client.Get("/v1/count/2", {{"Accept", "text/event-stream"}});
  ASSERT_TRUE(answer) << httplib::to_string(answer.error());
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->get_header_value("Content-Type"), "text/event-stream");
  EXPECT_EQ(answer->get_header_value("Cache-Control"), "no-cache");
  EXPECT_EQ(answer->body,
            "data: {\"index\":1,\"payload\":\"\",\"detail\":{\"note\":\"tick 1\"}}\n\n"
            "data: {\"index\":2,\"payload\":\"\",\"detail\":{\"note\":\"tick 2\"}}\n\n");

  auto failed = client.Get("/v1/count/3?fail_at=2&fail_code=13", {{"Accept", "text/event-stream"}});
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 200);
  EXPECT_EQ(failed->body,
            "data: {\"index\":1,\"payload\":\"\",\"detail\":{\"note\":\"tick 1\"}}\n\n"
            "event: error\n"
            "data: {\"code\":13,\"message\":\"failed at tick 2\",\"details\":[]}\n\n");
}

TEST_P(ServerStreamTest, ABadGrpcTimeoutIsAnswered400) {
  StreamServer server({}, GetParam());
  httplib::Client client("127.0.0.1", server.port());
  auto stream = client.Get("/v1/count/2", {{"Grpc-Timeout", "1x"}});
  ASSERT_TRUE(stream) << httplib::to_string(stream.error());
  EXPECT_EQ(stream->status, 400) << stream->body;
  EXPECT_EQ(json::parse(stream->body)["code"], 3);
  // A bidi stream's call starts with the head: refused there.
  auto chat = client.Post("/v1/chat", {{"Grpc-Timeout", "1x"}}, "{\"text\":\"a\"}\n",
                          "application/x-ndjson");
  ASSERT_TRUE(chat) << httplib::to_string(chat.error());
  EXPECT_EQ(chat->status, 400) << chat->body;
  EXPECT_EQ(server.service().open_calls(), 0);
}

// ---------------------------------------------------------------------------------------------
// google.api.HttpBody

TEST_P(ServerStreamTest, HttpBodyStreamArrivesByteForByte) {
  StreamServer server({}, GetParam());
  constexpr int64_t kSize = 5 * 1024 * 1024 + 123;
  httplib::Client client("127.0.0.1", server.port());
  client.set_read_timeout(30, 0);
  auto answer = client.Get("/v1/download/" + std::to_string(kSize) +
                           "?chunk_bytes=100000&content_type=application/x-test");
  ASSERT_TRUE(answer) << httplib::to_string(answer.error());
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->get_header_value("Content-Type"), "application/x-test");
  ASSERT_EQ(answer->body.size(), static_cast<std::size_t>(kSize));
  for (int64_t i = 0; i < kSize; ++i) {
    if (answer->body[i] != StreamServiceImpl::DownloadByte(i)) {
      FAIL() << "byte " << i << " differs";
    }
  }
}

TEST_P(ServerStreamTest, HttpBodyStreamThatFailsIsCutOff) {
  StreamServer server({}, GetParam());
  RawSocket socket(server.port());
  ASSERT_TRUE(socket.Send(GetRequest("/v1/download/1000000?chunk_bytes=1000&fail_after=3")));
  std::optional<RawResponse> head = socket.ReadHead(5000ms);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  std::string body;
  for (;;) {
    std::optional<std::string> chunk = socket.ReadChunk(5000ms);
    if (!chunk) break;  // the connection closed without the last chunk
    ASSERT_FALSE(chunk->empty()) << "a failed raw stream must not end like a complete one";
    body += *chunk;
  }
  EXPECT_EQ(body.size(), 3000u);
}

TEST(StreamingTest, UnaryHttpBodyBothWays) {
  StreamServer server;
  httplib::Client client("127.0.0.1", server.port());
  auto blob = client.Get("/v1/blobs/abc");
  ASSERT_TRUE(blob) << httplib::to_string(blob.error());
  EXPECT_EQ(blob->status, 200);
  EXPECT_EQ(blob->get_header_value("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(blob->body, "blob:abc");

  std::string bytes = {'\x89', 'P', 'N', 'G', '\0', '\xff', '\n', '{'};
  auto put = client.Post("/v1/blobs/pic", bytes, "image/png");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 201) << "the method's (cppgateway.success_code)";
  json info = json::parse(put->body);
  EXPECT_EQ(info["name"], "pic");
  EXPECT_EQ(info["contentType"], "image/png");
  EXPECT_EQ(info["size"], "8");
  uint32_t checksum = 0;
  for (char c : bytes) checksum += static_cast<unsigned char>(c);
  EXPECT_EQ(info["checksum"], checksum);

  auto raw = client.Post("/v1/raw", bytes, "application/octet-stream");
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->status, 200) << raw->body;
  EXPECT_EQ(json::parse(raw->body)["contentType"], "application/octet-stream");
  EXPECT_EQ(json::parse(raw->body)["checksum"], checksum);
}

// ---------------------------------------------------------------------------------------------
// Client streaming and bidi

TEST(StreamingTest, ClientStreamOfThousandsOfLines) {
  StreamServer server;
  constexpr int kLines = 5000;
  RawSocket socket(server.port());
  ASSERT_TRUE(socket.Send(PostChunked("/v1/upload", "application/x-ndjson")));
  int64_t sum = 0;
  std::string batch;
  for (int i = 1; i <= kLines; ++i) {
    sum += i;
    batch += "{\"room\":\"r1\",\"value\":" + std::to_string(i) + ",\"text\":\"t" +
             std::to_string(i) + "\"}\n";
    if (i % 100 == 0) {
      // Split in the middle of a line: lines are whole only in the body as a whole.
      std::size_t half = batch.size() / 2;
      ASSERT_TRUE(socket.SendChunk(batch.substr(0, half)));
      ASSERT_TRUE(socket.SendChunk(batch.substr(half)));
      batch.clear();
    }
  }
  ASSERT_TRUE(socket.SendChunk(""));
  std::optional<RawResponse> answer = socket.ReadResponse(60000ms);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200) << answer->body;
  EXPECT_EQ(json::parse(answer->body),
            json::parse(R"({"room":"r1","count":"5000","sum":")" + std::to_string(sum) +
                        R"(","lastText":"t5000"})"));
}

TEST(StreamingTest, ClientStreamWithContentLengthAndWithoutTheLastNewline) {
  StreamServer server;
  httplib::Client client("127.0.0.1", server.port());
  auto answer = client.Post("/v1/upload", "{\"value\":2}\n\n  \n{\"value\":3,\"text\":\"end\"}",
                            "application/x-ndjson");
  ASSERT_TRUE(answer) << httplib::to_string(answer.error());
  EXPECT_EQ(answer->status, 200) << answer->body;
  EXPECT_EQ(json::parse(answer->body),
            json::parse(R"({"room":"","count":"2","sum":"5","lastText":"end"})"));
}

TEST(StreamingTest, ClientStreamWithABadLineIsAnswered400) {
  StreamServer server;
  httplib::Client client("127.0.0.1", server.port());
  auto answer = client.Post("/v1/upload", "{\"value\":1}\n{\"value\":\n{\"value\":3}\n",
                            "application/x-ndjson");
  ASSERT_TRUE(answer) << httplib::to_string(answer.error());
  EXPECT_EQ(answer->status, 400) << answer->body;
  EXPECT_EQ(json::parse(answer->body)["code"], 3);
}

TEST(StreamingTest, RawClientStreamArrivesWhole) {
  StreamServer server;
  RawSocket socket(server.port());
  ASSERT_TRUE(socket.Send(PostChunked("/v1/raw:stream", "application/x-test")));
  uint32_t checksum = 0;
  int64_t size = 0;
  for (int piece = 0; piece < 200; ++piece) {
    std::string bytes(4096 + piece, static_cast<char>(piece));
    for (char c : bytes) checksum += static_cast<unsigned char>(c);
    size += static_cast<int64_t>(bytes.size());
    ASSERT_TRUE(socket.SendChunk(bytes));
  }
  ASSERT_TRUE(socket.SendChunk(""));
  std::optional<RawResponse> answer = socket.ReadResponse(60000ms);
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->status, 200) << answer->body;
  json info = json::parse(answer->body);
  EXPECT_EQ(info["contentType"], "application/x-test");
  EXPECT_EQ(info["size"], std::to_string(size));
  EXPECT_EQ(info["checksum"], checksum);
}

TEST(StreamingTest, BidiAnswersEachLineWhileTheBodyIsStillComing) {
  StreamServer server;
  RawSocket socket(server.port());
  ASSERT_TRUE(socket.Send(PostChunked("/v1/chat", "application/x-ndjson")));
  ASSERT_TRUE(socket.SendChunk("{\"room\":\"r\",\"text\":\"hello\",\"seq\":1}\n"));
  std::optional<RawResponse> head = socket.ReadHead(5000ms);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-type"), "application/x-ndjson");
  std::optional<std::string> first = socket.ReadChunksUntil("\n", 5000ms);
  ASSERT_TRUE(first);
  EXPECT_EQ(json::parse(*first), json::parse(R"({"result":{"room":"r","text":"HELLO","seq":1}})"));

  // Only now the second line: the first answer came while the request was still open.
  ASSERT_TRUE(socket.SendChunk("{\"room\":\"r\",\"text\":\"again\",\"seq\":2}\n"));
  std::optional<std::string> second = socket.ReadChunksUntil("\n", 5000ms);
  ASSERT_TRUE(second);
  EXPECT_EQ(json::parse(*second), json::parse(R"({"result":{"room":"r","text":"AGAIN","seq":2}})"));

  ASSERT_TRUE(socket.SendChunk(""));
  std::optional<std::string> last = socket.ReadChunk(5000ms);
  ASSERT_TRUE(last);
  EXPECT_EQ(*last, "");
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

class StreamingModeTest : public ::testing::TestWithParam<StreamServer::Mode> {};

INSTANTIATE_TEST_SUITE_P(EveryMode, StreamingModeTest,
                         ::testing::Values(StreamServer::Mode::kInProcess,
                                           StreamServer::Mode::kDirect, StreamServer::Mode::kProxy),
                         ModeName);

TEST_P(StreamingModeTest, ServerStreamAndBidi) {
  StreamServer server({}, GetParam());
  httplib::Client client("127.0.0.1", server.port());
  auto answer = client.Get("/v1/count/2");
  ASSERT_TRUE(answer) << httplib::to_string(answer.error());
  EXPECT_EQ(Lines(answer->body).size(), 2u) << answer->body;
  auto chat =
      client.Post("/v1/chat", "{\"text\":\"a\"}\n{\"text\":\"b\"}\n", "application/x-ndjson");
  ASSERT_TRUE(chat);
  EXPECT_EQ(chat->body,
            "{\"result\":{\"room\":\"\",\"text\":\"A\",\"seq\":0}}\n"
            "{\"result\":{\"room\":\"\",\"text\":\"B\",\"seq\":0}}\n");
}

TEST_P(StreamingModeTest, ClientThatGoesAwayCancelsAnIdleStream) {
  StreamServer server({}, GetParam());
  {
    RawSocket socket(server.port());
    ASSERT_TRUE(socket.Send(GetRequest("/v1/watch/news")));
    ASSERT_TRUE(socket.ReadHead(5000ms));
    ASSERT_TRUE(socket.ReadChunksUntil("\n", 5000ms));
    EXPECT_EQ(server.service().cancellations(), 0);
  }  // closed: the stream has nothing to send, so only the close can tell
  const auto closed = Clock::now();
  EXPECT_TRUE(
      server.service().WaitFor([&] { return server.service().cancellations() == 1; }, 5000ms));
  EXPECT_LT(Ms(Clock::now() - closed), 1000) << "cancellation must follow the close at once";
  EXPECT_TRUE(server.service().WaitFor([&] { return server.service().open_calls() == 0; }, 5000ms));
}

TEST_P(StreamingModeTest, ClientThatGoesAwayCancelsAWaitingUnaryCall) {
  StreamServer server({}, GetParam());
  {
    RawSocket socket(server.port());
    ASSERT_TRUE(socket.Send(GetRequest("/v1/wait/60000")));
    ASSERT_TRUE(
        server.service().WaitFor([&] { return server.service().open_calls() == 1; }, 5000ms));
  }
  EXPECT_TRUE(server.service().WaitFor([&] { return server.service().open_calls() == 0; }, 2000ms))
      << "the call must end when its client goes away, not after its minute";
}

// A client that stops reading stops the service's writes (the outbound queue fills, the gateway
// stops reading the gRPC stream, gRPC's flow control holds the service), and reading on lets
// the rest through byte for byte.
void CheckThatASlowReaderHoldsTheServiceBack(StreamServer::Mode mode) {
  // The client pauses for as long as the writes take to stop, which a sanitized build on a
  // loaded machine may stretch beyond the default write timeout.
  ServerOptions options;
  options.write_timeout = std::chrono::minutes(1);
  StreamServer server(options, mode);
  constexpr int64_t kChunk = 1024 * 1024;
  constexpr int64_t kSize = 64 * kChunk;
  RawSocket socket("127.0.0.1", server.port(), /*receive_buffer=*/32 * 1024);
  ASSERT_TRUE(socket.Send(GetRequest("/v1/download/" + std::to_string(kSize) +
                                     "?chunk_bytes=" + std::to_string(kChunk))));
  ASSERT_TRUE(socket.ReadHead(30000ms));
  // The client reads nothing more: the service's writes must stop, not run ahead into a buffer.
  int64_t writes = -1;
  for (;;) {
    int64_t before = server.service().download_writes();
    bool changed = server.service().WaitFor(
        [&] { return server.service().download_writes() != before; }, 500ms);
    if (!changed) {
      writes = before;
      break;
    }
  }
  // In-process, only the gateway's queue and gRPC's one message in flight hold bytes. Through a
  // remote channel, HTTP/2's windows (which gRPC's BDP estimator grows to many MiB) and the
  // sockets between hold up to about 30 more: still far from all 64.
  const int64_t bound = mode == StreamServer::Mode::kProxy ? 48 : 16;
  EXPECT_LT(writes, bound) << "of 64 messages of 1 MiB, with nobody reading";

  // Reading on lets the rest through, byte for byte. The bytes repeat every 256: each chunk is
  // compared with the pattern at its offset, fast enough for a sanitized build.
  std::string pattern(256 + 2 * kChunk, '\0');
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    pattern[i] = StreamServiceImpl::DownloadByte(static_cast<int64_t>(i));
  }
  int64_t offset = 0;
  for (;;) {
    std::optional<std::string> chunk = socket.ReadChunk(30000ms);
    ASSERT_TRUE(chunk) << "after " << offset << " bytes; the service wrote "
                       << server.service().download_writes() << " (" << writes
                       << " before reading)";
    if (chunk->empty()) break;
    ASSERT_LE(chunk->size(), 2 * static_cast<std::size_t>(kChunk));
    ASSERT_EQ(chunk->compare(0, chunk->size(), pattern, offset % 256, chunk->size()), 0)
        << "the chunk at byte " << offset << " differs";
    offset += static_cast<int64_t>(chunk->size());
  }
  EXPECT_EQ(offset, kSize);
  EXPECT_EQ(server.service().download_writes(), 64);
}

TEST(StreamingTest, SlowReaderHoldsTheServiceBack) {
  CheckThatASlowReaderHoldsTheServiceBack(StreamServer::Mode::kInProcess);
}

TEST(StreamingTest, SlowReaderHoldsADirectlyCalledServiceBack) {
  CheckThatASlowReaderHoldsTheServiceBack(StreamServer::Mode::kDirect);
}

TEST(StreamingTest, SlowReaderHoldsARemoteServiceBack) {
  CheckThatASlowReaderHoldsTheServiceBack(StreamServer::Mode::kProxy);
}

TEST(StreamingTest, HundredsOfWaitingCallsAllCompleteInAboutOneWait) {
  StreamServer server;
  constexpr int kCalls = 400;
  constexpr int kWaitMs = 500;
  int threads_before = ThreadCount();
  std::vector<RawSocket> sockets;
  sockets.reserve(kCalls);
  const auto start = Clock::now();
  for (int i = 0; i < kCalls; ++i) {
    sockets.emplace_back(server.port());
    ASSERT_TRUE(sockets.back().Send(GetRequest("/v1/wait/" + std::to_string(kWaitMs))));
  }
  ASSERT_TRUE(
      server.service().WaitFor([&] { return server.service().open_calls() == kCalls; }, 5000ms))
      << "every call is in flight at once";
  int threads_during = ThreadCount();
  for (int i = 0; i < kCalls; ++i) {
    std::optional<RawResponse> answer = sockets[i].ReadResponse(10000ms);
    ASSERT_TRUE(answer) << i;
    EXPECT_EQ(answer->status, 200) << answer->body;
  }
  // All were in flight at once (above); in waves of 16, as when each held a thread, they would
  // take 12.5 s. Half of that leaves room for a sanitized build on a loaded machine.
  auto elapsed = Ms(Clock::now() - start);
  EXPECT_LT(elapsed, kCalls / 16 * kWaitMs / 2) << "400 calls waiting 500 ms each must overlap";
  EXPECT_LE(threads_during, threads_before + 4) << "no thread per call";
}

TEST(StreamingTest, OpenStreamsHoldNoThreads) {
  StreamServer server;
  // Warm up gRPC's own pools with a first stream.
  {
    RawSocket socket(server.port());
    ASSERT_TRUE(socket.Send(GetRequest("/v1/watch/warm")));
    ASSERT_TRUE(socket.ReadHead(5000ms));
    ASSERT_TRUE(socket.ReadChunksUntil("\n", 5000ms));
  }
  int threads_before = ThreadCount();
  std::vector<RawSocket> sockets;
  for (int i = 0; i < 300; ++i) {
    sockets.emplace_back(server.port());
    ASSERT_TRUE(sockets.back().Send(GetRequest("/v1/watch/t" + std::to_string(i))));
  }
  for (RawSocket& socket : sockets) {
    ASSERT_TRUE(socket.ReadHead(5000ms));
    ASSERT_TRUE(socket.ReadChunksUntil("\n", 5000ms));
  }
  EXPECT_LE(ThreadCount(), threads_before + 4) << "300 open streams";
}

TEST_P(ServerStreamTest, ShutdownLetsStreamsRunUntilTheGraceThenEndsThem) {
  ServerOptions options;
  options.shutdown_grace = 300ms;
  StreamServer server(options, GetParam());
  RawSocket socket(server.port());
  ASSERT_TRUE(socket.Send(GetRequest("/v1/watch/forever")));
  ASSERT_TRUE(socket.ReadHead(5000ms));
  ASSERT_TRUE(socket.ReadChunksUntil("\n", 5000ms));

  const auto start = Clock::now();
  std::thread shutdown([&] { server.server().Shutdown(); });
  // The stream ends with an error line once the grace is over, and the connection closes.
  std::optional<std::string> rest = socket.ReadChunksUntil("\"error\"", 5000ms);
  shutdown.join();
  ASSERT_TRUE(rest);
  EXPECT_GE(Ms(Clock::now() - start), 250) << "the stream had its grace";
  EXPECT_LT(Ms(Clock::now() - start), 10000);
  EXPECT_EQ(json::parse(*rest)["error"]["code"], 1) << *rest;
  std::optional<std::string> last = socket.ReadChunk(5000ms);
  ASSERT_TRUE(last);
  EXPECT_EQ(*last, "") << "the stream ends properly";
  EXPECT_TRUE(socket.WaitForClose(5000ms));
}

// ---------------------------------------------------------------------------------------------
// Server streams called directly (ServerOptions::direct_calls)

// The whole answer to GET `target`, as received (framing included), without its Date header.
std::string WholeAnswer(int port, const std::string& target, const std::string& headers) {
  RawSocket socket(port);
  EXPECT_TRUE(socket.Send("GET " + target + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n" +
                          headers + "\r\n"));
  std::string answer = socket.ReadUntilClose(10000ms).value_or("no answer");
  std::size_t date = answer.find("\r\nDate: ");
  if (date != std::string::npos) answer.erase(date, answer.find("\r\n", date + 2) - date);
  return answer;
}

TEST(DirectStreamTest, AnswersByteForByteAsThroughTheChannel) {
  StreamServer channel({}, StreamServer::Mode::kInProcess);
  StreamServer direct({}, StreamServer::Mode::kDirect);
  const std::string kSse = "Accept: text/event-stream\r\n";
  // NDJSON and SSE; no message; response_body; errors before the first message and after it;
  // metadata both ways (trailers with TE: trailers); no reactor; raw HttpBody, whole and cut off;
  // messages large enough to fill the connection's queue.
  const std::vector<std::pair<std::string, std::string>> requests = {
      {"/v1/count/3", ""},
      {"/v1/count/3", kSse},
      {"/v1/count/0", ""},
      {"/v1/count/2/details", ""},
      {"/v1/count/3?fail_at=1&fail_code=5", ""},
      {"/v1/count/3?fail_at=1&fail_code=14", kSse},
      {"/v1/count/5?fail_at=3&fail_code=14", ""},
      {"/v1/count/3?fail_at=2&fail_code=13", kSse},
      {"/v1/count/2", "Grpc-Metadata-Echo: e1\r\nTE: trailers\r\n"},
      {"/v1/count/2?fail_at=2&fail_code=9", "Grpc-Metadata-Echo: e2\r\nTE: trailers\r\n"},
      {"/v1/count/0", "Grpc-Metadata-Echo: e3\r\n"},
      {"/v1/count/-1", ""},
      {"/v1/download/70000?chunk_bytes=30000&content_type=text/plain", ""},
      {"/v1/download/5000?chunk_bytes=1000&fail_after=3", ""},
      {"/v1/count/300?payload_bytes=5000", ""},
  };
  for (const auto& [target, headers] : requests) {
    SCOPED_TRACE(target + " " + headers);
    std::string through_channel = WholeAnswer(channel.port(), target, headers);
    EXPECT_EQ(WholeAnswer(direct.port(), target, headers), through_channel);
    EXPECT_EQ(through_channel.rfind("HTTP/1.1 ", 0), 0u) << through_channel;
  }
  // What was compared did take both ways.
  EXPECT_EQ(channel.service().direct_streams(), 0);
  EXPECT_EQ(direct.service().direct_streams(), static_cast<int>(requests.size()));
}

TEST(DirectStreamTest, ThousandsOfMessagesOnManyStreamsArriveWholeAndInOrder) {
  StreamServer server({}, StreamServer::Mode::kDirect);
  constexpr int kStreams = 8;
  constexpr int kTicks = 5000;  // each written from the last one's OnWriteDone
  std::vector<RawSocket> sockets;
  for (int i = 0; i < kStreams; ++i) {
    sockets.emplace_back(server.port());
    ASSERT_TRUE(sockets.back().Send(GetRequest("/v1/count/" + std::to_string(kTicks))));
  }
  for (RawSocket& socket : sockets) {
    std::optional<RawResponse> answer = socket.ReadResponse(30000ms);
    ASSERT_TRUE(answer);
    std::vector<json> lines = Lines(answer->body);
    ASSERT_EQ(lines.size(), static_cast<std::size_t>(kTicks));
    for (int i = 0; i < kTicks; ++i) ASSERT_EQ(lines[i]["result"]["index"], i + 1);
  }
  EXPECT_EQ(server.service().direct_streams(), kStreams);
}

TEST(DirectStreamTest, AClientThatGoesAwayWhileTheStreamWaitsForRoomCancelsIt) {
  StreamServer server({}, StreamServer::Mode::kDirect);
  {
    RawSocket socket("127.0.0.1", server.port(), /*receive_buffer=*/32 * 1024);
    ASSERT_TRUE(socket.Send(GetRequest("/v1/download/67108864?chunk_bytes=1048576")));
    ASSERT_TRUE(socket.ReadHead(5000ms));
    // The writes stop once the queue is full: the stream waits for room that never comes.
    for (int64_t before = -1; before != server.service().download_writes();) {
      before = server.service().download_writes();
      server.service().WaitFor([&] { return server.service().download_writes() != before; }, 300ms);
    }
  }  // closed
  EXPECT_TRUE(
      server.service().WaitFor([&] { return server.service().cancellations() == 1; }, 5000ms));
  EXPECT_TRUE(server.service().WaitFor([&] { return server.service().open_calls() == 0; }, 5000ms));
  EXPECT_LT(server.service().download_writes(), 64);
}

TEST(DirectStreamTest, ARequestWithADeadlineGoesThroughTheChannel) {
  StreamServer server({}, StreamServer::Mode::kDirect);
  std::string answer = WholeAnswer(server.port(), "/v1/count/2", "Grpc-Timeout: 10S\r\n");
  EXPECT_NE(answer.find("{\"result\":{\"index\":2,"), std::string::npos) << answer;
  EXPECT_EQ(server.service().direct_streams(), 0);
}

}  // namespace
}  // namespace cppgateway
