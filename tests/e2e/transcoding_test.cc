// The gateway's transcoding through the generated handlers of the test service, on a real server
// on 127.0.0.1 port 0 calling the service in-process: routing, binding (path, query, body),
// response_body, JSON options, every error answer, and what registration refuses.
#include <cppgateway/gateway.h>
#include <cppgateway/server.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cppgateway/test/v1/test.gw.h"
#include "raw_http.h"
#include "test_service.h"

namespace cppgateway {
namespace {

using nlohmann::json;
using testing::RawResponse;
using testing::RawSocket;
using namespace std::chrono_literals;

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override { UseOptions(ServerOptions()); }

  // Restarts the server with `options`.
  void UseOptions(const ServerOptions& options) {
    server_.reset();
    server_ = std::make_unique<Server>(options);
    server_->AddService(&service_);
    server_->AddGateway(&test::v1::RegisterTestServiceHandlers);
    port_ = server_->Start("127.0.0.1:0");
  }

  // Sends `method target` with `body` on a fresh connection; `target` may carry a query string.
  RawResponse Call(std::string_view method, std::string_view target, std::string_view body = "") {
    RawSocket socket(port_);
    std::string request =
        std::string(method) + " " + std::string(target) +
        " HTTP/1.1\r\nHost: test\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
        std::string(body);
    EXPECT_TRUE(socket.Send(request));
    std::optional<RawResponse> response = socket.ReadResponse(5000ms, method == "HEAD");
    EXPECT_TRUE(response) << method << " " << target << ": no answer";
    if (!response) return RawResponse();
    EXPECT_EQ(response->header("content-type"), "application/json");
    return *response;
  }

