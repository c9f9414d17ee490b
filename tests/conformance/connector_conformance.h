#pragma once

// The checks every connector passes, applied to the real plugin .so files loaded the way the
// worker loads them (PluginLoader + PluginRegistry). Each <connector>_test.cpp calls them with a
// configuration that works for its connector, then adds its own tests.
//
//   configuration:  validate() reports every missing required key; parse errors name every key
//   tasks:          task_configs(max) returns between 1 and max configurations
//   sources:        records carry a partition and offset; a task started with a committed offset
//                   resumes right after it; stop() from another thread ends a waiting poll()
//   sinks:          put() then pre_commit()/flush() makes the records visible to a new reader
//                   before the task is closed; close() and stop() end the task cleanly
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "runtime/plugin_loader.h"
#include "runtime/plugin_registry.h"
#include "sluice/errors.h"
#include "sluice/plugin.h"

namespace sluice::conformance {

// The plugins under test, loaded once from the build's plugin directory.
inline const runtime::PluginRegistry& plugins() {
  static const runtime::PluginRegistry registry = [] {
    runtime::PluginRegistry r;
    runtime::PluginLoader loader(r);
    for (const char* name : {"libsluice-file.so", "libsluice-synthetic.so"}) {
      runtime::LoadedPlugin loaded;
      runtime::PluginLoadFailure failure;
      std::string path = std::string(SLUICE_CONFORMANCE_PLUGIN_DIR) + "/" + name;
      if (!loader.load_file(path, loaded, failure)) {
        throw std::runtime_error("cannot load " + path + ": " + failure.reason);
      }
    }
    r.finish();
    return r;
  }();
  return registry;
}

class TestConnectorContext : public ConnectorContext {
 public:
  void request_task_reconfiguration() override { ++reconfigurations; }
  void raise_error(const std::string& message) override { errors.push_back(message); }
  const std::string& connector_name() const override { return name; }

  std::string name = "conformance";
  int reconfigurations = 0;
  std::vector<std::string> errors;
};

// Hands out the offsets a test says were committed.
class TestSourceTaskContext : public SourceTaskContext {
 public:
  explicit TestSourceTaskContext(std::map<SourcePartition, SourceOffset> committed = {})
      : committed_(std::move(committed)) {}
  std::optional<SourceOffset> offset(const SourcePartition& partition) override {
    auto it = committed_.find(partition);
    if (it == committed_.end()) return std::nullopt;
    return it->second;
  }
  const std::string& task_id() const override { return id_; }
  void request_commit() override {}

 private:
  std::map<SourcePartition, SourceOffset> committed_;
  std::string id_ = "conformance-0";
};

// errors.tolerance=none: a reported record fails the task.
class TestSinkTaskContext : public SinkTaskContext {
 public:
  std::vector<TopicPartition> assignment() const override { return assigned; }
  void seek(const TopicOffsets& offsets) override { seeks.push_back(offsets); }
  void pause(const std::vector<TopicPartition>&) override {}
  void resume(const std::vector<TopicPartition>&) override {}
  void request_commit() override {}
  void report(const SinkRecord&, const std::exception& error) override {
    throw ConnectError(std::string("reported record: ") + error.what());
  }
  const std::string& task_id() const override { return id_; }

  std::vector<TopicPartition> assigned;
  std::vector<TopicOffsets> seeks;

 private:
  std::string id_ = "conformance-0";
};

// A started source connector and its first task; stops both when it goes away.
struct RunningSource {
  explicit RunningSource(std::map<SourcePartition, SourceOffset> committed)
      : task_context(std::move(committed)) {}

  TestConnectorContext connector_context;
  TestSourceTaskContext task_context;
  std::unique_ptr<SourceConnector> connector;
  std::unique_ptr<SourceTask> task;

  ~RunningSource() {
    if (task) task->stop();
    if (connector) connector->stop();
  }
};

inline std::unique_ptr<RunningSource> start_source(
    const std::string& connector_class, const ConfigMap& config,
    std::map<SourcePartition, SourceOffset> committed = {}, int max_tasks = 1, int task_index = 0) {
  auto running = std::make_unique<RunningSource>(std::move(committed));
  running->connector = plugins().new_source(connector_class);
  running->connector->start(config, running->connector_context);
  auto task_configs = running->connector->task_configs(max_tasks);
  REQUIRE(static_cast<int>(task_configs.size()) > task_index);
  running->task = running->connector->create_task();
  running->task->start(task_configs[static_cast<std::size_t>(task_index)], running->task_context);
  return running;
}

// Polls until at least `wanted` records came back or `timeout` passed.
inline std::vector<SourceRecord> poll_records(SourceTask& task, std::size_t wanted,
                                              std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  std::vector<SourceRecord> out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < wanted && std::chrono::steady_clock::now() < deadline) {
    for (auto& r : task.poll()) out.push_back(std::move(r));
  }
  return out;
}

