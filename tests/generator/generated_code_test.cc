// The golden output compiled (by cppgateway_generate, warnings as errors) and registered in a real
// Gateway: every route it declares is accepted and reaches the gRPC stub.
#include <cppgateway/gateway.h>
#include <cppgateway/http_message.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "golden/library.grpc.pb.h"
#include "golden/library.gw.h"
#include "golden/long_names.grpc.pb.h"
#include "golden/long_names.gw.h"
#include "golden/no_bindings.gw.h"
#include "golden/no_package.grpc.pb.h"
#include "golden/no_package.gw.h"

namespace cppgateway::testing {
namespace {

class GeneratedCodeTest : public ::testing::Test {
 protected:
  // The services' generated bases, without overrides: every call through a registered route
  // answers UNIMPLEMENTED, which proves the route exists and reached the service.
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.RegisterService(&library_service_);
    builder.RegisterService(&long_names_service_);
    builder.RegisterService(&ping_service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    channel_ = server_->InProcessChannel(grpc::ChannelArguments());
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  int Serve(std::string_view method, std::string_view path, std::string_view body = "") {
    HttpRequest request;
    request.method = method;
    request.path = path;
    request.body = body;
    if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
    HttpResponse response;
    gateway_.Serve(request, &response);
    return response.status;
  }

  golden::v1::LibraryService::Service library_service_;
  golden::v1::AServiceWithANameLongEnoughToWrapEveryLine::Service long_names_service_;
  PingService::Service ping_service_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  Gateway gateway_;
};

constexpr int kNotImplemented = 501;  // gRPC UNIMPLEMENTED
constexpr int kNotFound = 404;

TEST_F(GeneratedCodeTest, EveryGoldenRouteReachesTheService) {
  ASSERT_NO_THROW(golden::v1::RegisterLibraryServiceHandlers(gateway_, channel_));
  ASSERT_NO_THROW(golden::v1::RegisterImportServiceHandlers(gateway_, channel_));
  ASSERT_NO_THROW(
      golden::v1::RegisterAServiceWithANameLongEnoughToWrapEveryLineHandlers(gateway_, channel_));
  ASSERT_NO_THROW(RegisterPingServiceHandlers(gateway_, channel_));

  EXPECT_EQ(Serve("GET", "/v1/shelves/s1/books/b1"), kNotImplemented);
  EXPECT_EQ(Serve("GET", "/v1/books/b1/revisions/7"), kNotImplemented);
  EXPECT_EQ(Serve("POST", "/v1/shelves/s1/books", "{}"), kNotImplemented);
  EXPECT_EQ(Serve("PATCH", "/v1/books/b1", "{}"), kNotImplemented);
  EXPECT_EQ(Serve("PUT", "/v1/books/b1", "{}"), kNotImplemented);
  EXPECT_EQ(Serve("GET", "/v1/shelves/s1/books"), kNotImplemented);
  EXPECT_EQ(Serve("POST", "/v1/shelves/s1/books/b1:publish", "{}"), kNotImplemented);
  EXPECT_EQ(Serve("POST", "/v1/publications/2024-01-02T03:04:05Z", "{}"), kNotImplemented);
  EXPECT_EQ(Serve("HEAD", "/v1/books/b1"), kNotImplemented);
  EXPECT_EQ(Serve("GET", "/v1/resources/r1"), kNotImplemented);
  EXPECT_EQ(Serve("GET", "/v1/short"), kNotImplemented);
  EXPECT_EQ(Serve("GET", "/ping/hello"), kNotImplemented);
}

TEST_F(GeneratedCodeTest, StreamingAndUnannotatedMethodsGetNoRoute) {
  golden::v1::RegisterLibraryServiceHandlers(gateway_, channel_);
  golden::v1::RegisterImportServiceHandlers(gateway_, channel_);

  EXPECT_EQ(Serve("POST", "/v1/books:import", "{}"), kNotFound);
  EXPECT_EQ(Serve("POST", "/v1/books:sync", "{}"), kNotFound);
}

}  // namespace
}  // namespace cppgateway::testing
