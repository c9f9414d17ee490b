// The postgres plugin inside the real worker (build/bin/sluice, plugin.path = build/plugins):
// Debezium connector JSON, a file sink writing JSON lines, restarts and kill -9.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "integration/worker_fixture.h"
#include "pg_task_harness.h"

using namespace sluice::testing;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

std::string postgres_source_json(const PostgresServer& pg, const std::string& db, const std::string& slot,
                                 std::map<std::string, std::string> extra = {}) {
  json config{{"connector.class", "io.debezium.connector.postgresql.PostgresConnector"},
              {"database.hostname", pg.socket_dir().string()},
              {"database.port", std::to_string(pg.port())},
              {"database.user", "postgres"},
              {"database.dbname", db},
              {"topic.prefix", "pg"},
              {"slot.name", slot},
              {"plugin.name", "pgoutput"}};
  for (auto& [k, v] : extra) config[k] = v;
  return json{{"name", "pg-source"}, {"config", config}}.dump();
}

std::vector<json> read_events(const std::filesystem::path& p) {
  std::vector<json> out;
  for (const auto& line : read_lines(p)) {
    auto j = json::parse(line, nullptr, false);
    if (!j.is_discarded()) out.push_back(std::move(j));
  }
  return out;
}

// A consumer applying the change events by key: id -> v.
std::map<long, long> apply_by_key(const std::vector<json>& events) {
  std::map<long, long> state;
  for (const auto& e : events) {
    if (!e.is_object()) continue;  // tombstone
    const std::string op = e["op"];
    if (op == "d") {
      state.erase(e["before"]["id"].get<long>());
    } else {
      state[e["after"]["id"].get<long>()] = e["after"]["v"].get<long>();
    }
  }
  return state;
}

std::map<long, long> table_contents(const PostgresServer& pg, const std::string& db) {
  std::string text = pg.query_value("SELECT coalesce(string_agg(id || ':' || v, ',' ORDER BY id), '') FROM t", db);
  std::map<long, long> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    auto colon = item.find(':');
    out[std::stol(item.substr(0, colon))] = std::stol(item.substr(colon + 1));
  }
  return out;
}

}  // namespace

TEST_CASE("worker: Debezium connector JSON streams snapshot and changes into a file sink; restart resumes",
          "[postgres]") {
  auto& pg = shared_postgres();
  create_database(pg, "wk1", "CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL);"
                             "INSERT INTO t VALUES (1, 10), (2, 20), (3, 30);");
  SlotCleanup cleanup_slot(pg, "wk1_slot");
  WorkerFixture w;
  auto output = w.dir() / "events.jsonl";
  w.start();
  REQUIRE(w.request("POST", "/connectors", file_sink_json("sink", output.string(), "pg.public.t", {{"format", "json"}})).status == 201);
  auto created = w.request("POST", "/connectors", postgres_source_json(pg, "wk1", "wk1_slot"));
  INFO(created.body);
  REQUIRE(created.status == 201);
  REQUIRE(w.await_state("pg-source", "RUNNING"));
  REQUIRE(eventually([&] { return read_events(output).size() >= 3; }, 20s));

  pg.exec("INSERT INTO t VALUES (4, 40); UPDATE t SET v = 11 WHERE id = 1; DELETE FROM t WHERE id = 2;", "wk1");
  bool streamed = eventually([&] { return read_events(output).size() >= 7; }, 20s);
  if (!streamed) {
    INFO(w.process().log());
    INFO(read_lines(output).size() << " lines");
    REQUIRE(streamed);
  }
  auto events = read_events(output);
  REQUIRE(events[0]["op"] == "r");
  REQUIRE(events[0]["source"]["snapshot"] == "first");
  REQUIRE(events[2]["source"]["snapshot"] == "last");
  REQUIRE(events[3]["op"] == "c");
  REQUIRE(events[3]["before"].is_null());
  REQUIRE(events[3]["after"] == json{{"id", 4}, {"v", 40}});
  REQUIRE(events[3]["source"]["connector"] == "postgresql");
  REQUIRE(events[3]["source"]["name"] == "pg");
  REQUIRE(events[3]["source"]["db"] == "wk1");
  REQUIRE(events[3]["source"]["schema"] == "public");
  REQUIRE(events[3]["source"]["table"] == "t");
  REQUIRE(events[3]["source"]["lsn"].is_number());
  REQUIRE(events[4]["op"] == "u");
  REQUIRE(events[4]["after"]["v"] == 11);
  REQUIRE(events[5]["op"] == "d");
  REQUIRE(events[5]["before"]["id"] == 2);
  REQUIRE(events[6].is_null());  // tombstone

  // A graceful restart: committed offsets cover everything, nothing is repeated or lost.
  w.process().stop();
  pg.exec("INSERT INTO t VALUES (5, 50)", "wk1");
  w.start();
  REQUIRE(eventually([&] { return read_events(output).size() >= 8; }, 30s));
  std::this_thread::sleep_for(1s);
  events = read_events(output);
  REQUIRE(events.size() == 8);
  REQUIRE(events[7]["after"] == json{{"id", 5}, {"v", 50}});
  REQUIRE(apply_by_key(events) == table_contents(pg, "wk1"));
}

