// embedded.bus.ephemeral.topics.regex through the real worker: a source whose only topic is a
// Debezium-style heartbeat topic nobody reads still commits its offsets; one writing to an
// ordinary unread topic does not.
#include <catch2/catch.hpp>

#include <thread>

#include "integration/worker_fixture.h"

using namespace sluice::testing;
using nlohmann::json;

namespace {
std::string synthetic_json(const std::string& name, const std::string& topic) {
  return json{{"name", name},
              {"config",
               {{"connector.class", "io.sluice.connect.synthetic.SyntheticSourceConnector"},
                {"topic", topic},
                {"count", "100"}}}}
      .dump();
}
}  // namespace

TEST_CASE("Records to an unread heartbeat topic do not hold back the source's offsets", "[system]") {
  WorkerFixture w;
  w.start();
  REQUIRE(w.request("POST", "/connectors", synthetic_json("beats", "__debezium-heartbeat.synth")).status == 201);
  REQUIRE(w.request("POST", "/connectors", synthetic_json("lonely", "unread")).status == 201);
  REQUIRE(w.await_state("beats", "RUNNING"));
  REQUIRE(w.await_state("lonely", "RUNNING"));

  REQUIRE(eventually([&] {
    auto offsets = w.get_json("/connectors/beats/offsets")["offsets"];
    return offsets.size() == 1 && offsets[0]["offset"]["position"] == 100;
  }));
  // The other source sent as much, but its ordinary topic keeps every record for a reader: several
  // flush intervals (200 ms here) later, nothing of it is committed.
  REQUIRE(eventually([&] {
    auto metrics = w.get_json("/connectors/lonely/status")["tasks"][0]["metrics"];
    return metrics.value("source-record-write-total", 0.0) == 100;
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  REQUIRE(w.get_json("/connectors/lonely/offsets")["offsets"].empty());
  REQUIRE(w.process().stop() == 0);
}
