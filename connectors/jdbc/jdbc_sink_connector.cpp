#include "jdbc_sink_connector.h"

#include <algorithm>

#include "sluice/errors.h"

namespace sluice::jdbc {

JdbcSinkConnector::JdbcSinkConnector(std::vector<std::string> schemes, SinkDatabaseFactory factory)
    : schemes_(std::move(schemes)), factory_(std::move(factory)) {}

const ConfigDef& JdbcSinkConnector::config_def() const { return jdbc_sink_config_def(); }

std::vector<ConfigValue> JdbcSinkConnector::validate_all(const ConfigMap& config) const {
  std::vector<ConfigValue> values = validate_jdbc_sink_config(config);
  auto url = config.find("connection.url");
  if (url == config.end()) return values;
  for (auto& v : values) {
    if (v.name != "connection.url" || !v.errors.empty()) continue;
    const std::string scheme = parse_jdbc_url(url->second).scheme;
    if (std::find(schemes_.begin(), schemes_.end(), scheme) == schemes_.end()) {
      std::string have;
      for (const auto& s : schemes_) have += (have.empty() ? "" : ", ") + s;
      v.errors.push_back("this build has no " + scheme + " support (compiled in: " +
                         (have.empty() ? "none" : have) + ")");
    }
  }
  return values;
}

std::vector<ConfigValue> JdbcSinkConnector::validate(const ConfigMap& config) const {
  return validate_all(config);
}

void JdbcSinkConnector::start(const ConfigMap& config, ConnectorContext& /*context*/) {
  std::vector<ConfigProblem> problems;
  for (const auto& v : validate_all(config)) {
    for (const auto& e : v.errors) problems.push_back({v.name, e});
  }
  if (!problems.empty()) throw ConfigError(std::move(problems));
  config_ = config;
}

std::vector<ConfigMap> JdbcSinkConnector::task_configs(int max_tasks) {
  return std::vector<ConfigMap>(static_cast<std::size_t>(std::max(max_tasks, 1)), config_);
}

std::unique_ptr<SinkTask> JdbcSinkConnector::create_task() {
  return std::make_unique<JdbcSinkTask>(factory_);
}

}  // namespace sluice::jdbc
