// StandaloneHerder: the control plane of a single worker (Kafka's StandaloneHerder).
//
// Connector configs and target states live in the FileConfigStore (durable when a call returns);
// status lives in the StatusStore. All mutations run under one mutex; work a connector asks for
// from its own threads (task reconfiguration, raise_error) goes through a queue served by the
// herder's own thread, so a connector never calls back into a lock it may already be under.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "runtime/bus/embedded_bus.h"
#include "runtime/herder.h"
#include "runtime/status_store.h"
#include "runtime/storage/config_store.h"
#include "runtime/storage/offset_store.h"
#include "runtime/worker.h"

namespace sluice::runtime {

class StandaloneHerder : public Herder {
 public:
  StandaloneHerder(const WorkerConfig& config, Worker& worker, StatusStore& status, FileConfigStore& configs,
                   OffsetStore& offsets, EmbeddedBus& bus);
  ~StandaloneHerder() override;

  // Starts the herder thread and every stored connector in its target state.
  void start();
  // Stops every task and connector (configs stay stored) and the herder thread.
  void stop();

  ServerInfo server_info() override;
  WorkerHealth health() override;
  std::vector<std::string> connectors() override;
  ConnectorInfo connector_info(const std::string& name) override;
  ConfigMap connector_config(const std::string& name) override;
  PutResult put_connector_config(const std::string& name, const ConfigMap& config, bool allow_replace,
                                 std::optional<TargetState> initial_state) override;
  ConnectorInfo patch_connector_config(const std::string& name,
                                       const std::map<std::string, std::optional<std::string>>& patch) override;
  void delete_connector(const std::string& name) override;
  ConnectorStateInfo connector_status(const std::string& name) override;
  TaskState task_status(const TaskId& id) override;
  std::vector<TaskInfo> task_configs(const std::string& name) override;
  std::vector<TaskMetricsInfo> task_metrics() override;
  void restart_task(const TaskId& id) override;
  std::optional<ConnectorStateInfo> restart_connector(const std::string& name, bool include_tasks,
                                                      bool only_failed) override;
  void pause_connector(const std::string& name) override;
  void resume_connector(const std::string& name) override;
  void stop_connector(const std::string& name) override;
  std::vector<ConnectorOffset> connector_offsets(const std::string& name) override;
  std::string alter_connector_offsets(const std::string& name, const std::vector<ConnectorOffset>& offsets) override;
  std::string reset_connector_offsets(const std::string& name) override;
  std::vector<std::string> connector_active_topics(const std::string& name) override;
  void reset_connector_active_topics(const std::string& name) override;
  std::vector<PluginInfo> plugins(bool connectors_only) override;
  std::vector<ConfigKeyInfo> plugin_config(const std::string& plugin) override;
  ConfigInfos validate_connector_config(const std::string& plugin, const ConfigMap& config) override;

 private:
  class Context;
  struct ConnectorEntry {
    ConfigMap config;
    TargetState target = TargetState::kStarted;
    ConnectorType type = ConnectorType::kUnknown;
    std::vector<ConfigMap> task_configs;  // placeholders restored (never resolved secrets)
    std::unique_ptr<Context> context;
  };

  ConnectorEntry& require_locked(const std::string& name);
  ConnectorInfo info_locked(const std::string& name);
  void start_connector_locked(const std::string& name);
  void start_tasks_locked(const std::string& name);
  void start_task_locked(const TaskId& id);
  void halt_locked(const std::string& name);  // stops tasks and connector instance
  void reconfigure_locked(const std::string& name);
  void persist_locked(const std::string& name);
  std::vector<ConfigMap> generate_task_configs_locked(const std::string& name);
  void require_stopped_locked(const std::string& name);
  bool is_sink_locked(const std::string& name);

  void enqueue(std::function<void()> work);
  void run_queue();

  const WorkerConfig& config_;
  Worker& worker_;
  StatusStore& status_;
  FileConfigStore& configs_;
  OffsetStore& offsets_;
  EmbeddedBus& bus_;

  std::mutex mu_;  // guards connectors_, ready_ and all worker calls
  std::map<std::string, ConnectorEntry> connectors_;
  bool ready_ = false;

  std::mutex queue_mu_;  // guards queue_, queue_stop_
  std::condition_variable queue_cv_;
  std::deque<std::function<void()>> queue_;
  bool queue_stop_ = false;
  std::thread queue_thread_;
};

}  // namespace sluice::runtime
