#include <catch2/catch.hpp>

#include "sluice/log.h"
#include "unit/rest/rest_fixture.h"

using namespace sluice::testing;
using nlohmann::json;

TEST_CASE("GET / reports version, commit and a null kafka_cluster_id on the embedded bus", "[rest]") {
  RestFixture f;
  REQUIRE(f.get_json("/") == json{{"version", "1.2.3"}, {"commit", "abc123"}, {"kafka_cluster_id", nullptr}});
  REQUIRE(f.request("POST", "/").status == 405);
}

TEST_CASE("GET /health answers 200 healthy, 503 starting, 500 unhealthy", "[rest]") {
  RestFixture f;
  auto healthy = f.request("GET", "/health");
  REQUIRE(healthy.status == 200);
  REQUIRE(json::parse(healthy.body) == json{{"status", "healthy"}, {"message", "Worker is healthy"}});
  f.herder.health_status = "starting";
  REQUIRE(f.request("GET", "/health").status == 503);
  f.herder.health_status = "unhealthy";
  auto bad = f.request("GET", "/health");
  REQUIRE(bad.status == 500);
  REQUIRE(json::parse(bad.body)["status"] == "unhealthy");
}

TEST_CASE("GET /metrics answers every task's gauges in Prometheus text format", "[rest]") {
  RestFixture f;
  auto none = f.request("GET", "/metrics");
  REQUIRE(none.status == 200);
  REQUIRE(none.headers["content-type"] == "text/plain; version=0.0.4");
  REQUIRE(none.body.empty());
  {
    std::lock_guard lock(f.herder.mu);
    f.herder.gauges[TaskId{"orders", 0}] = {{"source-record-poll-total", 7.0}, {"slot", std::string("a\"b")}};
    f.herder.gauges[TaskId{"orders", 1}] = {{"source-record-poll-total", 3.0}};
  }
  auto r = f.request("GET", "/metrics");
  REQUIRE(r.status == 200);
  REQUIRE(r.headers["content-type"] == "text/plain; version=0.0.4");
  REQUIRE(r.body ==
          "# TYPE sluice_slot_info gauge\n"
          "sluice_slot_info{connector=\"orders\",task=\"0\",value=\"a\\\"b\"} 1\n"
          "# TYPE sluice_source_record_poll_total gauge\n"
          "sluice_source_record_poll_total{connector=\"orders\",task=\"0\"} 7\n"
          "sluice_source_record_poll_total{connector=\"orders\",task=\"1\"} 3\n");
  REQUIRE(f.request("POST", "/metrics").status == 405);
}

TEST_CASE("GET /connector-plugins lists connectors; connectorsOnly=false adds every kind", "[rest]") {
  RestFixture f;
  auto connectors = f.get_json("/connector-plugins");
  REQUIRE(connectors.size() == 2);
  REQUIRE(connectors[0] ==
          json{{"class", "org.apache.kafka.connect.file.FileStreamSourceConnector"}, {"type", "source"}, {"version", "1.0"}});
  REQUIRE(f.get_json("/connector-plugins?connectorsOnly=true").size() == 2);
  auto all = f.get_json("/connector-plugins?connectorsOnly=false");
  std::vector<std::string> types;
  for (const auto& p : all) types.push_back(p["type"]);
  REQUIRE(types == std::vector<std::string>{"source", "sink", "transformation", "predicate", "converter",
                                            "header_converter"});
  REQUIRE_FALSE(all[2].contains("version"));  // undefined version is omitted
}

TEST_CASE("GET /connector-plugins/{p}/config returns ConfigKeyInfo definitions; 404 for unknown", "[rest]") {
  RestFixture f;
  auto keys = f.get_json("/connector-plugins/FileStreamSource/config");
  REQUIRE(keys.size() == 1);
  REQUIRE(keys[0] == json{{"name", "file"},
                          {"type", "STRING"},
                          {"required", true},
                          {"default_value", nullptr},
                          {"importance", "HIGH"},
                          {"documentation", "Path of the file to read."},
                          {"group", nullptr},
                          {"order", -1},
                          {"width", "NONE"},
                          {"display_name", "file"},
                          {"dependents", json::array()}});
  REQUIRE(f.request("GET", "/connector-plugins/Nope/config").status == 404);
}

