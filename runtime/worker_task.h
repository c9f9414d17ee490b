// WorkerTask: one task on its own thread, with Kafka Connect's lifecycle.
//
// run() (on the task thread): initialize and start the task, report RUNNING (or PAUSED), then
// execute() until stopped, then close(). Any exception escaping a phase marks the task FAILED with
// a trace and ends the thread; the runtime never restarts a failed task by itself (Kafka's rule;
// use POST .../restart). Pause/resume move between RUNNING and PAUSED without tearing down.
//
// Threads: start(), stop(), await_stop() and transition_to() are called from the herder's thread;
// everything else runs on the task thread. The object is shared with its thread, so a task that
// does not stop in time can be abandoned (cancelled: it reports nothing more) without dangling.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "runtime/herder.h"
#include "runtime/task_status_listener.h"

namespace sluice::runtime {

class WorkerTask : public std::enable_shared_from_this<WorkerTask> {
 public:
  WorkerTask(TaskId id, TargetState initial_state, TaskStatusListener& listener);
  virtual ~WorkerTask();

  const TaskId& id() const { return id_; }

  void start();
  // Asks the task to stop; returns at once.
  void stop();
  // Waits for the thread to end; false on timeout (the task is then cancelled and abandoned).
  bool await_stop(std::chrono::milliseconds timeout);
  void transition_to(TargetState state);

 protected:
  // Creates and starts the plugin's task. Task thread.
  virtual void initialize() = 0;
  // The main loop; returns when stopping(). Task thread.
  virtual void execute() = 0;
  // Final commit and release, after execute() returned or failed. Task thread; must not throw.
  virtual void close() noexcept = 0;
  // From the stopping thread: make a blocked poll()/put() return (e.g. call the plugin's stop()).
  virtual void on_stop_requested() {}

  bool stopping() const { return stopping_; }
  bool cancelled() const { return cancelled_; }
  bool paused() const { return target_ == TargetState::kPaused; }
  // Blocks while paused (reporting PAUSED, then RUNNING again), or until stopping.
  void await_unpause();
  // Sleeps up to `d`, waking early when stopping.
  void sleep_for(std::chrono::milliseconds d);

  TaskStatusListener& listener() { return listener_; }
  const std::atomic<bool>& stopping_flag() const { return stopping_; }

 private:
  void run();

  const TaskId id_;
  TaskStatusListener& listener_;
  std::atomic<TargetState> target_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> cancelled_{false};
  std::mutex mu_;  // with cv_: wakes the task thread on pause/resume/stop
  std::condition_variable cv_;
  std::thread thread_;
  std::mutex done_mu_;  // guards done_
  std::condition_variable done_cv_;
  bool done_ = false;
};

}  // namespace sluice::runtime
