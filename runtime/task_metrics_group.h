// TaskMetricsGroup: the gauges of one task instance, the runtime's own (records polled, written,
// offset commits, ...) and those its plugin publishes through context.metrics().
//
// Thread-safe: written by the task thread (and by a plugin from any of its threads), read by REST
// threads. One short lock per call; the runtime updates it once per batch, never per record. A
// task instance owns its group; the MetricsStore shares it so it outlives a task abandoned while
// still running.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "runtime/herder.h"
#include "sluice/task_metrics.h"

namespace sluice::runtime {

class TaskMetricsGroup final : public TaskMetrics {
 public:
  void set(std::string_view name, double value) override;
  void set_text(std::string_view name, std::string_view value) override;
  // Adds to a numeric gauge (a counter); a missing or textual gauge counts from 0.
  void add(std::string_view name, double delta);

  // The latest value of every gauge.
  MetricValues snapshot() const;

 private:
  // The slot for `name`, created on first use (the map is keyed by string, looked up by view).
  MetricValue& slot_locked(std::string_view name);

  mutable std::mutex mu_;  // guards values_
  std::map<std::string, MetricValue, std::less<>> values_;
};

}  // namespace sluice::runtime
