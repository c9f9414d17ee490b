#pragma once

// A Herder that keeps connectors in a map and records what it was asked, so REST tests can check
// both the HTTP side and the call that reached the herder. Names with a meaning:
//   "boom" -> every call on it throws std::runtime_error (500); "untracked" -> topic calls are
//   ForbiddenError; connector.class "Invalid" -> ConfigError with two problems.
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <stdexcept>

#include "runtime/herder.h"
#include "runtime/herder_errors.h"

namespace sluice::testing {

using namespace sluice::runtime;

class FakeHerder : public Herder {
 public:
  struct Connector {
    ConfigMap config;
    TargetState target = TargetState::kStarted;
    std::vector<ConnectorOffset> offsets;
  };

  // Guards everything below.
  std::mutex mu;
  std::map<std::string, Connector> connectors_;
  std::string health_status = "healthy";
  std::optional<TargetState> last_initial_state;
  std::string last_call;
  std::string last_validated_plugin;
  std::vector<std::string> topics_reset;
  std::map<TaskId, MetricValues> gauges;  // what task status and task_metrics() report
  // While true, connectors() blocks (up to 10 s), as a herder busy starting connectors would.
  bool hold_connectors = false;
  std::condition_variable released;

  void release() {
    std::lock_guard lock(mu);
    hold_connectors = false;
    released.notify_all();
  }

  ServerInfo server_info() override { return ServerInfo{"1.2.3", "abc123", ""}; }
  WorkerHealth health() override {
    std::lock_guard lock(mu);
    return WorkerHealth{health_status, "Worker is " + health_status};
  }

  std::vector<std::string> connectors() override {
    std::unique_lock lock(mu);
    released.wait_for(lock, std::chrono::seconds(10), [&] { return !hold_connectors; });
    std::vector<std::string> names;
    for (const auto& [name, c] : connectors_) names.push_back(name);
    return names;
  }

  ConnectorInfo connector_info(const std::string& name) override {
    std::lock_guard lock(mu);
    return info_locked(name);
  }
  ConfigMap connector_config(const std::string& name) override {
    std::lock_guard lock(mu);
    return find(name).config;
  }

  PutResult put_connector_config(const std::string& name, const ConfigMap& config, bool allow_replace,
                                 std::optional<TargetState> initial_state) override {
    std::lock_guard lock(mu);
    last_call = allow_replace ? "put" : "create";
    if (config.count("connector.class") && config.at("connector.class") == "Invalid") {
      throw ConfigError(std::vector<ConfigProblem>{{"tasks.max", "Invalid value zero"},
                                                   {"topics", "Must configure one of topics or topics.regex"}});
    }
    bool exists = connectors_.count(name) > 0;
    if (exists && !allow_replace) throw AlreadyExistsError("Connector " + name + " already exists");
    last_initial_state = initial_state;
    connectors_[name].config = config;
    if (!exists && initial_state) connectors_[name].target = *initial_state;
    return PutResult{!exists, info_locked(name)};
  }

  ConnectorInfo patch_connector_config(const std::string& name,
                                       const std::map<std::string, std::optional<std::string>>& patch) override {
    std::lock_guard lock(mu);
    auto& c = find(name);
    for (const auto& [k, v] : patch) {
      if (v) c.config[k] = *v;
      else c.config.erase(k);
    }
    return info_locked(name);
  }

  void delete_connector(const std::string& name) override {
    std::lock_guard lock(mu);
    find(name);
    connectors_.erase(name);
  }

  ConnectorStateInfo connector_status(const std::string& name) override {
    std::lock_guard lock(mu);
    return status_locked(name, State::kRunning);
  }

  TaskState task_status(const TaskId& id) override {
    std::lock_guard lock(mu);
    find(id.connector);
    if (id.task != 0) throw NotFoundError("Task " + id.to_string() + " not found");
    TaskState t;
    t.id = 0;
    t.state = State::kFailed;
    t.worker_id = "127.0.0.1:8083";
    t.trace = "boom\n\tat somewhere";
    t.metrics = gauges[id];
    return t;
  }

  std::vector<TaskInfo> task_configs(const std::string& name) override {
    std::lock_guard lock(mu);
    return {TaskInfo{TaskId{name, 0}, find(name).config}};
  }

  std::vector<TaskMetricsInfo> task_metrics() override {
    std::lock_guard lock(mu);
    std::vector<TaskMetricsInfo> out;
    for (const auto& [id, values] : gauges) out.push_back({id, values});
    return out;
  }

  void restart_task(const TaskId& id) override {
    std::lock_guard lock(mu);
    find(id.connector);
    if (id.task != 0) throw NotFoundError("Task " + id.to_string() + " not found");
    last_call = "restart_task " + id.to_string();
  }

  std::optional<ConnectorStateInfo> restart_connector(const std::string& name, bool include_tasks,
                                                      bool only_failed) override {
    std::lock_guard lock(mu);
    find(name);
    last_call = "restart " + std::to_string(include_tasks) + std::to_string(only_failed);
    if (!include_tasks && !only_failed) return std::nullopt;
    return status_locked(name, State::kRestarting);
  }

