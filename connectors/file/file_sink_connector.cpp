#include "file_sink_connector.h"

#include "file_sink_task.h"

namespace sluice::file {

const ConfigDef& file_sink_config_def() {
  static const ConfigDef def =
      ConfigDef{}
          .define("file", ConfigType::kString, kNullDefault, Importance::kHigh,
                  "Destination filename. If not specified, the standard output will be used.")
          .define("format", ConfigType::kString, "text", one_of({"text", "json"}),
                  Importance::kMedium,
                  "How each record's value is written, one per line: 'text' prints it as Kafka's "
                  "FileStreamSink does (toString; strings as they are, null as 'null'); 'json' "
                  "writes it as JsonConverter with schemas.enable=false encodes it.");
  return def;
}

void FileStreamSinkConnector::start(const ConfigMap& config, ConnectorContext& /*context*/) {
  file_sink_config_def().parse(config);  // throws ConfigError with every problem
  config_ = config;
}

std::vector<ConfigMap> FileStreamSinkConnector::task_configs(int max_tasks) {
  return std::vector<ConfigMap>(static_cast<std::size_t>(std::max(max_tasks, 1)), config_);
}

std::unique_ptr<SinkTask> FileStreamSinkConnector::create_task() {
  return std::make_unique<FileStreamSinkTask>();
}

}  // namespace sluice::file