TEST_CASE("worker: kill -9 at random points while streaming; a consumer applying by key reaches the table",
          "[postgres]") {
  auto& pg = shared_postgres();
  create_database(pg, "wk2", "CREATE TABLE t (id int PRIMARY KEY, v int);"
                             "INSERT INTO t SELECT g, 0 FROM generate_series(1, 2000) g;");
  SlotCleanup cleanup_slot(pg, "wk2_slot");
  WorkerFixture w(std::map<std::string, std::string>{{"offset.flush.interval.ms", "100"}});
  auto output = w.dir() / "events.jsonl";
  w.start();
  REQUIRE(w.request("POST", "/connectors", file_sink_json("sink", output.string(), "pg.public.t", {{"format", "json"}})).status == 201);
  REQUIRE(w.request("POST", "/connectors", postgres_source_json(pg, "wk2", "wk2_slot")).status == 201);

  std::atomic<bool> writing{true};
  std::thread writer([&] {
    std::mt19937 rng(42);
    for (int round = 0; round < 150; ++round) {
      int base = std::uniform_int_distribution<int>(1, 3000)(rng);
      pg.exec("BEGIN;"
              "INSERT INTO t SELECT g, " + std::to_string(round) + " FROM generate_series(" + std::to_string(base) +
              ", " + std::to_string(base + 20) + ") g ON CONFLICT (id) DO UPDATE SET v = t.v + 1;"
              "DELETE FROM t WHERE id % 7 = " + std::to_string(round % 7) + " AND id BETWEEN " +
              std::to_string(base) + " AND " + std::to_string(base + 40) + ";"
              "UPDATE t SET v = v + 1000 WHERE id BETWEEN " + std::to_string(base + 100) + " AND " +
              std::to_string(base + 130) + "; COMMIT;", "wk2");
      std::this_thread::sleep_for(20ms);
    }
    writing = false;
  });
  const unsigned seed = std::random_device{}();
  INFO("kill timing seed " << seed);
  std::mt19937 rng(seed);
  int kills_mid_stream = 0;
  for (int crash = 0; crash < 3; ++crash) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(300, 1200)(rng)));
    if (writing) ++kills_mid_stream;
    w.process().kill_hard();
    w.start();
  }
  writer.join();
  REQUIRE(kills_mid_stream >= 2);
  auto expected = table_contents(pg, "wk2");
  bool converged = eventually([&] { return apply_by_key(read_events(output)) == expected; }, 60s);
  if (!converged) {
    auto got = apply_by_key(read_events(output));
    INFO("rows in the table " << expected.size() << ", rows applied " << got.size());
    std::string diff;
    int shown = 0;
    for (auto& [id, v] : got) {
      auto it = expected.find(id);
      if (it != expected.end() && it->second == v) continue;
      if (++shown > 3) break;
      diff += "id " + std::to_string(id) + " applied " + std::to_string(v) + " table " +
              (it == expected.end() ? std::string("none") : std::to_string(it->second)) + ":\n";
      for (const auto& e : read_events(output)) {
        if (!e.is_object()) continue;
        const auto& row = e["op"] == "d" ? e["before"] : e["after"];
        if (row["id"] == id) diff += "  " + e["op"].dump() + " v=" + row["v"].dump() + " lsn=" + e["source"]["lsn"].dump() + " tx=" + e["source"]["txId"].dump() + " snap=" + e["source"]["snapshot"].dump() + "\n";
      }
    }
    INFO(diff);
    INFO(w.process().log());
    REQUIRE(converged);
  }
}

