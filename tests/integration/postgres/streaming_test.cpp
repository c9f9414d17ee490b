// pgoutput protocol 2 with streaming against a real PostgreSQL 15 (logical_decoding_work_mem
// 64 kB): transactions streamed while in progress are spooled, replayed at their commit in commit
// order, dropped when they abort (or only a rolled-back savepoint's changes), and a restart in the
// middle of a replay neither loses nor repeats a change. Protocol 1 still sends them whole.
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>

#include "pg_connection.h"
#include "pg_task_harness.h"
#include "support/eventually.h"

using namespace sluice;
using namespace sluice::testing;
using namespace std::chrono_literals;

namespace {

std::vector<std::int64_t> data_ids(const std::vector<SourceRecord>& rs) {
  std::vector<std::int64_t> ids;
  for (const auto& r : rs) {
    if (r.record.topic.rfind("pg.", 0) == 0 && !r.record.value.is_null()) ids.push_back(id_of(r));
  }
  return ids;
}

std::vector<std::int64_t> range(std::int64_t from, std::int64_t to) {
  std::vector<std::int64_t> v;
  for (std::int64_t i = from; i <= to; ++i) v.push_back(i);
  return v;
}

std::vector<std::int64_t> concat(std::vector<std::int64_t> a, const std::vector<std::int64_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::string insert_rows(std::int64_t from, std::int64_t to) {
  return "INSERT INTO t SELECT g, repeat('x', 40) FROM generate_series(" + std::to_string(from) + ", " +
         std::to_string(to) + ") g";
}

}  // namespace

TEST_CASE("a transaction streamed while in progress arrives whole, in commit order, after those that committed first",
          "[postgres][streaming]") {
  auto& pg = shared_postgres();
  create_database(pg, "strm1", "CREATE TABLE t (id int PRIMARY KEY, v text);");
  SlotCleanup cleanup_slot(pg, "strm1_slot");
  auto spool_dir = std::filesystem::temp_directory_path() / "sluice-spool-test-strm1";
  auto config = pg_task_config(pg, "strm1", "strm1_slot",
                               {{"snapshot.mode", "no_data"}, {"spool.directory", spool_dir.string()}});
  TaskRun run(config);
  run.poll_for(1s);
  REQUIRE(run.metrics().number("protocol_version") == 2.0);

  postgres::PgConnection big(pg.conninfo("strm1"));
  big.exec("BEGIN");
  big.exec(insert_rows(1, 5000));  // several hundred kB: streamed in blocks
  std::vector<SourceRecord> all;
  for (auto& r : run.poll_for(1500ms)) all.push_back(std::move(r));
  // Nothing of an uncommitted transaction is handed out, but it is on disk.
  REQUIRE(data_ids(all).empty());
  REQUIRE(run.metrics().number("spooled_transactions_open") == 1.0);
  REQUIRE(run.metrics().number("spooled_bytes").value_or(0) > 64 * 1024);

  pg.exec("INSERT INTO t VALUES (100001, 'small')", "strm1");  // commits before the big one
  big.exec(insert_rows(5001, 10000));
  big.exec("COMMIT");
  for (auto& r : run.poll_until([&](const auto& rs) { return count_data(rs) >= 10001; }, 60s)) all.push_back(std::move(r));

  REQUIRE(data_ids(all) == concat({100001}, range(1, 10000)));
  REQUIRE(run.metrics().number("streamed_transactions").value_or(0) >= 1);
  REQUIRE(run.metrics().number("spooled_transactions_open") == 0.0);
  REQUIRE(run.metrics().number("events_total") == 10001.0);
  // The records of the replayed transaction carry its xid and increasing change LSNs; the offsets
  // (on the last record of each batch) never go backwards.
  std::set<std::int64_t> txids;
  std::int64_t last_lsn = 0, last_offset_lsn = 0;
  for (std::size_t i = 1; i < all.size(); ++i) {
    if (count_data({all[i]}) == 0) continue;
    const Value& source = field(all[i].record.value, "source");
    txids.insert(field(source, "txId").as_int64());
    REQUIRE(field(source, "lsn").as_int64() > last_lsn);
    last_lsn = field(source, "lsn").as_int64();
    if (all[i].source_offset.empty()) continue;
    REQUIRE(offset_int(all[i], "lsn") >= last_offset_lsn);
    REQUIRE(offset_int(all[i], "lsn") <= last_lsn);
    last_offset_lsn = offset_int(all[i], "lsn");
  }
  REQUIRE(txids.size() == 1);
  REQUIRE_FALSE(all.back().source_offset.empty());
  // Replayed spool files are gone.
  std::size_t left = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(spool_dir)) left += e.is_regular_file();
  REQUIRE(left == 0);
}

