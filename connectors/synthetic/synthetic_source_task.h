// SyntheticSourceTask: generates this task's share of the synthetic records.
//
// The schemas and the payload are built once in start(); poll() only fills records. With a rate,
// poll() returns what the rate allows since the task started and otherwise waits (at most a
// second) for the next record to be due; once `count` is reached it waits and returns nothing.
//
// Gauges (context.metrics()), after each batch: records_generated (since this task started) and
// generator_state ("generating", or "finished" once `count` is reached).
//
// Threads: start() and poll() on the task thread; stop() from another thread wakes a waiting
// poll() at once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>

#include "sluice/source_task.h"

namespace sluice::synthetic {

class SyntheticSourceTask : public SourceTask {
 public:
  void start(const ConfigMap& config, SourceTaskContext& context) override;
  std::vector<SourceRecord> poll() override;
  void stop() override;

  // The value schema every synthetic record carries.
  static const SchemaPtr& value_schema();

 private:
  using Clock = std::chrono::steady_clock;

  bool finished() const { return end_id_ >= 0 && next_id_ >= end_id_; }
  // How many records may be emitted now (0 = wait until `due`).
  std::int64_t allowed_now(Clock::time_point& due) const;
  void wait_until(Clock::time_point deadline);

  // Set in start(), then task thread only.
  std::string topic_;
  std::int64_t stride_ = 1;     // task count: the ids this task owns are next_ + k * stride_
  std::int64_t end_id_ = -1;    // first id not to emit; -1 = unlimited
  double rate_ = 0;             // records/s; 0 = unlimited
  std::int64_t batch_size_ = 1000;
  std::string payload_;
  SourcePartition partition_;
  std::int64_t next_id_ = 0;
  std::int64_t emitted_ = 0;  // since start, for the rate
  Clock::time_point started_;
  TaskMetrics* metrics_ = &TaskMetrics::discard();  // the context's, from start()

  std::mutex mu_;  // guards stopping_
  std::condition_variable wake_;
  bool stopping_ = false;
};

}  // namespace sluice::synthetic
