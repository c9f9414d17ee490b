// FileStreamSink: the conformance checks, then Kafka's FileStreamSinkTask output (one value per
// line, toString form), the json format, appending across restarts, durability at flush.
#include <fstream>

#include "conformance/connector_conformance.h"
#include "support/temp_dir.h"

using namespace sluice;
using namespace sluice::conformance;
using sluice::testing::TempDir;

namespace {

const std::string kSink = "org.apache.kafka.connect.file.FileStreamSinkConnector";

std::vector<std::string> read_lines(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

SinkRecord record(SchemaPtr schema, Value value, std::int64_t offset) {
  SinkRecord r;
  r.topic = "conformance";
  r.kafka_partition = 0;
  r.kafka_offset = offset;
  r.value_schema = std::move(schema);
  r.value = std::move(value);
  return r;
}

// A string, a null, an int, a struct with a null field, a schemaless map.
std::vector<SinkRecord> mixed_records() {
  auto schema = SchemaBuilder::struct_()
                    .name("row")
                    .field("a", schemas::int32())
                    .field("b", schemas::string())
                    .field("c", schemas::optional_string())
                    .build();
  Struct row(schema);
  row.put("a", Value(std::int32_t{1})).put("b", Value("x"));
  std::vector<SinkRecord> out;
  out.push_back(record(schemas::string(), Value("plain text"), 0));
  out.push_back(record(schemas::optional_string(), Value(), 1));
  out.push_back(record(schemas::int64(), Value(std::int64_t{42}), 2));
  out.push_back(record(schema, Value(std::move(row)), 3));
  out.push_back(record(nullptr, Value(string_map({{"k", Value(true)}})), 4));
  return out;
}

}  // namespace

TEST_CASE("FileStreamSink passes the connector conformance checks", "[conformance][file]") {
  TempDir dir;
  auto file = dir / "out.txt";
  check_reports_every_missing_required_key(kSink);
  check_task_configs_respect_max_tasks(kSink, {{"file", file.string()}});
  check_sink_put_flush_is_durable(kSink, {{"file", file.string()}}, {"one", "two", "", "four"},
                                  [&] { return read_lines(file); });
}

TEST_CASE("FileStreamSink is found by its Kafka class name and aliases", "[conformance][file]") {
  const runtime::PluginClass* full = plugins().find_connector(kSink);
  REQUIRE(full != nullptr);
  REQUIRE(full->type == PluginType::kSink);
  REQUIRE(plugins().find_connector("FileStreamSinkConnector") == full);
  REQUIRE(plugins().find_connector("FileStreamSink") == full);
}

TEST_CASE("FileStreamSink writes each value on its own line as Kafka's toString prints it",
          "[conformance][file]") {
  TempDir dir;
  auto file = dir / "out.txt";
  auto run = start_sink(kSink, {{"file", file.string()}});
  run->task->put(mixed_records());
  run->task->flush({{run->partition, 5}});
  REQUIRE(read_lines(file) ==
          std::vector<std::string>{"plain text", "null", "42", "Struct{a=1,b=x}", "{k=true}"});
}

TEST_CASE("FileStreamSink with format=json writes one JSON value per line", "[conformance][file]") {
  TempDir dir;
  auto file = dir / "out.jsonl";
  auto run = start_sink(kSink, {{"file", file.string()}, {"format", "json"}});
  run->task->put(mixed_records());
  run->task->flush({{run->partition, 5}});
  REQUIRE(read_lines(file) == std::vector<std::string>{R"("plain text")", "null", "42",
                                                       R"({"a":1,"b":"x","c":null})",
                                                       R"({"k":true})"});
}

TEST_CASE("FileStreamSink appends to an existing file and keeps big batches whole", "[conformance][file]") {
  TempDir dir;
  auto file = dir / "out.txt";
  std::ofstream(file, std::ios::binary) << "kept\n";
  std::vector<std::string> lines;
  for (int i = 0; i < 200000; ++i) lines.push_back("value-" + std::to_string(i));
  {
    auto run = start_sink(kSink, {{"file", file.string()}});
    run->task->put(string_records(run->partition, lines));
    run->task->pre_commit({{run->partition, 200000}});
  }
  {
    // A restarted task (same file) appends after what the first one wrote.
    auto run = start_sink(kSink, {{"file", file.string()}});
    run->task->put(string_records(run->partition, {"after restart"}, 200000));
    run->task->pre_commit({{run->partition, 200001}});
  }
  auto written = read_lines(file);
  REQUIRE(written.size() == 200002);
  REQUIRE(written.front() == "kept");
  REQUIRE(written[1] == "value-0");
  REQUIRE(written[200000] == "value-199999");
  REQUIRE(written.back() == "after restart");
  REQUIRE(read_all(file).back() == '\n');
}

TEST_CASE("FileStreamSink cuts off a torn last line left by a crash before appending",
          "[conformance][file]") {
  TempDir dir;
  auto file = dir / "out.txt";
  // What a kill -9 in the middle of a write leaves: whole lines, then part of one.
  std::ofstream(file, std::ios::binary) << "line-1\nline-2\nline-3-cut-sh";
  auto run = start_sink(kSink, {{"file", file.string()}});
  run->task->put(string_records(run->partition, {"line-3", "line-4"}, 2));
  run->task->pre_commit({{run->partition, 4}});
  REQUIRE(read_lines(file) == std::vector<std::string>{"line-1", "line-2", "line-3", "line-4"});

  auto only_torn = dir / "torn.txt";
  std::ofstream(only_torn, std::ios::binary) << "no newline at all";
  auto second = start_sink(kSink, {{"file", only_torn.string()}});
  second->task->put(string_records(second->partition, {"first"}));
  second->task->pre_commit({{second->partition, 1}});
  REQUIRE(read_all(only_torn) == "first\n");
}

TEST_CASE("FileStreamSink refuses a bad format and fails to start on an unwritable file",
          "[conformance][file]") {
  auto connector = plugins().new_sink(kSink);
  bool format_error = false;
  for (const auto& v : connector->validate({{"format", "xml"}})) {
    if (v.name == "format") format_error = !v.errors.empty();
  }
  REQUIRE(format_error);
  TestConnectorContext context;
  connector->start({{"file", "/nonexistent-dir/out.txt"}}, context);
  auto task = connector->create_task();
  TestSinkTaskContext task_context;
  REQUIRE_THROWS_AS(task->start(connector->task_configs(1)[0], task_context), ConnectError);
}

TEST_CASE("FileStreamSink with format=json reports a record it cannot encode and writes no part of it",
          "[conformance][file]") {
  TempDir dir;
  auto file = dir / "out.jsonl";
  auto run = start_sink(kSink, {{"file", file.string()}, {"format", "json"}});
  // A string value under an int32 schema: JsonConverter refuses it.
  std::vector<SinkRecord> batch;
  batch.push_back(record(schemas::string(), Value("good"), 0));
  batch.push_back(record(schemas::int32(), Value("not a number"), 1));
  // The test context has errors.tolerance=none: report() throws, failing put().
  REQUIRE_THROWS_WITH(run->task->put(batch), Catch::Contains("reported record"));
  run->task->put({record(schemas::string(), Value("after"), 2)});
  run->task->flush({{run->partition, 3}});
  REQUIRE(read_lines(file) == std::vector<std::string>{R"("good")", R"("after")"});
}
