// PostgresSourceTask against a real PostgreSQL 15: snapshot from the slot's exported snapshot,
// streaming, Debezium offsets, restart without loss or repeats, the flush LSN moving only on
// commit(), heartbeats on an idle database, slot.drop.on.stop.
#include <catch2/catch.hpp>
#include <algorithm>

#include <set>

#include "pg_task_harness.h"
#include "postgres_source_connector.h"
#include "support/eventually.h"

using namespace sluice;
using namespace sluice::testing;
using namespace std::chrono_literals;

namespace {

std::string snapshot_marker(const SourceRecord& r) {
  return field(field(r.record.value, "source"), "snapshot").as<std::string>();
}

bool has_data(const std::vector<SourceRecord>& rs, std::size_t n) { return count_data(rs) >= n; }

}  // namespace

TEST_CASE("PostgresConnector validate() reports every bad key", "[postgres]") {
  postgres::PostgresConnector connector;
  ConfigMap bad{{"database.hostname", "h"}, {"database.user", "u"}, {"database.dbname", "d"},
                {"slot.name", "Bad-Name"}, {"plugin.name", "decoderbufs"}, {"snapshot.mode", "sometimes"},
                {"table.include.list", "public.a"}, {"table.exclude.list", "public.b"},
                {"schema.include.list", "("}};
  std::map<std::string, std::vector<std::string>> errors;
  for (const auto& v : connector.validate(bad)) {
    if (!v.errors.empty()) errors[v.name] = v.errors;
  }
  for (const char* key : {"topic.prefix", "slot.name", "plugin.name", "snapshot.mode", "table.exclude.list",
                          "schema.include.list"}) {
    INFO(key);
    REQUIRE(errors.count(key) == 1);
  }
  ConfigMap good{{"database.hostname", "/tmp"}, {"database.user", "u"}, {"database.dbname", "d"},
                 {"topic.prefix", "p"}};
  for (const auto& v : connector.validate(good)) {
    INFO(v.name);
    REQUIRE(v.errors.empty());
  }
  REQUIRE(connector.task_configs(5).size() == 1);
}

TEST_CASE("snapshot of existing rows, then streaming of insert/update/delete", "[postgres]") {
  auto& pg = shared_postgres();
  create_database(pg, "snap1",
                  "CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL);"
                  "CREATE TABLE orders (id int PRIMARY KEY, qty int);"
                  "INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 25) g;"
                  "INSERT INTO orders VALUES (1, 10), (2, 20);");
  SlotCleanup cleanup_slot(pg, "snap1_slot");
  TaskRun run(pg_task_config(pg, "snap1", "snap1_slot", {{"snapshot.fetch.size", "7"}, {"max.batch.size", "10"}}));
  auto snap = run.poll_until([](const auto& rs) { return has_data(rs, 27); });
  REQUIRE(count_data(snap, "r") == 27);
  // Debezium's markers: first, then per table, and last on the very last record.
  REQUIRE(snapshot_marker(snap.front()) == "first");
  REQUIRE(snapshot_marker(snap.back()) == "last");
  REQUIRE(snap.back().source_offset.at("last_snapshot_record") == Value(true));
  REQUIRE(snap.front().source_offset.at("snapshot") == Value(true));
  REQUIRE(snap.front().source_offset.at("last_snapshot_record") == Value(false));
  std::set<std::string> topics;
  for (const auto& r : snap) topics.insert(r.record.topic);
  REQUIRE(topics == std::set<std::string>{"pg.public.customers", "pg.public.orders"});

  pg.exec("INSERT INTO customers VALUES (100, 'new'); UPDATE customers SET name = 'x' WHERE id = 1; "
          "DELETE FROM customers WHERE id = 2;", "snap1");
  auto changes = run.poll_until([](const auto& rs) { return rs.size() >= 4; });
  REQUIRE(changes.size() >= 4);
  REQUIRE(op_of(changes[0]) == "c");
  REQUIRE(id_of(changes[0]) == 100);
  REQUIRE(op_of(changes[1]) == "u");
  REQUIRE(field(field(changes[1].record.value, "after"), "name") == Value("x"));
  REQUIRE(op_of(changes[2]) == "d");
  REQUIRE(id_of(changes[2]) == 2);
  REQUIRE(changes[3].record.value.is_null());  // tombstone
  // A batch's last record carries the offset (Debezium's keys); the others carry none.
  REQUIRE_FALSE(changes.back().source_offset.empty());
  for (const auto& r : changes) {
    if (r.source_offset.empty()) continue;
    for (const char* key : {"lsn", "lsn_proc", "lsn_commit", "txId", "ts_usec"}) {
      INFO(key);
      REQUIRE(r.source_offset.count(key) == 1);
    }
  }
  // Every value is valid for its schema (what a converter checks).
  for (const auto& r : changes) {
    if (const auto* s = r.record.value.get_if<Struct>()) {
      INFO(op_of(r) << " " << r.record.value.to_string());
      REQUIRE_NOTHROW(s->validate());
    }
  }
  for (const auto& r : snap) REQUIRE_NOTHROW(r.record.value.as<Struct>().validate());
  // All in one transaction: its last record says the transaction is out (its commit LSN is past
  // the transaction's changes).
  REQUIRE(offset_int(changes[3], "lsn_commit") > field(field(changes[2].record.value, "source"), "lsn").as_int64());
}

