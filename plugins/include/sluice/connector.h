// Connectors: the part of a plugin that owns a job's configuration and splits it into tasks.
//
// Lifecycle (Kafka Connect's): the runtime creates a connector, calls validate() for REST
// validation (on a throwaway instance), then start(config, context) with the connector's config
// (config-provider placeholders already resolved), task_configs(max_tasks) to learn the tasks to
// run, and stop() when the connector is stopped, deleted, reconfigured or the worker shuts down.
// Pausing keeps the connector started (only its tasks pause). An instance is started at most once.
//
// Threads: every call is made from one runtime thread at a time (the herder's), never
// concurrently. ConnectorContext may be used from any thread, e.g. from a monitoring thread the
// connector starts that notices new tables and calls request_task_reconfiguration().
//
// Errors: start() and task_configs() throw ConnectError (or ConfigError) to fail the connector;
// its status becomes FAILED with the message as trace.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sluice/config_def.h"
#include "sluice/record.h"

namespace sluice {

class SourceTask;
class SinkTask;

class ConnectorContext {
 public:
  virtual ~ConnectorContext() = default;
  // Asks the runtime to call task_configs() again and restart the tasks if the result changed.
  virtual void request_task_reconfiguration() = 0;
  // Fails the connector (status FAILED with this message) from any thread.
  virtual void raise_error(const std::string& message) = 0;
  // The connector's name, for log lines.
  virtual const std::string& connector_name() const = 0;
};

// What the connector and its tasks share.
class Connector {
 public:
  virtual ~Connector() = default;

  // The keys this connector understands. The runtime adds the common keys (name,
  // connector.class, tasks.max, converters, transforms, errors.*, ...) itself.
  virtual const ConfigDef& config_def() const = 0;

  // Checks a configuration and reports every key's problems. The default runs config_def()'s
  // validate(); override to add cross-key checks (append to the affected key's errors).
  virtual std::vector<ConfigValue> validate(const ConfigMap& config) const {
    return config_def().validate(config);
  }

  // Starts the connector. May connect to the external system to discover what to copy.
  virtual void start(const ConfigMap& config, ConnectorContext& context) = 0;

  // At most `max_tasks` task configurations; one task is started per entry. Each map is given to
  // that task's start(). Must not block for long.
  virtual std::vector<ConfigMap> task_configs(int max_tasks) = 0;

  // Stops the connector and releases what start() acquired.
  virtual void stop() = 0;
};

class SourceConnector : public Connector {
 public:
  virtual std::unique_ptr<SourceTask> create_task() = 0;

  // KIP-875 hook, called while the connector is STOPPED before the runtime alters its offsets
  // (an entry's offset is nullopt when it is reset). Throw ConnectError to refuse. Return true if
  // the connector also changed offsets it keeps outside the runtime.
  virtual bool alter_offsets(
      const ConfigMap& /*config*/,
      const std::vector<std::pair<SourcePartition, std::optional<SourceOffset>>>& /*offsets*/) {
    return false;
  }
};

class SinkConnector : public Connector {
 public:
  virtual std::unique_ptr<SinkTask> create_task() = 0;

  // As SourceConnector::alter_offsets, for topic-partition positions (nullopt = reset).
  virtual bool alter_offsets(
      const ConfigMap& /*config*/,
      const std::vector<std::pair<TopicPartition, std::optional<std::int64_t>>>& /*offsets*/) {
    return false;
  }
};

}  // namespace sluice
