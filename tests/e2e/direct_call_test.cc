// ServerOptions::direct_calls end to end: REST calls to the unary methods of an in-process
// callback service call the methods themselves, and answer exactly as through gRPC's in-process
// channel: the same status, headers, trailers and body, with the request's metadata seen by the
// service and its metadata in the answer. A client that goes away and a shutdown cancel the
// method (OnCancel, IsCancelled); a request with a deadline goes through the channel.
#include <cppgateway/server.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cppgateway/test/v1/test.gw.h"
#include "raw_http.h"
#include "test_service.h"

namespace cppgateway {
namespace {

using testing::CallbackTestServiceImpl;
using testing::RawResponse;
using testing::RawSocket;
using testing::WaitUntil;
using namespace std::chrono_literals;

// The callback test service and its gateway in one server on 127.0.0.1 port 0.
class DirectServer {
 public:
  explicit DirectServer(bool direct_calls, ServerOptions options = {}) {
    options.direct_calls = direct_calls;
    server_ = std::make_unique<Server>(options);
    server_->AddService(&service_);
    server_->AddGateway(&test::v1::RegisterTestServiceHandlers);
    port_ = server_->Start("127.0.0.1:0");
  }
  ~DirectServer() { server_->Shutdown(); }

  Server& server() { return *server_; }
  CallbackTestServiceImpl& service() { return service_; }
  int port() const { return port_; }

  RawResponse Send(const std::string& request) {
    RawSocket socket(port_);
    EXPECT_TRUE(socket.Send(request));
    std::optional<RawResponse> answer = socket.ReadResponse(10000ms);
    EXPECT_TRUE(answer) << "no answer to " << request.substr(0, request.find('\r'));
    return answer ? *answer : RawResponse();
  }

