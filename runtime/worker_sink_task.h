// WorkerSinkTask: runs a SinkTask: read from the bus -> convert -> transform -> put(), and
// commits consumed positions after the task's pre_commit().
//
//   while (!stopping())
//     if paused: wait;  else maybe_commit(); deliver(convert_and_transform(poll()));
//
// put() failing with RetriableError is retried with the same batch after a backoff; positions
// advance only after put() returned. Records that cannot be converted or transformed, and
// records the task reports as errant, follow errors.tolerance and go to the dead-letter topic;
// positions never move past a dead-lettered record before its dead-letter copy left the bus.
//
// Gauges (besides the plugin's own, published through context.metrics()), updated once per batch:
// sink-record-read-total (records read from the bus), sink-record-send-total (records handed to a
// put() that returned, after converters and transforms), offset-commit-completion-total (commits
// of consumed positions).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

#include "runtime/bus/embedded_bus.h"
#include "runtime/error_policy.h"
#include "runtime/task_components.h"
#include "runtime/task_metrics_group.h"
#include "runtime/worker_task.h"
#include "sluice/sink_task.h"

namespace sluice::runtime {

struct SinkTaskSettings {
  ConfigMap task_config;  // resolved: given to the plugin's start()
  std::string group;      // "connect-<connector>"
  std::chrono::milliseconds offset_flush_interval{60000};
  std::string dlq_topic;  // empty = no dead-letter queue
  bool dlq_context_headers = false;
  std::size_t max_poll_records = 500;
};

class WorkerSinkTask : public WorkerTask, private SinkTaskContext, private ErrantRecordSink {
 public:
  WorkerSinkTask(TaskId id, TargetState initial_state, TaskStatusListener& listener, std::unique_ptr<SinkTask> task,
                 TaskComponents components, SinkTaskSettings settings, EmbeddedBus& bus,
                 std::shared_ptr<TaskMetricsGroup> metrics);

 private:
  class DeadLetterTracker;

  void initialize() override;
  void execute() override;
  void close() noexcept override;
  void on_stop_requested() override;

  // SinkTaskContext
  std::vector<TopicPartition> assignment() const override { return assignment_; }
  void seek(const TopicOffsets& offsets) override;
  void pause(const std::vector<TopicPartition>& partitions) override;
  void resume(const std::vector<TopicPartition>& partitions) override;
  void request_commit() override { commit_requested_ = true; }
  void report(const SinkRecord& record, const std::exception& error) override;
  const std::string& task_id() const override { return task_id_; }
  TaskMetrics& metrics() override { return *metrics_; }

  // ErrantRecordSink: sends the original message to the dead-letter topic.
  void report(const ErrorContext& context, const std::exception& error) override;

  void on_assignment(std::vector<TopicPartition> partitions);
  std::optional<SinkRecord> convert(const ConsumedMessage& consumed, const TopicPartition& tp);
  // Whether this task's converters would rebuild exactly what records passed in `format` hold.
  bool reads_format(const std::shared_ptr<const RecordFormat>& format);
  void deliver(const std::vector<ConsumedMessage>& messages);
  bool put_with_retries(const std::vector<SinkRecord>& records);
  void maybe_commit(bool force);

  const std::string task_id_;
  std::unique_ptr<SinkTask> task_;
  TaskComponents components_;
  SinkTaskSettings settings_;
  EmbeddedBus& bus_;
  ErrorPolicy policy_;
  std::shared_ptr<TaskMetricsGroup> metrics_;
  // What the error policy is told when a converter fails, one per stage, made once; convert()
  // sets where the message came from.
  ErrorContext key_context_, value_context_, header_context_;
  std::vector<TopicPartition> assignment_;
  TopicOffsets current_;  // next offset to consume, per partition, after a successful put
  std::set<std::string> seen_topics_;
  std::shared_ptr<const RecordFormat> last_format_;  // the format reads_format() last answered for
  bool last_format_matches_ = false;
  const std::vector<ConsumedMessage>* in_flight_ = nullptr;  // the batch put() is working on
  std::shared_ptr<DeadLetterTracker> dead_letters_;
  std::chrono::steady_clock::time_point next_commit_;
  std::atomic<bool> commit_requested_{false};
  std::atomic<bool> started_{false};
  std::atomic<bool> stop_called_{false};
};

}  // namespace sluice::runtime
