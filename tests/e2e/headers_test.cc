// What production users configure first, end to end on a real server: request headers as gRPC
// metadata and deadlines (in-process and proxy), response metadata as headers and trailers,
// success codes, hooks, custom routes, PATCH field masks, CORS, gzip both ways, and hostile
// headers answered clearly.
#include <cppgateway/server.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cppgateway/test/v1/stream.gw.h"
#include "cppgateway/test/v1/test.gw.h"
#include "raw_http.h"
#include "stream_service.h"
#include "test_service.h"

namespace cppgateway {
namespace {

using nlohmann::json;
using testing::Clock;
using testing::RawResponse;
using testing::RawSocket;
using namespace std::chrono_literals;

long long Ms(Clock::duration duration) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(duration).count();
}

std::string Gzip(const std::string& bytes) {
  z_stream stream{};
  deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(compressBound(bytes.size()) + 64, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(out.size() - stream.avail_out);
  deflateEnd(&stream);
  return out;
}

std::string Gunzip(const std::string& bytes) {
  z_stream stream{};
  inflateInit2(&stream, 15 + 16);
  std::string out;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  char chunk[16384];
  int result;
  do {
    stream.next_out = reinterpret_cast<Bytef*>(chunk);
    stream.avail_out = sizeof(chunk);
    result = inflate(&stream, Z_NO_FLUSH);
    out.append(chunk, sizeof(chunk) - stream.avail_out);
  } while (result == Z_OK);
  inflateEnd(&stream);
  return result == Z_STREAM_END ? out : "<not gzip>";
}

// The test and stream services over gRPC and REST on 127.0.0.1 port 0; in proxy mode the
// gateway calls a backend server of their own through a gRPC channel.
class HeaderServer {
 public:
  enum class Mode { kInProcess, kProxy };

  explicit HeaderServer(ServerOptions options = {}, Mode mode = Mode::kInProcess)
      : server_(options) {
    if (mode == Mode::kProxy) {
      backend_ = std::make_unique<Server>();
      backend_->AddService(&service_);
      backend_->AddService(&streams_);
      int backend_port = backend_->Start("127.0.0.1:0");
      grpc::ChannelArguments arguments;
      arguments.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);
      auto channel = grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(backend_port),
                                               grpc::InsecureChannelCredentials(), arguments);
      server_.AddGateway(&test::v1::RegisterTestServiceHandlers, channel);
      server_.AddGateway(&test::v1::RegisterStreamServiceHandlers, channel);
    } else {
      server_.AddService(&service_);
      server_.AddService(&streams_);
      server_.AddGateway(&test::v1::RegisterTestServiceHandlers);
      server_.AddGateway(&test::v1::RegisterStreamServiceHandlers);
    }
  }
  // Starts serving; custom routes go before.
  HeaderServer& Start() {
    port_ = server_.Start("127.0.0.1:0");
    return *this;
  }
  ~HeaderServer() {
    server_.Shutdown();
    if (backend_) backend_->Shutdown();
  }

  Server& server() { return server_; }
  int port() const { return port_; }

  // Sends `request` on a fresh connection and reads the answer.
  RawResponse Send(const std::string& request, bool head_request = false) {
    RawSocket socket(port_);
    EXPECT_TRUE(socket.Send(request));
    std::optional<RawResponse> answer = socket.ReadResponse(10000ms, head_request);
    EXPECT_TRUE(answer) << "no answer to " << request.substr(0, request.find('\r'));
    return answer ? *answer : RawResponse();
  }
  RawResponse Get(const std::string& target, const std::string& headers = "") {
    return Send("GET " + target + " HTTP/1.1\r\nHost: api.test\r\n" + headers + "\r\n");
  }

 private:
  testing::TestServiceImpl service_;  // outlives the servers
  testing::StreamServiceImpl streams_;
  std::unique_ptr<Server> backend_;
  Server server_;
  int port_ = 0;
};