TEST_CASE("a row written while the snapshot runs is in the stream, not lost and not doubled", "[postgres]") {
  auto& pg = shared_postgres();
  create_database(pg, "snap2",
                  "CREATE TABLE t (id int PRIMARY KEY, v int);"
                  "INSERT INTO t SELECT g, 0 FROM generate_series(1, 3000) g;");
  SlotCleanup cleanup_slot(pg, "snap2_slot");
  TaskRun run(pg_task_config(pg, "snap2", "snap2_slot", {{"max.batch.size", "500"}, {"snapshot.fetch.size", "500"}}));
  auto first = run.poll_until([](const auto& rs) { return !rs.empty(); });
  REQUIRE(!first.empty());
  // The slot exists and its snapshot is being read: these commit after the consistent point.
  pg.exec("INSERT INTO t VALUES (5000, 1); UPDATE t SET v = 7 WHERE id = 2999;", "snap2");
  auto rest = run.poll_until([](const auto& rs) { return count_data(rs, "u") >= 1; });
  std::map<std::int64_t, int> reads;
  int creates = 0;
  for (const auto* batch : {&first, &rest}) {
    for (const auto& r : *batch) {
      if (op_of(r) == "r") ++reads[id_of(r)];
      if (op_of(r) == "c") ++creates;
    }
  }
  REQUIRE(reads.size() == 3000);
  REQUIRE(reads.count(5000) == 0);
  REQUIRE(creates == 1);
}

TEST_CASE("restart from a committed offset mid-transaction resumes without loss or repeats", "[postgres]") {
  auto& pg = shared_postgres();
  create_database(pg, "resume1", "CREATE TABLE t (id int PRIMARY KEY, v text);");
  SlotCleanup cleanup_slot(pg, "resume1_slot");
  // Batches of at most 2 records: some batch ends inside the first transaction, and its last
  // record's offset is a resume point mid-transaction.
  auto config = pg_task_config(pg, "resume1", "resume1_slot", {{"snapshot.mode", "no_data"}, {"max.batch.size", "2"}});
  std::optional<SourceOffset> committed;
  std::int64_t committed_id = 0;
  {
    TaskRun run(config);
    run.poll_for(1s);  // slot created, streaming
    pg.exec("BEGIN; INSERT INTO t SELECT g, 'a' FROM generate_series(1, 5) g; COMMIT;"
            "BEGIN; INSERT INTO t SELECT g, 'b' FROM generate_series(6, 10) g; COMMIT;", "resume1");
    auto rs = run.poll_until([](const auto& rs) { return has_data(rs, 10); });
    REQUIRE(count_data(rs) == 10);
    auto mid = std::find_if(rs.begin(), rs.end(), [](const SourceRecord& r) {
      return !r.source_offset.empty() && id_of(r) >= 1 && id_of(r) <= 4;
    });
    REQUIRE(mid != rs.end());
    run.commit(*mid);
    committed = mid->source_offset;
    committed_id = id_of(*mid);
    run.poll_for(500ms);
  }
  TaskRun again(config, committed);
  pg.exec("INSERT INTO t VALUES (11, 'c')", "resume1");
  auto rs = again.poll_until([&](const auto& rs) { return has_data(rs, static_cast<std::size_t>(11 - committed_id)); });
  std::vector<std::int64_t> ids, expected;
  for (const auto& r : rs) ids.push_back(id_of(r));
  for (std::int64_t id = committed_id + 1; id <= 11; ++id) expected.push_back(id);
  REQUIRE(ids == expected);
}