TEST_CASE("PUT /connector-plugins/{p}/config/validate is 200 with ConfigInfos even when invalid", "[rest]") {
  RestFixture f;
  auto r = f.request("PUT", "/connector-plugins/FileStreamSink/config/validate",
                     R"({"connector.class":"FileStreamSink","tasks.max":"zero"})");
  REQUIRE(r.status == 200);
  auto infos = json::parse(r.body);
  REQUIRE(infos["name"] == "org.apache.kafka.connect.file.FileStreamSinkConnector");
  REQUIRE(infos["error_count"] == 1);
  REQUIRE(infos["groups"] == json::array({"Common"}));
  REQUIRE(infos["configs"][0]["definition"]["group"] == "Common");
  REQUIRE(infos["configs"][0]["value"] == json{{"name", "file"},
                                               {"value", nullptr},
                                               {"recommended_values", json::array()},
                                               {"errors", {"Missing required configuration \"file\" which has no default value."}},
                                               {"visible", true}});
  REQUIRE(f.herder.last_validated_plugin == "FileStreamSink");
  REQUIRE(f.request("PUT", "/connector-plugins/FileStreamSink/config/validate", R"({"connector.class":"Other"})").status ==
          400);
  REQUIRE(f.request("PUT", "/connector-plugins/FileStreamSink/config/validate", "{x").status == 400);
  REQUIRE(f.request("PUT", "/connector-plugins/FileStreamSink/config/validate", "{}", "text/plain").status == 415);
}

TEST_CASE("Logger levels: list, read, set (answering the loggers changed), 404 for a bad level", "[rest]") {
  RestFixture f;
  static const sluice::log::Logger probe("sluice.resttest.probe");
  auto loggers = f.get_json("/admin/loggers");
  REQUIRE(loggers.contains("root"));
  REQUIRE(loggers["root"].contains("last_modified"));

  auto set = f.request("PUT", "/admin/loggers/sluice.resttest", R"({"level":"DEBUG"})");
  REQUIRE(set.status == 200);
  auto changed = json::parse(set.body);
  REQUIRE(changed.is_array());
  REQUIRE_THAT(changed.dump(), Catch::Contains("sluice.resttest.probe"));
  REQUIRE(probe.enabled(sluice::log::Level::kDebug));
  auto one = f.get_json("/admin/loggers/sluice.resttest.probe");
  REQUIRE(one["level"] == "DEBUG");
  REQUIRE(f.get_json("/admin/loggers")["sluice.resttest"]["level"] == "DEBUG");
  REQUIRE(f.get_json("/admin/loggers")["sluice.resttest"]["last_modified"].is_number());

  auto bad = f.request("PUT", "/admin/loggers/sluice.resttest", R"({"level":"LOUD"})");
  REQUIRE(bad.status == 404);
  REQUIRE(json::parse(bad.body)["message"] == "invalid log level 'LOUD'.");
  REQUIRE(f.request("PUT", "/admin/loggers/sluice.resttest", R"({})").status == 400);
  REQUIRE(f.request("PUT", "/admin/loggers/sluice.resttest", R"({"level":"INFO"})", "text/plain").status == 415);
  REQUIRE(f.request("PUT", "/admin/loggers/sluice.resttest?scope=cluster", R"({"level":"INFO"})").status == 204);
  REQUIRE_FALSE(probe.enabled(sluice::log::Level::kDebug));
  REQUIRE(f.request("PUT", "/admin/loggers/sluice.resttest?scope=worker", R"({"level":"info"})").status == 200);
  REQUIRE(f.request("GET", "/admin/loggers/no.such.logger.anywhere").status == 404);
  REQUIRE(f.get_json("/admin/loggers/root").contains("level"));
}
