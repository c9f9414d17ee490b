// SinkTask: writes records to an external system.
//
// Lifecycle: start(config, context) -> open(partitions) -> put(batch) ... with periodic
// pre_commit() -> close(partitions) -> stop() -> destruction. The runtime reads records from the
// bus, converts and transforms them, and hands them to put() in topic-partition order. Every
// offset.flush.interval.ms (and before closing) it calls pre_commit() with the positions consumed
// so far; the positions returned are committed, which releases the records upstream (on the
// embedded bus: lets the source commit its offsets). Delivery is at-least-once: after a restart a
// sink may see records again, so writes must be idempotent (upsert by key, or check a stored
// position).
//
// Threads: every method runs on the task's own thread, except stop(), which may be called from
// another thread while put() blocks and must make it return promptly.
//
// Errors: put() throws RetriableError for a transient problem: the runtime calls put() again with
// the same batch after a backoff (the task must not have half-applied it, or must tolerate
// re-applying it). Any other exception fails the task. A record the task cannot write can be
// handed to context.report() instead, which follows errors.tolerance / the dead-letter queue.
#pragma once

#include <exception>
#include <string>
#include <vector>

#include "sluice/config_def.h"
#include "sluice/record.h"
#include "sluice/task_metrics.h"

namespace sluice {

class SinkTaskContext {
 public:
  virtual ~SinkTaskContext() = default;

  // Topic partitions currently assigned to this task.
  virtual std::vector<TopicPartition> assignment() const = 0;

  // Rewinds (or skips) consumption: the next record delivered for each partition is at the given
  // offset. Used by sinks that keep their own checkpoint in the target system.
  virtual void seek(const TopicOffsets& offsets) = 0;

  // Stops / restarts delivering records of these partitions (the task keeps its assignment).
  virtual void pause(const std::vector<TopicPartition>& partitions) = 0;
  virtual void resume(const std::vector<TopicPartition>& partitions) = 0;

  // Asks for a commit soon instead of waiting for offset.flush.interval.ms.
  virtual void request_commit() = 0;

  // Reports a record this task could not write (Kafka's ErrantRecordReporter, KIP-610): with
  // errors.tolerance=all it is logged / dead-lettered and skipped; with none, this throws and the
  // task fails. The record's offset is committed only after the report is durable.
  virtual void report(const SinkRecord& record, const std::exception& error) = 0;

  // "<connector>-<index>", for log lines.
  virtual const std::string& task_id() const = 0;

  // Where the task publishes its gauges (see task_metrics.h). The runtime's context shows them in
  // the task status; the default drops them.
  virtual TaskMetrics& metrics() { return TaskMetrics::discard(); }
};

class SinkTask {
 public:
  virtual ~SinkTask() = default;

  virtual void start(const ConfigMap& config, SinkTaskContext& context) = 0;

  // These partitions are now assigned to this task (before any of their records arrive).
  virtual void open(const std::vector<TopicPartition>& /*partitions*/) {}

  // Writes (or buffers) a batch. Records of one partition arrive in offset order.
  virtual void put(const std::vector<SinkRecord>& records) = 0;

  // Makes everything put() so far durable. Called by the default pre_commit().
  virtual void flush(const TopicOffsets& /*current*/) {}

  // Returns the positions that are safe to commit (the offset of the next record to consume, per
  // partition). The default flushes and returns `current`. A sink that writes asynchronously
  // returns less; one that commits in the target's own transactions may return what it applied.
  virtual TopicOffsets pre_commit(const TopicOffsets& current) {
    flush(current);
    return current;
  }

  // These partitions are no longer assigned (rebalance, stop). Release their resources.
  virtual void close(const std::vector<TopicPartition>& /*partitions*/) {}

  virtual void stop() = 0;
};

}  // namespace sluice
