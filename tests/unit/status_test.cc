#include "cppgateway/status.h"

#include <google/protobuf/any.pb.h>
#include <google/protobuf/duration.pb.h>
#include <gtest/gtest.h>

#include <climits>
#include <nlohmann/json.hpp>
#include <string>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace cppgateway {
namespace {

using nlohmann::json;

TEST(HttpStatusFromCodeTest, MapsEveryGrpcCode) {
  const int expected[] = {200, 499, 500, 400, 504, 404, 409, 403, 429,
                          400, 409, 400, 501, 500, 503, 500, 401};
  for (int code = 0; code <= 16; ++code) {
    EXPECT_EQ(HttpStatusFromCode(code), expected[code]) << "gRPC code " << code;
  }
}

TEST(HttpStatusFromCodeTest, NamedCodesMatchTheTable) {
  EXPECT_EQ(HttpStatusFromCode(grpc::StatusCode::UNAVAILABLE), 503);
  EXPECT_EQ(HttpStatusFromCode(grpc::StatusCode::UNAUTHENTICATED), 401);
  EXPECT_EQ(HttpStatusFromCode(grpc::StatusCode::CANCELLED), 499);
}

TEST(HttpStatusFromCodeTest, CodesOutsideTheRangeAre500) {
  for (int code : {-1, -100, INT_MIN, 17, 18, 100, INT_MAX}) {
    EXPECT_EQ(HttpStatusFromCode(code), 500) << "gRPC code " << code;
  }
}

// A status carrying `details` the way grpc-status-details-bin does.
grpc::Status StatusWithDetails(grpc::StatusCode code, const std::string& message,
                               const google::rpc::Status& details) {
  return grpc::Status(code, message, details.SerializeAsString());
}

TEST(ErrorBodyTest, PlainStatusHasEmptyDetails) {
  EXPECT_EQ(ErrorBody(grpc::Status(grpc::StatusCode::NOT_FOUND, "no such user")),
            R"({"code":5,"message":"no such user","details":[]})");
  EXPECT_EQ(ErrorBody(grpc::Status::OK), R"({"code":0,"message":"","details":[]})");
}

TEST(ErrorBodyTest, MessageIsEscaped) {
  const std::string message = "say \"hi\"\\ \n\t\x01 </script> \xc3\xa9";
  const std::string body = ErrorBody(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, message));
  const json parsed = json::parse(body);
  EXPECT_EQ(parsed["code"], 3);
  EXPECT_EQ(parsed["message"], message);
  EXPECT_EQ(body.find('\n'), std::string::npos) << body;
}

TEST(ErrorBodyTest, InvalidUtf8StillGivesValidJson) {
  const std::string message = std::string("bad \xff\xfe bytes \xc3 and a nul ") + '\0' + " end";
  const std::string body = ErrorBody(grpc::Status(grpc::StatusCode::INTERNAL, message));
  json parsed;
  ASSERT_NO_THROW(parsed = json::parse(body)) << body;
  const std::string decoded = parsed["message"];
  EXPECT_EQ(decoded.rfind("bad ", 0), 0u);
  EXPECT_NE(decoded.find(" bytes "), std::string::npos);
  EXPECT_NE(decoded.find(std::string(" nul ") + '\0' + " end"), std::string::npos);
}

TEST(ErrorBodyTest, KnownDetailIsProto3Json) {
  google::rpc::BadRequest bad_request;
  auto* violation = bad_request.add_field_violations();
  violation->set_field("user.age");
  violation->set_description("must be positive");
  google::rpc::Status details;
  details.set_code(3);
  details.add_details()->PackFrom(bad_request);

  const json parsed = json::parse(
      ErrorBody(StatusWithDetails(grpc::StatusCode::INVALID_ARGUMENT, "bad age", details)));
  EXPECT_EQ(parsed, json::parse(R"({"code":3,"message":"bad age","details":[
      {"@type":"type.googleapis.com/google.rpc.BadRequest",
       "fieldViolations":[{"field":"user.age","description":"must be positive"}]}]})"));
}

