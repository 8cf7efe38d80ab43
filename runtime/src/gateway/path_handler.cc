#include "gateway/path_handler.h"

#include <exception>
#include <utility>

#include "gateway/response_writer.h"

namespace cppgateway {

BufferedPathRequest::BufferedPathRequest(std::shared_ptr<HttpExchange> exchange,
                                         Gateway::PathVariables variables,
                                         const Gateway::PathHandler& handler,
                                         const ServerOptions& options)
    : exchange_(std::move(exchange)),
      variables_(std::move(variables)),
      handler_(handler),
      options_(options) {
  if (exchange_->request().content_length.value_or(0) > options_.max_body_bytes) {
    refused_ = true;
    SendBodyTooLarge(*exchange_, options_, /*close_connection=*/true);
  }
}

bool BufferedPathRequest::OnBody(std::string_view bytes) {
  if (refused_) return true;
  if (body_.size() + bytes.size() > options_.max_body_bytes) {
    refused_ = true;
    std::string().swap(body_);
    SendBodyTooLarge(*exchange_, options_, /*close_connection=*/false);
    return true;
  }
  body_.append(bytes);
  return true;
}

void BufferedPathRequest::OnBodyEnd() {
  if (refused_) return;
  try {
    handler_(exchange_->request(), variables_, std::move(body_), exchange_);
  } catch (const std::exception&) {
    // What went wrong inside is not the client's business. An answer already begun is cut off.
    SendErrorAnswer(*exchange_, options_,
                    grpc::Status(grpc::StatusCode::INTERNAL, "internal error"));
    exchange_->Abort();
  }
}

}  // namespace cppgateway