TEST_CASE("the slot's confirmed flush LSN advances only after commit()", "[postgres]") {
  auto& pg = shared_postgres();
  create_database(pg, "flush1", "CREATE TABLE t (id int PRIMARY KEY);");
  SlotCleanup cleanup_slot(pg, "flush1_slot");
  TaskRun run(pg_task_config(pg, "flush1", "flush1_slot",
                             {{"snapshot.mode", "no_data"}, {"status.update.interval.ms", "200"}}));
  run.poll_for(1s);
  pg.exec("INSERT INTO t VALUES (1); INSERT INTO t VALUES (2);", "flush1");
  auto rs = run.poll_until([](const auto& rs) { return has_data(rs, 2); });
  REQUIRE(count_data(rs) == 2);
  postgres::Lsn end{static_cast<std::uint64_t>(offset_int(rs.back(), "lsn_commit"))};
  run.poll_for(1500ms);  // several status updates go out meanwhile
  REQUIRE(confirmed_flush_lsn(pg, "flush1_slot") < end);
  run.commit(rs.front());
  run.poll_for(800ms);
  REQUIRE(confirmed_flush_lsn(pg, "flush1_slot") < end);
  run.commit(rs.back());
  REQUIRE(eventually([&] {
    run.poll_for(200ms);
    return confirmed_flush_lsn(pg, "flush1_slot") >= end;
  }, 10s));
}

TEST_CASE("heartbeats let the slot advance while only other databases write", "[postgres]") {
  auto& pg = shared_postgres();
  create_database(pg, "hb1", "CREATE TABLE t (id int PRIMARY KEY);");
  SlotCleanup cleanup_slot(pg, "hb1_slot");
  create_database(pg, "hb1_other", "CREATE TABLE busy (id serial PRIMARY KEY, v text);");
  TaskRun run(pg_task_config(pg, "hb1", "hb1_slot",
                             {{"snapshot.mode", "no_data"}, {"heartbeat.interval.ms", "300"},
                              {"status.update.interval.ms", "200"}}));
  run.poll_for(1s);
  pg.exec("INSERT INTO t VALUES (1)", "hb1");
  auto rs = run.poll_until([](const auto& rs) { return has_data(rs, 1); });
  run.commit(rs.back());
  for (int i = 0; i < 20; ++i) pg.exec("INSERT INTO busy (v) SELECT repeat('x', 100) FROM generate_series(1, 500)", "hb1_other");
  postgres::Lsn target = current_wal_lsn(pg);
  SourceRecord heartbeat;
  bool found = eventually([&] {
    for (auto& r : run.poll_for(400ms)) {
      if (r.record.topic == "__debezium-heartbeat.pg" && offset_int(r, "lsn_commit") >= static_cast<std::int64_t>(target.value)) {
        heartbeat = r;
        return true;
      }
    }
    return false;
  }, 20s);
  REQUIRE(found);
  REQUIRE(field(heartbeat.record.key, "serverName") == Value("pg"));
  REQUIRE(field(heartbeat.record.value, "ts_ms").as_int64() > 0);
  run.commit(heartbeat);
  REQUIRE(eventually([&] {
    run.poll_for(200ms);
    return confirmed_flush_lsn(pg, "hb1_slot") >= target;
  }, 10s));
}