// The metadata a verbose GetUser saw, from its "md:<key>=<value>" tags.
std::multimap<std::string, std::string> SeenMetadata(const RawResponse& answer) {
  std::multimap<std::string, std::string> seen;
  json user = json::parse(answer.body, nullptr, false);
  if (!user.is_object()) return seen;
  for (const json& tag : user["tags"]) {
    std::string text = tag.get<std::string>();
    if (text.rfind("md:", 0) != 0) continue;
    std::size_t equals = text.find('=');
    seen.emplace(text.substr(3, equals - 3), text.substr(equals + 1));
  }
  return seen;
}

bool Has(const std::multimap<std::string, std::string>& seen, const std::string& key,
         const std::string& value) {
  auto [begin, end] = seen.equal_range(key);
  for (auto it = begin; it != end; ++it) {
    if (it->second == value) return true;
  }
  return false;
}

class ModeTest : public ::testing::TestWithParam<HeaderServer::Mode> {};

INSTANTIATE_TEST_SUITE_P(InProcessAndProxy, ModeTest,
                         ::testing::Values(HeaderServer::Mode::kInProcess,
                                           HeaderServer::Mode::kProxy));

// ---------------------------------------------------------------------------------------------
// Incoming

TEST_P(ModeTest, RequestHeadersReachTheServiceAsMetadata) {
  HeaderServer server({}, GetParam());
  server.Start();
  RawResponse answer = server.Get("/v1/users/1?verbose=true",
                                  "Authorization: Bearer t0ken\r\nGrpc-Metadata-Tenant: acme\r\n"
                                  "Grpc-Metadata-Blob-Bin: AAEC\r\nUser-Agent: probe/1\r\n"
                                  "X-Forwarded-For: 203.0.113.7\r\nX-Custom: not forwarded\r\n");
  ASSERT_EQ(answer.status, 200) << answer.body;
  auto seen = SeenMetadata(answer);
  EXPECT_TRUE(Has(seen, "authorization", "Bearer t0ken")) << answer.body;
  EXPECT_TRUE(Has(seen, "grpcgateway-authorization", "Bearer t0ken")) << answer.body;
  EXPECT_TRUE(Has(seen, "tenant", "acme")) << answer.body;
  EXPECT_TRUE(Has(seen, "blob-bin", std::string("\0\1\2", 3))) << answer.body;
  EXPECT_TRUE(Has(seen, "grpcgateway-user-agent", "probe/1")) << answer.body;
  EXPECT_TRUE(Has(seen, "x-forwarded-for", "203.0.113.7, 127.0.0.1")) << answer.body;
  EXPECT_TRUE(Has(seen, "x-forwarded-host", "api.test")) << answer.body;
  EXPECT_EQ(seen.count("x-custom"), 0u) << answer.body;
  EXPECT_EQ(seen.count("grpcgateway-host"), 0u) << "Host becomes x-forwarded-host only";
}

TEST(HeadersTest, MatcherAndHookDecideWhatElseIsForwarded) {
  ServerOptions options;
  options.metadata.incoming = [](std::string_view header) -> std::optional<std::string> {
    if (header == "X-Custom") return std::string("custom");
    return DefaultIncomingHeaderMatcher(header);
  };
  options.metadata.from_request = [](const HttpRequestHead& request, HttpHeaders* metadata) {
    metadata->emplace_back("x-route", request.path);
  };
  HeaderServer server(options);
  server.Start();
  auto seen = SeenMetadata(server.Get("/v1/users/1?verbose=true", "X-Custom: yes\r\n"));
  EXPECT_TRUE(Has(seen, "custom", "yes"));
  EXPECT_TRUE(Has(seen, "x-route", "/v1/users/1"));
}

