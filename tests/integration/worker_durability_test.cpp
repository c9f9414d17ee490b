// Crash safety of the embedded pipeline: kill -9 at any moment loses no line, connectors created
// over REST come back after a restart, SIGTERM stops cleanly. Poison records follow errors.*.
#include <catch2/catch.hpp>

#include <fstream>
#include <atomic>
#include <set>
#include <thread>

#include "integration/worker_fixture.h"

using namespace sluice::testing;
using nlohmann::json;

namespace {
std::string numbered_line(int i) { return "record-" + std::to_string(i) + "-" + std::string(40, 'x'); }

void write_numbered(const std::filesystem::path& p, int count) {
  std::ofstream out(p);
  for (int i = 0; i < count; ++i) out << numbered_line(i) << "\n";
}

std::size_t distinct_matches(const std::filesystem::path& output, int count) {
  std::set<std::string> seen;
  for (auto& line : read_lines(output)) seen.insert(std::move(line));
  std::size_t found = 0;
  for (int i = 0; i < count; ++i) {
    if (seen.count(numbered_line(i))) ++found;
  }
  return found;
}

std::uintmax_t size_of(const std::filesystem::path& p) {
  std::error_code ec;
  auto n = std::filesystem::file_size(p, ec);
  return ec ? 0 : n;
}
}  // namespace

TEST_CASE("kill -9 mid-stream, restart: every input line is in the output and the connectors are back",
          "[system]") {
  // A million lines, appended while the pipeline runs so that every kill lands mid-stream.
  constexpr int kLines = 1000000;
  constexpr int kChunk = 5000;
  WorkerFixture w(std::map<std::string, std::string>{{"offset.flush.interval.ms", "100"}});
  auto input = w.dir() / "input.txt";
  auto output = w.dir() / "output.txt";
  std::ofstream(input).close();
  w.start();
  REQUIRE(w.request("POST", "/connectors", file_source_json("src", input.string(), "lines")).status == 201);
  REQUIRE(w.request("POST", "/connectors", file_sink_json("sink", output.string(), "lines")).status == 201);

  std::atomic<bool> writing{true};
  std::thread writer([&] {
    std::ofstream out(input, std::ios::app);
    for (int i = 0; i < kLines; i += kChunk) {
      for (int j = i; j < i + kChunk; ++j) out << numbered_line(j) << "\n";
      out.flush();
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
    }
    writing = false;
  });
  int kills_mid_stream = 0;
  for (int crash = 0; crash < 3; ++crash) {
    auto before = size_of(output);
    bool progressed = eventually([&] { return size_of(output) > before + 500000; }, std::chrono::seconds(60));
    if (!progressed) break;
    // Mid-stream: the input is still growing, so the output cannot be complete.
    if (writing) ++kills_mid_stream;
    w.process().kill_hard();
    w.start();
    // The connectors come back from the config file, without being posted again.
    REQUIRE(w.get_json("/connectors") == json::array({"sink", "src"}));
  }
  writer.join();
  REQUIRE(kills_mid_stream == 3);
  REQUIRE(eventually([&] { return size_of(output) >= size_of(input); }, std::chrono::seconds(120)));
  REQUIRE(eventually([&] { return distinct_matches(output, kLines) == static_cast<std::size_t>(kLines); },
                     std::chrono::seconds(30)));
  // Nothing but input lines in the output: a kill never leaves a torn line behind.
  std::size_t foreign = 0;
  const std::string tail = "-" + std::string(40, 'x');
  for (const auto& line : read_lines(output)) {
    bool whole = line.rfind("record-", 0) == 0 && line.size() > 7 + tail.size() &&
                 line.compare(line.size() - tail.size(), tail.size(), tail) == 0 &&
                 line.find_first_not_of("0123456789", 7) == line.size() - tail.size();
    foreign += !whole;
  }
  REQUIRE(foreign == 0);
  REQUIRE(w.process().stop() == 0);
}

TEST_CASE("SIGTERM stops gracefully: exit 0, offsets committed, a restart does not repeat lines", "[system]") {
  WorkerFixture w;
  auto input = w.dir() / "input.txt";
  auto output = w.dir() / "output.txt";
  write_numbered(input, 1000);
  std::ofstream(w.dir() / "src.json") << file_source_json("src", input.string(), "lines");
  std::ofstream(w.dir() / "sink.json") << file_sink_json("sink", output.string(), "lines");
  w.start({(w.dir() / "src.json").string(), (w.dir() / "sink.json").string()});
  REQUIRE(eventually([&] { return read_lines(output).size() == 1000; }));
  REQUIRE(w.process().stop() == 0);
  REQUIRE_THAT(w.process().log(), Catch::Contains("sluice worker stopped"));

  w.start({(w.dir() / "src.json").string(), (w.dir() / "sink.json").string()});
  REQUIRE(w.await_state("src", "RUNNING"));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  REQUIRE(read_lines(output).size() == 1000);
  REQUIRE(w.process().stop() == 0);
}

TEST_CASE("Poison records go to the dead-letter topic, which any sink can read", "[system]") {
  WorkerFixture w;
  auto input = w.dir() / "input.txt";
  auto good = w.dir() / "good.txt";
  auto dead = w.dir() / "dead.txt";
  std::ofstream(input) << "{\"a\":1}\nnot json\n42\n";
  w.start();
  REQUIRE(w.request("POST", "/connectors",
                    file_sink_json("json-sink", good.string(), "events",
                                   {{"format", "json"},
                                    {"errors.tolerance", "all"},
                                    {"errors.log.enable", "true"},
                                    {"errors.deadletterqueue.topic.name", "events-dlq"},
                                    {"errors.deadletterqueue.context.headers.enable", "true"}}))
              .status == 201);
  REQUIRE(w.request("POST", "/connectors",
                    file_sink_json("dlq-sink", dead.string(), "events-dlq",
                                   {{"value.converter", "org.apache.kafka.connect.storage.StringConverter"}}))
              .status == 201);
  // With errors.tolerance=none (the default) the same poison record fails the task, with a trace.
  // (Created before the source: a sink reads what the bus still holds, not what others consumed.)
  REQUIRE(w.request("POST", "/connectors", file_sink_json("strict", (w.dir() / "strict.txt").string(), "events"))
              .status == 201);
  auto source = json::parse(file_source_json("src", input.string(), "events"));
  source["config"]["value.converter"] = "org.apache.kafka.connect.storage.StringConverter";
  REQUIRE(w.request("POST", "/connectors", source.dump()).status == 201);
  REQUIRE(eventually([&] { return read_lines(good).size() == 2 && read_lines(dead).size() == 1; }));
  REQUIRE(read_lines(good) == std::vector<std::string>{"{\"a\":1}", "42"});
  REQUIRE(read_lines(dead) == std::vector<std::string>{"not json"});
  REQUIRE_THAT(w.process().log(), Catch::Contains("Error encountered in task json-sink-0"));

  REQUIRE(eventually([&] {
    auto s = w.get_json("/connectors/strict/status");
    return !s["tasks"].empty() && s["tasks"][0]["state"] == "FAILED";
  }));
  REQUIRE_THAT(w.get_json("/connectors/strict/tasks/0/status")["trace"].get<std::string>(),
               Catch::Contains("Tolerance exceeded"));
  REQUIRE(w.process().stop() == 0);
}
