// The golden output compiled (by cppgateway_generate, warnings as errors) and served by a real
// cppgateway::Server on 127.0.0.1: every route the golden files declare, unary or streaming, is
// registered and reaches gRPC. The server has no services, so gRPC answers every method with
// UNIMPLEMENTED: a routed request gets 501 with code 12, an unrouted one 404 with code 5.
#include <cppgateway/server.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "golden/library.gw.h"
#include "golden/long_names.gw.h"
#include "golden/no_bindings.gw.h"
#include "golden/no_package.gw.h"
#include "golden/streaming.gw.h"

namespace cppgateway::testing {
namespace {

// One HTTP request.
struct Request {
  std::string name;  // names the test case
  std::string method;
  std::string path;
  std::string content_type = "";
  std::string body = "";
};

void PrintTo(const Request& request, std::ostream* out) {
  *out << request.method << " " << request.path;
}

constexpr char kJson[] = "application/json";
constexpr char kNdjson[] = "application/x-ndjson";

// A request for each golden binding, with a body of the shape the binding reads.
std::vector<Request> RoutedRequests() {
  return {
      // library.proto, LibraryService
      {"GetBook", "GET", "/v1/shelves/s1/books/b1"},
      {"GetBookRevision", "GET", "/v1/books/b1/revisions/7"},
      {"CreateBook", "POST", "/v1/shelves/s1/books", kJson, "{}"},
      {"UpdateBookPatch", "PATCH", "/v1/books/b1", kJson, "{}"},
      {"UpdateBookPut", "PUT", "/v1/books/b1", kJson, "{}"},
      {"ListBooks", "GET", "/v1/shelves/s1/books"},
      {"PublishBook", "POST", "/v1/shelves/s1/books/b1:publish", kJson, "{}"},
      {"PublishBookAt", "POST", "/v1/publications/2024-01-02T03:04:05Z", kJson, "{}"},
      {"CheckBook", "HEAD", "/v1/books/b1"},
      {"WatchBooks", "GET", "/v1/shelves/s1/books:watch"},
      // library.proto, ImportService: one request message per line.
      {"ImportBooks", "POST", "/v1/books:import", kNdjson, "{\"id\":\"b1\"}\n{\"id\":\"b2\"}\n"},
      {"SyncBooks", "POST", "/v1/books:sync", kNdjson, "{\"id\":\"b1\"}\n"},
      // long_names.proto
      {"GetTheResource", "GET", "/v1/resources/r1"},
      {"GetTheResourceShort", "GET", "/v1/short"},
      {"StreamTheResources", "POST", "/v1/resources:stream", kNdjson, "{}\n"},
      // no_package.proto
      {"Ping", "GET", "/ping/hello"},
      // streaming.proto
      {"GetEntry", "GET", "/v1/entries/e1"},
      {"WatchShelf", "GET", "/v1/shelves/s1:watch"},
      {"TailLog", "GET", "/v1/log:tail"},
      {"ImportEntries", "POST", "/v1/entries:import", kNdjson,
       "{\"key\":{\"id\":\"e1\"},\"title\":\"One\"}\n"},
      {"AddBooks", "POST", "/v1/books:add", kNdjson, "{\"id\":\"b1\"}\n{\"id\":\"b2\"}\n"},
      {"Upload", "PUT", "/v1/uploads", "application/octet-stream", "raw bytes"},
      {"Chat", "POST", "/v1/chat", kNdjson, "{\"text\":\"hello\"}\n"},
      {"ChatText", "POST", "/v1/feed:chat", kNdjson, "\"hello\"\n\"again\"\n"},
  };
}

// Requests no golden binding routes: unannotated methods by their gRPC paths, an unknown path.
std::vector<Request> UnroutedRequests() {
  return {
      {"UnannotatedMethod", "POST", "/cppgateway.golden.v1.LibraryService/DeleteBook", kJson, "{}"},
      {"UnannotatedService", "POST", "/cppgateway.golden.v1.InternalService/Rebuild", kJson, "{}"},
      {"UnknownPath", "GET", "/v1/nothing/here"},
  };
}

// A Server with every golden gateway and no service, shared by the tests of a suite.
class GeneratedCodeTest : public ::testing::TestWithParam<Request> {
 protected:
  static void SetUpTestSuite() {
    server_ = new Server();
    server_->AddGateway(&golden::v1::RegisterLibraryServiceHandlers);
    server_->AddGateway(&golden::v1::RegisterImportServiceHandlers);
    server_->AddGateway(&golden::v1::RegisterAServiceWithANameLongEnoughToWrapEveryLineHandlers);
    server_->AddGateway(&golden::v1::RegisterStreamingServiceHandlers);
    server_->AddGateway(&RegisterPingServiceHandlers);
    port_ = server_->Start("127.0.0.1:0");
  }
  static void TearDownTestSuite() {
    server_->Shutdown();
    delete server_;
    server_ = nullptr;
    port_ = 0;
  }

  // Sends `request` on a fresh connection.
  static httplib::Result Send(const Request& request) {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(10, 0);
    httplib::Request http_request;
    http_request.method = request.method;
    http_request.path = request.path;
    http_request.body = request.body;
    if (!request.content_type.empty()) {
      http_request.set_header("Content-Type", request.content_type);
    }
    return client.send(http_request);
  }

  // Checks that `answer` is an error answer with `status` and, unless it answers a HEAD request
  // (no body), a JSON body with the gRPC `code`.
  static void ExpectError(const httplib::Result& answer, const Request& request, int status,
                          int code) {
    ASSERT_TRUE(answer) << httplib::to_string(answer.error());
    EXPECT_EQ(answer->status, status) << answer->body;
    if (request.method == "HEAD") return;
    EXPECT_EQ(answer->get_header_value("Content-Type"), kJson);
    nlohmann::json body = nlohmann::json::parse(answer->body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << answer->body;
    EXPECT_EQ(body.value("code", -1), code) << answer->body;
  }

  static Server* server_;
  static int port_;
};

Server* GeneratedCodeTest::server_ = nullptr;
int GeneratedCodeTest::port_ = 0;

constexpr int kNotImplemented = 501;  // gRPC UNIMPLEMENTED, code 12
constexpr int kNotFound = 404;        // gRPC NOT_FOUND, code 5

class RoutedTest : public GeneratedCodeTest {};

TEST_P(RoutedTest, ReachesTheServiceWhichAnswersUnimplemented) {
  ASSERT_NE(port_, 0);
  ExpectError(Send(GetParam()), GetParam(), kNotImplemented, 12);
}

class UnroutedTest : public GeneratedCodeTest {};

TEST_P(UnroutedTest, IsNotFound) {
  ASSERT_NE(port_, 0);
  ExpectError(Send(GetParam()), GetParam(), kNotFound, 5);
}

std::string RequestName(const ::testing::TestParamInfo<Request>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(GeneratedCode, RoutedTest, ::testing::ValuesIn(RoutedRequests()),
                         RequestName);
INSTANTIATE_TEST_SUITE_P(GeneratedCode, UnroutedTest, ::testing::ValuesIn(UnroutedRequests()),
                         RequestName);

}  // namespace
}  // namespace cppgateway::testing
