// SyntheticSourceConnector: generates records, for benchmarks and tests. No external system.
//
// Each record: key int64 (the id); value a struct io.sluice.synthetic.Record {id int64,
// ts Timestamp (1700000000000 + id, so runs are reproducible), name string "name-<id>", payload
// string of record.size 'x'} -- the records bench/transform_convert_loop.cpp builds as its
// baseline. tasks.max tasks share the ids: task i of n emits i, i+n, i+2n, ... below `count`
// (every id, forever, when count = -1), at `rate` records/s per task (0 = as fast as possible).
// Partition {"task": i}, offset {"position": <next id to emit>}: a restarted task continues after
// the last committed record. Changing tasks.max changes which ids a task owns; offsets of the old
// layout are then only approximately right.
//
// Threads: the herder's, one call at a time (see sluice/connector.h).
#pragma once

#include "sluice/connector.h"

namespace sluice::synthetic {

// The connector's options (what users set).
const ConfigDef& synthetic_source_config_def();
// The task's: the connector's plus the task's place in the split, filled in by task_configs().
const ConfigDef& synthetic_task_config_def();

inline constexpr const char* kTaskIndexKey = "task.index";
inline constexpr const char* kTaskCountKey = "task.count";

class SyntheticSourceConnector : public SourceConnector {
 public:
  const ConfigDef& config_def() const override { return synthetic_source_config_def(); }
  void start(const ConfigMap& config, ConnectorContext& context) override;
  // max_tasks tasks, but no more than there are records when count is bounded (and at least one).
  std::vector<ConfigMap> task_configs(int max_tasks) override;
  void stop() override {}
  std::unique_ptr<SourceTask> create_task() override;

 private:
  ConfigMap config_;
  std::int64_t count_ = -1;
};

}  // namespace sluice::synthetic
