#include <catch2/catch.hpp>

#include "unit/rest/rest_fixture.h"

using namespace sluice::testing;
using nlohmann::json;

namespace {
const std::string kSource = R"({"name":"src","config":{"connector.class":"FileStreamSource","file":"/tmp/in","topic":"lines"}})";
}

TEST_CASE("POST /connectors creates a connector: 201, Location and ConnectorInfo", "[rest]") {
  RestFixture f;
  auto r = f.request("POST", "/connectors", kSource);
  REQUIRE(r.status == 201);
  REQUIRE(r.headers["location"] == "/connectors/src");
  REQUIRE(r.headers["content-type"] == "application/json");
  auto info = json::parse(r.body);
  REQUIRE(info["name"] == "src");
  REQUIRE(info["type"] == "source");
  REQUIRE(info["tasks"] == json::array({{{"connector", "src"}, {"task", 0}}}));
  REQUIRE(info["config"]["name"] == "src");  // the name is put into the config
  REQUIRE(info["config"]["topic"] == "lines");
  REQUIRE(f.herder.last_call == "create");
  REQUIRE_FALSE(f.herder.last_initial_state.has_value());

  auto again = f.request("POST", "/connectors", kSource);
  REQUIRE(again.status == 409);
  REQUIRE(json::parse(again.body) == json{{"error_code", 409}, {"message", "Connector src already exists"}});
}

TEST_CASE("POST /connectors reads initial_state, trims the name and checks it against config.name", "[rest]") {
  RestFixture f;
  REQUIRE(f.request("POST", "/connectors", R"({"name":" p ","config":{"connector.class":"X"},"initial_state":"PAUSED"})")
              .status == 201);
  REQUIRE(f.herder.last_initial_state == TargetState::kPaused);
  REQUIRE(f.herder.connectors_.count("p") == 1);
  REQUIRE(f.request("POST", "/connectors", R"({"name":"s","config":{},"initial_state":"STOPPED"})").status == 201);
  REQUIRE(f.herder.last_initial_state == TargetState::kStopped);
  REQUIRE(f.request("POST", "/connectors", R"({"name":"r","config":{},"initial_state":"RUNNING"})").status == 201);
  REQUIRE(f.herder.last_initial_state == TargetState::kStarted);

  REQUIRE(f.request("POST", "/connectors", R"({"name":"q","config":{},"initial_state":"SLEEPING"})").status == 400);
  auto mismatch = f.request("POST", "/connectors", R"({"name":"a","config":{"name":"b"}})");
  REQUIRE(mismatch.status == 400);
  REQUIRE_THAT(json::parse(mismatch.body)["message"].get<std::string>(), Catch::Contains("doesn't match"));
}

TEST_CASE("POST /connectors refuses bodies without name or config and malformed JSON with 400", "[rest]") {
  RestFixture f;
  REQUIRE(f.request("POST", "/connectors", R"({"config":{}})").status == 400);
  REQUIRE(f.request("POST", "/connectors", R"({"name":"x"})").status == 400);
  REQUIRE(f.request("POST", "/connectors", R"({"name":"  ","config":{}})").status == 400);
  REQUIRE(f.request("POST", "/connectors", R"({"name":"x","config":"nope"})").status == 400);
  REQUIRE(f.request("POST", "/connectors", R"({"name":"x","config":{"a":{"b":1}}})").status == 400);
  REQUIRE(f.request("POST", "/connectors", R"([1,2])").status == 400);
  REQUIRE(f.request("POST", "/connectors", R"({"name":5,"config":{}})").status == 400);
  auto malformed = f.request("POST", "/connectors", "{not json");
  REQUIRE(malformed.status == 400);
  REQUIRE(json::parse(malformed.body)["error_code"] == 400);
  REQUIRE_THAT(json::parse(malformed.body)["message"].get<std::string>(),
               Catch::StartsWith("Invalid JSON in the request body: parse error") && !Catch::Contains("json.exception"));
  REQUIRE(f.request("POST", "/connectors", "").status == 400);
  REQUIRE(f.request("POST", "/connectors", kSource, "text/plain").status == 415);
  REQUIRE(f.herder.connectors_.empty());
}

TEST_CASE("POST /connectors answers an invalid config with 400 listing every problem", "[rest]") {
  RestFixture f;
  auto r = f.request("POST", "/connectors", R"({"name":"bad","config":{"connector.class":"Invalid"}})");
  REQUIRE(r.status == 400);
  auto body = json::parse(r.body);
  REQUIRE(body["error_code"] == 400);
  REQUIRE_THAT(body["message"].get<std::string>(), Catch::Contains("tasks.max"));
  REQUIRE_THAT(body["message"].get<std::string>(), Catch::Contains("Must configure one of topics"));
}

