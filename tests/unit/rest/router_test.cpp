#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "rest/error_mapping.h"
#include "rest/router.h"

using namespace sluice::rest;
using nlohmann::json;

namespace {
HttpResponse text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Router sample_router() {
  Router router;
  router.add("GET", "/connectors", [](const RouteRequest& r) {
    std::string expands;
    for (const auto& e : r.query_all("expand")) expands += e + ",";
    return text(200, expands);
  });
  router.add("GET", "/connectors/{connector}/status", [](const RouteRequest& r) { return text(200, r.param("connector")); });
  router.add("PUT", "/connectors/{connector}/config", [](const RouteRequest& r) { return text(200, r.body()); },
             Body::kJson);
  router.add("POST", "/connectors/{connector}/restart", [](const RouteRequest& r) {
    return text(200, std::to_string(r.query_flag("includeTasks")) + std::to_string(r.query_flag("onlyFailed")));
  });
  return router;
}

HttpResponse call(const Router& router, std::string method, std::string target, std::string body = {},
                  std::string content_type = "application/json") {
  return router.dispatch(HttpRequest{std::move(method), std::move(target), std::move(content_type), std::move(body)});
}
}  // namespace

TEST_CASE("Router matches patterns and decodes each path segment after splitting", "[rest]") {
  auto router = sample_router();
  REQUIRE(call(router, "GET", "/connectors/my-conn/status").body == "my-conn");
  REQUIRE(call(router, "GET", "/connectors/a%2Fb%20c/status").body == "a/b c");
  REQUIRE(call(router, "GET", "/connectors/a+b/status").body == "a+b");
  REQUIRE(call(router, "GET", "/connectors/x/status/").body == "x");
}

TEST_CASE("Router reads repeated and boolean query parameters", "[rest]") {
  auto router = sample_router();
  REQUIRE(call(router, "GET", "/connectors?expand=status&expand=info").body == "status,info,");
  REQUIRE(call(router, "GET", "/connectors").body.empty());
  REQUIRE(call(router, "POST", "/connectors/c/restart?includeTasks=TRUE&onlyFailed=false").body == "10");
  REQUIRE(call(router, "POST", "/connectors/c/restart?onlyFailed=true").body == "01");
  REQUIRE(call(router, "POST", "/connectors/c/restart?includeTasks=yes").body == "00");
}

TEST_CASE("Router answers 404 for unknown paths, 405 for a known path under another method", "[rest]") {
  auto router = sample_router();
  auto missing = call(router, "GET", "/no/such/path");
  REQUIRE(missing.status == 404);
  REQUIRE(json::parse(missing.body) == json{{"error_code", 404}, {"message", "HTTP 404 Not Found"}});
  REQUIRE(call(router, "GET", "/connectors/c/status/extra").status == 404);
  auto wrong = call(router, "DELETE", "/connectors/c/status");
  REQUIRE(wrong.status == 405);
  REQUIRE(json::parse(wrong.body)["error_code"] == 405);
}

TEST_CASE("Router refuses a body route without application/json with 415", "[rest]") {
  auto router = sample_router();
  REQUIRE(call(router, "PUT", "/connectors/c/config", "{}", "text/plain").status == 415);
  REQUIRE(call(router, "PUT", "/connectors/c/config", "{}", "").status == 415);
  REQUIRE(call(router, "PUT", "/connectors/c/config", "{}", "Application/JSON; charset=utf-8").status == 200);
  // Routes without a body do not care (curl -X PUT sends no Content-Type).
  REQUIRE(call(router, "POST", "/connectors/c/restart", "", "").status == 200);
}

TEST_CASE("Router turns a malformed percent-escape into 400", "[rest]") {
  auto router = sample_router();
  REQUIRE(call(router, "GET", "/connectors/a%2/status").status == 400);
  REQUIRE(call(router, "GET", "/connectors/a%zz/status").status == 400);
  REQUIRE(call(router, "GET", "*").status == 400);
  REQUIRE(percent_decode("a%41+b", true) == "aA b");
  REQUIRE(percent_decode("a%41+b", false) == "aA+b");
}

TEST_CASE("is_json_media_type accepts application/json with parameters only", "[rest]") {
  REQUIRE(is_json_media_type("application/json"));
  REQUIRE(is_json_media_type(" application/json ; charset=UTF-8"));
  REQUIRE_FALSE(is_json_media_type("application/jsonx"));
  REQUIRE_FALSE(is_json_media_type("application/x-www-form-urlencoded"));
  REQUIRE_FALSE(is_json_media_type(""));
}
