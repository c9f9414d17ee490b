#include "rest/error_mapping.h"

#include <nlohmann/json.hpp>

#include "runtime/herder_errors.h"
#include "sluice/log.h"

namespace sluice::rest {

namespace {
const log::Logger kLog("sluice.rest");
}  // namespace

HttpResponse error_body(int status, const std::string& message) {
  HttpResponse response;
  response.status = status;
  // Herder messages can carry bytes from user input; never let an invalid UTF-8 sequence turn an
  // error response into a second failure.
  response.body = nlohmann::json{{"error_code", status}, {"message", message}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

HttpResponse error_response(std::exception_ptr error) noexcept {
  try {
    try {
      std::rethrow_exception(error);
    } catch (const RestError& e) {
      return error_body(e.status(), e.what());
    } catch (const runtime::NotFoundError& e) {
      return error_body(404, e.what());
    } catch (const runtime::AlreadyExistsError& e) {
      return error_body(409, e.what());
    } catch (const runtime::ConflictError& e) {
      return error_body(409, e.what());
    } catch (const runtime::BadRequestError& e) {
      return error_body(400, e.what());
    } catch (const runtime::ForbiddenError& e) {
      return error_body(403, e.what());
    } catch (const ConfigError& e) {
      return error_body(400, e.what());
    } catch (const nlohmann::json::exception& e) {
      // Drop the library's "[json.exception.parse_error.101] " tag; the rest says what is wrong.
      std::string_view text = e.what();
      if (auto tag_end = text.find("] "); text.starts_with("[json.exception.") && tag_end != text.npos) {
        text.remove_prefix(tag_end + 2);
      }
      return error_body(400, "Invalid JSON in the request body: " + std::string(text));
    } catch (const std::exception& e) {
      kLog.error("request failed: {}", e.what());
      return error_body(500, e.what());
    } catch (...) {
      kLog.error("request failed with an unknown exception");
      return error_body(500, "Unknown error");
    }
  } catch (...) {
    // Only allocation can fail above; answer with a constant body.
    HttpResponse response;
    response.status = 500;
    response.body = R"({"error_code":500,"message":"Internal error"})";
    return response;
  }
}

}  // namespace sluice::rest
