#pragma once

// A SinkTaskContext for driving a sink task directly in tests: no assignment bookkeeping, and
// report() fails like errors.tolerance=none (a record the task reports is a test failure).
#include <string>
#include <utility>
#include <vector>

#include <sluice/errors.h>
#include <sluice/sink_task.h>

namespace sluice::testing {

class StrictSinkTaskContext : public SinkTaskContext {
 public:
  explicit StrictSinkTaskContext(std::string task_id) : id_(std::move(task_id)) {}
  std::vector<TopicPartition> assignment() const override { return {}; }
  void seek(const TopicOffsets&) override {}
  void pause(const std::vector<TopicPartition>&) override {}
  void resume(const std::vector<TopicPartition>&) override {}
  void request_commit() override {}
  void report(const SinkRecord&, const std::exception& error) override {
    throw ConnectError(std::string("Tolerance exceeded: ") + error.what());
  }
  const std::string& task_id() const override { return id_; }

 private:
  std::string id_;
};

}  // namespace sluice::testing