TEST_CASE("a streamed transaction that rolls back emits nothing; a rolled-back savepoint drops only its changes",
          "[postgres][streaming]") {
  auto& pg = shared_postgres();
  create_database(pg, "strm2", "CREATE TABLE t (id int PRIMARY KEY, v text);");
  SlotCleanup cleanup_slot(pg, "strm2_slot");
  TaskRun run(pg_task_config(pg, "strm2", "strm2_slot", {{"snapshot.mode", "no_data"}}));
  run.poll_for(1s);

  {
    postgres::PgConnection c(pg.conninfo("strm2"));
    c.exec("BEGIN");
    c.exec(insert_rows(1, 5000));
    run.poll_for(500ms);
    c.exec("ROLLBACK");
  }
  {
    postgres::PgConnection c(pg.conninfo("strm2"));
    c.exec("BEGIN");
    c.exec(insert_rows(10001, 13000));
    c.exec("SAVEPOINT s1");
    c.exec(insert_rows(13001, 16000));
    c.exec("SAVEPOINT s2");
    c.exec(insert_rows(16001, 17000));
    run.poll_for(500ms);  // the subtransactions' changes are streamed before they roll back
    c.exec("ROLLBACK TO SAVEPOINT s1");
    c.exec(insert_rows(20001, 23000));
    c.exec("COMMIT");
  }
  pg.exec("INSERT INTO t VALUES (99999, 'last')", "strm2");
  auto rs = run.poll_until([](const auto& rs) {
    for (const auto& r : rs) {
      if (count_data({r}) == 1 && id_of(r) == 99999) return true;
    }
    return false;
  }, 60s);
  REQUIRE(data_ids(rs) == concat(concat(range(10001, 13000), range(20001, 23000)), {99999}));
  REQUIRE(run.metrics().number("streamed_transactions_aborted").value_or(0) >= 1);
  REQUIRE(run.metrics().number("streamed_transactions").value_or(0) >= 1);
}

TEST_CASE("a restart in the middle of replaying a streamed transaction resumes after the committed change",
          "[postgres][streaming]") {
  auto& pg = shared_postgres();
  create_database(pg, "strm3", "CREATE TABLE t (id int PRIMARY KEY, v text);");
  SlotCleanup cleanup_slot(pg, "strm3_slot");
  auto config = pg_task_config(pg, "strm3", "strm3_slot", {{"snapshot.mode", "no_data"}, {"max.batch.size", "500"}});
  std::optional<SourceOffset> committed;
  std::int64_t committed_id = 0;
  {
    TaskRun run(config);
    run.poll_for(1s);
    postgres::PgConnection c(pg.conninfo("strm3"));
    c.exec("BEGIN");
    c.exec(insert_rows(1, 20000));
    c.exec("COMMIT");
    // Stop well inside the replay: a few batches of 500 out, the rest still in the spool.
    auto rs = run.poll_until([](const auto& rs) { return count_data(rs) >= 3000; }, 60s);
    REQUIRE(count_data(rs) >= 3000);
    REQUIRE(count_data(rs) < 20000);
    const SourceRecord& at = rs[2499];
    committed_id = id_of(at);
    run.commit(at);
    committed = at.source_offset;
  }
  REQUIRE(committed_id > 0);
  TaskRun again(config, committed);
  auto rs = again.poll_until([&](const auto& rs) { return count_data(rs) >= static_cast<std::size_t>(20000 - committed_id); }, 60s);
  again.poll_for(500ms);
  REQUIRE(data_ids(rs) == range(committed_id + 1, 20000));
}

TEST_CASE("pgoutput.protocol.version=1 receives a large transaction whole after its commit", "[postgres][streaming]") {
  auto& pg = shared_postgres();
  create_database(pg, "strm4", "CREATE TABLE t (id int PRIMARY KEY, v text);");
  SlotCleanup cleanup_slot(pg, "strm4_slot");
  TaskRun run(pg_task_config(pg, "strm4", "strm4_slot",
                             {{"snapshot.mode", "no_data"}, {"pgoutput.protocol.version", "1"}}));
  run.poll_for(1s);
  REQUIRE(run.metrics().number("protocol_version") == 1.0);
  postgres::PgConnection c(pg.conninfo("strm4"));
  c.exec("BEGIN");
  c.exec(insert_rows(1, 5000));
  pg.exec("INSERT INTO t VALUES (100001, 'small')", "strm4");
  c.exec(insert_rows(5001, 8000));
  c.exec("COMMIT");
  auto rs = run.poll_until([](const auto& rs) { return count_data(rs) >= 8001; }, 60s);
  REQUIRE(data_ids(rs) == concat({100001}, range(1, 8000)));
  REQUIRE(run.metrics().number("streamed_transactions") == 0.0);
}

TEST_CASE("task metrics: events, lag, slot lag and the committed LSN", "[postgres][streaming]") {
  auto& pg = shared_postgres();
  create_database(pg, "strm5", "CREATE TABLE t (id int PRIMARY KEY, v text);");
  SlotCleanup cleanup_slot(pg, "strm5_slot");
  TaskRun run(pg_task_config(pg, "strm5", "strm5_slot", {{"snapshot.mode", "no_data"}}));
  run.poll_for(1s);
  pg.exec(insert_rows(1, 100), "strm5");
  auto rs = run.poll_until([](const auto& rs) { return count_data(rs) >= 100; });
  REQUIRE(count_data(rs) == 100);
  run.poll_for(1200ms);  // a rate window passes
  REQUIRE(run.metrics().number("events_total") == 100.0);
  REQUIRE(run.metrics().number("events_per_second").has_value());
  REQUIRE(run.metrics().text("phase") == std::string("streaming"));
  // Nothing committed yet: the slot holds back at least the transaction's WAL.
  REQUIRE(run.metrics().number("slot_lag_bytes").value_or(0) > 0);
  run.commit(rs.back());
  run.poll_for(300ms);
  auto committed = postgres::StreamPosition::from_offset(rs.back().source_offset).lsn_commit;
  REQUIRE(run.metrics().text("last_committed_lsn") == committed.to_string());
  REQUIRE(run.metrics().number("lag_behind_source_bytes") == 0.0);
  REQUIRE(run.metrics().text("last_received_lsn").has_value());
}
