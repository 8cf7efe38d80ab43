// The golden output compiled (by cppgateway_generate, warnings as errors) and served by a real
// cppgateway::Server on 127.0.0.1: every route the golden files declare, unary or streaming, is
// registered and reaches gRPC. The server has no services, so gRPC answers every method with
// UNIMPLEMENTED: a routed request gets 501 with code 12, an unrouted one 404 with code 5. The
// golden OpenAPI documents say how to call each route: a request built from them alone, path,
// query and body, must be routed and transcoded too, and each file has one route per rule and one
// operation per route.
#include <cppgateway/server.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "golden/echo.gw.h"
#include "golden/everything.gw.h"
#include "golden/flows.gw.h"
#include "golden/library.gw.h"
#include "golden/long_names.gw.h"
#include "golden/no_bindings.gw.h"
#include "golden/no_package.gw.h"
#include "golden/options/merge_a.gw.h"
#include "golden/options/merge_b.gw.h"
#include "golden/options/unannotated.gw.h"
#include "golden/streaming.gw.h"
#include "google/api/annotations.pb.h"
#include "openapi_requests.h"

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
class GeneratedCodeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new Server();
    server_->AddGateway(&golden::v1::RegisterLibraryServiceHandlers);
    server_->AddGateway(&golden::v1::RegisterImportServiceHandlers);
    server_->AddGateway(&golden::v1::RegisterAServiceWithANameLongEnoughToWrapEveryLineHandlers);
    server_->AddGateway(&golden::v1::RegisterStreamingServiceHandlers);
    server_->AddGateway(&RegisterPingServiceHandlers);
    server_->AddGateway(&golden::everything::v1::RegisterEverythingServiceHandlers);
    server_->AddGateway(&golden::everything::v1::RegistercamelCaseServiceNameHandlers);
    server_->AddGateway(&golden::everything::v1::RegisterSnakeEnumServiceHandlers);
    server_->AddGateway(&golden::flows::v1::RegisterFlowCombinationHandlers);
    server_->AddGateway(&golden::flows::v1::RegisterResponseBodyServiceHandlers);
    server_->AddGateway(&golden::flows::v1::RegisterStreamServiceHandlers);
    server_->AddGateway(&golden::flows::v1::RegisterWrappersServiceHandlers);
    server_->AddGateway(&golden::echo::v1::RegisterEchoServiceHandlers);
    server_->AddGateway(&golden::echo::v1::RegisterNonStandardServiceHandlers);
    server_->AddGateway(&golden::echo::v1::RegisterCamel_Case_serviceHandlers);
    server_->AddGateway(&golden::options::v1::RegisterUnannotatedServiceHandlers);
    server_->AddGateway(&golden::merge_a::RegisterServiceAHandlers);
    server_->AddGateway(&golden::merge_b::RegisterServiceBHandlers);
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

class RoutedTest : public GeneratedCodeTest, public ::testing::WithParamInterface<Request> {};

TEST_P(RoutedTest, ReachesTheServiceWhichAnswersUnimplemented) {
  ASSERT_NE(port_, 0);
  ExpectError(Send(GetParam()), GetParam(), kNotImplemented, 12);
}

class UnroutedTest : public GeneratedCodeTest, public ::testing::WithParamInterface<Request> {};

TEST_P(UnroutedTest, IsNotFound) {
  ASSERT_NE(port_, 0);
  ExpectError(Send(GetParam()), GetParam(), kNotFound, 5);
}

std::string RequestName(const ::testing::TestParamInfo<Request>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(GeneratedCode, RoutedTest, ::testing::ValuesIn(RoutedRequests()),
                         RequestName);
INSTANTIATE_TEST_SUITE_P(GeneratedCode, UnroutedTest, ::testing::ValuesIn(UnroutedRequests()),
                         RequestName);

// --- Requests from the documents

// The golden documents cppgateway_generate(... OPENAPI) wrote, by name relative to the generated
// code ("golden/library.openapi.json"), parsed. Kept for the whole run: the requests point into
// them.
const std::map<std::string, nlohmann::ordered_json>& GoldenDocuments() {
  static const auto* documents = [] {
    auto* loaded = new std::map<std::string, nlohmann::ordered_json>();
    const std::filesystem::path root = CPPGATEWAY_GOLDEN_GEN_DIR;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      const std::string name = std::filesystem::relative(entry.path(), root).string();
      if (name.size() < 13 || name.compare(name.size() - 13, 13, ".openapi.json") != 0) continue;
      std::ifstream in(entry.path());
      (*loaded)[name] = nlohmann::ordered_json::parse(in);
    }
    return loaded;
  }();
  return *documents;
}