TEST_CASE("heartbeat.action.query runs on each heartbeat", "[postgres]") {
  auto& pg = shared_postgres();
  create_database(pg, "hb2", "CREATE TABLE hb (id int PRIMARY KEY, n int); INSERT INTO hb VALUES (1, 0);");
  SlotCleanup cleanup_slot(pg, "hb2_slot");
  TaskRun run(pg_task_config(pg, "hb2", "hb2_slot",
                             {{"snapshot.mode", "no_data"}, {"heartbeat.interval.ms", "200"},
                              {"heartbeat.action.query", "UPDATE hb SET n = n + 1 WHERE id = 1"}}));
  run.poll_for(2s);
  REQUIRE(std::stoi(pg.query_value("SELECT n FROM hb", "hb2")) >= 3);
}

TEST_CASE("slot.drop.on.stop drops the slot when the task stops", "[postgres]") {
  auto& pg = shared_postgres();
  create_database(pg, "drop1", "CREATE TABLE t (id int PRIMARY KEY);");
  SlotCleanup cleanup_slot(pg, "drop1_slot");
  {
    TaskRun run(pg_task_config(pg, "drop1", "drop1_slot", {{"slot.drop.on.stop", "true"}}));
    run.poll_for(1s);
    REQUIRE(pg.query_value("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'drop1_slot'", "postgres") == "1");
  }
  REQUIRE(pg.query_value("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'drop1_slot'", "postgres") == "0");
}

TEST_CASE("publication.autocreate.mode: filtered creates it for the captured tables, disabled requires it",
          "[postgres]") {
  auto& pg = shared_postgres();
  create_database(pg, "pub1", "CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (id int PRIMARY KEY);");
  SlotCleanup cleanup_slot(pg, "pub1_slot");
  {
    TaskRun run(pg_task_config(pg, "pub1", "pub1_slot",
                               {{"publication.autocreate.mode", "filtered"}, {"table.include.list", "public\\.a"},
                                {"publication.name", "pub_filtered"}}));
    run.poll_for(1s);
    REQUIRE(pg.query_value("SELECT string_agg(tablename, ',') FROM pg_publication_tables "
                           "WHERE pubname = 'pub_filtered'", "pub1") == "a");
  }
  TaskRun run(pg_task_config(pg, "pub1", "pub1b_slot",
                             {{"publication.autocreate.mode", "disabled"}, {"publication.name", "missing_pub"}}));
  REQUIRE_THROWS_WITH(run.task().poll(), Catch::Contains("missing_pub") && Catch::Contains("disabled"));
}

TEST_CASE("a server restart mid-stream: poll throws RetriableError, then resumes without loss", "[postgres]") {
  PostgresServer pg;
  create_database(pg, "rs1", "CREATE TABLE t (id int PRIMARY KEY);");
  SlotCleanup cleanup_slot(pg, "rs1_slot");
  TaskRun run(pg_task_config(pg, "rs1", "rs1_slot", {{"snapshot.mode", "no_data"}}));
  run.poll_for(1s);
  pg.exec("INSERT INTO t SELECT generate_series(1, 100)", "rs1");
  auto before = run.poll_until([](const auto& rs) { return has_data(rs, 100); });
  REQUIRE(count_data(before) == 100);
  run.commit(before.back());
  pg.restart();
  pg.exec("INSERT INTO t SELECT generate_series(101, 200)", "rs1");
  auto after = run.poll_until([](const auto& rs) { return has_data(rs, 100); }, 60s);
  REQUIRE(run.retriable_errors >= 1);
  std::set<std::int64_t> ids;
  for (const auto& r : after) ids.insert(id_of(r));
  REQUIRE(count_data(after) == 100);
  REQUIRE(*ids.begin() == 101);
  REQUIRE(*ids.rbegin() == 200);
}

