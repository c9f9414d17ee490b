// The worker's REST API, driven over HTTP against the real binary: Kafka Connect's paths, shapes
// and status codes, endpoint by endpoint.
#include <catch2/catch.hpp>

#include <fstream>

#include "integration/worker_fixture.h"

using namespace sluice::testing;
using nlohmann::json;

namespace {
void write_lines(const std::filesystem::path& p, int from, int to) {
  std::ofstream out(p, std::ios::app);
  for (int i = from; i < to; ++i) out << "line-" << i << "\n";
}
}  // namespace

TEST_CASE("The worker serves the good plugins and names each broken one with its reason", "[system]") {
  WorkerFixture w;
  w.start();
  auto root = w.get_json("/");
  REQUIRE(root.contains("version"));
  REQUIRE(root.contains("commit"));
  REQUIRE(root["kafka_cluster_id"].is_null());
  REQUIRE(w.get_json("/health")["status"] == "healthy");

  auto plugins = w.get_json("/connector-plugins");
  std::vector<std::string> classes;
  for (const auto& p : plugins) classes.push_back(p["class"]);
  REQUIRE_THAT(classes, Catch::VectorContains(std::string("org.apache.kafka.connect.file.FileStreamSourceConnector")));
  REQUIRE_THAT(classes, Catch::VectorContains(std::string("org.apache.kafka.connect.file.FileStreamSinkConnector")));
  for (const auto& p : plugins) REQUIRE((p["type"] == "source" || p["type"] == "sink"));

  auto all = w.get_json("/connector-plugins?connectorsOnly=false");
  bool has_transform = false, has_converter = false, has_predicate = false;
  for (const auto& p : all) {
    has_transform |= p["type"] == "transformation";
    has_converter |= p["type"] == "converter";
    has_predicate |= p["type"] == "predicate";
  }
  REQUIRE(has_transform);
  REQUIRE(has_converter);
  REQUIRE(has_predicate);

  std::string log = w.process().log();
  REQUIRE_THAT(log, Catch::Contains("libfixture-missing-entry.so refused: not a sluice plugin"));
  REQUIRE_THAT(log, Catch::Contains("libfixture-wrong-abi.so refused: built for plugin ABI"));
  REQUIRE_THAT(log, Catch::Contains("libfixture-throws-in-register.so refused"));
  REQUIRE_THAT(log, Catch::Contains("libfixture-not-a-shared-object.so refused"));
  REQUIRE(w.process().stop() == 0);
}