TEST_P(ModeTest, GrpcTimeoutSetsTheDeadline) {
  HeaderServer server({}, GetParam());
  server.Start();
  const auto start = Clock::now();
  RawResponse answer = server.Get("/v1/slow/10000", "Grpc-Timeout: 200m\r\n");
  EXPECT_EQ(answer.status, 504) << answer.body;
  EXPECT_EQ(json::parse(answer.body, nullptr, false).value("code", -1), 4) << answer.body;
  EXPECT_LT(Ms(Clock::now() - start), 5000);
  EXPECT_EQ(server.Get("/v1/slow/1", "Grpc-Timeout: 5S\r\n").status, 200);
}

TEST(HeadersTest, DefaultDeadlineAndBadTimeouts) {
  ServerOptions options;
  options.default_deadline = 200ms;
  HeaderServer server(options);
  server.Start();
  EXPECT_EQ(server.Get("/v1/slow/10000").status, 504);
  for (std::string bad : {"1x", "123456789S", "-1S", "S", "1.5S"}) {
    RawResponse answer = server.Get("/v1/slow/1", "Grpc-Timeout: " + bad + "\r\n");
    EXPECT_EQ(answer.status, 400) << bad;
    EXPECT_NE(answer.body.find("grpc-timeout"), std::string::npos) << answer.body;
  }
}

TEST(HeadersTest, HostileHeadersAreRefusedClearly) {
  HeaderServer server;
  server.Start();
  const std::string cases[] = {
      "Grpc-Metadata-Bad!Key: v\r\n",                                // not a metadata key
      "Grpc-Metadata-Grpc-Status: 0\r\n",                            // gRPC's own
      "Grpc-Metadata-Data-Bin: %%%\r\n",                             // not base64
      "Grpc-Metadata-Text: caf\xc3\xa9\r\n",                         // not printable ASCII
      "Grpc-Metadata-Big-Bin: " + std::string(12000, 'A') + "\r\n",  // over the size limit
  };
  for (const std::string& header : cases) {
    RawResponse answer = server.Get("/v1/users/1", header);
    EXPECT_EQ(answer.status, 400) << header.substr(0, 40);
    EXPECT_EQ(json::parse(answer.body, nullptr, false).value("code", -1), 3) << answer.body;
  }
  // A CR or LF inside a header is no header at all: the connection is refused as malformed.
  RawResponse injected = server.Send(
      "GET /v1/users/1 HTTP/1.1\r\nHost: t\r\nGrpc-Metadata-A: x\rGrpc-Metadata-B: y\r\n\r\n");
  EXPECT_EQ(injected.status, 400);
}

// ---------------------------------------------------------------------------------------------
// Outgoing

TEST_P(ModeTest, ResponseMetadataBecomesHeadersAndTrailers) {
  HeaderServer server({}, GetParam());
  server.Start();
  RawResponse answer = server.Get("/v1/users/1?verbose=true");
  EXPECT_EQ(answer.header("grpc-metadata-x-test-header"), "h1");
  // Without TE: trailers, a unary answer carries its trailers as headers.
  EXPECT_EQ(answer.header("grpc-trailer-x-test-trailer"), "t1");

  // With TE: trailers, as real HTTP trailers of a chunked answer.
  RawSocket socket(server.port());
  ASSERT_TRUE(
      socket.Send("GET /v1/users/1?verbose=true HTTP/1.1\r\nHost: t\r\nTE: trailers\r\n\r\n"));
  std::optional<RawResponse> head = socket.ReadHead(5000ms);
  ASSERT_TRUE(head);
  EXPECT_TRUE(head->chunked);
  EXPECT_EQ(head->header("trailer"), "Grpc-Trailer-x-test-trailer");
  EXPECT_EQ(head->header("grpc-trailer-x-test-trailer"), "");
  ASSERT_TRUE(socket.ReadChunksUntil("}", 5000ms));
  std::optional<std::string> last = socket.ReadBytes(5, 5000ms);  // "0\r\nG"
  ASSERT_TRUE(last);
  EXPECT_EQ(*last, "0\r\nGr") << "the last chunk carries the trailer";
}

