// Herder: the control plane a REST server (or a test) drives.
//
// The REST layer is a thin adapter over this interface (Kafka's ConnectorsResource over Herder).
// Every method is synchronous and thread-safe; it may block while connectors start or tasks
// stop (bounded by task.shutdown.graceful.timeout.ms), so callers must not run it on a thread
// that others wait on. Failures are thrown as the exception types in herder_errors.h (or
// sluice::ConfigError / ConnectError), mapped to HTTP status codes in exactly one place,
// rest/error_mapping.cpp.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sluice/config_def.h"
#include "sluice/plugin.h"
#include "sluice/record.h"

namespace sluice::runtime {

enum class TargetState { kStarted, kPaused, kStopped };
// Kafka Connect's runtime states as shown by the status endpoints.
enum class State { kUnassigned, kRunning, kPaused, kStopped, kFailed, kRestarting };
enum class ConnectorType { kSource, kSink, kUnknown };

// Kafka Connect's spellings: "RUNNING", ...; "STARTED", "PAUSED", "STOPPED"; "source", "sink", "unknown".
inline const char* state_name(State state) {
  switch (state) {
    case State::kUnassigned: return "UNASSIGNED";
    case State::kRunning: return "RUNNING";
    case State::kPaused: return "PAUSED";
    case State::kStopped: return "STOPPED";
    case State::kFailed: return "FAILED";
    case State::kRestarting: return "RESTARTING";
  }
  return "UNASSIGNED";
}

inline const char* target_state_name(TargetState state) {
  switch (state) {
    case TargetState::kStarted: return "STARTED";
    case TargetState::kPaused: return "PAUSED";
    case TargetState::kStopped: return "STOPPED";
  }
  return "STARTED";
}

inline const char* connector_type_name(ConnectorType type) {
  switch (type) {
    case ConnectorType::kSource: return "source";
    case ConnectorType::kSink: return "sink";
    case ConnectorType::kUnknown: return "unknown";
  }
  return "unknown";
}

struct TaskId {
  std::string connector;
  int task = 0;
  // "orders-0"
  std::string to_string() const { return connector + "-" + std::to_string(task); }
  bool operator==(const TaskId& o) const { return task == o.task && connector == o.connector; }
  bool operator<(const TaskId& o) const {
    return connector < o.connector || (connector == o.connector && task < o.task);
  }
};

// GET /connectors/{c}, POST/PUT/PATCH responses.
struct ConnectorInfo {
  std::string name;
  ConfigMap config;  // as submitted: config-provider placeholders unresolved
  std::vector<TaskId> tasks;
  ConnectorType type = ConnectorType::kUnknown;
};

struct StateInfo {
  State state = State::kUnassigned;
  std::string worker_id;
  std::string trace;  // empty unless FAILED
};

// A task gauge (sluice/task_metrics.h): a number, or a text set with set_text().
using MetricValue = std::variant<double, std::string>;
using MetricValues = std::map<std::string, MetricValue>;

struct TaskState : StateInfo {
  int id = 0;
  MetricValues metrics;  // the running instance's gauges; empty when it does not run here
};

// GET /metrics: one task's gauges.
struct TaskMetricsInfo {
  TaskId id;
  MetricValues metrics;
};

// GET /connectors/{c}/status
struct ConnectorStateInfo {
  std::string name;
  StateInfo connector;
  std::vector<TaskState> tasks;
  ConnectorType type = ConnectorType::kUnknown;
};

// GET /connectors/{c}/tasks
struct TaskInfo {
  TaskId id;
  ConfigMap config;  // secrets from config providers are not shown resolved
};

// GET /connector-plugins
struct PluginInfo {
  std::string class_name;
  PluginType type;
  std::string version;  // empty = undefined (omitted in JSON)
};

// One entry of PUT /connector-plugins/{p}/config/validate's "configs", and (definition only) of
// GET /connector-plugins/{p}/config.
struct ConfigKeyInfo {
  std::string name;
  std::string type;  // "STRING", ...
  bool required = false;
  std::optional<std::string> default_value;
  std::string importance;  // "HIGH", ...
  std::string documentation;
  std::string group;  // empty = null
  int order = -1;
  std::string width;  // "NONE", ...
  std::string display_name;
  std::vector<std::string> dependents;
};

struct ConfigValueInfo {
  std::string name;
  std::optional<std::string> value;  // PASSWORD values are "[hidden]"
  std::vector<std::string> recommended_values;
  std::vector<std::string> errors;
  bool visible = true;
};

struct ConfigInfo {
  ConfigKeyInfo definition;
  ConfigValueInfo value;
};

struct ConfigInfos {
  std::string name;  // the connector class
  int error_count = 0;
  std::vector<std::string> groups;
  std::vector<ConfigInfo> configs;
};

// One entry of GET /connectors/{c}/offsets. Source: partition/offset are the connector's maps.
// Sink: partition {"kafka_topic": t, "kafka_partition": p}, offset {"kafka_offset": o}.
struct ConnectorOffset {
  OffsetMap partition;
  std::optional<OffsetMap> offset;  // nullopt in a PATCH request = reset this partition
};

// GET /health
struct WorkerHealth {
  std::string status;  // "healthy", "starting", "unhealthy"
  std::string message;
};

// GET /
struct ServerInfo {
  std::string version;
  std::string commit;
  std::string kafka_cluster_id;  // empty = null (embedded bus)
};

class Herder {
 public:
  virtual ~Herder() = default;

