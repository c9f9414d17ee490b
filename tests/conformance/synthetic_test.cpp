// SyntheticSource and NullSink: the conformance checks, then the synthetic records' shape, the
// count and its split over tasks, resuming per task, and a roughly bounded rate.
#include <set>

#include "conformance/connector_conformance.h"

using namespace sluice;
using namespace sluice::conformance;

namespace {

const std::string kSource = "io.sluice.connect.synthetic.SyntheticSourceConnector";
const std::string kNullSink = "io.sluice.connect.synthetic.NullSinkConnector";

std::int64_t id_of(const SourceRecord& r) { return r.record.key.as_int64(); }

}  // namespace

TEST_CASE("SyntheticSource passes the connector conformance checks", "[conformance][synthetic]") {
  check_reports_every_missing_required_key(kSource);
  check_task_configs_respect_max_tasks(kSource, {{"topic", "bench"}});
  check_task_configs_respect_max_tasks(kSource, {{"topic", "bench"}, {"count", "2"}});
  check_source_resumes_after_committed_offset(kSource, {{"topic", "bench"}, {"batch.size", "7"}}, 100);
  check_source_resumes_after_committed_offset(kSource, {{"topic", "bench"}, {"count", "100"}}, 100);
  // Once count is reached poll() waits up to a second; stop() must cut that short.
  check_stop_unblocks_poll(kSource, {{"topic", "bench"}, {"count", "3"}}, std::chrono::milliseconds(500));
  // Between rate-limited records too.
  check_stop_unblocks_poll(kSource, {{"topic", "bench"}, {"rate", "0.5"}}, std::chrono::milliseconds(500));
}

TEST_CASE("NullSink passes the connector conformance checks", "[conformance][synthetic]") {
  check_reports_every_missing_required_key(kNullSink);
  check_task_configs_respect_max_tasks(kNullSink, {{"topics", "bench"}});
  check_sink_put_flush_is_durable(kNullSink, {{"topics", "bench"}}, {"a", "b"}, {});
}

TEST_CASE("Synthetic plugins are found by their aliases", "[conformance][synthetic]") {
  REQUIRE(plugins().find_connector("SyntheticSource") == plugins().find_connector(kSource));
  REQUIRE(plugins().find_connector("SyntheticSourceConnector") != nullptr);
  REQUIRE(plugins().find_connector("NullSink") == plugins().find_connector(kNullSink));
  REQUIRE(plugins().find_connector("NullSink")->type == PluginType::kSink);
}

TEST_CASE("SyntheticSource records have the benchmark's shape", "[conformance][synthetic]") {
  auto run = start_source(kSource, {{"topic", "bench"}, {"record.size", "37"}, {"count", "5"}});
  auto records = poll_records(*run->task, 5);
  REQUIRE(records.size() == 5);
  for (std::int64_t id = 0; id < 5; ++id) {
    const SourceRecord& r = records[static_cast<std::size_t>(id)];
    REQUIRE(r.record.topic == "bench");
    REQUIRE(schemas_equal(r.record.key_schema, schemas::int64()));
    REQUIRE(r.record.key == Value(id));
    const auto& schema = r.record.value_schema;
    REQUIRE(schema->name() == "io.sluice.synthetic.Record");
    REQUIRE(schema->fields().size() == 4);
    REQUIRE(schema->field("ts")->schema->name() == logical::kTimestampName);
    REQUIRE(schema->field("ts")->schema->type() == Type::kInt64);
    const auto& value = r.record.value.as<Struct>();
    value.validate();
    REQUIRE(value.get("id") == Value(id));
    REQUIRE(value.get("ts") == Value(std::int64_t{1700000000000} + id));
    REQUIRE(value.get("name") == Value("name-" + std::to_string(id)));
    REQUIRE(value.get("payload") == Value(std::string(37, 'x')));
    REQUIRE(r.source_partition.map() == OffsetMap{{"task", Value(std::int64_t{0})}});
    REQUIRE(r.source_offset == SourceOffset{{"position", Value(id + 1)}});
  }
  // All records share one schema object: it is built once, not per record.
  REQUIRE(records[0].record.value_schema.get() == records[4].record.value_schema.get());
}

