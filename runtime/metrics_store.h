// MetricsStore: the metric groups of the tasks this worker runs, as GET /metrics and the task
// status endpoints show them. In memory, like Kafka's per-worker metrics: a task's gauges start
// afresh with each task instance (a restart resets its totals) and disappear when it stops.
//
// Thread-safe: groups are added and removed by the herder's thread (through the Worker) and read
// by REST threads, which never wait for the herder.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "runtime/herder.h"
#include "runtime/task_metrics_group.h"

namespace sluice::runtime {

class MetricsStore {
 public:
  // A fresh group for a new task instance, replacing any earlier one of the same id.
  std::shared_ptr<TaskMetricsGroup> add_task(const TaskId& id);
  void remove_task(const TaskId& id);

  // The task's gauges; empty when it does not run here.
  MetricValues task(const TaskId& id) const;
  // Every task's gauges, in task id order.
  std::vector<TaskMetricsInfo> all() const;

 private:
  mutable std::mutex mu_;  // guards groups_ (not the groups, which lock themselves)
  std::map<TaskId, std::shared_ptr<TaskMetricsGroup>> groups_;
};

}  // namespace sluice::runtime