TEST(HeadersTest, OutgoingMatchersRenameOrDrop) {
  ServerOptions options;
  options.metadata.outgoing = [](std::string_view key) -> std::optional<std::string> {
    if (key == "x-test-header") return std::string("X-Header");
    return std::nullopt;
  };
  options.metadata.outgoing_trailer = [](std::string_view) { return std::nullopt; };
  HeaderServer server(options);
  server.Start();
  RawResponse answer = server.Get("/v1/users/1?verbose=true");
  EXPECT_EQ(answer.header("x-header"), "h1");
  EXPECT_EQ(answer.header("grpc-metadata-x-test-header"), "");
  EXPECT_EQ(answer.header("grpc-trailer-x-test-trailer"), "");
}

TEST(HeadersTest, UnauthenticatedCarriesWwwAuthenticate) {
  HeaderServer server;
  server.Start();
  RawResponse answer = server.Get("/v1/status/16");
  EXPECT_EQ(answer.status, 401);
  EXPECT_EQ(answer.header("www-authenticate"), "Bearer realm=\"test\"");
}

TEST(HeadersTest, TheServiceSetsTheStatusWithXHttpCode) {
  HeaderServer server;
  server.Start();
  RawResponse created = server.Get("/v1/status/0?http_code=201");
  EXPECT_EQ(created.status, 201);
  EXPECT_EQ(json::parse(created.body)["message"], "ok");
  EXPECT_EQ(created.header("grpc-metadata-x-http-code"), "") << "the status, not a header";
  RawResponse empty = server.Get("/v1/status/0?http_code=204");
  EXPECT_EQ(empty.status, 204);
  EXPECT_EQ(empty.body, "");
  EXPECT_EQ(empty.header("content-length"), "");
}

// ---------------------------------------------------------------------------------------------
// Hooks and custom routes

TEST(HeadersTest, ErrorWriterAndResponseHook) {
  ServerOptions options;
  options.hooks.error_writer = [](const HttpRequestHead& request, const grpc::Status& status,
                                  HttpResponseHead* head, std::string* body) {
    head->headers.emplace_back("X-Error-Path", request.path);
    *body = "{\"error\":" + std::to_string(status.error_code()) + "}";
  };
  options.hooks.response = [](const HttpRequestHead& request, const google::protobuf::Message&,
                              HttpResponseHead* head) {
    if (request.query == "deny=true") {
      return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "denied by the hook");
    }
    head->headers.emplace_back("X-Hooked", "yes");
    head->status = 202;
    return grpc::Status::OK;
  };
  HeaderServer server(options);
  server.Start();
  RawResponse error = server.Get("/v1/users/missing");
  EXPECT_EQ(error.status, 404);
  EXPECT_EQ(error.header("x-error-path"), "/v1/users/missing");
  EXPECT_EQ(error.body, "{\"error\":5}");
  RawResponse hooked = server.Get("/v1/users/1");
  EXPECT_EQ(hooked.status, 202);
  EXPECT_EQ(hooked.header("x-hooked"), "yes");
  RawResponse denied = server.Get("/v1/users/1?deny=true");
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.body, "{\"error\":7}");
}

