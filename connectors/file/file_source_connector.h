// FileStreamSourceConnector: Kafka's file source. Reads lines from a file (or stdin) and sends
// each one as a string record to one topic, tailing the file for appended lines.
//
// Same options, partition and offset shape as Kafka's org.apache.kafka.connect.file
// FileStreamSourceConnector, so its connector JSON and its stored offsets work unchanged:
// partition {"filename": <file>}, offset {"position": <byte offset after the line>}. Always one
// task, whatever tasks.max says (a file has one reader).
//
// Threads: the herder's, one call at a time (see sluice/connector.h).
#pragma once

#include "sluice/connector.h"

namespace sluice::file {

// The options of the source connector and its task.
const ConfigDef& file_source_config_def();

class FileStreamSourceConnector : public SourceConnector {
 public:
  const ConfigDef& config_def() const override { return file_source_config_def(); }
  void start(const ConfigMap& config, ConnectorContext& context) override;
  // One task with the connector's configuration.
  std::vector<ConfigMap> task_configs(int max_tasks) override;
  void stop() override {}
  std::unique_ptr<SourceTask> create_task() override;

 private:
  ConfigMap config_;
};

}  // namespace sluice::file
