#include "runtime/worker_task.h"

#include <pthread.h>

#include "runtime/error_policy.h"
#include "sluice/log.h"

namespace sluice::runtime {

namespace {
const log::Logger kLog("sluice.worker.task");
}

WorkerTask::WorkerTask(TaskId id, TargetState initial_state, TaskStatusListener& listener)
    : id_(std::move(id)), listener_(listener), target_(initial_state) {}

WorkerTask::~WorkerTask() {
  if (thread_.joinable()) thread_.detach();
}

void WorkerTask::start() {
  // The thread holds a reference so an abandoned task outlives its owner safely.
  auto self = shared_from_this();
  thread_ = std::thread([self] { self->run(); });
}

void WorkerTask::stop() {
  stopping_ = true;
  {
    std::lock_guard lock(mu_);
  }
  cv_.notify_all();
  try {
    on_stop_requested();
  } catch (...) {
    kLog.warn("{} threw while being asked to stop: {}", id_.to_string(), describe_current_exception());
  }
}

bool WorkerTask::await_stop(std::chrono::milliseconds timeout) {
  std::unique_lock lock(done_mu_);
  if (!done_cv_.wait_for(lock, timeout, [&] { return done_; })) {
    cancelled_ = true;
    kLog.error("{} did not stop within {} ms; abandoning it", id_.to_string(), timeout.count());
    lock.unlock();
    if (thread_.joinable()) thread_.detach();
    return false;
  }
  lock.unlock();
  if (thread_.joinable()) thread_.join();
  return true;
}

void WorkerTask::transition_to(TargetState state) {
  target_ = state;
  {
    std::lock_guard lock(mu_);
  }
  cv_.notify_all();
}

void WorkerTask::await_unpause() {
  if (!cancelled_) listener_.on_paused(id_);
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return stopping_ || target_ != TargetState::kPaused; });
  }
  if (!stopping_ && !cancelled_) listener_.on_running(id_);
}

void WorkerTask::sleep_for(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, d, [&] { return stopping_.load(); });
}

void WorkerTask::run() {
  log::LogContext context(id_.to_string());
  // "<connector>-<task>" (the kernel keeps 15 bytes): tells the task threads apart in top -H and perf.
  pthread_setname_np(pthread_self(), id_.to_string().substr(0, 15).c_str());
  bool failed = false;
  try {
    initialize();
    if (!stopping_) {
      if (paused()) {
        await_unpause();
      } else if (!cancelled_) {
        listener_.on_running(id_);
      }
      kLog.info("{} started", id_.to_string());
      execute();
    }
  } catch (...) {
    failed = true;
    std::string trace = describe_current_exception();
    kLog.error("{} failed and will not recover until it is restarted: {}", id_.to_string(), trace);
    if (!cancelled_) listener_.on_failure(id_, trace);
  }
  close();
  if (!failed && !cancelled_) listener_.on_shutdown(id_);
  kLog.info("{} stopped", id_.to_string());
  {
    std::lock_guard lock(done_mu_);
    done_ = true;
  }
  done_cv_.notify_all();
}

}  // namespace sluice::runtime