  // Serves and parses the JSON body, expecting `status`.
  json CallJson(std::string_view method, std::string_view target, std::string_view body = "",
                int status = 200) {
    RawResponse response = Call(method, target, body);
    EXPECT_EQ(response.status, status) << method << " " << target << " -> " << response.body;
    json parsed = json::parse(response.body, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << response.body;
    return parsed;
  }

  // Expects an error answer: HTTP `status`, body {"code": code, "message": ..., "details": [...]}.
  json ExpectError(std::string_view method, std::string_view target, int status, int code,
                   std::string_view body = "") {
    json error = CallJson(method, target, body, status);
    EXPECT_EQ(error.value("code", -1), code) << error;
    EXPECT_TRUE(error.contains("message") && error["message"].is_string()) << error;
    EXPECT_TRUE(error.contains("details") && error["details"].is_array()) << error;
    return error;
  }

  testing::TestServiceImpl service_;  // outlives the server
  std::unique_ptr<Server> server_;
  int port_ = 0;
};

// A channel for registrations that never call: it connects lazily, to nothing.
std::shared_ptr<grpc::Channel> UnusedChannel() {
  return grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials());
}

TEST_F(GatewayTest, GetBindsThePathVariableAndAnswersJsonWithDefaults) {
  json user = CallJson("GET", "/v1/users/42");
  EXPECT_EQ(user, json::parse(R"({"id":"42","displayName":"user-42","age":"42",
                                  "favoriteColor":"COLOR_BLUE","tags":["a","b"]})"));
}

TEST_F(GatewayTest, AdditionalBindingReachesTheSameMethod) {
  json user = CallJson("GET", "/v1/orgs/acme/users/7");
  EXPECT_EQ(user["id"], "7");
  EXPECT_EQ(user["tags"], json::parse(R"(["a","b","org:acme"])"));
}

TEST_F(GatewayTest, QueryFillsOtherFieldsAndThePathWins) {
  json user = CallJson("GET", "/v1/users/42?user.display_name=Ann%20Lee&user.id=7");
  EXPECT_EQ(user["id"], "42");
  EXPECT_EQ(user["displayName"], "Ann Lee");
  EXPECT_EQ(CallJson("GET", "/v1/users/42?user.displayName=Bo")["displayName"], "Bo");
}

TEST_F(GatewayTest, UnknownQueryParametersAreIgnoredByDefault) {
  EXPECT_EQ(CallJson("GET", "/v1/users/42?nonsense=1")["id"], "42");
}

TEST_F(GatewayTest, UnknownQueryParametersCanBeRejected) {
  ServerOptions options;
  options.query.reject_unknown_parameters = true;
  UseOptions(options);
  ExpectError("GET", "/v1/users/42?nonsense=1", 400, 3);
}

TEST_F(GatewayTest, WholeBodyIsTheRequestAndTheQueryIsNotRead) {
  json user = CallJson("POST", "/v1/users?request_id=ignored",
                       R"({"user":{"displayName":"Cy"},"requestId":"r1"})");
  EXPECT_EQ(user["id"], "u-r1");
  EXPECT_EQ(user["displayName"], "Cy");
}

TEST_F(GatewayTest, EmptyWholeBodyIsAnEmptyRequest) {
  json error = ExpectError("POST", "/v1/users", 400, 3);
  EXPECT_EQ(error["message"], "user is required");
}

TEST_F(GatewayTest, BodyFieldFillsThatFieldAndTheRestComesFromPathAndQuery) {
  json user = CallJson("PATCH", "/v1/users/9?update_mask=display_name,tags",
                       R"({"displayName":"Di","id":"ignored"})");
  EXPECT_EQ(user["id"], "9");
  EXPECT_EQ(user["displayName"], "Di");
  EXPECT_EQ(user["tags"], json::parse(R"(["mask:display_name","mask:tags"])"));
  EXPECT_EQ(CallJson("PUT", "/v1/users/9", R"({"displayName":"Ed"})")["displayName"], "Ed");
}

TEST_F(GatewayTest, BodyFieldMayBeAListOrANestedMessage) {
  EXPECT_EQ(CallJson("POST", "/v1/echo/words", R"(["x","y"])")["words"],
            json::parse(R"(["x","y"])"));
  json echo = CallJson("POST", "/v1/echo/nested?str=s", R"({"name":"n","value":"5"})");
  EXPECT_EQ(echo["nested"]["name"], "n");
  EXPECT_EQ(echo["nested"]["value"], "5");
  EXPECT_EQ(echo["str"], "s");
}

TEST_F(GatewayTest, DeleteAnswersAnEmptyObject) {
  EXPECT_EQ(CallJson("DELETE", "/v1/users/5"), json::object());
  ExpectError("DELETE", "/v1/users/missing", 404, 5);
}

TEST_F(GatewayTest, ResponseBodyReturnsOnlyThatField) {
  json users = CallJson("GET", "/v1/users?page_size=2");
  ASSERT_TRUE(users.is_array()) << users;
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[1]["id"], "u1");
}

TEST_F(GatewayTest, EveryFieldKindRoundTripsThroughTheWholeBody) {
  const json everything = json::parse(R"({
    "i64": "-9007199254740993", "u64": "18446744073709551615", "i32": -5, "s64": "-7",
    "f64": "9", "dbl": 1.5, "flt": 0.25, "flag": true, "str": "héllo \"q\"", "data": "AAEC/w==",
    "color": "COLOR_GREEN", "nums": ["1", "2"], "words": ["a"], "counts": {"k": "3"},
    "names": {"1": "one"}, "nested": {"name": "n", "value": "1", "color": "COLOR_RED"},
    "nestedList": [{"name": "m", "value": "0", "color": "COLOR_UNSPECIFIED"}],
    "ts": "2024-01-02T03:04:05Z", "dur": "1.500s", "choiceNum": "4", "colors": ["COLOR_BLUE"],
    "snakeCaseField": "s", "u32": 4000000000, "wrappedI64": "12", "wrappedStr": "w",
    "wrappedBool": false, "mask": "a.b,c", "attrs": {"k": [1, "x", null]},
    "nestedMap": {"z": {"name": "", "value": "0", "color": "COLOR_UNSPECIFIED"}}, "sf32": -3,
    "customName": 8})");
  json echo = CallJson("POST", "/v1/echo", everything.dump());
  for (const auto& [key, value] : everything.items()) {
    EXPECT_EQ(echo[key], value) << key;
  }
}

