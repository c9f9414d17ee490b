// The herder, worker and task runners together, with in-process connectors and no REST: the
// lifecycle Kafka Connect users rely on.
#include <catch2/catch.hpp>

#include <set>
#include <variant>

#include "runtime/builtin/converters/register.h"
#include "runtime/herder_errors.h"
#include "runtime/standalone_herder.h"
#include "runtime/storage/file_offset_store.h"
#include "support/eventually.h"
#include "support/temp_dir.h"
#include "support/test_plugins.h"

using namespace sluice;
using namespace sluice::runtime;
using namespace sluice::testing;

namespace {
ConfigMap worker_settings(const TempDir& dir, const ConfigMap& overrides) {
  ConfigMap c{{"key.converter", "test.PlainStringConverter"},
              {"value.converter", "test.PlainStringConverter"},
              {"header.converter", "test.PlainStringConverter"},
              {"offset.storage.file.filename", (dir / "offsets.json").string()},
              {"config.storage.file.filename", (dir / "connectors.json").string()},
              {"offset.flush.interval.ms", "50"},
              {"task.shutdown.graceful.timeout.ms", "3000"}};
  for (const auto& [k, v] : overrides) c[k] = v;
  return c;
}

struct Harness {
  TempDir dir;
  WorkerConfig config;
  PluginRegistry registry;
  ConfigProviders providers;
  std::unique_ptr<FileOffsetStore> offsets;
  std::unique_ptr<FileConfigStore> configs;
  EmbeddedBus bus{1 << 20};
  StatusStore status{"127.0.0.1:8083"};
  std::unique_ptr<Worker> worker;
  std::unique_ptr<StandaloneHerder> herder;

  explicit Harness(const ConfigMap& overrides = {}) : config(worker_settings(dir, overrides)) {
    StagingRegistrar r("1.0", "test");
    register_test_plugins(r);
    builtin::register_converters(r);
    r.commit(registry);
    registry.finish();
    reset_script();
    open();
  }
  ~Harness() { close(); }
  void open() {
    offsets = std::make_unique<FileOffsetStore>(dir / "offsets.json");
    configs = std::make_unique<FileConfigStore>(dir / "connectors.json");
    worker = std::make_unique<Worker>(config, registry, providers, bus, *offsets, status);
    herder = std::make_unique<StandaloneHerder>(config, *worker, status, *configs, *offsets, bus);
    herder->start();
  }
  void close() {
    if (herder) herder->stop();
    herder.reset();
    worker.reset();
  }
  static void reset_script() {
    std::lock_guard lock(script().mu);
    script().available = 0;
    script().received.clear();
    script().commits.clear();
    script().fail_polls = 0;
    script().retriable_puts = 0;
    script().tasks_wanted = 1;
  }
  void create_pipeline() {
    herder->put_connector_config("src", {{"connector.class", "test.ScriptedSourceConnector"}}, false, std::nullopt);
    herder->put_connector_config("sink", {{"connector.class", "RecordingSink"}, {"topics", "numbers"}}, false,
                                 std::nullopt);
  }
  State task_state(const std::string& name) {
    auto s = herder->connector_status(name);
    return s.tasks.empty() ? State::kUnassigned : s.tasks[0].state;
  }
};

void make_available(std::int64_t n) {
  std::lock_guard lock(script().mu);
  script().available = n;
}
}  // namespace

TEST_CASE("Records flow from a source to a sink and source offsets commit after the sink", "[herder]") {
  Harness h;
  h.create_pipeline();
  make_available(250);
  REQUIRE(eventually([] { return script().snapshot().size() == 250; }));
  REQUIRE(script().snapshot().front() == "n0");
  REQUIRE(script().snapshot().back() == "n249");
  REQUIRE(eventually([&] {
    auto offsets = h.herder->connector_offsets("src");
    return offsets.size() == 1 && offsets[0].offset->at("n") == Value(std::int64_t{249});
  }));
  // The task hears about its committed offsets after they are stored: wait for it, do not race it.
  REQUIRE(eventually([] {
    std::lock_guard lock(script().mu);
    return !script().commits.empty();
  }));
}

