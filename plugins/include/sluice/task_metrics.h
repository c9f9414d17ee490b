// TaskMetrics: gauges a task publishes about itself.
//
// A task sets named values (events per second, lag, the last committed position, ...) whenever it
// has a new figure; the runtime shows the latest value of each in the task's status (the "metrics"
// object of GET /connectors/{name}/status and /connectors/{name}/tasks/{id}/status) and on
// GET /metrics. Names are lower-case with dots or underscores, e.g. "events_per_second",
// "lag_behind_source_ms", "last_committed_lsn"; a task keeps using the same names for the same
// figure.
//
// Thread-safe and cheap (one short lock per call): call it from the task thread after each batch,
// not per record.
#pragma once

#include <string_view>

namespace sluice {

class TaskMetrics {
 public:
  virtual ~TaskMetrics() = default;

  // Sets (or replaces) a numeric gauge.
  virtual void set(std::string_view name, double value) = 0;
  // Sets (or replaces) a textual gauge, e.g. an LSN "0/16B3748".
  virtual void set_text(std::string_view name, std::string_view value) = 0;

  // A sink that drops everything: the default of task contexts that do not report metrics (test
  // harnesses).
  static TaskMetrics& discard();
};

}  // namespace sluice
