#include "runtime/status_store.h"

namespace sluice::runtime {

void StatusStore::set_worker_id(std::string id) {
  std::lock_guard lock(mu_);
  worker_id_ = std::move(id);
  for (auto& [name, s] : connectors_) s.worker_id = worker_id_;
  for (auto& [id_, s] : tasks_) s.worker_id = worker_id_;
}

void StatusStore::put_connector(const std::string& name, State state, std::string trace) {
  std::lock_guard lock(mu_);
  connectors_[name] = StateInfo{state, worker_id_, std::move(trace)};
}

std::optional<StateInfo> StatusStore::connector(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = connectors_.find(name);
  if (it == connectors_.end()) return std::nullopt;
  return it->second;
}

void StatusStore::put_task(const TaskId& id, State state, std::string trace) {
  std::lock_guard lock(mu_);
  TaskState s;
  s.id = id.task;
  s.state = state;
  s.worker_id = worker_id_;
  s.trace = std::move(trace);
  tasks_[id] = std::move(s);
}

std::optional<TaskState> StatusStore::task(const TaskId& id) const {
  std::lock_guard lock(mu_);
  auto it = tasks_.find(id);
  if (it == tasks_.end()) return std::nullopt;
  return it->second;
}

std::vector<TaskState> StatusStore::tasks(const std::string& connector) const {
  std::lock_guard lock(mu_);
  std::vector<TaskState> out;
  for (auto it = tasks_.lower_bound(TaskId{connector, 0}); it != tasks_.end() && it->first.connector == connector; ++it) {
    out.push_back(it->second);
  }
  return out;
}

void StatusStore::remove_tasks(const std::string& connector, int keep) {
  std::lock_guard lock(mu_);
  for (auto it = tasks_.lower_bound(TaskId{connector, keep}); it != tasks_.end() && it->first.connector == connector;) {
    it = tasks_.erase(it);
  }
}

void StatusStore::remove_connector(const std::string& name) {
  remove_tasks(name);
  std::lock_guard lock(mu_);
  connectors_.erase(name);
}

std::vector<std::string> StatusStore::topics(const std::string& connector) const {
  std::lock_guard lock(mu_);
  auto it = topics_.find(connector);
  if (it == topics_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

void StatusStore::reset_topics(const std::string& connector) {
  std::lock_guard lock(mu_);
  topics_.erase(connector);
}

void StatusStore::on_topic(const TaskId& id, const std::string& topic) {
  std::lock_guard lock(mu_);
  topics_[id.connector].insert(topic);
}

}  // namespace sluice::runtime
