// The implementation of cppgateway.test.v1.TestService that the gateway and end-to-end tests call.
// Each method answers in a way a test can check: echoes, chosen status codes, error details.
#pragma once

#include <atomic>

#include "cppgateway/test/v1/test.grpc.pb.h"

namespace cppgateway::testing {

class TestServiceImpl final : public cppgateway::test::v1::TestService::Service {
 public:
  using Empty = google::protobuf::Empty;

  // User{id, display_name "user-<id>" unless given in the query, age 42, COLOR_BLUE, tags a, b};
  // with `org` a tag "org:<org>"; with `verbose` a tag "md:<key>=<value>" per incoming metadata
  // entry and a response header x-test-header and trailer x-test-trailer. Id "missing" answers
  // NOT_FOUND.
  grpc::Status GetUser(grpc::ServerContext* context, const test::v1::GetUserRequest* request,
                       test::v1::User* response) override;
  // The user as given, id "u-<request_id>" when empty; no user answers INVALID_ARGUMENT.
  grpc::Status CreateUser(grpc::ServerContext* context, const test::v1::CreateUserRequest* request,
                          test::v1::User* response) override;
  // The user as given, with a tag "mask:<path>" per update_mask path.
  grpc::Status UpdateUser(grpc::ServerContext* context, const test::v1::UpdateUserRequest* request,
                          test::v1::User* response) override;
  // Id "missing" answers NOT_FOUND.
  grpc::Status DeleteUser(grpc::ServerContext* context, const test::v1::DeleteUserRequest* request,
                          Empty* response) override;
  // page_size users "u0", "u1", ... and next_page_token "next".
  grpc::Status ListUsers(grpc::ServerContext* context, const test::v1::ListUsersRequest* request,
                         test::v1::Page* response) override;
  // The request, unchanged.
  grpc::Status Echo(grpc::ServerContext* context, const test::v1::Everything* request,
                    test::v1::Everything* response) override;
  // name, path and verb_arg as received.
  grpc::Status Resource(grpc::ServerContext* context, const test::v1::ResourceRequest* request,
                        test::v1::ResourceResponse* response) override;
  // Answers with status `code` (OK answers FailResponse{0, "ok"}); details on request;
  // x-http-code metadata when asked; www-authenticate metadata with UNAUTHENTICATED.
  grpc::Status Fail(grpc::ServerContext* context, const test::v1::FailRequest* request,
                    test::v1::FailResponse* response) override;
  // Takes `millis` ms, or until the call is cancelled (then CANCELLED).
  grpc::Status Slow(grpc::ServerContext* context, const test::v1::SlowRequest* request,
                    Empty* response) override;
  grpc::Status Internal(grpc::ServerContext* context, const Empty* request,
                        Empty* response) override;

  // How many calls of Slow have started (lets a test wait until one is in flight).
  int slow_calls_started() const { return slow_calls_started_.load(); }
  // How many calls of Slow ran to their end.
  int slow_calls_finished() const { return slow_calls_finished_.load(); }

 private:
  std::atomic<int> slow_calls_started_{0};
  std::atomic<int> slow_calls_finished_{0};
};

}  // namespace cppgateway::testing
