#include "test_service.h"

#include <grpcpp/alarm.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace cppgateway::testing {

using test::v1::User;

namespace {

// The answers of both implementations, on the context either has.
grpc::Status AnswerGetUser(grpc::ServerContextBase* context,
                           const test::v1::GetUserRequest* request, User* response) {
  const std::string& id = request->user().id();
  if (id == "missing")
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "user \"missing\" not found");
  response->set_id(id);
  response->set_display_name(
      request->user().display_name().empty() ? "user-" + id : request->user().display_name());
  response->set_age(42);
  response->set_favorite_color(test::v1::COLOR_BLUE);
  response->add_tags("a");
  response->add_tags("b");
  if (!request->org().empty()) response->add_tags("org:" + request->org());
  if (request->verbose()) {
    for (const auto& [key, value] : context->client_metadata()) {
      response->add_tags("md:" + std::string(key.data(), key.size()) + "=" +
                         std::string(value.data(), value.size()));
    }
    context->AddInitialMetadata("x-test-header", "h1");
    context->AddTrailingMetadata("x-test-trailer", "t1");
  }
  return grpc::Status::OK;
}

grpc::Status AnswerCreateUser(grpc::ServerContextBase*, const test::v1::CreateUserRequest* request,
                              User* response) {
  if (!request->has_user()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "user is required");
  }
  *response = request->user();
  if (response->id().empty()) response->set_id("u-" + request->request_id());
  return grpc::Status::OK;
}

grpc::Status AnswerUpdateUser(grpc::ServerContextBase*, const test::v1::UpdateUserRequest* request,
                              User* response) {
  *response = request->user();
  for (const std::string& path : request->update_mask().paths()) response->add_tags("mask:" + path);
  return grpc::Status::OK;
}

grpc::Status AnswerDeleteUser(grpc::ServerContextBase*, const test::v1::DeleteUserRequest* request,
                              google::protobuf::Empty*) {
  if (request->id() == "missing") {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "user \"missing\" not found");
  }
  return grpc::Status::OK;
}

grpc::Status AnswerListUsers(grpc::ServerContextBase*, const test::v1::ListUsersRequest* request,
                             test::v1::Page* response) {
  for (int i = 0; i < request->page_size(); ++i)
    response->add_users()->set_id("u" + std::to_string(i));
  response->set_next_page_token("next");
  return grpc::Status::OK;
}

grpc::Status AnswerEcho(grpc::ServerContextBase*, const test::v1::Everything* request,
                        test::v1::Everything* response) {
  *response = *request;
  return grpc::Status::OK;
}

grpc::Status AnswerResource(grpc::ServerContextBase*, const test::v1::ResourceRequest* request,
                            test::v1::ResourceResponse* response) {
  response->set_name(request->name());
  response->set_path(request->path());
  response->set_verb_arg(request->verb_arg());
  return grpc::Status::OK;
}

grpc::Status AnswerFail(grpc::ServerContextBase* context, const test::v1::FailRequest* request,
                        test::v1::FailResponse* response) {
  if (request->http_code() != 0) {
    context->AddInitialMetadata("x-http-code", std::to_string(request->http_code()));
  }
  if (request->code() == 0) {
    response->set_message("ok");
    return grpc::Status::OK;
  }
  if (request->code() == static_cast<int>(grpc::StatusCode::UNAUTHENTICATED)) {
    context->AddInitialMetadata("www-authenticate", "Bearer realm=\"test\"");
  }
  std::string message = request->message().empty()
                            ? "requested failure code " + std::to_string(request->code())
                            : request->message();
  google::rpc::Status details;
  details.set_code(request->code());
  details.set_message(message);
  if (request->with_details()) {
    google::rpc::BadRequest bad_request;
    auto* violation = bad_request.add_field_violations();
    violation->set_field("code");
    violation->set_description("the caller asked for this error");
    details.add_details()->PackFrom(bad_request);
  }
  if (request->unknown_detail()) {
    auto* any = details.add_details();
    any->set_type_url("type.googleapis.com/example.NotKnownHere");
    any->set_value("\x08\x01");
  }
  return grpc::Status(static_cast<grpc::StatusCode>(request->code()), message,
                      details.details_size() > 0 ? details.SerializeAsString() : "");
}

grpc::Status AnswerInternal(grpc::ServerContextBase*, const google::protobuf::Empty*,
                            google::protobuf::Empty*) {
  return grpc::Status::OK;
}

}  // namespace

grpc::Status TestServiceImpl::GetUser(grpc::ServerContext* context,
                                      const test::v1::GetUserRequest* request, User* response) {
  return AnswerGetUser(context, request, response);
}

grpc::Status TestServiceImpl::CreateUser(grpc::ServerContext* context,
                                         const test::v1::CreateUserRequest* request,
                                         User* response) {
  return AnswerCreateUser(context, request, response);
}

grpc::Status TestServiceImpl::UpdateUser(grpc::ServerContext* context,
                                         const test::v1::UpdateUserRequest* request,
                                         User* response) {
  return AnswerUpdateUser(context, request, response);
}

grpc::Status TestServiceImpl::DeleteUser(grpc::ServerContext* context,
                                         const test::v1::DeleteUserRequest* request,
                                         Empty* response) {
  return AnswerDeleteUser(context, request, response);
}

