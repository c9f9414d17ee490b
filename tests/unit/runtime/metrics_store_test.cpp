#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <variant>

#include "runtime/metrics_store.h"

using namespace sluice;
using namespace sluice::runtime;

namespace {
double number(const MetricValues& values, const std::string& name) { return std::get<double>(values.at(name)); }
}  // namespace

TEST_CASE("A task metrics group keeps the latest value of each gauge", "[metrics]") {
  TaskMetricsGroup group;
  TaskMetrics& metrics = group;  // as a plugin sees it through its context
  metrics.set("events_per_second", 10);
  metrics.set("events_per_second", 12.5);
  metrics.set_text("last_committed_lsn", "0/16B3748");
  metrics.set_text("last_committed_lsn", "0/16B3750");
  group.add("source-record-poll-total", 3);
  group.add("source-record-poll-total", 4);
  auto values = group.snapshot();
  REQUIRE(values.size() == 3);
  REQUIRE(number(values, "events_per_second") == 12.5);
  REQUIRE(std::get<std::string>(values.at("last_committed_lsn")) == "0/16B3750");
  REQUIRE(number(values, "source-record-poll-total") == 7);
  metrics.set("last_committed_lsn", 1);  // a gauge may change kind; the latest call wins
  group.add("was_text", 0);
  metrics.set_text("was_text", "x");
  group.add("was_text", 2);  // a counter over a text gauge starts again from 0
  values = group.snapshot();
  REQUIRE(number(values, "last_committed_lsn") == 1);
  REQUIRE(number(values, "was_text") == 2);
}

TEST_CASE("Writers on task threads and readers on REST threads see whole values", "[metrics]") {
  MetricsStore store;
  auto group = store.add_task(TaskId{"c", 0});
  constexpr int kWrites = 20000;
  constexpr int kReads = 200;
  // Catch's assertions are not thread-safe: the reader counts what it saw wrong. The writers go on
  // until the reader has read many times, so reads and writes overlap however threads are scheduled.
  std::atomic<bool> done{false};
  std::atomic<int> went_back{0}, torn{0}, reads{0}, counted{0};
  std::thread counter([&] {
    int i = 0;
    for (; i < kWrites || reads < kReads; ++i) group->add("total", 1);
    counted = i;
  });
  std::thread texter([&] {
    for (int i = 0; i < kWrites || reads < kReads; ++i) {
      group->set_text("position", i % 2 ? std::string(64, 'a') : std::string(3, 'b'));
    }
  });
  std::thread reader([&] {
    double last = 0;
    while (!done) {
      auto values = store.task(TaskId{"c", 0});
      ++reads;
      if (auto it = values.find("total"); it != values.end()) {
        double now = std::get<double>(it->second);
        if (now < last) ++went_back;
        last = now;
      }
      if (auto it = values.find("position"); it != values.end()) {
        const auto& text = std::get<std::string>(it->second);
        if (text != std::string(64, 'a') && text != std::string(3, 'b')) ++torn;
      }
    }
  });
  counter.join();
  texter.join();
  done = true;
  reader.join();
  REQUIRE(reads >= kReads);
  REQUIRE(went_back == 0);  // a counter never goes back
  REQUIRE(torn == 0);       // a text is never half replaced
  REQUIRE(number(store.task(TaskId{"c", 0}), "total") == counted);
}

TEST_CASE("The store lists running tasks in id order; a removed task's group lives on unseen", "[metrics]") {
  MetricsStore store;
  auto b = store.add_task(TaskId{"b", 0});
  auto a1 = store.add_task(TaskId{"a", 1});
  auto a0 = store.add_task(TaskId{"a", 0});
  a0->set("x", 1);
  auto all = store.all();
  REQUIRE(all.size() == 3);
  REQUIRE(all[0].id == TaskId{"a", 0});
  REQUIRE(all[1].id == TaskId{"a", 1});
  REQUIRE(all[2].id == TaskId{"b", 0});
  REQUIRE(number(all[0].metrics, "x") == 1);

  store.remove_task(TaskId{"a", 0});
  a0->set("x", 2);  // an abandoned task thread may still write: harmless
  REQUIRE(store.task(TaskId{"a", 0}).empty());
  REQUIRE(store.all().size() == 2);

  auto restarted = store.add_task(TaskId{"b", 0});  // a new instance starts from nothing
  b->set("old", 1);
  REQUIRE(store.task(TaskId{"b", 0}).empty());
  restarted->set("new", 1);
  REQUIRE(store.task(TaskId{"b", 0}).count("new") == 1);
}