TEST_CASE("SyntheticSource emits exactly count records, split over its tasks", "[conformance][synthetic]") {
  SECTION("one task, batch.size bounds each poll") {
    auto run = start_source(kSource, {{"topic", "t"}, {"count", "2500"}, {"batch.size", "1000"}});
    std::vector<SourceRecord> all;
    for (int i = 0; i < 3; ++i) {
      auto batch = run->task->poll();
      REQUIRE(batch.size() <= 1000);
      for (auto& r : batch) all.push_back(std::move(r));
    }
    REQUIRE(all.size() == 2500);
    for (std::size_t i = 0; i < all.size(); ++i) REQUIRE(id_of(all[i]) == static_cast<std::int64_t>(i));
    REQUIRE(run->task->poll().empty());
  }
  SECTION("three tasks share the ids without overlap") {
    std::multiset<std::int64_t> ids;
    for (int index = 0; index < 3; ++index) {
      auto run = start_source(kSource, {{"topic", "t"}, {"count", "10"}}, {}, 3, index);
      auto records = run->task->poll();  // a task's share fits in one batch
      for (const auto& r : records) {
        REQUIRE(r.source_partition.map() == OffsetMap{{"task", Value(std::int64_t{index})}});
        ids.insert(id_of(r));
      }
    }
    REQUIRE(ids == std::multiset<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  }
  SECTION("no more tasks than records") {
    TestConnectorContext context;
    auto connector = plugins().new_source(kSource);
    connector->start({{"topic", "t"}, {"count", "2"}}, context);
    REQUIRE(connector->task_configs(8).size() == 2);
  }
}

TEST_CASE("SyntheticSource task resumes its own ids from its committed offset", "[conformance][synthetic]") {
  SourcePartition task1{{"task", Value(std::int64_t{1})}};
  auto run = start_source(kSource, {{"topic", "t"}, {"count", "20"}}, {{task1, {{"position", Value(std::int64_t{9})}}}},
                          2, 1);
  auto records = run->task->poll();
  std::vector<std::int64_t> ids;
  for (const auto& r : records) ids.push_back(id_of(r));
  REQUIRE(ids == std::vector<std::int64_t>{9, 11, 13, 15, 17, 19});
}

TEST_CASE("SyntheticSource keeps roughly to its rate", "[conformance][synthetic]") {
  auto run = start_source(kSource, {{"topic", "t"}, {"rate", "200"}});
  auto started = std::chrono::steady_clock::now();
  std::size_t total = 0;
  while (std::chrono::steady_clock::now() - started < std::chrono::seconds(1)) {
    total += run->task->poll().size();
  }
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  INFO(total << " records in " << secs << " s");
  // 200/s for ~1 s; generous bounds, the machine may be busy.
  REQUIRE(total >= 40);
  REQUIRE(total <= static_cast<std::size_t>(200 * secs) + 2);
}

TEST_CASE("SyntheticSource generates a million records quickly", "[conformance][synthetic]") {
  auto run = start_source(kSource, {{"topic", "t"}, {"count", "1000000"}});
  auto started = std::chrono::steady_clock::now();
  std::size_t total = 0;
  std::int64_t last = -1;
  while (total < 1000000 && std::chrono::steady_clock::now() - started < std::chrono::seconds(60)) {
    auto batch = run->task->poll();
    total += batch.size();
    if (!batch.empty()) last = id_of(batch.back());
  }
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  INFO("generated 1M records in " << secs << " s");
  REQUIRE(total == 1000000);
  REQUIRE(last == 999999);
  REQUIRE(secs < 30);  // generous; it is a benchmark source, see bench/ for real figures
}