grpc::Status TestServiceImpl::ListUsers(grpc::ServerContext* context,
                                        const test::v1::ListUsersRequest* request,
                                        test::v1::Page* response) {
  return AnswerListUsers(context, request, response);
}

grpc::Status TestServiceImpl::Echo(grpc::ServerContext* context,
                                   const test::v1::Everything* request,
                                   test::v1::Everything* response) {
  return AnswerEcho(context, request, response);
}

grpc::Status TestServiceImpl::Resource(grpc::ServerContext* context,
                                       const test::v1::ResourceRequest* request,
                                       test::v1::ResourceResponse* response) {
  return AnswerResource(context, request, response);
}

grpc::Status TestServiceImpl::Fail(grpc::ServerContext* context,
                                   const test::v1::FailRequest* request,
                                   test::v1::FailResponse* response) {
  return AnswerFail(context, request, response);
}

grpc::Status TestServiceImpl::Internal(grpc::ServerContext* context, const Empty* request,
                                       Empty* response) {
  return AnswerInternal(context, request, response);
}

grpc::Status TestServiceImpl::Slow(grpc::ServerContext* context,
                                   const test::v1::SlowRequest* request, Empty*) {
  ++slow_calls_started_;
  // A deliberately slow method: it polls for cancellation so a cancelled call ends promptly.
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(request->millis());
  while (std::chrono::steady_clock::now() < end) {
    if (context->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ++slow_calls_finished_;
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* CallbackTestServiceImpl::GetUser(grpc::CallbackServerContext* context,
                                                           const test::v1::GetUserRequest* request,
                                                           User* response) {
  return Finished(context, AnswerGetUser(context, request, response));
}

grpc::ServerUnaryReactor* CallbackTestServiceImpl::CreateUser(
    grpc::CallbackServerContext* context, const test::v1::CreateUserRequest* request,
    User* response) {
  return Finished(context, AnswerCreateUser(context, request, response));
}

grpc::ServerUnaryReactor* CallbackTestServiceImpl::UpdateUser(
    grpc::CallbackServerContext* context, const test::v1::UpdateUserRequest* request,
    User* response) {
  return Finished(context, AnswerUpdateUser(context, request, response));
}

grpc::ServerUnaryReactor* CallbackTestServiceImpl::DeleteUser(
    grpc::CallbackServerContext* context, const test::v1::DeleteUserRequest* request,
    Empty* response) {
  return Finished(context, AnswerDeleteUser(context, request, response));
}

grpc::ServerUnaryReactor* CallbackTestServiceImpl::ListUsers(
    grpc::CallbackServerContext* context, const test::v1::ListUsersRequest* request,
    test::v1::Page* response) {
  return Finished(context, AnswerListUsers(context, request, response));
}

grpc::ServerUnaryReactor* CallbackTestServiceImpl::Echo(grpc::CallbackServerContext* context,
                                                        const test::v1::Everything* request,
                                                        test::v1::Everything* response) {
  return Finished(context, AnswerEcho(context, request, response));
}

grpc::ServerUnaryReactor* CallbackTestServiceImpl::Resource(
    grpc::CallbackServerContext* context, const test::v1::ResourceRequest* request,
    test::v1::ResourceResponse* response) {
  return Finished(context, AnswerResource(context, request, response));
}

grpc::ServerUnaryReactor* CallbackTestServiceImpl::Fail(grpc::CallbackServerContext* context,
                                                        const test::v1::FailRequest* request,
                                                        test::v1::FailResponse* response) {
  return Finished(context, AnswerFail(context, request, response));
}

grpc::ServerUnaryReactor* CallbackTestServiceImpl::Internal(grpc::CallbackServerContext* context,
                                                            const Empty* request, Empty* response) {
  return Finished(context, AnswerInternal(context, request, response));
}

grpc::ServerUnaryReactor* CallbackTestServiceImpl::Finished(grpc::CallbackServerContext* context,
                                                            grpc::Status status) {
  if (context->c_call() == nullptr) ++direct_calls_;
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(std::move(status));
  return reactor;
}

class CallbackTestServiceImpl::SlowReactor final : public grpc::ServerUnaryReactor {
 public:
  SlowReactor(CallbackTestServiceImpl& service, grpc::CallbackServerContext& context, int millis)
      : service_(service), context_(context) {
    ++service_.slow_calls_started_;
    alarm_.Set(
        std::chrono::system_clock::now() + std::chrono::milliseconds(millis), [this](bool fired) {
          if (fired) ++service_.slow_calls_finished_;
          Finish(fired ? grpc::Status::OK : grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
        });
  }

  void OnCancel() override {
    if (context_.IsCancelled()) ++service_.slow_cancels_seen_;
    alarm_.Cancel();  // a pending alarm fires at once with fired == false
  }
  void OnDone() override {
    ++service_.slow_calls_done_;
    delete this;
  }

 private:
  CallbackTestServiceImpl& service_;
  grpc::CallbackServerContext& context_;
  grpc::Alarm alarm_;
};

grpc::ServerUnaryReactor* CallbackTestServiceImpl::Slow(grpc::CallbackServerContext* context,
                                                        const test::v1::SlowRequest* request,
                                                        Empty*) {
  return new SlowReactor(*this, *context, request->millis());
}
}  // namespace cppgateway::testing
