#include "runtime/task_metrics_group.h"

namespace sluice::runtime {

MetricValue& TaskMetricsGroup::slot_locked(std::string_view name) {
  auto it = values_.find(name);
  if (it == values_.end()) it = values_.emplace(std::string(name), MetricValue()).first;
  return it->second;
}

void TaskMetricsGroup::set(std::string_view name, double value) {
  std::lock_guard lock(mu_);
  slot_locked(name) = value;
}

void TaskMetricsGroup::set_text(std::string_view name, std::string_view value) {
  std::lock_guard lock(mu_);
  MetricValue& slot = slot_locked(name);
  // Reuse the string's buffer: a text gauge such as an LSN is replaced after every batch.
  if (auto* text = std::get_if<std::string>(&slot)) {
    text->assign(value);
  } else {
    slot = std::string(value);
  }
}

void TaskMetricsGroup::add(std::string_view name, double delta) {
  std::lock_guard lock(mu_);
  MetricValue& slot = slot_locked(name);
  const double* current = std::get_if<double>(&slot);
  slot = (current ? *current : 0.0) + delta;
}

MetricValues TaskMetricsGroup::snapshot() const {
  std::lock_guard lock(mu_);
  return MetricValues(values_.begin(), values_.end());
}

}  // namespace sluice::runtime