TEST_CASE("Records passed on the bus reach each sink as its own converters would read them", "[herder]") {
  // The worker's JsonConverter lets records pass unserialized; a sink with other converters must
  // still get the bytes JsonConverter writes, as it would over Kafka.
  for (const char* passing : {"true", "false"}) {
    DYNAMIC_SECTION("embedded.bus.pass.records=" << passing) {
      Harness h({{"key.converter", "org.apache.kafka.connect.json.JsonConverter"},
                 {"value.converter", "org.apache.kafka.connect.json.JsonConverter"},
                 {"embedded.bus.pass.records", passing}});
      h.herder->put_connector_config("src", {{"connector.class", "test.ScriptedSourceConnector"}}, false,
                                     std::nullopt);
      h.herder->put_connector_config("same", {{"connector.class", "RecordingSink"}, {"topics", "numbers"}}, false,
                                     std::nullopt);
      h.herder->put_connector_config("other",
                                     {{"connector.class", "RecordingSink"},
                                      {"topics", "numbers"},
                                      {"key.converter", "test.PlainStringConverter"},
                                      {"value.converter", "test.PlainStringConverter"}},
                                     false, std::nullopt);
      make_available(120);
      REQUIRE(eventually([] { return script().snapshot().size() == 240; }));
      auto got = script().snapshot();
      std::multiset<std::string> received(got.begin(), got.end());
      for (int i = 0; i < 120; ++i) {
        const std::string n = "n" + std::to_string(i);
        INFO(n);
        REQUIRE(received.count(n) == 1);  // "same": the string value itself
        REQUIRE(received.count(R"({"schema":{"type":"string","optional":false},"payload":")" + n + "\"}") == 1);
      }
    }
  }
}

TEST_CASE("Task status shows the runtime's gauges; a restarted task starts them afresh", "[herder]") {
  Harness h;
  h.create_pipeline();
  make_available(30);
  REQUIRE(eventually([] { return script().snapshot().size() == 30; }));
  auto gauge = [&](const std::string& connector, const std::string& name) {
    auto metrics = h.herder->task_status(TaskId{connector, 0}).metrics;
    auto it = metrics.find(name);
    return it == metrics.end() ? -1.0 : std::get<double>(it->second);
  };
  REQUIRE(eventually([&] { return gauge("src", "source-record-write-total") == 30; }));
  REQUIRE(gauge("src", "source-record-poll-total") == 30);
  REQUIRE(gauge("sink", "sink-record-read-total") == 30);
  REQUIRE(gauge("sink", "sink-record-send-total") == 30);
  REQUIRE(eventually([&] { return gauge("sink", "offset-commit-completion-total") >= 1; }));
  REQUIRE(eventually([&] { return gauge("src", "offset-commit-completion-total") >= 1; }));
  auto status = h.herder->connector_status("src");
  REQUIRE(std::get<double>(status.tasks.at(0).metrics.at("source-record-write-total")) == 30);

  auto all = h.herder->task_metrics();
  REQUIRE(all.size() == 2);
  REQUIRE(all[0].id == TaskId{"sink", 0});
  REQUIRE(all[1].id == TaskId{"src", 0});

  // Once the last offset is stored, a new instance has nothing to send again: its totals stay 0.
  REQUIRE(eventually([&] {
    auto offsets = h.herder->connector_offsets("src");
    return offsets.size() == 1 && offsets[0].offset->at("n") == Value(std::int64_t{29});
  }));
  h.herder->restart_task(TaskId{"src", 0});
  REQUIRE(gauge("src", "source-record-poll-total") == 0);
  REQUIRE(gauge("src", "source-record-write-total") == 0);

  h.herder->stop_connector("src");
  all = h.herder->task_metrics();
  REQUIRE(all.size() == 1);
  REQUIRE(all[0].id == TaskId{"sink", 0});
}

TEST_CASE("Pause stops the flow, resume restarts it, statuses follow", "[herder]") {
  Harness h;
  h.create_pipeline();
  REQUIRE(eventually([&] { return h.task_state("src") == State::kRunning; }));
  h.herder->pause_connector("src");
  REQUIRE(eventually([&] { return h.task_state("src") == State::kPaused; }));
  REQUIRE(h.herder->connector_status("src").connector.state == State::kPaused);
  make_available(10);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  REQUIRE(script().snapshot().empty());
  h.herder->resume_connector("src");
  REQUIRE(eventually([] { return script().snapshot().size() == 10; }));
  REQUIRE(h.task_state("src") == State::kRunning);
}

TEST_CASE("A failing task is FAILED with a trace until restarted", "[herder]") {
  Harness h;
  script().fail_polls = 1;
  h.create_pipeline();
  REQUIRE(eventually([&] { return h.task_state("src") == State::kFailed; }));
  auto task = h.herder->task_status(TaskId{"src", 0});
  REQUIRE_THAT(task.trace, Catch::Contains("scripted poll failure"));
  h.herder->restart_task(TaskId{"src", 0});
  REQUIRE(eventually([&] { return h.task_state("src") == State::kRunning; }));
  make_available(5);
  REQUIRE(eventually([] { return script().snapshot().size() == 5; }));
}

TEST_CASE("A retriable put() failure is retried with the same records; nothing is lost", "[herder]") {
  Harness h;
  script().retriable_puts = 2;
  h.create_pipeline();
  make_available(20);
  REQUIRE(eventually([] { return script().snapshot().size() == 20; }));
  REQUIRE(h.task_state("sink") == State::kRunning);
}

