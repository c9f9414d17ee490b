// The one place where a failure becomes an HTTP status and Kafka Connect's error body
// `{"error_code": <status>, "message": "..."}`.
//
//   NotFoundError 404; AlreadyExistsError, ConflictError 409; BadRequestError 400;
//   ForbiddenError 403; sluice::ConfigError 400 (the message lists every problem);
//   malformed or mistyped JSON (nlohmann::json::exception) 400; RestError its own status;
//   anything else 500 (logged once, here).
#pragma once

#include <exception>
#include <string>

#include "rest/http_message.h"
#include "sluice/errors.h"

namespace sluice::rest {

// A failure the REST layer itself detects (unknown path 404, wrong method 405, wrong media type
// 415, ...), carrying its status.
class RestError : public ConnectError {
 public:
  RestError(int status, std::string message) : ConnectError(std::move(message)), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

// Maps the exception to its response. Never throws.
HttpResponse error_response(std::exception_ptr error) noexcept;

// {"error_code": status, "message": message} as a response.
HttpResponse error_body(int status, const std::string& message);

}  // namespace sluice::rest
