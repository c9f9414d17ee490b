// NullSinkConnector: a sink that discards every record and counts them, for benchmarks (the
// pipeline's cost without a target system) and tests. topics / topics.regex are the runtime's.
//
// Threads: the herder's for the connector; see NullSinkTask for the task.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "sluice/connector.h"
#include "sluice/sink_task.h"

namespace sluice::synthetic {

const ConfigDef& null_sink_config_def();

class NullSinkConnector : public SinkConnector {
 public:
  const ConfigDef& config_def() const override { return null_sink_config_def(); }
  void start(const ConfigMap& config, ConnectorContext& context) override;
  // max_tasks copies of the connector's configuration.
  std::vector<ConfigMap> task_configs(int max_tasks) override;
  void stop() override {}
  std::unique_ptr<SinkTask> create_task() override;

 private:
  ConfigMap config_;
};

// Counts what put() receives and drops it; logs the count when stopped.
// Threads: put() on the task thread; stop() from any thread.
class NullSinkTask : public SinkTask {
 public:
  void start(const ConfigMap& config, SinkTaskContext& context) override;
  void put(const std::vector<SinkRecord>& records) override;
  void stop() override;

  std::int64_t discarded() const { return discarded_.load(std::memory_order_relaxed); }

 private:
  std::string task_id_;
  std::atomic<std::int64_t> discarded_{0};
};

}  // namespace sluice::synthetic
