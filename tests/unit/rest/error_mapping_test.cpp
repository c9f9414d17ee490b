#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "rest/error_mapping.h"
#include "runtime/herder_errors.h"

using namespace sluice;
using nlohmann::json;

namespace {
template <class E>
rest::HttpResponse mapped(E error) {
  return rest::error_response(std::make_exception_ptr(std::move(error)));
}
int status_of(std::exception_ptr e) { return rest::error_response(e).status; }
}  // namespace

TEST_CASE("error_response maps each herder failure to Kafka Connect's status and body", "[rest]") {
  auto not_found = mapped(runtime::NotFoundError("Connector c1 not found"));
  REQUIRE(not_found.status == 404);
  REQUIRE(json::parse(not_found.body) == json{{"error_code", 404}, {"message", "Connector c1 not found"}});
  REQUIRE(mapped(runtime::AlreadyExistsError("exists")).status == 409);
  REQUIRE(mapped(runtime::ConflictError("rebalance")).status == 409);
  REQUIRE(mapped(runtime::BadRequestError("bad")).status == 400);
  REQUIRE(mapped(runtime::ForbiddenError("Topic tracking is disabled.")).status == 403);
  REQUIRE(mapped(rest::RestError(415, "HTTP 415 Unsupported Media Type")).status == 415);
  REQUIRE(mapped(ConnectError("other")).status == 500);
  REQUIRE(mapped(std::runtime_error("oops")).status == 500);
  REQUIRE(json::parse(mapped(std::runtime_error("oops")).body)["message"] == "oops");
  REQUIRE(status_of(std::make_exception_ptr(42)) == 500);
}

TEST_CASE("error_response lists every problem of a ConfigError with 400", "[rest]") {
  auto r = mapped(ConfigError(std::vector<ConfigProblem>{{"tasks.max", "must be at least 1"},
                                                          {"topics", "Must configure one of topics or topics.regex"}}));
  REQUIRE(r.status == 400);
  std::string message = json::parse(r.body)["message"];
  REQUIRE_THAT(message, Catch::Contains("tasks.max"));
  REQUIRE_THAT(message, Catch::Contains("Must configure one of topics or topics.regex"));
}

TEST_CASE("error_response answers malformed or mistyped JSON with 400", "[rest]") {
  std::exception_ptr parse_error;
  try {
    auto j = json::parse("{not json");
    (void)j;
  } catch (...) {
    parse_error = std::current_exception();
  }
  REQUIRE(status_of(parse_error) == 400);
  std::exception_ptr type_error;
  try {
    auto s = json(5).get<std::string>();
    (void)s;
  } catch (...) {
    type_error = std::current_exception();
  }
  REQUIRE(status_of(type_error) == 400);
}

TEST_CASE("error bodies stay valid JSON when the message is not valid UTF-8", "[rest]") {
  auto r = mapped(runtime::NotFoundError(std::string("Connector \xff\xfe not found")));
  REQUIRE(r.status == 404);
  REQUIRE_NOTHROW(json::parse(r.body));
}