TEST_F(GatewayTest, InputAcceptsProtoNamesAndEnumNumbers) {
  json echo = CallJson("POST", "/v1/echo", R"({"snake_case_field":"p","color":2,"custom_json":1})");
  EXPECT_EQ(echo["snakeCaseField"], "p");
  EXPECT_EQ(echo["color"], "COLOR_GREEN");
  EXPECT_EQ(echo["customName"], 1);
}

TEST_F(GatewayTest, UnknownJsonFieldsAreIgnoredByDefaultAndCanBeRejected) {
  EXPECT_EQ(CallJson("POST", "/v1/echo", R"({"str":"a","nope":1})")["str"], "a");
  ServerOptions options;
  options.json.ignore_unknown_fields = false;
  UseOptions(options);
  ExpectError("POST", "/v1/echo", 400, 3, R"({"str":"a","nope":1})");
}

TEST_F(GatewayTest, QueryFillsEveryKind) {
  json echo = CallJson("GET",
                       "/v1/echo?i64=-12&u64=18446744073709551615&flag=true&str=a%2Bb+c"
                       "&data=AAEC_w&color=COLOR_RED&nums=1&nums=2&words=x&counts%5Bk%5D=3"
                       "&names[1]=one&nested.name=n&nested.child.value=9&ts=2024-01-02T03:04:05Z"
                       "&dur=1.5s&colors=1&colors=COLOR_BLUE&wrapped_i64=7&wrappedStr=w"
                       "&mask=a.b,c&customName=4");
  EXPECT_EQ(echo["i64"], "-12");
  EXPECT_EQ(echo["u64"], "18446744073709551615");
  EXPECT_EQ(echo["flag"], true);
  EXPECT_EQ(echo["str"], "a+b c");
  EXPECT_EQ(echo["data"], "AAEC/w==");
  EXPECT_EQ(echo["color"], "COLOR_RED");
  EXPECT_EQ(echo["nums"], json::parse(R"(["1","2"])"));
  EXPECT_EQ(echo["counts"], json::parse(R"({"k":"3"})"));
  EXPECT_EQ(echo["names"], json::parse(R"({"1":"one"})"));
  EXPECT_EQ(echo["nested"]["name"], "n");
  EXPECT_EQ(echo["nested"]["child"]["value"], "9");
  EXPECT_EQ(echo["ts"], "2024-01-02T03:04:05Z");
  EXPECT_EQ(echo["dur"], "1.500s");
  EXPECT_EQ(echo["colors"], json::parse(R"(["COLOR_RED","COLOR_BLUE"])"));
  EXPECT_EQ(echo["wrappedI64"], "7");
  EXPECT_EQ(echo["wrappedStr"], "w");
  EXPECT_EQ(echo["mask"], "a.b,c");
  EXPECT_EQ(echo["customName"], 4);
}

TEST_F(GatewayTest, PathVariablesOfEachScalarKind) {
  json echo = CallJson("GET", "/v1/echo/h%C3%A9%2Fllo/12/2/true");
  EXPECT_EQ(echo["str"], "hé/llo");
  EXPECT_EQ(echo["i64"], "12");
  EXPECT_EQ(echo["color"], "COLOR_GREEN");
  EXPECT_EQ(echo["flag"], true);
  ExpectError("GET", "/v1/echo/a/not-a-number/1/true", 400, 3);
  ExpectError("GET", "/v1/echo/a/1/COLOR_PURPLE/true", 400, 3);
}

