// Task metrics through the real worker: a synthetic source into the null sink, read back from the
// task status endpoints and from GET /metrics as a Prometheus server would scrape it.
#include <catch2/catch.hpp>

#include <regex>
#include <sstream>

#include "integration/worker_fixture.h"

using namespace sluice::testing;
using nlohmann::json;

namespace {
std::string connector_json(const std::string& name, json config) {
  return json{{"name", name}, {"config", std::move(config)}}.dump();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}
}  // namespace

TEST_CASE("Task status and GET /metrics show the runtime's and the plugin's gauges", "[system]") {
  WorkerFixture w;
  w.start();
  REQUIRE(w.request("POST", "/connectors",
                    connector_json("synth", {{"connector.class", "io.sluice.connect.synthetic.SyntheticSourceConnector"},
                                             {"topic", "generated"},
                                             {"count", "200"},
                                             {"batch.size", "50"}}))
              .status == 201);
  REQUIRE(w.request("POST", "/connectors",
                    connector_json("discard", {{"connector.class", "io.sluice.connect.synthetic.NullSinkConnector"},
                                               {"topics", "generated"}}))
              .status == 201);
  REQUIRE(w.await_state("synth", "RUNNING"));
  REQUIRE(w.await_state("discard", "RUNNING"));

  // The source: the runtime's totals and the synthetic task's own gauges, in the connector status.
  json source;
  REQUIRE(eventually([&] {
    source = w.get_json("/connectors/synth/status")["tasks"][0];
    return source["metrics"].value("source-record-write-total", 0.0) == 200 &&
           source["metrics"].value("generator_state", "") == "finished";
  }));
  REQUIRE(source["id"] == 0);
  REQUIRE(source["state"] == "RUNNING");  // Kafka's fields are all still there
  REQUIRE(source["worker_id"].is_string());
  REQUIRE(source["metrics"]["source-record-poll-total"] == 200);
  REQUIRE(source["metrics"]["records_generated"] == 200);
  REQUIRE(source["metrics"]["source-record-poll-batch-size"].is_number());

  // The sink, through the single-task endpoint; its commits release the source's offsets.
  REQUIRE(eventually([&] {
    auto sink = w.get_json("/connectors/discard/tasks/0/status");
    return sink["metrics"].value("sink-record-read-total", 0.0) == 200 &&
           sink["metrics"].value("sink-record-send-total", 0.0) == 200;
  }));
  REQUIRE(eventually([&] {
    auto task = w.get_json("/connectors/synth/tasks/0/status");
    return task["metrics"].value("offset-commit-completion-total", 0.0) >= 1;
  }));

  auto scrape = w.request("GET", "/metrics");
  REQUIRE(scrape.status == 200);
  REQUIRE(scrape.headers["content-type"] == "text/plain; version=0.0.4");
  auto lines = lines_of(scrape.body);
  REQUIRE_THAT(lines, Catch::VectorContains(std::string(R"(sluice_source_record_write_total{connector="synth",task="0"} 200)")));
  REQUIRE_THAT(lines, Catch::VectorContains(std::string(R"(sluice_records_generated{connector="synth",task="0"} 200)")));
  REQUIRE_THAT(lines, Catch::VectorContains(
                          std::string(R"(sluice_generator_state_info{connector="synth",task="0",value="finished"} 1)")));
  REQUIRE_THAT(lines, Catch::VectorContains(std::string(R"(sluice_sink_record_read_total{connector="discard",task="0"} 200)")));
  // Every line is a TYPE comment or a sample in the exposition format's syntax.
  const std::regex sample(R"re(sluice_[a-zA-Z0-9_:]+\{connector="[^"]*",task="\d+"(,value="([^"\\]|\\.)*")?\} \S+)re");
  const std::regex type(R"(# TYPE sluice_[a-zA-Z0-9_:]+ gauge)");
  for (const auto& line : lines) {
    INFO(line);
    REQUIRE((std::regex_match(line, sample) || std::regex_match(line, type)));
  }

  // A stopped connector's tasks are gone from the scrape.
  REQUIRE(w.request("PUT", "/connectors/synth/stop").status == 204);
  REQUIRE(eventually([&] {
    return w.request("GET", "/metrics").body.find("connector=\"synth\"") == std::string::npos;
  }));
  REQUIRE(w.process().stop() == 0);
}