TEST_CASE("Numbers and booleans in a config are taken as their text", "[rest]") {
  RestFixture f;
  REQUIRE(f.request("POST", "/connectors", R"({"name":"n","config":{"tasks.max":2,"flag":true}})").status == 201);
  REQUIRE(f.herder.connectors_["n"].config["tasks.max"] == "2");
  REQUIRE(f.herder.connectors_["n"].config["flag"] == "true");
}

TEST_CASE("GET /connectors lists names, or expands status and info", "[rest]") {
  RestFixture f;
  REQUIRE(f.get_json("/connectors") == json::array());
  f.add_connector("b");
  f.add_connector("a", {{"connector.class", "FileStreamSink"}, {"topics", "t"}});
  REQUIRE(f.get_json("/connectors") == json::array({"a", "b"}));

  auto both = f.get_json("/connectors?expand=status&expand=info");
  REQUIRE(both["a"]["status"]["connector"]["state"] == "RUNNING");
  REQUIRE(both["a"]["status"]["type"] == "sink");
  REQUIRE(both["a"]["info"]["config"]["topics"] == "t");
  REQUIRE(both["b"]["info"]["type"] == "source");

  auto status_only = f.get_json("/connectors?expand=status");
  REQUIRE(status_only["a"].contains("status"));
  REQUIRE_FALSE(status_only["a"].contains("info"));
  auto unknown = f.get_json("/connectors?expand=nonsense");
  REQUIRE(unknown == json{{"a", json::object()}, {"b", json::object()}});
}

TEST_CASE("GET /connectors/{c} and /config return ConnectorInfo and the flat config; 404 when missing", "[rest]") {
  RestFixture f;
  f.add_connector("src");
  auto info = f.get_json("/connectors/src");
  REQUIRE(info["name"] == "src");
  REQUIRE(info["config"]["connector.class"] == "FileStreamSource");
  REQUIRE(f.get_json("/connectors/src/config") == json{{"connector.class", "FileStreamSource"}, {"name", "src"}});
  auto missing = f.request("GET", "/connectors/nope");
  REQUIRE(missing.status == 404);
  REQUIRE(json::parse(missing.body) == json{{"error_code", 404}, {"message", "Connector nope not found"}});
  REQUIRE(f.request("GET", "/connectors/nope/config").status == 404);
}

TEST_CASE("Connector names in paths are URL-decoded", "[rest]") {
  RestFixture f;
  f.add_connector("my conn/1");
  REQUIRE(f.get_json("/connectors/my%20conn%2F1")["name"] == "my conn/1");
  auto created = f.request("PUT", "/connectors/new%20one/config", R"({"connector.class":"X"})");
  REQUIRE(created.status == 201);
  REQUIRE(created.headers["location"] == "/connectors/new%20one");
}

TEST_CASE("PUT /connectors/{c}/config creates (201) or updates (200); the name must match", "[rest]") {
  RestFixture f;
  auto created = f.request("PUT", "/connectors/c/config", R"({"connector.class":"FileStreamSource","file":"a"})");
  REQUIRE(created.status == 201);
  REQUIRE(created.headers["location"] == "/connectors/c");
  REQUIRE(json::parse(created.body)["config"]["name"] == "c");
  auto updated = f.request("PUT", "/connectors/c/config", R"({"connector.class":"FileStreamSource","file":"b"})");
  REQUIRE(updated.status == 200);
  REQUIRE(json::parse(updated.body)["config"]["file"] == "b");
  REQUIRE(f.herder.last_call == "put");
  REQUIRE(f.request("PUT", "/connectors/c/config", R"({"name":"other"})").status == 400);
  REQUIRE(f.request("PUT", "/connectors/c/config", R"({"name":"c","x":"1"})").status == 200);
  REQUIRE(f.request("PUT", "/connectors/c/config", R"(["not","a","map"])").status == 400);
  REQUIRE(f.request("PUT", "/connectors/c/config", R"({"a": null})").status == 400);
  REQUIRE(f.request("PUT", "/connectors/c/config", "{", "application/json").status == 400);
  REQUIRE(f.request("PUT", "/connectors/c/config", R"({})", "application/xml").status == 415);
}

TEST_CASE("PATCH /connectors/{c}/config merges and removes keys given as null", "[rest]") {
  RestFixture f;
  f.add_connector("c", {{"connector.class", "X"}, {"batch.size", "10"}, {"keep", "1"}});
  auto r = f.request("PATCH", "/connectors/c/config", R"({"batch.size": null, "new": "v"})");
  REQUIRE(r.status == 200);
  auto config = json::parse(r.body)["config"];
  REQUIRE_FALSE(config.contains("batch.size"));
  REQUIRE(config["new"] == "v");
  REQUIRE(config["keep"] == "1");
  REQUIRE(f.request("PATCH", "/connectors/missing/config", R"({"a":"b"})").status == 404);
  REQUIRE(f.request("PATCH", "/connectors/c/config", R"({"name":"d"})").status == 400);
  REQUIRE(f.request("PATCH", "/connectors/c/config", R"({"a":"b"})", "text/plain").status == 415);
}

