#include <catch2/catch.hpp>

#include "runtime/worker_config.h"
#include "sluice/errors.h"

using namespace sluice;
using namespace sluice::runtime;

namespace {
ConfigMap minimal() {
  return {{"key.converter", "org.apache.kafka.connect.json.JsonConverter"},
          {"value.converter", "org.apache.kafka.connect.json.JsonConverter"},
          {"offset.storage.file.filename", "/tmp/offsets"}};
}
}  // namespace

TEST_CASE("A minimal standalone worker config runs on the embedded bus", "[config]") {
  WorkerConfig config(minimal());
  REQUIRE(config.embedded_bus());
  REQUIRE(config.offset_flush_interval_ms() == 60000);
  REQUIRE(config.listeners() == std::vector<std::string>{"http://:8083"});
  REQUIRE(config.worker_id(8083) == "127.0.0.1:8083");
}

TEST_CASE("Unknown worker keys are errors naming the key", "[config]") {
  auto props = minimal();
  props["offset.flush.interval"] = "10";  // a typo of offset.flush.interval.ms
  props["value.converter.schemas.enable"] = "false";  // passes through to the converter
  try {
    WorkerConfig config(props);
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    REQUIRE(e.problems().size() == 1);
    REQUIRE(e.problems()[0].key == "offset.flush.interval");
    REQUIRE_THAT(e.problems()[0].message, Catch::Contains("offset.flush.interval"));
  }
}

TEST_CASE("Every worker config problem is reported at once", "[config]") {
  try {
    WorkerConfig config(ConfigMap{{"offset.flush.interval.ms", "soon"}});
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    std::vector<std::string> keys;
    for (const auto& p : e.problems()) keys.push_back(p.key);
    REQUIRE_THAT(keys, Catch::VectorContains(std::string("key.converter")));
    REQUIRE_THAT(keys, Catch::VectorContains(std::string("value.converter")));
    REQUIRE_THAT(keys, Catch::VectorContains(std::string("offset.storage.file.filename")));
    REQUIRE_THAT(keys, Catch::VectorContains(std::string("offset.flush.interval.ms")));
  }
}

TEST_CASE("rest.advertised.* set the worker id", "[config]") {
  auto props = minimal();
  props["rest.advertised.host.name"] = "worker-1";
  props["rest.advertised.port"] = "9000";
  REQUIRE(WorkerConfig(props).worker_id(8083) == "worker-1:9000");
}

TEST_CASE("Debezium's heartbeat topics are ephemeral on the embedded bus unless configured otherwise", "[config]") {
  REQUIRE(WorkerConfig(minimal()).bus_ephemeral_topics_regex() == R"(__debezium-heartbeat\..*)");
  auto props = minimal();
  props["embedded.bus.ephemeral.topics.regex"] = "";
  REQUIRE(WorkerConfig(props).bus_ephemeral_topics_regex().empty());
  props["embedded.bus.ephemeral.topics.regex"] = "heartbeats(";
  try {
    WorkerConfig config(props);
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    REQUIRE(e.problems().size() == 1);
    REQUIRE(e.problems()[0].key == "embedded.bus.ephemeral.topics.regex");
  }
}