TEST_F(GatewayTest, MultiSegmentVariablesKeepEncodedSlashes) {
  EXPECT_EQ(CallJson("GET", "/v1/shelves/s1/books/b%2F1")["name"], "shelves/s1/books/b%2F1");
  EXPECT_EQ(CallJson("GET", "/v1/files/a/b%20c/d")["path"], "a/b c/d");
  EXPECT_EQ(CallJson("POST", "/v1/shelves/s1:publish")["name"], "shelves/s1");
}

TEST_F(GatewayTest, CustomMethodKind) { EXPECT_EQ(Call("HEAD", "/v1/heads/x").status, 200); }

TEST_F(GatewayTest, BadJsonIs400WithCode3) {
  json error = ExpectError("POST", "/v1/echo", 400, 3, R"({"str": )");
  EXPECT_FALSE(error["message"].get<std::string>().empty());
  ExpectError("POST", "/v1/echo", 400, 3, R"({"i64": "x"})");
  ExpectError("PATCH", "/v1/users/1", 400, 3, R"([1,2])");
}

TEST_F(GatewayTest, BadQueryValueIs400WithCode3) {
  ExpectError("GET", "/v1/echo?i32=99999999999", 400, 3);
  ExpectError("GET", "/v1/echo?flag=maybe", 400, 3);
  ExpectError("GET", "/v1/echo?str=a&str=b", 400, 3);
  ExpectError("GET", "/v1/echo?str=%zz", 400, 3);
}

TEST_F(GatewayTest, UnknownPathIs404WithCode5) {
  ExpectError("GET", "/v2/users/1", 404, 5);
  ExpectError("GET", "/v1/users/1/extra", 404, 5);
  ExpectError("GET", "/", 404, 5);
}

TEST_F(GatewayTest, WrongMethodIs405WithAllowAndCode12) {
  RawResponse response = Call("DELETE", "/v1/users");
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.header("allow"), "GET, HEAD, POST");
  EXPECT_EQ(json::parse(response.body)["code"], 12);
}

TEST_F(GatewayTest, MalformedEscapeInThePathIs400) { ExpectError("GET", "/v1/users/%4", 400, 3); }

TEST_F(GatewayTest, EveryGrpcCodeMapsToItsHttpStatus) {
  const int expected[] = {200, 499, 500, 400, 504, 404, 409, 403, 429,
                          400, 409, 400, 501, 500, 503, 500, 401};
  for (int code = 1; code <= 16; ++code) {
    json error = ExpectError("GET", "/v1/status/" + std::to_string(code), expected[code], code);
    EXPECT_EQ(error["message"], "requested failure code " + std::to_string(code));
    EXPECT_EQ(error["details"], json::array());
  }
  EXPECT_EQ(CallJson("GET", "/v1/status/0")["message"], "ok");
}

TEST_F(GatewayTest, ErrorDetailsAreDecodedAndUnknownOnesKept) {
  json error =
      ExpectError("GET", "/v1/status/3?with_details=true&unknown_detail=true&message=bad", 400, 3);
  EXPECT_EQ(error["message"], "bad");
  ASSERT_EQ(error["details"].size(), 2u) << error;
  EXPECT_EQ(error["details"][0]["@type"], "type.googleapis.com/google.rpc.BadRequest");
  EXPECT_EQ(error["details"][0]["fieldViolations"][0]["field"], "code");
  EXPECT_EQ(error["details"][1]["@type"], "type.googleapis.com/example.NotKnownHere");
  EXPECT_EQ(error["details"][1]["value"], "CAE=");
}

TEST_F(GatewayTest, JsonOptionsChangeTheOutput) {
  ServerOptions options;
  options.json.use_proto_names = true;
  options.json.emit_unpopulated = false;
  options.json.int64_as_strings = false;
  options.json.enums_as_ints = true;
  UseOptions(options);
  json user = CallJson("GET", "/v1/users/42?user.display_name=");
  EXPECT_EQ(user, json::parse(R"({"id":"42","display_name":"user-42","age":42,
                                  "favorite_color":3,"tags":["a","b"]})"));
  EXPECT_EQ(CallJson("POST", "/v1/echo", "{}"), json::object());
}