// What a record says, for comparing records of two task instances.
inline std::string describe(const SourceRecord& r) {
  return r.record.topic + "|" + r.record.key.to_string() + "|" + r.record.value.to_string();
}

// validate({}) reports each required key (and only defined keys); parse({}) names them all.
inline void check_reports_every_missing_required_key(const std::string& connector_class) {
  const runtime::PluginClass* plugin = plugins().find_connector(connector_class);
  REQUIRE(plugin != nullptr);
  std::unique_ptr<Connector> connector;
  if (plugin->type == PluginType::kSource) {
    connector = plugins().new_source(connector_class);
  } else {
    connector = plugins().new_sink(connector_class);
  }
  const ConfigDef& def = connector->config_def();
  for (const auto& key : def.keys()) REQUIRE_FALSE(key.documentation.empty());
  auto values = connector->validate({});
  REQUIRE(values.size() == def.keys().size());
  std::vector<std::string> required;
  for (const auto& key : def.keys()) {
    if (key.default_value.required()) required.push_back(key.name);
  }
  for (const auto& value : values) {
    REQUIRE(def.find(value.name) != nullptr);
    bool is_required = std::find(required.begin(), required.end(), value.name) != required.end();
    INFO("key " << value.name);
    REQUIRE(value.errors.empty() == !is_required);
  }
  if (required.empty()) return;
  try {
    def.parse({});
    FAIL("parse of an empty configuration succeeded");
  } catch (const ConfigError& e) {
    for (const auto& name : required) {
      bool named = std::any_of(e.problems().begin(), e.problems().end(),
                               [&](const ConfigProblem& p) { return p.key == name; });
      INFO("missing key " << name);
      REQUIRE(named);
    }
  }
}

// task_configs(max) gives 1..max tasks for several max values.
inline void check_task_configs_respect_max_tasks(const std::string& connector_class,
                                                 const ConfigMap& config) {
  const runtime::PluginClass* plugin = plugins().find_connector(connector_class);
  REQUIRE(plugin != nullptr);
  for (int max_tasks : {1, 2, 3, 8}) {
    TestConnectorContext context;
    std::unique_ptr<Connector> connector;
    if (plugin->type == PluginType::kSource) {
      connector = plugins().new_source(connector_class);
    } else {
      connector = plugins().new_sink(connector_class);
    }
    connector->start(config, context);
    auto tasks = connector->task_configs(max_tasks);
    INFO("max_tasks " << max_tasks);
    REQUIRE(!tasks.empty());
    REQUIRE(static_cast<int>(tasks.size()) <= max_tasks);
    connector->stop();
  }
}

// Reads `count` records (the source must have at least that many ready), checks each carries a
// partition and an offset, then starts a new task with the offset of a record in the middle
// committed: its first record must be the one right after it, and the rest follow in order.
inline void check_source_resumes_after_committed_offset(const std::string& connector_class,
                                                        const ConfigMap& config, std::size_t count) {
  REQUIRE(count >= 4);
  std::vector<SourceRecord> first;
  {
    auto run = start_source(connector_class, config);
    first = poll_records(*run->task, count);
  }
  REQUIRE(first.size() >= count);
  for (const auto& r : first) {
    REQUIRE_FALSE(r.source_partition.map().empty());
    REQUIRE_FALSE(r.source_offset.empty());
  }
  const std::size_t last_committed = count / 2 - 1;
  const SourceRecord& committed = first[last_committed];
  auto run = start_source(connector_class, config,
                          {{committed.source_partition, committed.source_offset}});
  auto resumed = poll_records(*run->task, count - last_committed - 1);
  REQUIRE(resumed.size() >= count - last_committed - 1);
  for (std::size_t i = 0; i + last_committed + 1 < count; ++i) {
    INFO("record " << i << " after the committed offset");
    REQUIRE(describe(resumed[i]) == describe(first[last_committed + 1 + i]));
    REQUIRE(resumed[i].source_offset == first[last_committed + 1 + i].source_offset);
  }
}

