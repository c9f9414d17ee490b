#include "runtime/metrics_store.h"

namespace sluice::runtime {

std::shared_ptr<TaskMetricsGroup> MetricsStore::add_task(const TaskId& id) {
  auto group = std::make_shared<TaskMetricsGroup>();
  std::lock_guard lock(mu_);
  groups_[id] = group;
  return group;
}

void MetricsStore::remove_task(const TaskId& id) {
  std::lock_guard lock(mu_);
  groups_.erase(id);
}

MetricValues MetricsStore::task(const TaskId& id) const {
  std::shared_ptr<TaskMetricsGroup> group;
  {
    std::lock_guard lock(mu_);
    auto it = groups_.find(id);
    if (it == groups_.end()) return {};
    group = it->second;
  }
  return group->snapshot();
}

std::vector<TaskMetricsInfo> MetricsStore::all() const {
  std::vector<std::pair<TaskId, std::shared_ptr<TaskMetricsGroup>>> groups;
  {
    // Copy the pointers and read each group after unlocking: a slow scrape never holds up a task
    // being started or stopped.
    std::lock_guard lock(mu_);
    groups.assign(groups_.begin(), groups_.end());
  }
  std::vector<TaskMetricsInfo> out;
  out.reserve(groups.size());
  for (const auto& [id, group] : groups) out.push_back({id, group->snapshot()});
  return out;
}

}  // namespace sluice::runtime