TEST_CASE("A file pipeline created over REST moves lines and follows the connector lifecycle", "[system]") {
  WorkerFixture w;
  w.start();
  auto input = w.dir() / "input.txt";
  auto output = w.dir() / "output.txt";
  write_lines(input, 0, 100);

  auto created = w.request("POST", "/connectors", file_source_json("src", input.string(), "lines"));
  REQUIRE(created.status == 201);
  REQUIRE(created.headers["location"] == "/connectors/src");
  auto info = json::parse(created.body);
  REQUIRE(info["name"] == "src");
  REQUIRE(info["type"] == "source");
  REQUIRE(info["tasks"] == json::array({{{"connector", "src"}, {"task", 0}}}));
  REQUIRE(w.request("POST", "/connectors", file_source_json("src", input.string(), "lines")).status == 409);

  REQUIRE(w.request("POST", "/connectors", file_sink_json("sink", output.string(), "lines")).status == 201);
  REQUIRE(w.await_state("src", "RUNNING"));
  REQUIRE(w.await_state("sink", "RUNNING"));
  REQUIRE(eventually([&] { return read_lines(output).size() >= 100; }));
  REQUIRE(read_lines(output).front() == "line-0");

  auto listed = w.get_json("/connectors");
  REQUIRE(listed == json::array({"sink", "src"}));
  auto expanded = w.get_json("/connectors?expand=status&expand=info");
  REQUIRE(expanded["src"]["status"]["connector"]["state"] == "RUNNING");
  REQUIRE(expanded["src"]["info"]["config"]["topic"] == "lines");

  SECTION("pause and resume") {
    REQUIRE(w.request("PUT", "/connectors/src/pause").status == 202);
    REQUIRE(w.await_state("src", "PAUSED"));
    write_lines(input, 100, 110);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    REQUIRE(read_lines(output).size() == 100);
    REQUIRE(w.request("PUT", "/connectors/src/resume").status == 202);
    REQUIRE(w.await_state("src", "RUNNING"));
    REQUIRE(eventually([&] { return read_lines(output).size() >= 110; }));
  }

  SECTION("stop, offsets, reset, resume") {
    REQUIRE(w.request("PATCH", "/connectors/src/offsets", R"({"offsets":[]})").status == 400);
    auto not_stopped = w.request("DELETE", "/connectors/src/offsets");
    REQUIRE(not_stopped.status == 400);
    REQUIRE_THAT(json::parse(not_stopped.body)["message"].get<std::string>(),
                 Catch::Contains("Connectors must be in the STOPPED state"));
    REQUIRE(w.request("PUT", "/connectors/src/stop").status == 204);
    REQUIRE(eventually([&] {
      auto s = w.get_json("/connectors/src/status");
      return s["connector"]["state"] == "STOPPED" && s["tasks"].empty();
    }));
    auto offsets = w.get_json("/connectors/src/offsets");
    REQUIRE(offsets["offsets"].size() == 1);
    REQUIRE(offsets["offsets"][0]["partition"]["filename"] == input.string());
    REQUIRE(offsets["offsets"][0]["offset"]["position"].get<std::int64_t>() > 0);

    // Rewind to the start: after resuming, every line is sent again.
    auto altered = w.request("PATCH", "/connectors/src/offsets",
                             json{{"offsets", {{{"partition", {{"filename", input.string()}}},
                                                {"offset", {{"position", 0}}}}}}}
                                 .dump());
    REQUIRE(altered.status == 200);
    REQUIRE_THAT(json::parse(altered.body)["message"].get<std::string>(), Catch::Contains("altered successfully"));
    REQUIRE(w.get_json("/connectors/src/offsets")["offsets"][0]["offset"]["position"] == 0);
    REQUIRE(w.request("PUT", "/connectors/src/resume").status == 202);
    REQUIRE(w.await_state("src", "RUNNING"));
    REQUIRE(eventually([&] { return read_lines(output).size() >= 200; }));

    REQUIRE(w.request("PUT", "/connectors/src/stop").status == 204);
    REQUIRE(eventually([&] { return w.get_json("/connectors/src/status")["connector"]["state"] == "STOPPED"; }));
    auto reset = w.request("DELETE", "/connectors/src/offsets");
    REQUIRE(reset.status == 200);
    REQUIRE(w.get_json("/connectors/src/offsets")["offsets"].empty());
  }

  SECTION("restart, tasks, topics, config update, delete") {
    REQUIRE(w.request("POST", "/connectors/src/restart").status == 204);
    auto restarted = w.request("POST", "/connectors/src/restart?includeTasks=true");
    REQUIRE(restarted.status == 202);
    REQUIRE(json::parse(restarted.body)["connector"]["state"] == "RESTARTING");
    REQUIRE(w.await_state("src", "RUNNING"));
    REQUIRE(w.request("POST", "/connectors/src/tasks/0/restart").status == 204);
    REQUIRE(w.request("POST", "/connectors/src/tasks/7/restart").status == 404);
    // The restart is asynchronous (204 once it is under way), as in Kafka Connect.
    REQUIRE(eventually([&] { return w.get_json("/connectors/src/tasks/0/status")["state"] == "RUNNING"; }));
    auto tasks = w.get_json("/connectors/src/tasks");
    REQUIRE(tasks[0]["id"] == json{{"connector", "src"}, {"task", 0}});
    REQUIRE(tasks[0]["config"]["topic"] == "lines");
    REQUIRE(w.get_json("/connectors/src/topics") == json{{"src", {{"topics", {"lines"}}}}});
    REQUIRE(w.request("PUT", "/connectors/src/topics/reset").status == 202);
    REQUIRE(w.get_json("/connectors/src/topics")["src"]["topics"].empty());

    auto config = w.get_json("/connectors/src/config");
    config["batch.size"] = "10";
    auto updated = w.request("PUT", "/connectors/src/config", config.dump());
    REQUIRE(updated.status == 200);
    REQUIRE(w.get_json("/connectors/src/config")["batch.size"] == "10");
    auto patched = w.request("PATCH", "/connectors/src/config", R"({"batch.size": null})");
    REQUIRE(patched.status == 200);
    REQUIRE_FALSE(w.get_json("/connectors/src/config").contains("batch.size"));
    auto fresh = w.request("PUT", "/connectors/fresh/config",
                           R"({"connector.class":"FileStreamSink","topics":"other","file":")" +
                               (w.dir() / "fresh.txt").string() + R"("})");
    REQUIRE(fresh.status == 201);

    REQUIRE(w.request("DELETE", "/connectors/src").status == 204);
    REQUIRE(w.request("GET", "/connectors/src").status == 404);
    REQUIRE(w.request("GET", "/connectors/src/status").status == 404);
  }
  REQUIRE(w.process().stop() == 0);
}

