// FileStreamSinkConnector: Kafka's file sink. Appends each record's value to a file (or stdout),
// one line per record.
//
// Kafka's option `file` (empty = stdout); topics / topics.regex are handled by the runtime. Going
// beyond Kafka, `format` = text (the value as Kafka's toString prints it, the default) or json
// (the value as JsonConverter with schemas.enable=false encodes it, one object per line). Every
// task of a connector appends to the same file; each write ends on a record boundary and the file
// is opened with O_APPEND, so lines of different tasks never interleave mid-line.
//
// Threads: the herder's, one call at a time (see sluice/connector.h).
#pragma once

#include "sluice/connector.h"

namespace sluice::file {

// The options of the sink connector and its tasks.
const ConfigDef& file_sink_config_def();

class FileStreamSinkConnector : public SinkConnector {
 public:
  const ConfigDef& config_def() const override { return file_sink_config_def(); }
  void start(const ConfigMap& config, ConnectorContext& context) override;
  // max_tasks copies of the connector's configuration, as Kafka does.
  std::vector<ConfigMap> task_configs(int max_tasks) override;
  void stop() override {}
  std::unique_ptr<SinkTask> create_task() override;

 private:
  ConfigMap config_;
};

}  // namespace sluice::file
