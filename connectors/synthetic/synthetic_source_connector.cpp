#include "synthetic_source_connector.h"

#include <algorithm>

#include "synthetic_source_task.h"

namespace sluice::synthetic {

const ConfigDef& synthetic_source_config_def() {
  static const ConfigDef def =
      ConfigDef{}
          .define("topic", ConfigType::kString, kRequired, non_empty_string(), Importance::kHigh,
                  "Topic to write the records to.")
          .define("count", ConfigType::kLong, -1, at_least(-1), Importance::kHigh,
                  "Total number of records over all tasks; -1 generates records without end.")
          .define("rate", ConfigType::kDouble, 0.0, at_least(0), Importance::kMedium,
                  "Records per second per task; 0 generates them as fast as they are taken.")
          .define("record.size", ConfigType::kInt, 100, at_least(0), Importance::kMedium,
                  "Length of each record's payload string, in characters.")
          .define("batch.size", ConfigType::kInt, 1000, at_least(1), Importance::kLow,
                  "Most records returned per poll().");
  return def;
}

const ConfigDef& synthetic_task_config_def() {
  static const ConfigDef def =
      ConfigDef{}
          .define(kTaskIndexKey, ConfigType::kInt, 0, at_least(0), Importance::kLow,
                  "This task's index among the connector's tasks (set by the connector).")
          .define(kTaskCountKey, ConfigType::kInt, 1, at_least(1), Importance::kLow,
                  "How many tasks share the ids (set by the connector).")
          .merge(synthetic_source_config_def());
  return def;
}

void SyntheticSourceConnector::start(const ConfigMap& config, ConnectorContext& /*context*/) {
  count_ = synthetic_source_config_def().parse(config).get_long("count");
  config_ = config;
}

std::vector<ConfigMap> SyntheticSourceConnector::task_configs(int max_tasks) {
  std::int64_t tasks = std::max(max_tasks, 1);
  if (count_ >= 0) tasks = std::clamp<std::int64_t>(count_, 1, tasks);
  std::vector<ConfigMap> configs;
  for (std::int64_t i = 0; i < tasks; ++i) {
    ConfigMap task = config_;
    task[kTaskIndexKey] = std::to_string(i);
    task[kTaskCountKey] = std::to_string(tasks);
    configs.push_back(std::move(task));
  }
  return configs;
}

std::unique_ptr<SourceTask> SyntheticSourceConnector::create_task() {
  return std::make_unique<SyntheticSourceTask>();
}

}  // namespace sluice::synthetic
