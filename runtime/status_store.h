// StatusStore: the current state of every connector and task, and the topics each connector
// used (KIP-558), as the status endpoints show them. In memory: a standalone worker's status
// starts afresh with the process, as Kafka's standalone mode does.
//
// Thread-safe: written by the herder and by task threads, read by REST threads.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "runtime/herder.h"
#include "runtime/task_status_listener.h"

namespace sluice::runtime {

class StatusStore : public TaskStatusListener {
 public:
  explicit StatusStore(std::string worker_id) : worker_id_(std::move(worker_id)) {}

  void set_worker_id(std::string id);
  void put_connector(const std::string& name, State state, std::string trace = {});
  std::optional<StateInfo> connector(const std::string& name) const;
  void put_task(const TaskId& id, State state, std::string trace = {});
  std::optional<TaskState> task(const TaskId& id) const;
  std::vector<TaskState> tasks(const std::string& connector) const;
  // Forgets the tasks (all, or those with index >= keep) of a connector.
  void remove_tasks(const std::string& connector, int keep = 0);
  void remove_connector(const std::string& name);

  std::vector<std::string> topics(const std::string& connector) const;
  void reset_topics(const std::string& connector);

  // TaskStatusListener
  void on_running(const TaskId& id) override { put_task(id, State::kRunning); }
  void on_paused(const TaskId& id) override { put_task(id, State::kPaused); }
  void on_failure(const TaskId& id, const std::string& trace) override { put_task(id, State::kFailed, trace); }
  void on_shutdown(const TaskId& id) override { put_task(id, State::kUnassigned); }
  void on_topic(const TaskId& id, const std::string& topic) override;

 private:
  mutable std::mutex mu_;  // guards all below
  std::string worker_id_;
  std::map<std::string, StateInfo> connectors_;
  std::map<TaskId, TaskState> tasks_;
  std::map<std::string, std::set<std::string>> topics_;
};

}  // namespace sluice::runtime