// The golden documents by name, for the tests' names: "golden/library.openapi.json".
std::vector<std::string> GoldenDocumentNames() {
  std::vector<std::string> names;
  for (const auto& entry : GoldenDocuments()) names.push_back(entry.first);
  return names;
}

// One test per document (a test per request would start hundreds of processes under ctest).
class DocumentRequestTest : public GeneratedCodeTest,
                            public ::testing::WithParamInterface<std::string> {};

// Every operation of the document, its query parameters one at a time (the members of a oneof
// cannot be sent together): routed, transcoded and answered UNIMPLEMENTED by gRPC.
TEST_P(DocumentRequestTest, EveryOperationReachesTheServiceWhichAnswersUnimplemented) {
  ASSERT_NE(port_, 0);
  const std::vector<DocumentRequest> requests =
      RequestsFromDocument(GoldenDocuments().at(GetParam()), QueryParameters::kOneAtATime);
  for (const DocumentRequest& built : requests) {
    Request request = {built.name, built.method, built.target, built.content_type, built.body};
    SCOPED_TRACE(built.name + ": " + built.method + " " + built.target);
    ExpectError(Send(request), request, kNotImplemented, 12);
  }
}

INSTANTIATE_TEST_SUITE_P(Documents, DocumentRequestTest, ::testing::ValuesIn(GoldenDocumentNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param.substr(0, info.param.find('.'));
                           for (char& c : name) {
                             c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           }
                           return name;
                         });

// How many google.api.http rules (bindings, additional ones included) `proto` declares: read from
// its descriptor, compiled into this test.
int CountRules(const std::string& proto) {
  const google::protobuf::FileDescriptor* file =
      google::protobuf::DescriptorPool::generated_pool()->FindFileByName(proto);
  // Not linked in: no route names a message of the file, which has then no service of its own.
  if (file == nullptr) return 0;
  int rules = 0;
  for (int s = 0; s < file->service_count(); ++s) {
    for (int m = 0; m < file->service(s)->method_count(); ++m) {
      const auto& options = file->service(s)->method(m)->options();
      if (!options.HasExtension(google::api::http)) continue;
      rules += 1 + options.GetExtension(google::api::http).additional_bindings_size();
    }
  }
  return rules;
}

// How many routes a generated .gw.cc registers: its Gateway::Handle* statements.
int CountRoutes(const std::string& gw_cc) {
  std::ifstream in(gw_cc);
  std::stringstream text;
  text << in.rdbuf();
  const std::string source = text.str();
  static const std::regex kHandle("\\.Handle(Unary|ServerStream|ClientStream|BidiStream)<");
  return static_cast<int>(std::distance(std::sregex_iterator(source.begin(), source.end(), kHandle),
                                        std::sregex_iterator()));
}

TEST(RouteCountTest, OneRoutePerRuleAndOneOperationPerRoute) {
  ASSERT_FALSE(GoldenDocuments().empty());
  int total = 0;
  for (const auto& [name, document] : GoldenDocuments()) {
    const std::string stem = name.substr(0, name.size() - std::string(".openapi.json").size());
    int rules = CountRules(stem + ".proto");
    // unannotated.proto has no annotation: its rules are the 5 bindings of unannotated.yaml and
    // the default one of its unbound method.
    if (stem == "golden/options/unannotated") rules = 6;
    const int routes = CountRoutes(std::string(CPPGATEWAY_GOLDEN_GEN_DIR) + "/" + stem + ".gw.cc");
    EXPECT_EQ(routes, rules) << stem;
    EXPECT_EQ(CountOperations(document), routes) << stem;
    total += routes;
  }
  // The forms of grpc-gateway's examples alone make 88 (everything 37, flows 36, echo 15).
  EXPECT_GE(total, 88);
}

}  // namespace
}  // namespace cppgateway::testing