TEST_CASE("GET status, tasks and task status have Kafka's shapes", "[rest]") {
  RestFixture f;
  f.add_connector("c");
  auto status = f.get_json("/connectors/c/status");
  // Kafka's fields exactly, plus the task's "metrics" (Kafka's clients ignore unknown fields).
  REQUIRE(status == json{{"name", "c"},
                         {"connector", {{"state", "RUNNING"}, {"worker_id", "127.0.0.1:8083"}}},
                         {"tasks",
                          {{{"id", 0}, {"state", "RUNNING"}, {"worker_id", "127.0.0.1:8083"}, {"metrics", json::object()}}}},
                         {"type", "source"}});
  auto tasks = f.get_json("/connectors/c/tasks");
  REQUIRE(tasks[0]["id"] == json{{"connector", "c"}, {"task", 0}});
  REQUIRE(tasks[0]["config"]["connector.class"] == "FileStreamSource");
  REQUIRE(f.get_json("/connectors/c/tasks-config") ==
          json{{"c-0", {{"connector.class", "FileStreamSource"}, {"name", "c"}}}});
  auto task = f.get_json("/connectors/c/tasks/0/status");
  REQUIRE(task == json{{"id", 0},
                       {"state", "FAILED"},
                       {"worker_id", "127.0.0.1:8083"},
                       {"trace", "boom\n\tat somewhere"},
                       {"metrics", json::object()}});
  REQUIRE(f.request("GET", "/connectors/c/tasks/1/status").status == 404);
  REQUIRE(f.request("GET", "/connectors/c/tasks/x/status").status == 404);
  REQUIRE(f.request("GET", "/connectors/c/tasks/-1/status").status == 404);
  REQUIRE(f.request("GET", "/connectors/nope/status").status == 404);
  REQUIRE(f.request("GET", "/connectors/nope/tasks").status == 404);
}

TEST_CASE("Task status shows the task's gauges as numbers and strings", "[rest]") {
  RestFixture f;
  f.add_connector("c");
  {
    std::lock_guard lock(f.herder.mu);
    f.herder.gauges[TaskId{"c", 0}] = {{"source-record-poll-total", 1200.0},
                                       {"lag_behind_source_ms", 2.5},
                                       {"last_committed_lsn", std::string("0/16B3748")}};
  }
  json expected{{"source-record-poll-total", 1200}, {"lag_behind_source_ms", 2.5}, {"last_committed_lsn", "0/16B3748"}};
  REQUIRE(f.get_json("/connectors/c/status")["tasks"][0]["metrics"] == expected);
  auto task = f.get_json("/connectors/c/tasks/0/status");
  REQUIRE(task["metrics"] == expected);
  REQUIRE(task["state"] == "FAILED");  // Kafka's fields are unchanged beside it
  REQUIRE(task["trace"] == "boom\n\tat somewhere");
}

TEST_CASE("Restarts: 204 legacy, 202 with status for includeTasks/onlyFailed, task restart 204", "[rest]") {
  RestFixture f;
  f.add_connector("c");
  auto legacy = f.request("POST", "/connectors/c/restart");
  REQUIRE(legacy.status == 204);
  REQUIRE(legacy.body.empty());
  REQUIRE(f.herder.last_call == "restart 00");
  auto with_tasks = f.request("POST", "/connectors/c/restart?includeTasks=true&onlyFailed=true");
  REQUIRE(with_tasks.status == 202);
  REQUIRE(f.herder.last_call == "restart 11");
  auto body = json::parse(with_tasks.body);
  REQUIRE(body["connector"]["state"] == "RESTARTING");
  REQUIRE(body["tasks"][0]["state"] == "RESTARTING");
  REQUIRE(f.request("POST", "/connectors/c/restart?onlyFailed=true").status == 202);
  REQUIRE(f.herder.last_call == "restart 01");
  REQUIRE(f.request("POST", "/connectors/nope/restart").status == 404);

  REQUIRE(f.request("POST", "/connectors/c/tasks/0/restart").status == 204);
  REQUIRE(f.herder.last_call == "restart_task c-0");
  REQUIRE(f.request("POST", "/connectors/c/tasks/7/restart").status == 404);
  REQUIRE(f.request("GET", "/connectors/c/restart").status == 405);
}

