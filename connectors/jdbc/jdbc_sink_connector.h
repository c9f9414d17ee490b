// JdbcSinkConnector: io.debezium.connector.jdbc.JdbcSinkConnector, the JDBC-style sink.
//
// Validates the configuration (jdbc_sink_config.h, plus: the URL's database must be one this
// build has a SinkDatabase for) and hands every task the same configuration. The databases come
// from the factory plugin.cpp gives it, one per compiled dialect.
//
// Threads: called by the runtime's herder thread only.
#pragma once

#include <string>
#include <vector>

#include "jdbc_sink_task.h"
#include "sluice/connector.h"

namespace sluice::jdbc {

class JdbcSinkConnector : public SinkConnector {
 public:
  // `schemes`: the URL schemes `factory` can make a database for.
  JdbcSinkConnector(std::vector<std::string> schemes, SinkDatabaseFactory factory);

  const ConfigDef& config_def() const override;
  std::vector<ConfigValue> validate(const ConfigMap& config) const override;
  void start(const ConfigMap& config, ConnectorContext& context) override;
  std::vector<ConfigMap> task_configs(int max_tasks) override;
  void stop() override {}
  std::unique_ptr<SinkTask> create_task() override;

 private:
  std::vector<ConfigValue> validate_all(const ConfigMap& config) const;

  std::vector<std::string> schemes_;
  SinkDatabaseFactory factory_;
  ConfigMap config_;
};

}  // namespace sluice::jdbc