// Starts a task whose poll() has nothing to return (the configuration must make it wait), lets
// a poll() block, and stops the task from this thread: the poll() must come back within `limit`.
// Pick `limit` below the connector's own wait, or the check cannot fail.
inline void check_stop_unblocks_poll(const std::string& connector_class, const ConfigMap& config,
                                     std::chrono::milliseconds limit = std::chrono::milliseconds(1500)) {
  auto run = start_source(connector_class, config);
  SourceTask& task = *run->task;
  // Drain whatever is ready, so the poll below is one that waits.
  for (int i = 0; i < 100 && !task.poll().empty(); ++i) {
  }
  std::atomic<bool> polling{false};
  auto poller = std::async(std::launch::async, [&] {
    polling = true;
    return task.poll().size();
  });
  while (!polling) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(150));  // let poll() reach its wait
  auto stopped_at = std::chrono::steady_clock::now();
  task.stop();
  REQUIRE(poller.wait_for(limit) == std::future_status::ready);
  auto took = std::chrono::steady_clock::now() - stopped_at;
  poller.get();
  INFO("poll returned " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                        << " ms after stop()");
  REQUIRE(took < limit);
  // And every poll after stop() returns at once as well.
  auto again = std::chrono::steady_clock::now();
  task.poll();
  REQUIRE(std::chrono::steady_clock::now() - again < limit);
}

// A started sink connector and its first task, assigned one partition; stops both at the end.
struct RunningSink {
  TestConnectorContext connector_context;
  TestSinkTaskContext task_context;
  std::unique_ptr<SinkConnector> connector;
  std::unique_ptr<SinkTask> task;
  TopicPartition partition{"conformance", 0};

  ~RunningSink() {
    if (task) {
      task->close({partition});
      task->stop();
    }
    if (connector) connector->stop();
  }
};

inline std::unique_ptr<RunningSink> start_sink(const std::string& connector_class, const ConfigMap& config) {
  auto running = std::make_unique<RunningSink>();
  running->connector = plugins().new_sink(connector_class);
  running->connector->start(config, running->connector_context);
  auto task_configs = running->connector->task_configs(1);
  REQUIRE(task_configs.size() == 1);
  running->task = running->connector->create_task();
  running->task_context.assigned = {running->partition};
  running->task->start(task_configs[0], running->task_context);
  running->task->open({running->partition});
  return running;
}

// Sink records for `values` (string schema) at offsets 0..n-1 of the running sink's partition.
inline std::vector<SinkRecord> string_records(const TopicPartition& partition,
                                              const std::vector<std::string>& values,
                                              std::int64_t first_offset = 0) {
  std::vector<SinkRecord> out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    SinkRecord r;
    r.topic = partition.topic;
    r.kafka_partition = partition.partition;
    r.kafka_offset = first_offset + static_cast<std::int64_t>(i);
    r.value_schema = schemas::string();
    r.value = Value(values[i]);
    out.push_back(std::move(r));
  }
  return out;
}

// put() then pre_commit(): the positions returned never pass what was put, and when they cover
// the batch, `read_back` (which looks at the target system from outside, as a new reader would)
// sees every record -- while the task is still open, since a kill -9 gives no close().
// `read_back` may be empty for a sink with nothing to read back (it only checks the lifecycle).
inline void check_sink_put_flush_is_durable(
    const std::string& connector_class, const ConfigMap& config,
    const std::vector<std::string>& values,
    const std::function<std::vector<std::string>()>& read_back) {
  auto run = start_sink(connector_class, config);
  run->task->put(string_records(run->partition, values));
  TopicOffsets current{{run->partition, static_cast<std::int64_t>(values.size())}};
  TopicOffsets committable = run->task->pre_commit(current);
  REQUIRE(committable.size() <= 1);
  if (committable.count(run->partition)) {
    REQUIRE(committable.at(run->partition) <= static_cast<std::int64_t>(values.size()));
  }
  if (read_back && committable.count(run->partition) &&
      committable.at(run->partition) == static_cast<std::int64_t>(values.size())) {
    REQUIRE(read_back() == values);
  }
  run->task->put({});  // an empty batch is fine
}

}  // namespace sluice::conformance
