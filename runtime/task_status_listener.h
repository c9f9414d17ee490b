#pragma once

#include <string>

#include "runtime/herder.h"

namespace sluice::runtime {

// Told about each task's state changes, from the task's own thread. Implemented by the herder's
// status store; must be thread-safe and quick.
class TaskStatusListener {
 public:
  virtual ~TaskStatusListener() = default;
  virtual void on_running(const TaskId& id) = 0;
  virtual void on_paused(const TaskId& id) = 0;
  virtual void on_failure(const TaskId& id, const std::string& trace) = 0;
  virtual void on_shutdown(const TaskId& id) = 0;
  // A topic the task produced to or consumed from (KIP-558 topic tracking).
  virtual void on_topic(const TaskId& id, const std::string& topic) = 0;
};

}  // namespace sluice::runtime
