// Crash safety of the embedded pipeline: kill -9 at any moment loses no line, connectors created
// over REST come back after a restart, SIGTERM stops cleanly. Poison records follow errors.*.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>

#include "integration/worker_fixture.h"

using namespace sluice::testing;
using nlohmann::json;

namespace {
void write_numbered(const std::filesystem::path& p, int count) {
  std::ofstream out(p);
  for (int i = 0; i < count; ++i) out << "record-" << i << "-" << std::string(40, 'x') << "\n";
}

std::size_t distinct_matches(const std::filesystem::path& output, int count) {
  std::set<std::string> seen;
  for (auto& line : read_lines(output)) seen.insert(std::move(line));
  std::size_t found = 0;
  for (int i = 0; i < count; ++i) {
    if (seen.count("record-" + std::to_string(i) + "-" + std::string(40, 'x'))) ++found;
  }
  return found;
}
}  // namespace

TEST_CASE("kill -9 mid-stream, restart: every input line is in the output and the connectors are back",
          "[system]") {
  constexpr int kLines = 300000;
  WorkerFixture w(std::map<std::string, std::string>{{"offset.flush.interval.ms", "100"}});
  auto input = w.dir() / "input.txt";
  auto output = w.dir() / "output.txt";
  write_numbered(input, kLines);
  w.start();
  REQUIRE(w.request("POST", "/connectors", file_source_json("src", input.string(), "lines")).status == 201);
  REQUIRE(w.request("POST", "/connectors", file_sink_json("sink", output.string(), "lines")).status == 201);

  for (int crash = 0; crash < 3; ++crash) {
    std::size_t before = read_lines(output).size();
    REQUIRE(eventually([&] { return read_lines(output).size() > before + 1000; }, std::chrono::seconds(60)));
    if (read_lines(output).size() >= static_cast<std::size_t>(kLines)) break;
    w.process().kill_hard();
    w.start();
    // The connectors come back from the config file, without being posted again.
    REQUIRE(w.get_json("/connectors") == json::array({"sink", "src"}));
  }
  REQUIRE(eventually([&] { return distinct_matches(output, kLines) == static_cast<std::size_t>(kLines); },
                     std::chrono::seconds(120)));
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
