// WorkerSourceTask: runs a SourceTask: poll -> transform -> convert -> send to the bus, and
// commits the source offsets of records the bus has acknowledged.
//
//   task thread:    while (!stopping())  if paused: wait;  else hand_over(poll());  maybe_commit_offsets();
//   sender thread:  for each batch handed over, in order: send(convert(transform(batch)))
//
// The plugin's poll(), commit() and stop-time calls stay on the task thread; transforms, converters
// and the error policy run on the sender, so a source can decode its next batch while the last
// one is converted (at most kHandoffBatches batches wait between the two). A failure on the
// sender (e.g. errors.tolerance=none) fails the task as it would on the task thread.
//
// Offsets are committed every offset.flush.interval.ms (or when the task asks) and only for
// records every downstream sink has flushed (SubmittedRecords), so a crash loses nothing: the next
// task instance resumes from the committed offsets and sends the rest again.
//
// Gauges (besides the plugin's own, published through context.metrics()), updated once per batch:
// source-record-poll-total (records poll() returned), source-record-write-total (records the bus
// accepted, after transforms and converters), source-record-poll-batch-size (records the latest
// poll() returned), offset-commit-completion-total (commits that stored offsets).
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "runtime/bus/embedded_bus.h"
#include "runtime/error_policy.h"
#include "runtime/storage/offset_store.h"
#include "runtime/submitted_records.h"
#include "runtime/task_metrics_group.h"
#include "runtime/task_components.h"
#include "runtime/worker_task.h"
#include "sluice/source_task.h"

namespace sluice::runtime {

struct SourceTaskSettings {
  ConfigMap task_config;  // resolved: given to the plugin's start()
  std::chrono::milliseconds offset_flush_interval{60000};
};

class WorkerSourceTask : public WorkerTask, private SourceTaskContext {
 public:
  WorkerSourceTask(TaskId id, TargetState initial_state, TaskStatusListener& listener,
                   std::unique_ptr<SourceTask> task, TaskComponents components, SourceTaskSettings settings,
                   EmbeddedBus& bus, OffsetStore& offsets, std::shared_ptr<TaskMetricsGroup> metrics);

 private:
  void initialize() override;
  void execute() override;
  void close() noexcept override;
  void on_stop_requested() override;

  // SourceTaskContext
  std::optional<SourceOffset> offset(const SourcePartition& partition) override;
  const std::string& task_id() const override { return task_id_; }
  void request_commit() override { commit_requested_ = true; }
  TaskMetrics& metrics() override { return *metrics_; }

  struct Polled {
    Record record;
    std::uint64_t sequence;  // SubmittedRecords' number for it
  };
  static constexpr std::size_t kHandoffBatches = 2;

  std::vector<SourceRecord> poll_task();
  // Task thread: submits the records and queues them for the sender (waits while the queue is full).
  void hand_over(std::vector<SourceRecord>& records);
  // Task thread: destroys the batches the sender is done with. Memory goes back to the thread that
  // allocated it (the sender likewise frees the bus messages it made, SubmittedRecords::released),
  // so malloc's per-thread caches serve the next batch instead of both threads contending for
  // each other's arenas.
  void free_spent();
  void rethrow_sender_failure();
  void stop_sender();
  // Sender thread.
  void send_loop();
  void convert(std::vector<Polled>& records);
  // Leaves `record` in place (but for its topic): the task thread frees it (free_spent()).
  std::optional<BusMessage> convert_one(Record& record, std::uint64_t sequence);
  // Serializes key and value with the task's converters under errors.*; false when the record is dropped.
  bool convert_key_value(Record& record, BusMessage& m);
  void send_pending();
  void maybe_commit(bool force);

  const std::string task_id_;
  std::unique_ptr<SourceTask> task_;
  TaskComponents components_;
  SourceTaskSettings settings_;
  EmbeddedBus& bus_;
  OffsetStore& offsets_;
  ErrorPolicy policy_;
  std::shared_ptr<TaskMetricsGroup> metrics_;
  // What the error policy is told when a converter fails, made once (not per record); `record`
  // points at the record being converted, only during convert_one().
  ErrorContext header_context_, key_context_, value_context_;
  std::shared_ptr<SubmittedRecords> submitted_ = std::make_shared<SubmittedRecords>();
  std::vector<BusMessage> pending_;  // sender: converted, not yet accepted by the bus
  std::mutex handoff_mu_;  // guards the five below
  std::condition_variable handoff_cv_;
  std::deque<std::vector<Polled>> handoff_;
  std::vector<std::vector<Polled>> spent_;  // converted batches, for the task thread to free
  std::exception_ptr sender_failure_;
  bool sender_stop_ = false;
  std::thread sender_;
  std::map<SourcePartition, SourceOffset> uncommitted_;  // drained but not yet stored
  std::set<std::string> seen_topics_;
  std::chrono::steady_clock::time_point next_commit_;
  std::atomic<bool> commit_requested_{false};
  std::atomic<bool> started_{false};
  std::atomic<bool> stop_called_{false};
};

}  // namespace sluice::runtime