TEST(ErrorBodyTest, WellKnownTypeDetailUsesItsJsonForm) {
  google::protobuf::Duration duration;
  duration.set_seconds(1);
  duration.set_nanos(500000000);
  google::rpc::Status details;
  details.add_details()->PackFrom(duration);
  const json parsed =
      json::parse(ErrorBody(StatusWithDetails(grpc::StatusCode::UNAVAILABLE, "later", details)));
  ASSERT_EQ(parsed["details"].size(), 1u);
  EXPECT_EQ(parsed["details"][0]["@type"], "type.googleapis.com/google.protobuf.Duration");
  EXPECT_EQ(parsed["details"][0]["value"], "1.500s");
}

TEST(ErrorBodyTest, UnknownDetailKeepsBytesAsBase64) {
  google::rpc::Status details;
  google::protobuf::Any* any = details.add_details();
  any->set_type_url("type.googleapis.com/acme.secret.v1.Reason");
  any->set_value(std::string("\x01\x02\x03\xff", 4));
  const json parsed =
      json::parse(ErrorBody(StatusWithDetails(grpc::StatusCode::ABORTED, "no", details)));
  EXPECT_EQ(parsed["details"], json::parse(R"([{"@type":"type.googleapis.com/acme.secret.v1.Reason",
                                                "value":"AQID/w=="}])"));
}

TEST(ErrorBodyTest, KnownTypeWithCorruptBytesFallsBackToBase64) {
  google::rpc::Status details;
  google::protobuf::Any* any = details.add_details();
  any->set_type_url("type.googleapis.com/google.rpc.ErrorInfo");
  any->set_value("\xff\xff");
  const json parsed =
      json::parse(ErrorBody(StatusWithDetails(grpc::StatusCode::INTERNAL, "x", details)));
  EXPECT_EQ(parsed["details"], json::parse(R"([{"@type":"type.googleapis.com/google.rpc.ErrorInfo",
                                                "value":"//8="}])"));
}

TEST(ErrorBodyTest, SeveralDetailsKeepTheirOrder) {
  google::rpc::ErrorInfo info;
  info.set_reason("QUOTA");
  info.set_domain("example.com");
  (*info.mutable_metadata())["limit"] = "10";
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(2);
  google::rpc::Status details;
  details.add_details()->PackFrom(info);
  google::protobuf::Any* unknown = details.add_details();
  unknown->set_type_url("example.com/Unknown");
  unknown->set_value("ab");
  details.add_details()->PackFrom(retry);

  const json parsed = json::parse(
      ErrorBody(StatusWithDetails(grpc::StatusCode::RESOURCE_EXHAUSTED, "slow down", details)));
  ASSERT_EQ(parsed["details"].size(), 3u);
  EXPECT_EQ(parsed["details"][0],
            json::parse(R"({"@type":"type.googleapis.com/google.rpc.ErrorInfo",
      "reason":"QUOTA","domain":"example.com","metadata":{"limit":"10"}})"));
  EXPECT_EQ(parsed["details"][1], json::parse(R"({"@type":"example.com/Unknown","value":"YWI="})"));
  EXPECT_EQ(parsed["details"][2],
            json::parse(R"({"@type":"type.googleapis.com/google.rpc.RetryInfo",
      "retryDelay":"2s"})"));
}

TEST(ErrorBodyTest, UndecodableDetailsGiveAnEmptyList) {
  const grpc::Status status(grpc::StatusCode::INTERNAL, "oops", "\xff\xff\xff not a proto");
  EXPECT_EQ(ErrorBody(status), R"({"code":13,"message":"oops","details":[]})");
}

TEST(ErrorBodyTest, BodyIsCompact) {
  google::rpc::BadRequest bad_request;
  bad_request.add_field_violations()->set_field("a");
  google::rpc::Status details;
  details.add_details()->PackFrom(bad_request);
  const std::string body =
      ErrorBody(StatusWithDetails(grpc::StatusCode::INVALID_ARGUMENT, "m", details));
  EXPECT_EQ(body, R"({"code":3,"message":"m","details":[{"@type":"type.googleapis.com/google.rpc.)"
                  R"(BadRequest","fieldViolations":[{"field":"a","description":""}]}]})");
}

}  // namespace
}  // namespace cppgateway
