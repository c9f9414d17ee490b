// SourceTask: copies data from an external system into records.
//
// Lifecycle: start(config, context) -> poll() repeatedly -> stop() -> destruction. The runtime
// transforms and converts what poll() returns and hands it to the bus (in-process or Kafka). It
// stores each record's source offset once every consumer that must see the record has it durably
// (for the embedded bus: every sink that reads the topic has flushed it), then calls commit() with
// the offsets now stored. After a crash the next task instance reads those offsets from
// context.offset() in start() and resumes from there: records after the last committed offset are
// sent again (at-least-once), none are lost.
//
// Threads: start(), poll() and commit() run on the task's own thread, one at a time. stop() is
// called from another thread while poll() may be blocked; it must make poll() return promptly
// (within about a second) and must not throw. Pausing simply stops calling poll().
//
// Errors: poll() throws RetriableError for a transient problem (it is called again after a
// backoff) and any other exception to fail the task (status FAILED with the trace).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sluice/config_def.h"
#include "sluice/record.h"
#include "sluice/task_metrics.h"

namespace sluice {

class SourceTaskContext {
 public:
  virtual ~SourceTaskContext() = default;

  // The last committed offset of a source partition, or nullopt if none was ever committed (or it
  // was reset). Safe to call from start() and poll().
  virtual std::optional<SourceOffset> offset(const SourcePartition& partition) = 0;

  // "<connector>-<index>", for log lines.
  virtual const std::string& task_id() const = 0;

  // Asks the runtime to commit offsets soon instead of waiting for offset.flush.interval.ms.
  virtual void request_commit() = 0;

  // Where the task publishes its gauges (see task_metrics.h). The runtime's context shows them in
  // the task status; the default drops them.
  virtual TaskMetrics& metrics() { return TaskMetrics::discard(); }
};

class SourceTask {
 public:
  virtual ~SourceTask() = default;

  virtual void start(const ConfigMap& config, SourceTaskContext& context) = 0;

  // The next records, or an empty vector when nothing is ready. Block at most about a second.
  virtual std::vector<SourceRecord> poll() = 0;

  // Called from another thread; see the file comment.
  virtual void stop() = 0;

  // The offsets the runtime has durably stored since the last call, at most one (the newest) per
  // source partition. A CDC source confirms its position to the database here (e.g. the slot's
  // flush LSN). Optional.
  virtual void commit(const std::map<SourcePartition, SourceOffset>& /*committed*/) {}
};

}  // namespace sluice