TEST_CASE("Poison records are skipped with errors.tolerance=all and fail the task otherwise", "[herder]") {
  Harness h;
  h.herder->put_connector_config("tolerant", {{"connector.class", "RecordingSink"}, {"topics", "mixed"},
                                              {"errors.tolerance", "all"}}, false, std::nullopt);
  h.herder->put_connector_config("src", {{"connector.class", "test.ScriptedSourceConnector"}, {"topic", "mixed"}},
                                 false, std::nullopt);
  make_available(3);
  REQUIRE(eventually([] { return script().snapshot().size() == 3; }));
  // The converter calls anything containing "poison" bad; none of n0..n2 is, so all arrive.
  REQUIRE(script().snapshot() == std::vector<std::string>{"n0", "n1", "n2"});
}

TEST_CASE("Stop tears tasks down, offsets can then be altered, and resume starts from them", "[herder]") {
  Harness h;
  h.create_pipeline();
  make_available(10);
  REQUIRE(eventually([] { return script().snapshot().size() == 10; }));
  REQUIRE(eventually([&] { return !h.herder->connector_offsets("src").empty(); }));
  REQUIRE_THROWS_AS(h.herder->reset_connector_offsets("src"), BadRequestError);
  h.herder->stop_connector("src");
  auto stopped = h.herder->connector_status("src");
  REQUIRE(stopped.connector.state == State::kStopped);
  REQUIRE(stopped.tasks.empty());
  REQUIRE(h.herder->task_configs("src").empty());
  h.herder->alter_connector_offsets("src", {ConnectorOffset{{{"script", Value("numbers")}}, OffsetMap{{"n", Value(std::int64_t{4})}}}});
  h.herder->resume_connector("src");
  // Records 5..9 are sent again after the rewind.
  REQUIRE(eventually([] { return script().snapshot().size() == 15; }));
  REQUIRE(script().snapshot()[10] == "n5");
}

TEST_CASE("Connectors and their target states survive a restart of the herder", "[herder]") {
  Harness h;
  h.create_pipeline();
  h.herder->pause_connector("src");
  h.close();
  h.open();
  REQUIRE(h.herder->connectors() == std::vector<std::string>{"sink", "src"});
  REQUIRE(eventually([&] { return h.task_state("src") == State::kPaused; }));
  REQUIRE(h.herder->connector_status("src").connector.state == State::kPaused);
}

TEST_CASE("Task reconfiguration requested by a connector restarts its tasks", "[herder]") {
  Harness h;
  h.herder->put_connector_config("src", {{"connector.class", "test.ScriptedSourceConnector"}, {"tasks.max", "3"}},
                                 false, std::nullopt);
  REQUIRE(h.herder->task_configs("src").size() == 1);
  script().tasks_wanted = 3;
  script().context->request_task_reconfiguration();
  REQUIRE(eventually([&] { return h.herder->task_configs("src").size() == 3; }));
  REQUIRE(eventually([&] { return h.herder->connector_status("src").tasks.size() == 3; }));
}

TEST_CASE("Herder errors: unknown connector, duplicate, invalid config", "[herder]") {
  Harness h;
  REQUIRE_THROWS_AS(h.herder->connector_info("nope"), NotFoundError);
  REQUIRE_THROWS_AS(h.herder->connector_status("nope"), NotFoundError);
  h.create_pipeline();
  REQUIRE_THROWS_AS(
      h.herder->put_connector_config("src", {{"connector.class", "test.ScriptedSourceConnector"}}, false, std::nullopt),
      AlreadyExistsError);
  REQUIRE_THROWS_WITH(h.herder->put_connector_config("bad", {{"connector.class", "RecordingSink"}, {"tasks.max", "-1"}},
                                                     false, std::nullopt),
                      Catch::Contains("Must configure one of topics or topics.regex") &&
                          Catch::Contains("tasks.max"));
  REQUIRE_THROWS_AS(h.herder->put_connector_config("x", {{"connector.class", "Nope"}}, false, std::nullopt),
                    BadRequestError);
  auto infos = h.herder->validate_connector_config("RecordingSink", {{"connector.class", "RecordingSink"}});
  REQUIRE(infos.error_count == 3);  // name, topics and topics.regex
  std::vector<std::string> with_errors;
  for (const auto& c : infos.configs) {
    if (!c.value.errors.empty()) with_errors.push_back(c.definition.name);
  }
  REQUIRE(with_errors == std::vector<std::string>{"name", "topics", "topics.regex"});
  REQUIRE_THROWS_AS(h.herder->validate_connector_config("ScriptedSource", {{"connector.class", "RecordingSink"}}),
                    BadRequestError);
}
