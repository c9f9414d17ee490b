// FileStreamSource: the conformance checks, then Kafka's FileStreamSourceTask behaviour --
// offsets by byte position, partial lines held back, restarts that neither repeat nor skip,
// tailing, rotation -- and speed on a big file.
#include <fstream>

#include "conformance/connector_conformance.h"
#include "support/eventually.h"
#include "support/temp_dir.h"

using namespace sluice;
using namespace sluice::conformance;
using sluice::testing::eventually;
using sluice::testing::TempDir;

namespace {

const std::string kSource = "org.apache.kafka.connect.file.FileStreamSourceConnector";

void append(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
}

void write_lines(const std::filesystem::path& path, int from, int to) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  for (int i = from; i < to; ++i) out << "line-" << i << "\n";
}

ConfigMap source_config(const std::filesystem::path& file, const std::string& batch_size = "") {
  ConfigMap config{{"file", file.string()}, {"topic", "lines"}};
  if (!batch_size.empty()) config["batch.size"] = batch_size;
  return config;
}

std::vector<std::string> values(const std::vector<SourceRecord>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(r.record.value.as<std::string>());
  return out;
}

std::int64_t position(const SourceRecord& r) { return r.source_offset.at("position").as_int64(); }

}  // namespace

TEST_CASE("FileStreamSource passes the connector conformance checks", "[conformance][file]") {
  TempDir dir;
  auto file = dir / "in.txt";
  write_lines(file, 0, 50);
  check_reports_every_missing_required_key(kSource);
  check_task_configs_respect_max_tasks(kSource, source_config(file));
  check_source_resumes_after_committed_offset(kSource, source_config(file, "7"), 50);
  // At end of file poll() waits up to a second for more lines; stop() must cut that short.
  check_stop_unblocks_poll(kSource, source_config(file), std::chrono::milliseconds(500));
}

TEST_CASE("FileStreamSource is found by its Kafka class name and aliases", "[conformance][file]") {
  const runtime::PluginClass* full = plugins().find_connector(kSource);
  REQUIRE(full != nullptr);
  REQUIRE(full->type == PluginType::kSource);
  REQUIRE(plugins().find_connector("FileStreamSourceConnector") == full);
  REQUIRE(plugins().find_connector("FileStreamSource") == full);
}

TEST_CASE("FileStreamSource requires one topic and a positive batch.size", "[conformance][file]") {
  auto connector = plugins().new_source(kSource);
  auto errors_of = [&](const ConfigMap& config, const std::string& key) {
    for (const auto& v : connector->validate(config)) {
      if (v.name == key) return v.errors;
    }
    FAIL("no such key " << key);
    return std::vector<std::string>{};
  };
  REQUIRE_FALSE(errors_of({}, "topic").empty());
  REQUIRE(errors_of({}, "file").empty());  // absent = stdin
  REQUIRE_FALSE(errors_of({{"topic", "a,b"}}, "topic").empty());
  REQUIRE(errors_of({{"topic", "a"}}, "topic").empty());
  REQUIRE_FALSE(errors_of({{"topic", "a"}, {"batch.size", "0"}}, "batch.size").empty());
  TestConnectorContext context;
  REQUIRE_THROWS_AS(connector->start({{"topic", "a,b"}}, context), ConfigError);
  // Always one task: a file has one reader.
  connector->start({{"topic", "a"}, {"file", "/tmp/x"}}, context);
  REQUIRE(connector->task_configs(4).size() == 1);
}

TEST_CASE("FileStreamSource sends each line as a string record with Kafka's partition and offset",
          "[conformance][file]") {
  TempDir dir;
  auto file = dir / "in.txt";
  append(file, "a\nbb\n\nccc\r\nd\n");
  auto run = start_source(kSource, source_config(file));
  auto records = poll_records(*run->task, 5);
  REQUIRE(values(records) == std::vector<std::string>{"a", "bb", "", "ccc", "d"});
  std::vector<std::int64_t> positions;
  for (const auto& r : records) positions.push_back(position(r));
  REQUIRE(positions == std::vector<std::int64_t>{2, 5, 6, 11, 13});
  for (const auto& r : records) {
    REQUIRE(r.source_partition.map() == OffsetMap{{"filename", Value(file.string())}});
    REQUIRE(r.source_offset.size() == 1);
    REQUIRE(r.record.topic == "lines");
    REQUIRE(r.record.key.is_null());
    REQUIRE(r.record.key_schema == nullptr);
    REQUIRE(schemas_equal(r.record.value_schema, schemas::string()));
    REQUIRE(r.record.timestamp_ms.has_value());
  }
}

TEST_CASE("FileStreamSource holds a partial last line until its newline arrives", "[conformance][file]") {
  TempDir dir;
  auto file = dir / "in.txt";
  append(file, "first\nsec");
  auto run = start_source(kSource, source_config(file));
  auto records = poll_records(*run->task, 1);
  REQUIRE(values(records) == std::vector<std::string>{"first"});
  REQUIRE(run->task->poll().empty());  // "sec" is not a line yet
  append(file, "ond\r");
  REQUIRE(run->task->poll().empty());  // nor "second\r"
  append(file, "\nthird\n");
  records = poll_records(*run->task, 2);
  REQUIRE(values(records) == std::vector<std::string>{"second", "third"});
  REQUIRE(position(records[0]) == 14);
  REQUIRE(position(records[1]) == 20);
}