TEST(HeadersTest, CustomRoutesNextToTheGeneratedOnes) {
  HeaderServer server;
  server.server().HandlePath("GET", "/openapi.json",
                             ServeContent("application/json", "{\"openapi\":\"3.1.0\"}"));
  server.server().HandlePath("POST", "/hooks/{source}",
                             [](const HttpRequestHead&, const Gateway::PathVariables& variables,
                                std::string body, std::shared_ptr<HttpExchange> answer) {
                               std::string text = variables.at("source") + ":" + body;
                               HttpResponseHead head;
                               head.headers.emplace_back("Content-Type", "text/plain");
                               head.content_length = text.size();
                               answer->SendHead(std::move(head));
                               answer->SendBody(text);
                               answer->End();
                             });
  // A literal beats the generated `/v1/users/{user.id}`.
  server.server().HandlePath("GET", "/v1/users/me",
                             ServeContent("application/json", "{\"id\":\"me!\"}"));
  server.server().HandlePath("GET", "/boom", [](auto&&...) { throw std::runtime_error("x"); });
  server.Start();
  RawResponse document = server.Get("/openapi.json");
  EXPECT_EQ(document.status, 200);
  EXPECT_EQ(document.header("content-type"), "application/json");
  EXPECT_EQ(document.body, "{\"openapi\":\"3.1.0\"}");
  RawResponse hook =
      server.Send("POST /hooks/github HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_EQ(hook.body, "github:hello");
  EXPECT_EQ(server.Get("/v1/users/me").body, "{\"id\":\"me!\"}");
  EXPECT_EQ(json::parse(server.Get("/v1/users/you").body)["id"], "you");
  RawResponse boom = server.Get("/boom");
  EXPECT_EQ(boom.status, 500);
  EXPECT_EQ(json::parse(boom.body, nullptr, false).value("code", -1), 13) << boom.body;
  EXPECT_THROW(server.server().HandlePath("GET", "/late", ServeContent("text/plain", "")),
               std::logic_error);
}

// ---------------------------------------------------------------------------------------------
// Bodies

TEST(HeadersTest, PatchFillsAnEmptyFieldMaskFromTheBody) {
  HeaderServer server;
  server.Start();
  auto patch = [&](const std::string& target, const std::string& body) {
    return server.Send("PATCH " + target + " HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\n\r\n" + body);
  };
  RawResponse masked = patch("/v1/users/9", R"({"displayName":"Di","tags":["x"]})");
  ASSERT_EQ(masked.status, 200) << masked.body;
  json tags = json::parse(masked.body)["tags"];
  EXPECT_EQ(tags, json::parse(R"(["x","mask:display_name","mask:tags"])")) << masked.body;
  // A mask the client gave is kept; PUT gets none.
  RawResponse given = patch("/v1/users/9?update_mask=age", R"({"displayName":"Di"})");
  EXPECT_EQ(json::parse(given.body)["tags"], json::parse(R"(["mask:age"])"));
  const std::string put_body = R"({"displayName":"Ed"})";
  RawResponse put = server.Send("PUT /v1/users/9 HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                                std::to_string(put_body.size()) + "\r\n\r\n" + put_body);
  EXPECT_EQ(json::parse(put.body)["tags"], json::array()) << put.body;
}

TEST(HeadersTest, TheBodyFillsOnlyTheFieldItNames) {
  HeaderServer server;
  server.Start();
  const std::string injections[][2] = {
      {"PATCH /v1/users/1", R"({"displayName":"x"},"updateMask":"tags")"},
      {"POST /v1/echo/words", R"(["a"],"str":"injected")"},
      {"POST /v1/echo/nested", R"({"name":"n"},"str":"injected")"},
  };
  for (const auto& [request, body] : injections) {
    RawResponse answer = server.Send(request + " HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                                     std::to_string(body.size()) + "\r\n\r\n" + body);
    EXPECT_EQ(answer.status, 400) << request << " " << body << " -> " << answer.body;
  }
}

// ---------------------------------------------------------------------------------------------
// CORS

TEST(HeadersTest, CorsPreflightAndActualAnswers) {
  ServerOptions options;
  options.cors.allowed_origins = {"https://app.example"};
  options.cors.exposed_headers = {"Grpc-Metadata-X-Test-Header"};
  options.cors.max_age = std::chrono::seconds(120);
  HeaderServer server(options);
  server.Start();
  RawResponse preflight = server.Send(
      "OPTIONS /v1/users HTTP/1.1\r\nHost: t\r\nOrigin: https://app.example\r\n"
      "Access-Control-Request-Method: POST\r\n"
      "Access-Control-Request-Headers: authorization, content-type\r\n\r\n");
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(preflight.header("access-control-allow-origin"), "https://app.example");
  EXPECT_NE(preflight.header("access-control-allow-methods").find("POST"), std::string::npos);
  EXPECT_EQ(preflight.header("access-control-allow-headers"), "authorization, content-type");
  EXPECT_EQ(preflight.header("access-control-max-age"), "120");

  RawResponse stranger = server.Send(
      "OPTIONS /v1/users HTTP/1.1\r\nHost: t\r\nOrigin: https://evil.example\r\n"
      "Access-Control-Request-Method: POST\r\n\r\n");
  EXPECT_EQ(stranger.status, 403);
  EXPECT_EQ(stranger.header("access-control-allow-origin"), "");

  RawResponse actual = server.Get("/v1/users/1?verbose=true", "Origin: https://app.example\r\n");
  EXPECT_EQ(actual.status, 200);
  EXPECT_EQ(actual.header("access-control-allow-origin"), "https://app.example");
  EXPECT_EQ(actual.header("access-control-expose-headers"), "Grpc-Metadata-X-Test-Header");
  EXPECT_EQ(actual.header("vary"), "Origin, Accept-Encoding");
  RawResponse error = server.Get("/v1/nothing", "Origin: https://app.example\r\n");
  EXPECT_EQ(error.status, 404);
  EXPECT_EQ(error.header("access-control-allow-origin"), "https://app.example");
  EXPECT_EQ(server.Get("/v1/users/1", "Origin: https://evil.example\r\n")
                .header("access-control-allow-origin"),
            "");
}

// ---------------------------------------------------------------------------------------------
// Compression

TEST(HeadersTest, AnswersAreGzipEncodedWhenAccepted) {
  ServerOptions options;
  options.compression.min_bytes = 1024;
  HeaderServer server(options);
  server.Start();
  RawResponse plain = server.Get("/v1/users?page_size=200");
  RawResponse large = server.Get("/v1/users?page_size=200", "Accept-Encoding: gzip, br\r\n");
  EXPECT_EQ(large.header("content-encoding"), "gzip");
  EXPECT_EQ(large.header("vary"), "Accept-Encoding");
  EXPECT_LT(large.body.size(), plain.body.size() / 4);
  EXPECT_EQ(Gunzip(large.body), plain.body);
  // Small answers, and clients that refuse gzip, get the bytes as they are.
  EXPECT_EQ(server.Get("/v1/users/1", "Accept-Encoding: gzip\r\n").header("content-encoding"), "");
  EXPECT_EQ(server.Get("/v1/users?page_size=200", "Accept-Encoding: gzip;q=0\r\n")
                .header("content-encoding"),
            "");
  // Streams too: each message flushed, the whole a valid gzip stream.
  RawResponse stream = server.Get("/v1/count/3", "Accept-Encoding: gzip\r\n");
  EXPECT_EQ(stream.header("content-encoding"), "gzip");
  std::string lines = Gunzip(stream.body);
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 3) << lines;
}

TEST(HeadersTest, GzipRequestBodiesAreDecoded) {
  HeaderServer server;
  server.Start();
  const std::string body =
      R"({"user":{"displayName":")" + std::string(5000, 'z') + R"("},"requestId":"gz"})";
  const std::string compressed = Gzip(body);
  RawResponse created = server.Send(
      "POST /v1/users HTTP/1.1\r\nHost: t\r\nContent-Encoding: gzip\r\nContent-Length: " +
      std::to_string(compressed.size()) + "\r\n\r\n" + compressed);
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(json::parse(created.body)["id"], "u-gz");
  RawResponse corrupt = server.Send(
      "POST /v1/users HTTP/1.1\r\nHost: t\r\nContent-Encoding: gzip\r\nContent-Length: 5\r\n\r\n"
      "hello");
  EXPECT_EQ(corrupt.status, 400);
  RawResponse unknown = server.Send(
      "POST /v1/users HTTP/1.1\r\nHost: t\r\nContent-Encoding: br\r\nContent-Length: 2\r\n\r\n{}");
  EXPECT_EQ(unknown.status, 415);
}

}  // namespace
}  // namespace cppgateway
