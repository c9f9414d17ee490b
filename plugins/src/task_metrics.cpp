#include "sluice/task_metrics.h"

namespace sluice {

namespace {

class DiscardingMetrics final : public TaskMetrics {
 public:
  void set(std::string_view, double) override {}
  void set_text(std::string_view, std::string_view) override {}
};

}  // namespace

TaskMetrics& TaskMetrics::discard() {
  static DiscardingMetrics instance;
  return instance;
}

}  // namespace sluice
