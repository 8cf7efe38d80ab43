// REST through a real HTTP client to a real cppgateway::Server on 127.0.0.1 port 0: the answers and
// every error path, as a user's client sees them on the wire.
#include <arpa/inet.h>
#include <cppgateway/server.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cppgateway/test/v1/test.gw.h"
#include "test_service.h"

namespace cppgateway {
namespace {

using nlohmann::json;

class RestTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    service_ = new testing::TestServiceImpl();
    ServerOptions options;
    options.max_body_bytes = 64 * 1024;
    server_ = new Server(options);
    server_->AddService(service_);
    server_->AddGateway(&test::v1::RegisterTestServiceHandlers);
    port_ = server_->Start("127.0.0.1:0");
  }
  static void TearDownTestSuite() {
    server_->Shutdown();
    delete server_;
    delete service_;
  }

  void SetUp() override {
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_read_timeout(5, 0);
  }

  // Checks a JSON error answer and returns its body.
  static json ExpectError(const httplib::Result& result, int status, int code) {
    EXPECT_TRUE(result) << httplib::to_string(result.error());
    if (!result) return json();
    EXPECT_EQ(result->status, status) << result->body;
    EXPECT_EQ(result->get_header_value("Content-Type"), "application/json");
    json body = json::parse(result->body, nullptr, false);
    EXPECT_TRUE(body.is_object()) << result->body;
    if (!body.is_object()) return json();
    EXPECT_EQ(body.value("code", -1), code) << result->body;
    EXPECT_TRUE(body.contains("message")) << result->body;
    EXPECT_TRUE(body.contains("details") && body["details"].is_array()) << result->body;
    return body;
  }

  // Sends `raw` on a fresh connection and returns all the server answers until it closes.
  static std::string SendRaw(const std::string& raw) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port_));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    EXPECT_EQ(send(fd, raw.data(), raw.size(), MSG_NOSIGNAL), static_cast<ssize_t>(raw.size()));
    std::string answer;
    char buffer[4096];
    ssize_t n;
    while ((n = recv(fd, buffer, sizeof(buffer), 0)) > 0) answer.append(buffer, n);
    close(fd);
    return answer;
  }

  static testing::TestServiceImpl* service_;
  static Server* server_;
  static int port_;
  std::unique_ptr<httplib::Client> client_;
};

testing::TestServiceImpl* RestTest::service_;
Server* RestTest::server_;
int RestTest::port_;

TEST_F(RestTest, GetAnswersJson) {
  auto result = client_->Get("/v1/users/42?user.display_name=Ann");
  ASSERT_TRUE(result) << httplib::to_string(result.error());
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->get_header_value("Content-Type"), "application/json");
  json user = json::parse(result->body);
  EXPECT_EQ(user["id"], "42");
  EXPECT_EQ(user["displayName"], "Ann");
  EXPECT_EQ(user["age"], "42");
}

TEST_F(RestTest, PostPatchDeleteOnOneKeepAliveConnection) {
  client_->set_keep_alive(true);
  auto created = client_->Post("/v1/users", R"({"user":{"displayName":"Cy"},"requestId":"1"})",
                               "application/json");
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 200);
  EXPECT_EQ(json::parse(created->body)["id"], "u-1");
  auto patched = client_->Patch("/v1/users/1", R"({"displayName":"Di"})", "application/json");
  ASSERT_TRUE(patched);
  EXPECT_EQ(json::parse(patched->body)["displayName"], "Di");
  auto deleted = client_->Delete("/v1/users/1");
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 200);
  EXPECT_EQ(deleted->body, "{}");
}

TEST_F(RestTest, BadJson) {
  ExpectError(client_->Post("/v1/echo", "{\"str\": ", "application/json"), 400, 3);
}

TEST_F(RestTest, BadQueryValue) {
  ExpectError(client_->Get("/v1/echo?i64=twelve"), 400, 3);
  ExpectError(client_->Get("/v1/echo?str=%G1"), 400, 3);
}

TEST_F(RestTest, UnknownPath) { ExpectError(client_->Get("/nowhere"), 404, 5); }

TEST_F(RestTest, WrongMethod) {
  auto result = client_->Put("/v1/users", "{}", "application/json");
  ExpectError(result, 405, 12);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->get_header_value("Allow"), "GET, HEAD, POST");
}

TEST_F(RestTest, EachGrpcCode) {
  const int expected[] = {200, 499, 500, 400, 504, 404, 409, 403, 429,
                          400, 409, 400, 501, 500, 503, 500, 401};
  for (int code = 1; code <= 16; ++code) {
    ExpectError(client_->Get("/v1/status/" + std::to_string(code)), expected[code], code);
  }
}

TEST_F(RestTest, ErrorDetailsTravelFromTheServiceToTheJsonBody) {
  json error = ExpectError(client_->Get("/v1/status/9?with_details=true"), 400, 9);
  ASSERT_EQ(error["details"].size(), 1u);
  EXPECT_EQ(error["details"][0]["@type"], "type.googleapis.com/google.rpc.BadRequest");
}

TEST_F(RestTest, MalformedHttpGetsAJsonError) {
  std::string answer = SendRaw("GET /v1/users/1 HTTX/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer;
  EXPECT_NE(answer.find("\"code\":3"), std::string::npos) << answer;
}

TEST_F(RestTest, AMethodNoRouteHasIsAnswered405) {
  // Any token is a method: the router, not the parser, says that no route takes it.
  std::string answer = SendRaw("BREW /v1/users/1 HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 405", 0), 0u) << answer;
  EXPECT_NE(answer.find("\"code\":12"), std::string::npos) << answer;
}

TEST_F(RestTest, OversizedBodyIs413WithAJsonError) {
  std::string big(100 * 1024, ' ');
  auto result = client_->Post("/v1/echo", big, "application/json");
  ASSERT_TRUE(result) << httplib::to_string(result.error());
  EXPECT_EQ(result->status, 413);
  EXPECT_EQ(json::parse(result->body, nullptr, false).value("code", -1), 3) << result->body;
}

}  // namespace
}  // namespace cppgateway