 private:
  CallbackTestServiceImpl service_;  // outlives the server
  std::unique_ptr<Server> server_;
  int port_ = 0;
};

std::string Request(const std::string& method, const std::string& target,
                    const std::string& headers = "", const std::string& body = "") {
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: api.test\r\n" + headers;
  if (!body.empty() || method == "POST" || method == "PATCH") {
    request +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  return request + "\r\n" + body;
}

// The requests both ways must answer alike: successes, errors with details, x-http-code,
// WWW-Authenticate, metadata both ways (header metadata, trailers with TE: trailers), response
// bodies, PATCH masks, an empty answer.
std::vector<std::string> ComparedRequests() {
  return {
      Request("GET", "/v1/users/42"),
      Request("GET", "/v1/orgs/acme/users/7?user.display_name=Ann"),
      Request("GET", "/v1/users/42?verbose=true",
              "Grpc-Metadata-Tenant: blue\r\nAuthorization: Bearer x\r\nGrpc-Metadata-Trace-Bin: "
              "AAEC\r\n"
              "TE: trailers\r\n"),
      Request("GET", "/v1/users/missing"),
      Request("POST", "/v1/users", "", R"({"user":{"displayName":"Bo"},"requestId":"r1"})"),
      Request("POST", "/v1/users", "", R"({"requestId":"r1"})"),
      Request("PATCH", "/v1/users/9", "", R"({"displayName":"Cy","age":3})"),
      Request("DELETE", "/v1/users/9"),
      Request("GET", "/v1/users?page_size=2"),
      Request("POST", "/v1/echo", "",
              R"({"i64":"-5","data":"AAE=","words":["a"],"ts":"2024-01-02T03:04:05Z"})"),
      Request("GET", "/v1/status/3?with_details=true"),
      Request("GET", "/v1/status/16"),
      Request("GET", "/v1/status/0?http_code=201"),
  };
}

// The answer without the headers that differ from one answer to the next.
std::string Comparable(const RawResponse& answer) {
  std::string text = std::to_string(answer.status) + "\n";
  for (const auto& [name, value] : answer.headers) {
    if (name != "date") text += name + ": " + value + "\n";
  }
  return text + "\n" + answer.body;
}

TEST(DirectCallTest, AnswersAsThroughTheChannel) {
  DirectServer channel(/*direct_calls=*/false);
  DirectServer direct(/*direct_calls=*/true);
  for (const std::string& request : ComparedRequests()) {
    SCOPED_TRACE(request.substr(0, request.find('\r')));
    std::string through_channel = Comparable(channel.Send(request));
    std::string called_directly = Comparable(direct.Send(request));
    EXPECT_EQ(called_directly, through_channel);
    EXPECT_NE(through_channel.rfind("0\n", 0), 0u);  // an answer came
  }
  // What was compared did take both ways.
  EXPECT_EQ(channel.service().direct_calls(), 0);
  EXPECT_EQ(direct.service().direct_calls(), static_cast<int>(ComparedRequests().size()));
}

TEST(DirectCallTest, TheServiceSeesTheRequestMetadata) {
  DirectServer direct(/*direct_calls=*/true);
  RawResponse answer =
      direct.Send(Request("GET", "/v1/users/42?verbose=true", "Grpc-Metadata-Tenant: blue\r\n"));
  ASSERT_EQ(answer.status, 200);
  EXPECT_NE(answer.body.find("\"md:tenant=blue\""), std::string::npos) << answer.body;
  EXPECT_NE(answer.body.find("\"md:x-forwarded-for=127.0.0.1\""), std::string::npos);
  EXPECT_EQ(answer.header("grpc-metadata-x-test-header"), "h1");
  EXPECT_EQ(direct.service().direct_calls(), 1);
}

TEST(DirectCallTest, SyncServicesStillGoThroughTheChannel) {
  testing::TestServiceImpl sync_service;
  ServerOptions options;
  options.direct_calls = true;
  Server server(options);
  server.AddService(&sync_service);
  server.AddGateway(&test::v1::RegisterTestServiceHandlers);
  int port = server.Start("127.0.0.1:0");
  RawSocket socket(port);
  ASSERT_TRUE(socket.Send(Request("GET", "/v1/users/42")));
  std::optional<RawResponse> answer = socket.ReadResponse(10000ms);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_NE(answer->body.find("\"user-42\""), std::string::npos);
  server.Shutdown();
}

TEST(DirectCallTest, AClientThatGoesAwayCancelsTheMethod) {
  DirectServer direct(/*direct_calls=*/true);
  {
    RawSocket socket(direct.port());
    ASSERT_TRUE(socket.Send(Request("GET", "/v1/slow/60000")));
    ASSERT_TRUE(WaitUntil([&] { return direct.service().slow_calls_started() == 1; }, 10000ms));
  }  // closed
  EXPECT_TRUE(WaitUntil([&] { return direct.service().slow_calls_done() == 1; }, 10000ms));
  EXPECT_EQ(direct.service().slow_cancels_seen(), 1);  // OnCancel, with IsCancelled() true
  EXPECT_EQ(direct.service().slow_calls_finished(), 0);
}

TEST(DirectCallTest, ShutdownCancelsTheMethodAndAnswers499) {
  ServerOptions options;
  options.shutdown_grace = 100ms;
  DirectServer direct(/*direct_calls=*/true, options);
  RawSocket socket(direct.port());
  ASSERT_TRUE(socket.Send(Request("GET", "/v1/slow/60000")));
  ASSERT_TRUE(WaitUntil([&] { return direct.service().slow_calls_started() == 1; }, 10000ms));
  std::thread shutdown([&] { direct.server().Shutdown(); });
  std::optional<RawResponse> answer = socket.ReadResponse(10000ms);
  shutdown.join();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 499);
  EXPECT_NE(answer->body.find("\"code\":1"), std::string::npos) << answer->body;
  EXPECT_EQ(direct.service().slow_cancels_seen(), 1);
  EXPECT_EQ(direct.service().slow_calls_done(), 1);  // Shutdown waited for OnDone
}

TEST(DirectCallTest, ARequestWithADeadlineGoesThroughTheChannel) {
  DirectServer direct(/*direct_calls=*/true);
  RawResponse answer = direct.Send(Request("GET", "/v1/slow/60000", "Grpc-Timeout: 200m\r\n"));
  EXPECT_EQ(answer.status, 504);
  EXPECT_NE(answer.body.find("\"code\":4"), std::string::npos) << answer.body;
  EXPECT_TRUE(WaitUntil([&] { return direct.service().slow_calls_done() == 1; }, 10000ms));
  EXPECT_EQ(direct.service().direct_calls(), 0);
}

}  // namespace
}  // namespace cppgateway