TEST_CASE("Invalid connector JSON is refused with every field's problem; the worker runs on", "[system]") {
  WorkerFixture w;
  w.start();
  auto bad = w.request("POST", "/connectors",
                       R"({"name":"bad","config":{"connector.class":"FileStreamSink","tasks.max":"zero",
                           "errors.tolerance":"some"}})");
  REQUIRE(bad.status == 400);
  auto body = json::parse(bad.body);
  REQUIRE(body["error_code"] == 400);
  std::string message = body["message"];
  REQUIRE_THAT(message, Catch::Contains("Connector configuration is invalid and contains the following"));
  REQUIRE_THAT(message, Catch::Contains("tasks.max"));
  REQUIRE_THAT(message, Catch::Contains("errors.tolerance"));
  REQUIRE_THAT(message, Catch::Contains("Must configure one of topics or topics.regex"));

  auto validated = w.request("PUT", "/connector-plugins/FileStreamSink/config/validate",
                             R"({"connector.class":"FileStreamSink","tasks.max":"zero"})");
  REQUIRE(validated.status == 200);
  auto infos = json::parse(validated.body);
  REQUIRE(infos["name"] == "org.apache.kafka.connect.file.FileStreamSinkConnector");
  REQUIRE(infos["error_count"].get<int>() >= 2);
  REQUIRE_THAT(infos["groups"].dump(), Catch::Contains("Common"));

  REQUIRE(w.request("POST", "/connectors", "{not json").status == 400);
  REQUIRE(w.request("POST", "/connectors", R"({"name":"x","config":{}})", "text/plain").status == 415);
  REQUIRE(w.request("GET", "/no/such/path").status == 404);
  auto unknown_class = w.request("POST", "/connectors", R"({"name":"u","config":{"connector.class":"NoSuchThing"}})");
  REQUIRE(unknown_class.status == 400);
  REQUIRE(w.request("GET", "/connectors/missing").status == 404);
  auto garbage = raw_exchange(w.port(), std::string("\x16\x03\x01\x00garbage that is not HTTP\r\n\r\n", 34));
  REQUIRE((garbage.empty() || garbage.find(" 400 ") != std::string::npos));
  REQUIRE(w.request("GET", "/").status == 200);
  REQUIRE(w.process().stop() == 0);
}

TEST_CASE("Logger levels can be read and changed at run time", "[system]") {
  WorkerFixture w;
  w.start();
  auto loggers = w.get_json("/admin/loggers");
  REQUIRE(loggers["root"]["level"] == "INFO");
  auto set = w.request("PUT", "/admin/loggers/sluice.worker", R"({"level":"DEBUG"})");
  REQUIRE(set.status == 200);
  REQUIRE(w.get_json("/admin/loggers/sluice.worker")["level"] == "DEBUG");
  REQUIRE(w.request("PUT", "/admin/loggers/sluice.worker", R"({"level":"LOUD"})").status == 404);
  REQUIRE(w.process().stop() == 0);
}