TEST_CASE("Pause 202, resume 202, stop 204, delete 204 -- without a Content-Type", "[rest]") {
  RestFixture f;
  f.add_connector("c");
  REQUIRE(f.request("PUT", "/connectors/c/pause", "", "").status == 202);
  REQUIRE(f.herder.connectors_["c"].target == TargetState::kPaused);
  REQUIRE(f.request("PUT", "/connectors/c/resume").status == 202);
  REQUIRE(f.herder.connectors_["c"].target == TargetState::kStarted);
  REQUIRE(f.request("PUT", "/connectors/c/stop").status == 204);
  REQUIRE(f.herder.connectors_["c"].target == TargetState::kStopped);
  REQUIRE(f.request("PUT", "/connectors/nope/pause").status == 404);
  REQUIRE(f.request("POST", "/connectors/c/pause").status == 405);
  REQUIRE(f.request("DELETE", "/connectors/c").status == 204);
  REQUIRE(f.request("GET", "/connectors/c").status == 404);
  REQUIRE(f.request("DELETE", "/connectors/c").status == 404);
}

TEST_CASE("Offsets: GET lists them, PATCH alters, DELETE resets, all with KIP-875 bodies", "[rest]") {
  RestFixture f;
  f.add_connector("c");
  REQUIRE(f.get_json("/connectors/c/offsets") == json{{"offsets", json::array()}});

  const std::string alter = R"({"offsets":[{"partition":{"filename":"/tmp/in"},"offset":{"position":42,"x":1.5}}]})";
  auto running = f.request("PATCH", "/connectors/c/offsets", alter);
  REQUIRE(running.status == 400);
  REQUIRE_THAT(json::parse(running.body)["message"].get<std::string>(), Catch::Contains("STOPPED"));
  REQUIRE(f.request("DELETE", "/connectors/c/offsets").status == 400);

  f.herder.stop_connector("c");
  auto altered = f.request("PATCH", "/connectors/c/offsets", alter);
  REQUIRE(altered.status == 200);
  REQUIRE(json::parse(altered.body) == json{{"message", "The offsets for this connector have been altered successfully"}});
  REQUIRE(f.get_json("/connectors/c/offsets") ==
          json::parse(R"({"offsets":[{"partition":{"filename":"/tmp/in"},"offset":{"position":42,"x":1.5}}]})"));

  // offset null removes that partition.
  REQUIRE(f.request("PATCH", "/connectors/c/offsets", R"({"offsets":[{"partition":{"filename":"/tmp/in"},"offset":null}]})")
              .status == 200);
  REQUIRE(f.get_json("/connectors/c/offsets")["offsets"].empty());

  REQUIRE(f.request("PATCH", "/connectors/c/offsets", R"({"offsets":[]})").status == 400);
  REQUIRE(f.request("PATCH", "/connectors/c/offsets", R"({})").status == 400);
  REQUIRE(f.request("PATCH", "/connectors/c/offsets", R"({"offsets":[{"offset":{}}]})").status == 400);
  REQUIRE(f.request("PATCH", "/connectors/c/offsets", "{oops").status == 400);

  auto reset = f.request("DELETE", "/connectors/c/offsets");
  REQUIRE(reset.status == 200);
  REQUIRE(json::parse(reset.body)["message"] == "The offsets for this connector have been reset successfully");
  REQUIRE(f.request("GET", "/connectors/nope/offsets").status == 404);
}

TEST_CASE("Topics: GET is keyed by connector, reset is 202, disabled tracking is 403", "[rest]") {
  RestFixture f;
  f.add_connector("c");
  f.add_connector("untracked");
  REQUIRE(f.get_json("/connectors/c/topics") == json{{"c", {{"topics", {"lines", "other"}}}}});
  REQUIRE(f.request("PUT", "/connectors/c/topics/reset").status == 202);
  REQUIRE(f.herder.topics_reset == std::vector<std::string>{"c"});
  auto forbidden = f.request("GET", "/connectors/untracked/topics");
  REQUIRE(forbidden.status == 403);
  REQUIRE(json::parse(forbidden.body) == json{{"error_code", 403}, {"message", "Topic tracking is disabled."}});
  REQUIRE(f.request("PUT", "/connectors/untracked/topics/reset").status == 403);
}

TEST_CASE("An unexpected herder failure is a 500 with the error body, and the server runs on", "[rest]") {
  RestFixture f;
  auto r = f.request("GET", "/connectors/boom/status");
  REQUIRE(r.status == 500);
  REQUIRE(json::parse(r.body) == json{{"error_code", 500}, {"message", "the herder exploded"}});
  REQUIRE(f.request("GET", "/").status == 200);
}