TEST_CASE("worker: a connector with a bad configuration is refused with every problem", "[postgres]") {
  WorkerFixture w;
  w.start();
  json config{{"connector.class", "PostgresConnector"}, {"database.hostname", "/tmp"},
              {"database.user", "u"}, {"snapshot.mode", "bogus"}};
  auto r = w.request("PUT", "/connector-plugins/PostgresConnector/config/validate", config.dump());
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto j = json::parse(r.body);
  std::set<std::string> bad;
  for (const auto& c : j["configs"]) {
    if (!c["value"]["errors"].empty()) bad.insert(c["value"]["name"].get<std::string>());
  }
  REQUIRE(bad.count("topic.prefix") == 1);
  REQUIRE(bad.count("database.dbname") == 1);
  REQUIRE(bad.count("snapshot.mode") == 1);
}

TEST_CASE("worker: with heartbeats the slot's confirmed flush LSN advances while only another database writes",
          "[postgres]") {
  auto& pg = shared_postgres();
  create_database(pg, "wk3", "CREATE TABLE t (id int PRIMARY KEY, v int);");
  SlotCleanup cleanup_slot(pg, "wk3_slot");
  create_database(pg, "wk3_other", "CREATE TABLE busy (id serial PRIMARY KEY, v text);");
  WorkerFixture w;
  auto output = w.dir() / "events.jsonl";
  w.start();
  // The heartbeat topic needs a reader on the embedded bus: records nobody reads wait.
  REQUIRE(w.request("POST", "/connectors", file_sink_json("sink", output.string(), "pg.public.t,__debezium-heartbeat.pg",
                                                          {{"format", "json"}})).status == 201);
  REQUIRE(w.request("POST", "/connectors", postgres_source_json(pg, "wk3", "wk3_slot",
                                                                {{"heartbeat.interval.ms", "300"},
                                                                 {"status.update.interval.ms", "500"}})).status == 201);
  REQUIRE(w.await_state("pg-source", "RUNNING"));
  pg.exec("INSERT INTO t VALUES (1, 1)", "wk3");
  REQUIRE(eventually([&] { return !read_events(output).empty(); }, 20s));
  for (int i = 0; i < 20; ++i) {
    pg.exec("INSERT INTO busy (v) SELECT repeat('x', 100) FROM generate_series(1, 500)", "wk3_other");
  }
  auto target = current_wal_lsn(pg);
  REQUIRE(eventually([&] { return confirmed_flush_lsn(pg, "wk3_slot") >= target; }, 30s));
  bool heartbeat_seen = false;
  for (const auto& e : read_events(output)) heartbeat_seen = heartbeat_seen || (e.is_object() && e.contains("ts_ms") && !e.contains("op"));
  REQUIRE(heartbeat_seen);
}

TEST_CASE("worker: kill -9 during the snapshot while rows are deleted; a consumer applying by key reaches the table",
          "[postgres]") {
  auto& pg = shared_postgres();
  create_database(pg, "wk4", "CREATE TABLE t (id int PRIMARY KEY, v int);"
                             "INSERT INTO t SELECT g, 0 FROM generate_series(1, 200000) g;");
  SlotCleanup cleanup_slot(pg, "wk4_slot");
  WorkerFixture w(std::map<std::string, std::string>{{"offset.flush.interval.ms", "100"}});
  auto output = w.dir() / "events.jsonl";
  w.start();
  REQUIRE(w.request("POST", "/connectors", file_sink_json("sink", output.string(), "pg.public.t", {{"format", "json"}})).status == 201);
  REQUIRE(w.request("POST", "/connectors", postgres_source_json(pg, "wk4", "wk4_slot",
                                                                {{"snapshot.fetch.size", "1000"}})).status == 201);
  // Mid-snapshot: some rows are out, not all.
  REQUIRE(eventually([&] { return read_lines(output).size() > 20000; }, 60s));
  REQUIRE(read_lines(output).size() < 200000);
  pg.exec("DELETE FROM t WHERE id % 10 = 3; UPDATE t SET v = 5 WHERE id % 10 = 4;", "wk4");
  w.process().kill_hard();
  pg.exec("DELETE FROM t WHERE id % 10 = 6; INSERT INTO t VALUES (300000, 1);", "wk4");
  w.start();
  auto expected = table_contents(pg, "wk4");
  REQUIRE(eventually([&] { return apply_by_key(read_events(output)) == expected; }, 120s));
}

