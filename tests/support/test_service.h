// The implementations of cppgateway.test.v1.TestService that the gateway and end-to-end tests
// call, one with synchronous methods and one with callback methods, answering alike. Each method
// answers in a way a test can check: echoes, chosen status codes, error details.
#pragma once

#include <grpcpp/support/server_callback.h>

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

// The same answers from callback methods (each unary method finishes at once, but Slow), as the
// gateway calls them directly with ServerOptions::direct_calls.
class CallbackTestServiceImpl final : public cppgateway::test::v1::TestService::CallbackService {
 public:
  using Empty = google::protobuf::Empty;
  using Reactor = grpc::ServerUnaryReactor;

  Reactor* GetUser(grpc::CallbackServerContext* context, const test::v1::GetUserRequest* request,
                   test::v1::User* response) override;
  Reactor* CreateUser(grpc::CallbackServerContext* context,
                      const test::v1::CreateUserRequest* request,
                      test::v1::User* response) override;
  Reactor* UpdateUser(grpc::CallbackServerContext* context,
                      const test::v1::UpdateUserRequest* request,
                      test::v1::User* response) override;
  Reactor* DeleteUser(grpc::CallbackServerContext* context,
                      const test::v1::DeleteUserRequest* request, Empty* response) override;
  Reactor* ListUsers(grpc::CallbackServerContext* context,
                     const test::v1::ListUsersRequest* request, test::v1::Page* response) override;
  Reactor* Echo(grpc::CallbackServerContext* context, const test::v1::Everything* request,
                test::v1::Everything* response) override;
  Reactor* Resource(grpc::CallbackServerContext* context, const test::v1::ResourceRequest* request,
                    test::v1::ResourceResponse* response) override;
  Reactor* Fail(grpc::CallbackServerContext* context, const test::v1::FailRequest* request,
                test::v1::FailResponse* response) override;
  // Finishes after `millis` ms (a grpc::Alarm, no thread waits), or at once with CANCELLED when
  // the call is cancelled.
  Reactor* Slow(grpc::CallbackServerContext* context, const test::v1::SlowRequest* request,
                Empty* response) override;
  Reactor* Internal(grpc::CallbackServerContext* context, const Empty* request,
                    Empty* response) override;

  int slow_calls_started() const { return slow_calls_started_.load(); }
  int slow_calls_finished() const { return slow_calls_finished_.load(); }
  // Calls of Slow whose reactor got OnCancel with the context reading as cancelled.
  int slow_cancels_seen() const { return slow_cancels_seen_.load(); }
  // Reactors of Slow that got OnDone.
  int slow_calls_done() const { return slow_calls_done_.load(); }
  // Calls of the other methods with no gRPC call behind their context: the gateway called the
  // method itself.
  int direct_calls() const { return direct_calls_.load(); }

 private:
  class SlowReactor;

  // The reactor of a method whose answer is ready at once.
  Reactor* Finished(grpc::CallbackServerContext* context, grpc::Status status);

  std::atomic<int> direct_calls_{0};
  std::atomic<int> slow_calls_started_{0};
  std::atomic<int> slow_calls_finished_{0};
  std::atomic<int> slow_cancels_seen_{0};
  std::atomic<int> slow_calls_done_{0};
};

}  // namespace cppgateway::testing