  void pause_connector(const std::string& name) override { set_target(name, TargetState::kPaused, "pause"); }
  void resume_connector(const std::string& name) override { set_target(name, TargetState::kStarted, "resume"); }
  void stop_connector(const std::string& name) override { set_target(name, TargetState::kStopped, "stop"); }

  std::vector<ConnectorOffset> connector_offsets(const std::string& name) override {
    std::lock_guard lock(mu);
    return find(name).offsets;
  }
  std::string alter_connector_offsets(const std::string& name, const std::vector<ConnectorOffset>& offsets) override {
    std::lock_guard lock(mu);
    auto& c = stopped(name);
    for (const auto& o : offsets) {
      std::erase_if(c.offsets, [&](const ConnectorOffset& e) { return e.partition == o.partition; });
      if (o.offset) c.offsets.push_back(o);
    }
    return "The offsets for this connector have been altered successfully";
  }
  std::string reset_connector_offsets(const std::string& name) override {
    std::lock_guard lock(mu);
    stopped(name).offsets.clear();
    return "The offsets for this connector have been reset successfully";
  }

  std::vector<std::string> connector_active_topics(const std::string& name) override {
    std::lock_guard lock(mu);
    find(name);
    if (name == "untracked") throw ForbiddenError("Topic tracking is disabled.");
    return {"lines", "other"};
  }
  void reset_connector_active_topics(const std::string& name) override {
    std::lock_guard lock(mu);
    find(name);
    if (name == "untracked") throw ForbiddenError("Topic tracking is disabled.");
    topics_reset.push_back(name);
  }

  std::vector<PluginInfo> plugins(bool connectors_only) override {
    std::vector<PluginInfo> out{{"org.apache.kafka.connect.file.FileStreamSourceConnector", PluginType::kSource, "1.0"},
                                {"org.apache.kafka.connect.file.FileStreamSinkConnector", PluginType::kSink, "1.0"}};
    if (!connectors_only) {
      out.push_back({"org.apache.kafka.connect.transforms.Cast$Value", PluginType::kTransform, ""});
      out.push_back({"org.apache.kafka.connect.transforms.predicates.HasHeaderKey", PluginType::kPredicate, "1.0"});
      out.push_back({"org.apache.kafka.connect.json.JsonConverter", PluginType::kConverter, "1.0"});
      out.push_back({"org.apache.kafka.connect.storage.SimpleHeaderConverter", PluginType::kHeaderConverter, "1.0"});
    }
    return out;
  }

  std::vector<ConfigKeyInfo> plugin_config(const std::string& plugin) override {
    if (plugin != "FileStreamSource") throw NotFoundError("Unknown plugin " + plugin);
    ConfigKeyInfo key;
    key.name = "file";
    key.type = "STRING";
    key.required = true;
    key.importance = "HIGH";
    key.documentation = "Path of the file to read.";
    key.width = "NONE";
    key.display_name = "file";
    return {key};
  }

  ConfigInfos validate_connector_config(const std::string& plugin, const ConfigMap& config) override {
    {
      std::lock_guard lock(mu);
      last_validated_plugin = plugin;
    }
    if (config.count("connector.class") == 0 || config.at("connector.class") != plugin) {
      throw BadRequestError("Included connector type does not match request type " + plugin);
    }
    ConfigInfos infos;
    infos.name = "org.apache.kafka.connect.file.FileStreamSinkConnector";
    infos.error_count = 1;
    infos.groups = {"Common"};
    ConfigInfo info;
    info.definition = plugin_config("FileStreamSource").front();
    info.definition.group = "Common";
    info.definition.order = 1;
    info.value.name = "file";
    info.value.errors = {"Missing required configuration \"file\" which has no default value."};
    infos.configs.push_back(info);
    return infos;
  }

 private:
  Connector& find(const std::string& name) {
    if (name == "boom") throw std::runtime_error("the herder exploded");
    auto it = connectors_.find(name);
    if (it == connectors_.end()) throw NotFoundError("Connector " + name + " not found");
    return it->second;
  }
  Connector& stopped(const std::string& name) {
    auto& c = find(name);
    if (c.target != TargetState::kStopped) {
      throw BadRequestError("Connectors must be in the STOPPED state before their offsets can be modified.");
    }
    return c;
  }
  void set_target(const std::string& name, TargetState target, const char* call) {
    std::lock_guard lock(mu);
    find(name).target = target;
    last_call = call;
  }
  ConnectorInfo info_locked(const std::string& name) {
    auto& c = find(name);
    ConnectorType type = c.config.count("topics") ? ConnectorType::kSink : ConnectorType::kSource;
    return ConnectorInfo{name, c.config, {TaskId{name, 0}}, type};
  }
  ConnectorStateInfo status_locked(const std::string& name, State state) {
    auto info = info_locked(name);
    ConnectorStateInfo s;
    s.name = name;
    s.type = info.type;
    s.connector.state = state;
    s.connector.worker_id = "127.0.0.1:8083";
    TaskState t;
    t.id = 0;
    t.state = state;
    t.worker_id = "127.0.0.1:8083";
    t.metrics = gauges[TaskId{name, 0}];
    s.tasks.push_back(t);
    return s;
  }
};

}  // namespace sluice::testing
