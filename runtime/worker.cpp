#include "runtime/worker.h"

#include <chrono>

#include <fmt/format.h>

#include "runtime/error_policy.h"
#include "runtime/worker_sink_task.h"
#include "runtime/worker_source_task.h"
#include "sluice/errors.h"
#include "sluice/log.h"

namespace sluice::runtime {

namespace {
const log::Logger kLog("sluice.worker");

std::string get_or(const ConfigMap& config, const std::string& key) {
  auto it = config.find(key);
  return it == config.end() ? std::string() : it->second;
}
}  // namespace

Worker::Worker(const WorkerConfig& config, const PluginRegistry& registry, const ConfigProviders& providers,
               EmbeddedBus& bus, OffsetStore& offsets, StatusStore& status)
    : config_(config), registry_(registry), providers_(providers), bus_(bus), offsets_(offsets), status_(status) {}

Worker::~Worker() { stop_all(); }

ConnectorType Worker::connector_type(const std::string& connector_class) const {
  const PluginClass* c = registry_.find_connector(connector_class);
  if (!c) return ConnectorType::kUnknown;
  return c->type == PluginType::kSink ? ConnectorType::kSink : ConnectorType::kSource;
}

void Worker::start_connector(const std::string& name, const ConfigMap& config, ConnectorContext& context) {
  std::string cls = get_or(config, "connector.class");
  std::unique_ptr<Connector> connector;
  if (connector_type(cls) == ConnectorType::kSink) {
    connector = registry_.new_sink(cls);
  } else {
    connector = registry_.new_source(cls);
  }
  connector->start(providers_.resolve(config), context);
  connectors_[name] = std::move(connector);
  kLog.info("connector {} started ({})", name, cls);
}

std::vector<ConfigMap> Worker::connector_task_configs(const std::string& name, int max_tasks) {
  auto it = connectors_.find(name);
  if (it == connectors_.end()) throw ConnectError("Connector " + name + " is not running");
  auto configs = it->second->task_configs(max_tasks);
  if (static_cast<int>(configs.size()) > max_tasks) {
    throw ConnectError(fmt::format("Connector {} generated {} task configs, more than tasks.max={}", name,
                                   configs.size(), max_tasks));
  }
  return configs;
}

void Worker::stop_connector(const std::string& name) {
  auto it = connectors_.find(name);
  if (it == connectors_.end()) return;
  try {
    it->second->stop();
  } catch (...) {
    kLog.error("connector {} failed while stopping: {}", name, describe_current_exception());
  }
  connectors_.erase(it);
  kLog.info("connector {} stopped", name);
}

void Worker::start_task(const TaskId& id, const ConfigMap& task_config, const ConfigMap& connector_config,
                        TargetState initial_state) {
  ConfigMap resolved = providers_.resolve(connector_config);
  ConfigMap resolved_task = providers_.resolve(task_config);
  std::string cls = get_or(resolved, "connector.class");
  bool sink = connector_type(cls) == ConnectorType::kSink;
  auto components = build_task_components(registry_, config_, resolved, sink);
  auto interval = std::chrono::milliseconds(config_.offset_flush_interval_ms());
  std::shared_ptr<WorkerTask> task;
  if (sink) {
    SinkTaskSettings settings;
    settings.task_config = std::move(resolved_task);
    settings.group = "connect-" + id.connector;
    settings.offset_flush_interval = interval;
    settings.dlq_topic = components.connector_config.get_string("errors.deadletterqueue.topic.name");
    settings.dlq_context_headers = components.connector_config.get_bool("errors.deadletterqueue.context.headers.enable");
    auto plugin_task = registry_.new_sink(cls)->create_task();
    task = std::make_shared<WorkerSinkTask>(id, initial_state, status_, std::move(plugin_task), std::move(components),
                                            std::move(settings), bus_, metrics_.add_task(id));
  } else {
    SourceTaskSettings settings;
    settings.task_config = std::move(resolved_task);
    settings.offset_flush_interval = interval;
    auto plugin_task = registry_.new_source(cls)->create_task();
    task = std::make_shared<WorkerSourceTask>(id, initial_state, status_, std::move(plugin_task),
                                              std::move(components), std::move(settings), bus_, offsets_,
                                              metrics_.add_task(id));
  }
  tasks_[id] = task;
  task_is_sink_[id] = sink;
  task->start();
}

void Worker::stop_tasks(const std::vector<TaskId>& ids) {
  std::vector<std::shared_ptr<WorkerTask>> stopping;
  for (const auto& id : ids) {
    auto it = tasks_.find(id);
    if (it == tasks_.end()) continue;
    it->second->stop();
    stopping.push_back(it->second);
    tasks_.erase(it);
    task_is_sink_.erase(id);
    metrics_.remove_task(id);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(config_.task_shutdown_timeout_ms());
  for (auto& t : stopping) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    t->await_stop(std::max(left, std::chrono::milliseconds(0)));
  }
}

std::vector<TaskId> Worker::tasks_of(const std::string& connector) const {
  std::vector<TaskId> out;
  for (auto it = tasks_.lower_bound(TaskId{connector, 0}); it != tasks_.end() && it->first.connector == connector; ++it) {
    out.push_back(it->first);
  }
  return out;
}

void Worker::set_target_state(const std::string& connector, TargetState state) {
  for (const auto& id : tasks_of(connector)) tasks_.at(id)->transition_to(state);
}

void Worker::stop_all() {
  std::vector<TaskId> sinks, sources;
  for (const auto& [id, is_sink] : task_is_sink_) (is_sink ? sinks : sources).push_back(id);
  stop_tasks(sinks);
  stop_tasks(sources);
  std::vector<std::string> names;
  for (const auto& [name, c] : connectors_) names.push_back(name);
  for (const auto& n : names) stop_connector(n);
}

}  // namespace sluice::runtime