namespace {

// The worker's peak resident set (VmHWM) in kB, or -1.
long peak_rss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// Counts the lines of `p` and checks they are exactly the integers 1..n, each once.
struct IdCheck {
  std::size_t lines = 0;
  std::size_t distinct_in_range = 0;
};
IdCheck check_ids(const std::filesystem::path& p, long n) {
  std::vector<bool> seen(static_cast<std::size_t>(n) + 1, false);
  IdCheck c;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) {
    ++c.lines;
    long id = std::strtol(line.c_str(), nullptr, 10);
    if (id >= 1 && id <= n && !seen[static_cast<std::size_t>(id)]) {
      seen[static_cast<std::size_t>(id)] = true;
      ++c.distinct_in_range;
    }
  }
  return c;
}

}  // namespace

TEST_CASE("worker: a 5-million-row transaction is streamed through with bounded memory, every row arrives once",
          "[postgres][streaming][large]") {
  constexpr long kRows = 5'000'000;
  constexpr long kMemoryBoundKb = 200 * 1024;  // the records alone would be gigabytes
  auto& pg = shared_postgres();
  create_database(pg, "wkbig", "CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL);");
  SlotCleanup cleanup_slot(pg, "wkbig_slot");
  WorkerFixture w;
  auto output = w.dir() / "ids.txt";
  w.start();
  // The sink writes only after.id, one per line, so the output stays small.
  REQUIRE(w.request("POST", "/connectors",
                    file_sink_json("sink", output.string(), "pg.public.t",
                                   {{"transforms", "id"},
                                    {"transforms.id.type", "org.apache.kafka.connect.transforms.ExtractField$Value"},
                                    {"transforms.id.field", "after.id"},
                                    {"transforms.id.field.syntax.version", "V2"}})).status == 201);
  REQUIRE(w.request("POST", "/connectors",
                    postgres_source_json(pg, "wkbig", "wkbig_slot",
                                         {{"snapshot.mode", "no_data"}, {"max.batch.size", "4096"}})).status == 201);
  REQUIRE(w.await_state("pg-source", "RUNNING"));
  REQUIRE(eventually([&] { return pg.query_value("SELECT count(*) FROM pg_replication_slots WHERE slot_name = "
                                                 "'wkbig_slot' AND active", "postgres") == "1"; }, 20s));

  pg.exec("INSERT INTO t SELECT g, g FROM generate_series(1, " + std::to_string(kRows) + ") g", "wkbig");
  bool all = eventually([&] {
    std::this_thread::sleep_for(1s);  // counting lines is not free: leave the cores to the worker
    std::ifstream in(output, std::ios::binary);
    std::size_t lines = 0;
    char buf[1 << 16];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) lines += std::count(buf, buf + in.gcount(), '\n');
    return lines >= static_cast<std::size_t>(kRows);
  }, 900s);
  IdCheck ids = check_ids(output, kRows);
  long peak = peak_rss_kb(w.process().pid());
  WARN("5M-row transaction: lines " << ids.lines << ", distinct ids " << ids.distinct_in_range << ", worker VmHWM "
       << peak << " kB");
  if (!all) INFO(w.process().log());
  REQUIRE(all);
  REQUIRE(ids.lines == static_cast<std::size_t>(kRows));
  REQUIRE(ids.distinct_in_range == static_cast<std::size_t>(kRows));
  REQUIRE(peak > 0);
  REQUIRE(peak < kMemoryBoundKb);
  // It really went through the spool: the task reports a replayed streamed transaction.
  auto status = w.get_json("/connectors/pg-source/status");
  INFO(status.dump());
  REQUIRE(status["tasks"][0]["metrics"]["streamed_transactions"].get<double>() >= 1);
  REQUIRE(status["tasks"][0]["metrics"]["events_total"].get<double>() >= kRows);
}
