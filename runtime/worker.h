// Worker: runs connector instances and task threads on this process. The herder decides what
// runs; the Worker makes it so (Kafka's Worker).
//
// Threads: called by the herder under its lock. Task threads report through the StatusStore and
// their metric groups; metrics() is thread-safe and may be read without the herder's lock.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/bus/embedded_bus.h"
#include "runtime/config_providers.h"
#include "runtime/herder.h"
#include "runtime/metrics_store.h"
#include "runtime/plugin_registry.h"
#include "runtime/status_store.h"
#include "runtime/storage/offset_store.h"
#include "runtime/worker_config.h"
#include "runtime/worker_task.h"

namespace sluice::runtime {

class Worker {
 public:
  Worker(const WorkerConfig& config, const PluginRegistry& registry, const ConfigProviders& providers,
         EmbeddedBus& bus, OffsetStore& offsets, StatusStore& status);
  ~Worker();

  const PluginRegistry& registry() const { return registry_; }
  const ConfigProviders& providers() const { return providers_; }
  // source / sink / unknown for a connector class (name or alias).
  ConnectorType connector_type(const std::string& connector_class) const;

  // Creates and starts a connector instance with its resolved config; throws on failure.
  void start_connector(const std::string& name, const ConfigMap& config, ConnectorContext& context);
  bool connector_running(const std::string& name) const { return connectors_.count(name) > 0; }
  // The running connector's task configs (at most max_tasks); throws on failure.
  std::vector<ConfigMap> connector_task_configs(const std::string& name, int max_tasks);
  // Stops the instance if it runs; never throws.
  void stop_connector(const std::string& name);

  // Starts one task thread. The connector config is the submitted one; both configs are resolved
  // here. Throws when the task cannot be built (its status is then set FAILED by the caller).
  void start_task(const TaskId& id, const ConfigMap& task_config, const ConfigMap& connector_config,
                  TargetState initial_state);
  // Stops these tasks together and waits for them up to task.shutdown.graceful.timeout.ms in total.
  void stop_tasks(const std::vector<TaskId>& ids);
  std::vector<TaskId> tasks_of(const std::string& connector) const;
  void set_target_state(const std::string& connector, TargetState state);
  // The gauges of the tasks running here.
  const MetricsStore& metrics() const { return metrics_; }

  // Stops every task (sinks first, so their final commits release what sources then commit) and
  // every connector.
  void stop_all();

 private:
  const WorkerConfig& config_;
  const PluginRegistry& registry_;
  const ConfigProviders& providers_;
  EmbeddedBus& bus_;
  OffsetStore& offsets_;
  StatusStore& status_;
  std::map<std::string, std::unique_ptr<Connector>> connectors_;
  std::map<TaskId, std::shared_ptr<WorkerTask>> tasks_;
  std::map<TaskId, bool> task_is_sink_;
  MetricsStore metrics_;
};

}  // namespace sluice::runtime