// This process's resident memory, in KiB (the server runs in it).
long ResidentKib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

TEST_F(GatewayTest, JsonBombsAreRefusedCheaply) {
  // Under the body limit (4 MiB), but each would cost protobuf's parser hundreds of MiB: deep
  // arrays into a repeated string, and a million empty strings.
  std::string deep =
      R"({"user":{"tags":)" + std::string(1500000, '[') + std::string(1500000, ']') + "}}";
  std::string wide = R"({"user":{"tags":["")";
  for (int i = 0; i < 1000000; ++i) wide += ",\"\"";
  wide += "]}}";
  const long before = ResidentKib();
  for (const std::string* bomb : {&deep, &wide}) {
    const auto start = std::chrono::steady_clock::now();
    json error = ExpectError("POST", "/v1/users", 400, 3, *bomb);
    EXPECT_NE(error["message"].get<std::string>().find("invalid JSON"), std::string::npos);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s) << "refused in one pass";
  }
  deep.clear();
  deep.shrink_to_fit();
  wide.clear();
  wide.shrink_to_fit();
  // What the server took for them is given back (the bodies are freed, nothing was parsed, and
  // ServerOptions::return_large_blocks hands freed bodies back to the system): less than a
  // third of one bomb is kept. ASan's allocator keeps freed blocks in quarantine on purpose, so
  // only the allocator that users run is measured.
#if !defined(__SANITIZE_ADDRESS__)
  EXPECT_LT(ResidentKib() - before, 1024) << "KiB kept after two refused bombs";
#else
  (void)before;
#endif
}

TEST(GatewayRegistrationTest, RegisteringARouteTwiceThrows) {
  Gateway gateway;
  test::v1::RegisterTestServiceHandlers(gateway, UnusedChannel());
  EXPECT_THROW(test::v1::RegisterTestServiceHandlers(gateway, UnusedChannel()),
               std::invalid_argument);
}

TEST(GatewayRegistrationTest, BindingsNamingNoFieldOrMethodThrow) {
  Gateway gateway;
  auto channel = UnusedChannel();
  const auto& request = test::v1::GetUserRequest::default_instance();
  const auto& response = test::v1::User::default_instance();
  const std::string method = "/cppgateway.test.v1.TestService/GetUser";
  const auto unary = Gateway::MethodKind::kUnary;
  auto add = [&](const Gateway::Binding& binding, const std::string& path,
                 Gateway::MethodKind kind) {
    gateway.AddRoute(binding, channel, path, kind, request, response);
  };
  EXPECT_THROW(add({"GET", "/v1/{nope}"}, method, unary), std::invalid_argument);
  EXPECT_THROW(add({"POST", "/v1/x", "nope"}, method, unary), std::invalid_argument);
  EXPECT_THROW(add({"GET", "/v1/x", "", "nope"}, method, unary), std::invalid_argument);
  EXPECT_THROW(add({"GET", "v1/x"}, method, unary), std::invalid_argument);
  // The method is named by its gRPC path; a method whose descriptor is known must take and
  // return these types, and stream as registered.
  EXPECT_THROW(add({"GET", "/v1/x"}, "cppgateway.test.v1.TestService.GetUser", unary),
               std::invalid_argument);
  EXPECT_THROW(add({"GET", "/v1/x"}, "/cppgateway.test.v1.TestService/Echo", unary),
               std::invalid_argument);
  EXPECT_THROW(add({"GET", "/v1/x"}, method, Gateway::MethodKind::kServerStream),
               std::invalid_argument);
  add({"GET", "/v1/{user.id}"}, method, unary);
}

}  // namespace
}  // namespace cppgateway
