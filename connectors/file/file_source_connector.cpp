#include "file_source_connector.h"

#include "file_source_task.h"
#include "sluice/errors.h"

namespace sluice::file {

const ConfigDef& file_source_config_def() {
  // Kafka's check: `topic` names exactly one topic (it was a LIST once; a comma means several).
  static const Validator single_topic = validator(
      "a single, non-empty topic name", [](const std::string& name, const ConfigValueData& value) {
        const auto* topic = std::get_if<std::string>(&value);
        if (topic == nullptr) return;
        if (topic->empty()) throw ConfigError(name, "String must be non-empty");
        if (topic->find(',') != std::string::npos) {
          throw ConfigError(name,
                            "'topic' in FileStreamSourceConnector configuration requires definition "
                            "of a single topic");
        }
      });
  static const ConfigDef def =
      ConfigDef{}
          .define("file", ConfigType::kString, kNullDefault, Importance::kHigh,
                  "Source filename. If not specified, the standard input will be used.")
          .define("topic", ConfigType::kString, kRequired, single_topic, Importance::kHigh,
                  "The topic to publish data to.")
          .define("batch.size", ConfigType::kInt, 2000, at_least(1), Importance::kLow,
                  "The maximum number of records the source task can read from the file each "
                  "time it is polled.");
  return def;
}

void FileStreamSourceConnector::start(const ConfigMap& config, ConnectorContext& /*context*/) {
  file_source_config_def().parse(config);  // throws ConfigError with every problem
  config_ = config;
}

std::vector<ConfigMap> FileStreamSourceConnector::task_configs(int /*max_tasks*/) {
  return {config_};
}

std::unique_ptr<SourceTask> FileStreamSourceConnector::create_task() {
  return std::make_unique<FileStreamSourceTask>();
}

}  // namespace sluice::file
