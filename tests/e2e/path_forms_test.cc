// The path forms grpc-gateway accepts beyond the plain ones, through the generated handlers of
// path_forms.proto on a real server on 127.0.0.1: verbs with colons, `**` followed by literals
// inside a variable, repeated path variables filled from a comma-separated segment.
#include <cppgateway/server.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cppgateway/test/v1/path_forms.grpc.pb.h"
#include "cppgateway/test/v1/path_forms.gw.h"
#include "raw_http.h"

namespace cppgateway {
namespace {

using nlohmann::json;
using test::v1::PathForms;
using testing::RawResponse;
using testing::RawSocket;
using namespace std::chrono_literals;

// Echoes each request with the name of the method that answered.
class PathFormsService final : public test::v1::PathFormsService::Service {
  grpc::Status Custom(grpc::ServerContext*, const PathForms* request, PathForms* reply) override {
    return Echo("Custom", *request, reply);
  }
  grpc::Status DoubleColon(grpc::ServerContext*, const PathForms* request,
                           PathForms* reply) override {
    return Echo("DoubleColon", *request, reply);
  }
  grpc::Status DoubleStarInside(grpc::ServerContext*, const PathForms* request,
                                PathForms* reply) override {
    return Echo("DoubleStarInside", *request, reply);
  }
  grpc::Status Repeated(grpc::ServerContext*, const PathForms* request, PathForms* reply) override {
    return Echo("Repeated", *request, reply);
  }

  static grpc::Status Echo(const char* method, const PathForms& request, PathForms* reply) {
    *reply = request;
    reply->set_method(method);
    return grpc::Status::OK;
  }
};

class PathFormsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.AddService(&service_);
    server_.AddGateway(&test::v1::RegisterPathFormsServiceHandlers);
    port_ = server_.Start("127.0.0.1:0");
  }

  // Sends `method target` on a fresh connection; returns the answer.
  RawResponse Call(std::string_view method, std::string_view target) {
    RawSocket socket(port_);
    EXPECT_TRUE(socket.Send(std::string(method) + " " + std::string(target) +
                            " HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n\r\n"));
    std::optional<RawResponse> response = socket.ReadResponse(5000ms);
    EXPECT_TRUE(response) << method << " " << target << ": no answer";
    return response ? *response : RawResponse();
  }

  // Expects 200 and returns the JSON body.
  json CallJson(std::string_view method, std::string_view target) {
    RawResponse response = Call(method, target);
    EXPECT_EQ(response.status, 200) << method << " " << target << " -> " << response.body;
    return json::parse(response.body, nullptr, false);
  }

  PathFormsService service_;  // outlives the server
  Server server_;
  int port_ = 0;
};

TEST_F(PathFormsTest, AVerbWithAColonIsNotTheShorterVerb) {
  json reply = CallJson("POST", "/v1/things/u1:custom:custom");
  EXPECT_EQ(reply["method"], "DoubleColon");
  EXPECT_EQ(reply["uuid"], "u1");
  reply = CallJson("POST", "/v1/things/u1:custom");
  EXPECT_EQ(reply["method"], "Custom");
  EXPECT_EQ(reply["uuid"], "u1");
  // The shorter verb still takes a value with a colon in it.
  reply = CallJson("POST", "/v1/things/a:b:custom");
  EXPECT_EQ(reply["method"], "Custom");
  EXPECT_EQ(reply["uuid"], "a:b");
}

TEST_F(PathFormsTest, DoubleStarFollowedByLiteralsInsideAVariable) {
  json reply = CallJson("GET", "/a/c/1/2/d/e:verb");
  EXPECT_EQ(reply["method"], "DoubleStarInside");
  EXPECT_EQ(reply["b"], "c/1/2/d");
  EXPECT_EQ(CallJson("GET", "/a/c/d/e:verb")["b"], "c/d");
  reply = CallJson("GET", "/a/x%2Fy/b/c");
  EXPECT_EQ(reply["x"], "a/x%2Fy/b");
  EXPECT_EQ(Call("GET", "/a/c/1/e:verb").status, 404);
}

TEST_F(PathFormsTest, RepeatedPathVariablesAreCommaSeparated) {
  json reply =
      CallJson("GET", "/v1/repeated/1.5,2/3,-4/a,b%2Cc/true,false/AAE=,%2Fw==/SHADE_DARK,1");
  EXPECT_EQ(reply["floats"], json::parse("[1.5, 2]"));
  EXPECT_EQ(reply["longs"], json::parse(R"(["3", "-4"])"));
  // The segment is percent-decoded before it is split: an escaped comma separates items too.
  EXPECT_EQ(reply["strings"], json::parse(R"(["a", "b", "c"])"));
  EXPECT_EQ(reply["flags"], json::parse("[true, false]"));
  EXPECT_EQ(reply["blobs"], json::parse(R"(["AAE=", "/w=="])"));
  EXPECT_EQ(reply["shades"], json::parse(R"(["SHADE_DARK", "SHADE_LIGHT"])"));
}

TEST_F(PathFormsTest, ARepeatedPathVariableWithABadItemIsABadRequest) {
  RawResponse response = Call("GET", "/v1/repeated/1,x/3/a/true/AA==/SHADE_DARK");
  EXPECT_EQ(response.status, 400) << response.body;
  json error = json::parse(response.body, nullptr, false);
  EXPECT_EQ(error.value("code", -1), 3) << response.body;
  EXPECT_NE(error.value("message", "").find("\"x\""), std::string::npos) << response.body;
}

}  // namespace
}  // namespace cppgateway
