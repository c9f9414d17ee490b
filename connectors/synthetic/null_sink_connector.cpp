#include "null_sink_connector.h"

#include <algorithm>

#include "sluice/log.h"

namespace sluice::synthetic {
namespace {
const log::Logger kLog("sluice.connector.synthetic");
}  // namespace

const ConfigDef& null_sink_config_def() {
  static const ConfigDef def;  // nothing to configure: topics are the runtime's
  return def;
}

void NullSinkConnector::start(const ConfigMap& config, ConnectorContext& /*context*/) {
  config_ = config;
}

std::vector<ConfigMap> NullSinkConnector::task_configs(int max_tasks) {
  return std::vector<ConfigMap>(static_cast<std::size_t>(std::max(max_tasks, 1)), config_);
}

std::unique_ptr<SinkTask> NullSinkConnector::create_task() {
  return std::make_unique<NullSinkTask>();
}

void NullSinkTask::start(const ConfigMap& /*config*/, SinkTaskContext& context) {
  task_id_ = context.task_id();
}

void NullSinkTask::put(const std::vector<SinkRecord>& records) {
  discarded_.fetch_add(static_cast<std::int64_t>(records.size()), std::memory_order_relaxed);
  kLog.debug("[{}] discarded {} records", task_id_, records.size());
}

void NullSinkTask::stop() {
  kLog.info("[{}] discarded {} records in all", task_id_, discarded());
}

}  // namespace sluice::synthetic