TEST_CASE("stop() from another thread makes a waiting poll() return promptly", "[postgres]") {
  auto& pg = shared_postgres();
  create_database(pg, "stop1", "CREATE TABLE t (id int PRIMARY KEY);");
  SlotCleanup cleanup_slot(pg, "stop1_slot");
  TaskRun run(pg_task_config(pg, "stop1", "stop1_slot", {{"snapshot.mode", "no_data"}, {"poll.interval.ms", "60000"}}));
  run.poll_for(1s);
  std::thread stopper([&] {
    std::this_thread::sleep_for(300ms);
    run.task().stop();
  });
  auto started = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - started < 5s) {
    run.task().poll();
    if (std::chrono::steady_clock::now() - started > 300ms) break;
  }
  auto took = std::chrono::steady_clock::now() - started;
  stopper.join();
  REQUIRE(took < 1500ms);
}

TEST_CASE("a slot held by another connection is retried, then fails naming the slot", "[postgres]") {
  auto& pg = shared_postgres();
  create_database(pg, "busy1", "CREATE TABLE t (id int PRIMARY KEY);");
  SlotCleanup cleanup_slot(pg, "busy1_slot");
  auto config = pg_task_config(pg, "busy1", "busy1_slot", {{"snapshot.mode", "no_data"}});
  TaskRun holder(config);
  holder.poll_for(1s);
  config["slot.max.retries"] = "1";
  config["slot.retry.delay.ms"] = "100";
  TaskRun second(config);
  REQUIRE_THROWS_AS(second.task().poll(), RetriableError);
  REQUIRE_THROWS_WITH(second.task().poll(), Catch::Contains("busy1_slot") && Catch::Contains("active"));
}

TEST_CASE("an interrupted snapshot resumes after the last committed primary key", "[postgres]") {
  auto& pg = shared_postgres();
  create_database(pg, "sres1", "CREATE TABLE a (id int PRIMARY KEY, v text);"
                               "CREATE TABLE b (k1 text, k2 int, v int, PRIMARY KEY (k1, k2));"
                               "INSERT INTO a SELECT g, 'x' FROM generate_series(1, 100) g;"
                               "INSERT INTO b SELECT 'k ''' || (g % 3), g, g FROM generate_series(1, 300) g;");
  SlotCleanup cleanup_slot(pg, "sres1_slot");
  auto config = pg_task_config(pg, "sres1", "sres1_slot", {{"max.batch.size", "50"}, {"snapshot.fetch.size", "50"}});
  std::vector<SourceRecord> first;
  SourceOffset committed;
  {
    TaskRun run(config);
    first = run.poll_until([](const auto& rs) { return count_data(rs) >= 200; });
    REQUIRE(count_data(first) >= 200);
    REQUIRE(first.size() < 400);
    run.commit(first[199]);  // the 100th row of table b
    committed = first[199].source_offset;
    REQUIRE(committed.at("snapshot_table") == Value("public.b"));
  }
  TaskRun again(config, committed);
  auto rest = again.poll_until([](const auto& rs) {
    return !rs.empty() && rs.back().source_offset.count("last_snapshot_record") &&
           rs.back().source_offset.at("last_snapshot_record") == Value(true);
  });
  // Exactly the 200 rows of b not committed before, each once.
  std::set<std::pair<std::string, std::int64_t>> seen;
  for (const auto& r : rest) {
    REQUIRE(r.record.topic == "pg.public.b");
    auto after = field(r.record.value, "after");
    REQUIRE(seen.insert({field(after, "k1").as<std::string>(), field(after, "k2").as_int64()}).second);
  }
  std::set<std::pair<std::string, std::int64_t>> before_commit;
  for (std::size_t i = 100; i < 200; ++i) {
    auto after = field(first[i].record.value, "after");
    before_commit.insert({field(after, "k1").as<std::string>(), field(after, "k2").as_int64()});
  }
  REQUIRE(rest.size() == 200);
  for (const auto& k : before_commit) REQUIRE(seen.count(k) == 0);
}