  virtual ServerInfo server_info() = 0;
  virtual WorkerHealth health() = 0;

  virtual std::vector<std::string> connectors() = 0;
  // Throws NotFoundError.
  virtual ConnectorInfo connector_info(const std::string& name) = 0;
  virtual ConfigMap connector_config(const std::string& name) = 0;

  struct PutResult {
    bool created = false;
    ConnectorInfo info;
  };
  // Creates or (if allow_replace) updates a connector after validating its config (ConfigError
  // with every problem -> 400). `initial_state` applies to a new connector only.
  // Throws AlreadyExistsError when it exists and !allow_replace.
  virtual PutResult put_connector_config(const std::string& name, const ConfigMap& config,
                                         bool allow_replace,
                                         std::optional<TargetState> initial_state) = 0;
  // KIP-477: a nullopt value removes the key. Throws NotFoundError.
  virtual ConnectorInfo patch_connector_config(
      const std::string& name, const std::map<std::string, std::optional<std::string>>& patch) = 0;
  virtual void delete_connector(const std::string& name) = 0;

  virtual ConnectorStateInfo connector_status(const std::string& name) = 0;
  virtual TaskState task_status(const TaskId& id) = 0;
  virtual std::vector<TaskInfo> task_configs(const std::string& name) = 0;
  // The gauges of every task running on this worker, in task id order. Must answer promptly even
  // while the herder is busy (a metrics scrape never waits for a connector to stop).
  virtual std::vector<TaskMetricsInfo> task_metrics() = 0;

  virtual void restart_task(const TaskId& id) = 0;
  // KIP-745. Returns nullopt for the legacy form (include_tasks=false, only_failed=false: 204),
  // else the status with the instances being restarted shown as RESTARTING (202).
  virtual std::optional<ConnectorStateInfo> restart_connector(const std::string& name,
                                                              bool include_tasks,
                                                              bool only_failed) = 0;
  virtual void pause_connector(const std::string& name) = 0;
  virtual void resume_connector(const std::string& name) = 0;
  virtual void stop_connector(const std::string& name) = 0;

  // KIP-875. alter/reset return the success message; BadRequestError when not STOPPED.
  virtual std::vector<ConnectorOffset> connector_offsets(const std::string& name) = 0;
  virtual std::string alter_connector_offsets(const std::string& name,
                                              const std::vector<ConnectorOffset>& offsets) = 0;
  virtual std::string reset_connector_offsets(const std::string& name) = 0;

  // KIP-558 topic tracking. ForbiddenError when disabled.
  virtual std::vector<std::string> connector_active_topics(const std::string& name) = 0;
  virtual void reset_connector_active_topics(const std::string& name) = 0;

  virtual std::vector<PluginInfo> plugins(bool connectors_only) = 0;
  // By class name or alias. Throws NotFoundError.
  virtual std::vector<ConfigKeyInfo> plugin_config(const std::string& plugin) = 0;
  // `config` must name connector.class; `plugin` is the path's class (name or alias), checked to
  // match (BadRequestError otherwise).
  virtual ConfigInfos validate_connector_config(const std::string& plugin, const ConfigMap& config) = 0;
};

}  // namespace sluice::runtime