TEST_CASE("FileStreamSource restarted from a committed offset neither repeats nor skips lines",
          "[conformance][file]") {
  TempDir dir;
  auto file = dir / "in.txt";
  write_lines(file, 0, 10000);
  std::vector<std::string> seen;
  std::map<SourcePartition, SourceOffset> committed;
  // Three task lifetimes, each stopping somewhere in the middle of what it has read; lines are
  // appended while the tasks are down.
  for (int round = 0; round < 3; ++round) {
    auto run = start_source(kSource, source_config(file, "999"), committed);
    auto records = poll_records(*run->task, 2500);
    REQUIRE(records.size() >= 2500);
    for (const auto& r : records) seen.push_back(r.record.value.as<std::string>());
    committed = {{records.back().source_partition, records.back().source_offset}};
    write_lines(file, 10000 + round * 10, 10010 + round * 10);
  }
  auto run = start_source(kSource, source_config(file), committed);
  auto rest = poll_records(*run->task, 10030 - seen.size());
  for (const auto& r : rest) seen.push_back(r.record.value.as<std::string>());
  REQUIRE(seen.size() == 10030);
  for (int i = 0; i < 10030; ++i) REQUIRE(seen[static_cast<std::size_t>(i)] == "line-" + std::to_string(i));
  REQUIRE(run->task->poll().empty());
}

TEST_CASE("FileStreamSource keeps tailing the file and waits for a file that does not exist yet",
          "[conformance][file]") {
  TempDir dir;
  auto file = dir / "later.txt";
  auto run = start_source(kSource, source_config(file));
  REQUIRE(run->task->poll().empty());
  write_lines(file, 0, 3);
  REQUIRE(values(poll_records(*run->task, 3, std::chrono::seconds(10))) ==
          std::vector<std::string>{"line-0", "line-1", "line-2"});
  // Appends are noticed quickly (inotify), well before poll()'s one-second wait runs out.
  auto appended_at = std::chrono::steady_clock::now();
  std::vector<SourceRecord> tail;
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    write_lines(file, 3, 4);
  });
  tail = poll_records(*run->task, 1, std::chrono::seconds(10));
  writer.join();
  REQUIRE(values(tail) == std::vector<std::string>{"line-3"});
  REQUIRE(std::chrono::steady_clock::now() - appended_at < std::chrono::seconds(5));
}

TEST_CASE("FileStreamSource reads a truncated or replaced file again from its start",
          "[conformance][file]") {
  TempDir dir;
  auto file = dir / "in.txt";
  write_lines(file, 0, 5);
  auto run = start_source(kSource, source_config(file));
  REQUIRE(poll_records(*run->task, 5).size() == 5);
  SECTION("truncated") {
    std::ofstream(file, std::ios::trunc | std::ios::binary) << "new-0\n";
  }
  SECTION("replaced") {
    auto next = dir / "next.txt";
    std::ofstream(next, std::ios::binary) << "new-0\n";
    std::filesystem::rename(next, file);
  }
  auto records = poll_records(*run->task, 1, std::chrono::seconds(10));
  REQUIRE(values(records) == std::vector<std::string>{"new-0"});
  REQUIRE(position(records[0]) == 6);
}

TEST_CASE("FileStreamSource starts from the beginning when the committed position is past the end",
          "[conformance][file]") {
  TempDir dir;
  auto file = dir / "in.txt";
  write_lines(file, 0, 2);
  SourcePartition partition{{"filename", Value(file.string())}};
  auto run = start_source(kSource, source_config(file), {{partition, {{"position", Value(std::int64_t{1000})}}}});
  REQUIRE(values(poll_records(*run->task, 2)) == std::vector<std::string>{"line-0", "line-1"});
}

TEST_CASE("FileStreamSource returns at most batch.size records per poll and moves a million lines quickly",
          "[conformance][file]") {
  TempDir dir;
  auto file = dir / "big.txt";
  {
    std::ofstream out(file, std::ios::binary);
    std::string line;
    for (int i = 0; i < 1000000; ++i) {
      line = "line-" + std::to_string(i) + " some payload to make it a realistic log line\n";
      out << line;
    }
  }
  auto run = start_source(kSource, source_config(file));
  auto started = std::chrono::steady_clock::now();
  std::size_t total = 0;
  std::string last;
  std::int64_t last_position = 0;
  while (total < 1000000 && std::chrono::steady_clock::now() - started < std::chrono::seconds(60)) {
    auto batch = run->task->poll();
    REQUIRE(batch.size() <= 2000);  // Kafka's default batch.size
    if (batch.empty()) continue;
    total += batch.size();
    last = batch.back().record.value.as<std::string>();
    last_position = position(batch.back());
  }
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  INFO("read 1M lines in " << secs << " s");
  REQUIRE(total == 1000000);
  REQUIRE(last == "line-999999 some payload to make it a realistic log line");
  REQUIRE(last_position == static_cast<std::int64_t>(std::filesystem::file_size(file)));
  REQUIRE(secs < 30);  // generous: a per-line syscall design takes minutes here, this takes ~1 s
}
