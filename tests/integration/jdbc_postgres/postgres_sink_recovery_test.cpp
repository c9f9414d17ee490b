// PostgresSinkDatabase atomicity and recovery: checkpoints commit with their rows, a failed batch
// leaves nothing, a lost connection is retriable and a retry after reconnecting applies once, and
// a writer killed with SIGKILL leaves exactly the batches its checkpoint names.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sluice/errors.h>

#include <chrono>
#include <random>
#include <thread>

#include "sink_test_support.h"
#include "support/eventually.h"

using namespace sluice;
using namespace sluice::jdbc;
using namespace sluice::testing;
using Catch::Matchers::Contains;

namespace {

Checkpoint checkpoint(const std::string& topic, int partition, std::int64_t next_offset,
                      std::optional<SourcePosition> position = std::nullopt) {
  Checkpoint c;
  c.partition = TopicPartition{topic, partition};
  c.next_offset = next_offset;
  c.has_position = position.has_value();
  if (position) c.last_position = *position;
  return c;
}

std::string checkpoint_text(const Checkpoint& c) {
  return c.partition.to_string() + " next=" + std::to_string(c.next_offset) +
         (c.has_position ? " pos=" + std::to_string(c.last_position.major) + "/" + std::to_string(c.last_position.minor)
                         : " no-pos");
}

std::vector<std::string> checkpoints_of(SinkDatabase& db) {
  std::vector<std::string> out;
  for (const auto& c : db.load_checkpoints()) out.push_back(checkpoint_text(c));
  return out;
}

// A table without a key written in insert mode: applying a batch twice would show as duplicates.
TableSpec append_only_table(const std::string& name) {
  return TableSpec{{"", name}, {column("id", ColumnKind::kInt64, false), column("name", ColumnKind::kString)}, {}};
}

TableBatch appended(const TableSpec& spec, std::int64_t first, std::int64_t count) {
  TableBatch b = batch_of(spec, {}, InsertMode::kInsert, "");
  for (std::int64_t id = first; id < first + count; ++id) {
    b.rows.push_back(RowOp{RowOpKind::kUpsert, {}, {Value(id), Value("row " + std::to_string(id))}, 0, 0});
  }
  return b;
}

}  // namespace

TEST_CASE("Checkpoints are stored per connector and partition and updated in place", "[jdbc_postgres]") {
  auto db = open_sink("checkpoints-a");
  auto other = open_sink("checkpoints-b");
  TableSpec spec = keyed_table("checkpointed");
  db->create_table(spec);
  REQUIRE(db->load_checkpoints().empty());

  db->apply({batch_of(spec, {upsert_row(1, "a", 10)})},
            {checkpoint("orders", 0, 5, SourcePosition{100, 110}), checkpoint("orders", 1, 3)});
  other->apply({}, {checkpoint("orders", 0, 99)});
  db->apply({batch_of(spec, {upsert_row(2, "b", 11)})}, {checkpoint("orders", 0, 8, SourcePosition{200, 205})});

  REQUIRE(checkpoints_of(*db) == std::vector<std::string>{"orders-0 next=8 pos=200/205", "orders-1 next=3 no-pos"});
  REQUIRE(checkpoints_of(*other) == std::vector<std::string>{"orders-0 next=99 no-pos"});
  auto reopened = open_sink("checkpoints-a");
  REQUIRE(checkpoints_of(*reopened) == checkpoints_of(*db));
}

TEST_CASE("A failing batch leaves neither its rows nor its checkpoint", "[jdbc_postgres]") {
  auto db = open_sink("atomic");
  TableSpec good = keyed_table("atomic_good");
  TableSpec strict = keyed_table("atomic_strict");
  strict.columns[1].optional = false;  // name NOT NULL
  db->create_table(good);
  db->create_table(strict);
  db->apply({batch_of(good, {upsert_row(1, "kept", 1)})}, {checkpoint("t", 0, 1)});

  RowOp null_name{RowOpKind::kUpsert, {Value(std::int64_t{2})}, {Value(std::int64_t{2}), Value(nullptr), Value(std::int64_t{2})}, 2, 0};
  std::string message = message_if_thrown<ConnectError>([&] {
    db->apply({batch_of(good, {upsert_row(1, "changed", 2), upsert_row(3, "new", 2)}), batch_of(strict, {null_name})},
              {checkpoint("t", 0, 3)});
  });
  REQUIRE_THAT(message, Contains("atomic_strict") && Contains("23502"));
  REQUIRE(query_rows("SELECT id, name FROM atomic_good ORDER BY id") == std::vector<std::string>{"1|kept"});
  REQUIRE(query_rows("SELECT count(*) FROM atomic_strict") == std::vector<std::string>{"0"});
  REQUIRE(checkpoints_of(*db) == std::vector<std::string>{"t-0 next=1 no-pos"});

  // The same connection goes on with the next batch.
  db->apply({batch_of(good, {upsert_row(3, "new", 2)})}, {checkpoint("t", 0, 3)});
  REQUIRE(checkpoints_of(*db) == std::vector<std::string>{"t-0 next=3 no-pos"});
}

TEST_CASE("The staging table holds nothing between batches, after a rollback and across truncations",
          "[jdbc_postgres]") {
  drop_tables({"staged_rows", "staged_keys", "staged_strict"});
  auto db = open_sink("staging");
  // Insert mode without a key (these go by direct COPY): a doubled batch would show.
  TableSpec spec = append_only_table("staged_rows");
  // Upserts of keys already stored rewrite the same 1000 keys through staging: a row left in the
  // staging table would make the next INSERT .. ON CONFLICT update a row twice (SQLSTATE 21000).
  TableSpec keyed = keyed_table("staged_keys");
  TableSpec strict = keyed_table("staged_strict");
  strict.columns[1].optional = false;
  db->create_table(spec);
  db->create_table(keyed);
  db->create_table(strict);
  auto rewrite = [&](std::int64_t guard) {
    TableBatch b = batch_of(keyed, {});
    for (std::int64_t id = 0; id < 1000; ++id) b.rows.push_back(upsert_row(id, "g" + std::to_string(guard), guard));
    return b;
  };
  db->apply({appended(spec, 0, 1000), rewrite(1)}, {});

  TableBatch failing = batch_of(strict, {});
  for (std::int64_t id = 0; id < 100; ++id) failing.rows.push_back(upsert_row(id, "ok", 1));
  failing.rows.back().values[1] = Value(nullptr);  // NOT NULL violation after the staged insert ran
  REQUIRE_THROWS_AS(db->apply({appended(spec, 1000, 1000), rewrite(2), failing}, {}), ConnectError);

  std::int64_t next = 1000;
  for (int i = 0; i < 25; ++i, next += 1000) {
    db->apply({appended(spec, next, 1000), rewrite(next)}, {});  // DELETE, then TRUNCATE
  }
  REQUIRE(query_rows("SELECT count(*), count(DISTINCT id), min(id), max(id) FROM staged_rows") ==
          std::vector<std::string>{"26000|26000|0|25999"});
  REQUIRE(query_rows("SELECT count(*), min(name), max(name) FROM staged_keys") ==
          std::vector<std::string>{"1000|g25000|g25000"});
  REQUIRE(query_rows("SELECT count(*) FROM staged_strict") == std::vector<std::string>{"0"});
}

TEST_CASE("connect() tells an unreachable server from a refusal", "[jdbc_postgres]") {
  DatabaseOptions options{false, "__sluice_sink_checkpoints", "connect-errors"};
  SECTION("nothing listens -> RetriableError") {
    ConnectionSettings c = sink_connection();
    c.host = "127.0.0.1";
    c.port = pg_detail::free_loopback_port();
    auto db = make_postgres_sink_database(c, options);
    REQUIRE_THROWS_AS(db->connect(), RetriableError);
  }
  SECTION("missing database -> ConnectError") {
    ConnectionSettings c = sink_connection();
    c.database = "no_such_db";
    auto db = make_postgres_sink_database(c, options);
    REQUIRE_THAT(message_if_thrown<ConnectError>([&] { db->connect(); }), Contains("no_such_db"));
  }
  SECTION("ssl=true without sslmode insists on SSL, as the JDBC driver does") {
    ConnectionSettings c = sink_connection();
    c.host = "127.0.0.1";
    c.properties = {{"ssl", "true"}};
    auto db = make_postgres_sink_database(c, options);
    std::string message;
    try {
      db->connect();
    } catch (const ConnectError& e) {
      message = e.what();
    }
    REQUIRE_THAT(message, Contains("SSL"));  // the test server has no SSL
  }
  SECTION("TCP with URL properties libpq knows, JDBC-only ones ignored, currentSchema as search_path") {
    sink_postgres().exec("CREATE SCHEMA IF NOT EXISTS sink_schema");
    ConnectionSettings c = sink_connection();
    c.host = "127.0.0.1";
    c.properties = {{"sslmode", "disable"}, {"reWriteBatchedInserts", "true"}, {"currentSchema", "sink_schema"},
                    {"application_name", "props-test"}};
    auto db = make_postgres_sink_database(c, options);
    db->connect();
    db->create_table(keyed_table("in_sink_schema"));
    REQUIRE(query_rows("SELECT count(*) FROM sink_schema.in_sink_schema") == std::vector<std::string>{"0"});
    REQUIRE(query_rows("SELECT count(*) FROM sink_schema.__sluice_sink_checkpoints") == std::vector<std::string>{"0"});
  }
}

TEST_CASE("A terminated connection is retriable; after connect() the same batch applies once", "[jdbc_postgres]") {
  auto db = open_sink("terminated", false, "sink-victim");
  TableSpec spec = append_only_table("terminated_rows");
  db->create_table(spec);
  db->apply({appended(spec, 0, 100)}, {checkpoint("t", 0, 100)});

  REQUIRE(query_rows("SELECT count(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity "
                     "WHERE application_name = 'sink-victim'") == std::vector<std::string>{"1"});
  TableBatch next = appended(spec, 100, 100);
  REQUIRE_THROWS_AS(db->apply({next}, {checkpoint("t", 0, 200)}), RetriableError);
  REQUIRE(query_rows("SELECT count(*) FROM terminated_rows") == std::vector<std::string>{"100"});

  db->connect();
  db->apply({next}, {checkpoint("t", 0, 200)});
  REQUIRE(query_rows("SELECT count(*), count(DISTINCT id), max(id) FROM terminated_rows") ==
          std::vector<std::string>{"200|200|199"});
  REQUIRE(checkpoints_of(*db) == std::vector<std::string>{"t-0 next=200 no-pos"});

  // Without an explicit connect() the next call reconnects by itself.
  sink_postgres().exec("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE application_name = 'sink-victim'");
  REQUIRE_THROWS_AS(db->load_checkpoints(), RetriableError);
  REQUIRE(checkpoints_of(*db) == std::vector<std::string>{"t-0 next=200 no-pos"});
}

TEST_CASE("A deadlock is retriable, and the retry after it applies", "[jdbc_postgres]") {
  const bool staged = GENERATE(false, true);
  const StagedPath path(staged);
  drop_tables({"deadlocked"});
  auto db = open_sink("deadlock", false, "sink-deadlocked");
  TableSpec spec = keyed_table("deadlocked");
  db->create_table(spec);
  db->apply({batch_of(spec, {upsert_row(1, "a", 1), upsert_row(2, "b", 1)})}, {});

  // Another session locks row 2; the sink's batch locks row 1 and waits for row 2; the other
  // session then waits for row 1. The sink waited first, so its deadlock check fires first and
  // PostgreSQL aborts the sink's transaction.
  std::unique_ptr<PGconn, decltype(&PQfinish)> other(PQconnectdb(sink_postgres().conninfo().c_str()), &PQfinish);
  REQUIRE(PQstatus(other.get()) == CONNECTION_OK);
  PQclear(PQexec(other.get(), "BEGIN"));
  PQclear(PQexec(other.get(), "UPDATE deadlocked SET name = 'other' WHERE id = 2"));

  const TableBatch batch = batch_of(spec, {upsert_row(1, "sink", 2), upsert_row(2, "sink", 2)});
  std::string outcome;
  std::thread sink([&] { outcome = message_if_thrown<RetriableError>([&] { db->apply({batch}, {}); }); });
  const bool waiting = eventually(
      [] {
        return query_rows("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'sink-deadlocked' "
                          "AND wait_event_type = 'Lock'") == std::vector<std::string>{"1"};
      },
      std::chrono::seconds(30));
  REQUIRE(PQsendQuery(other.get(), "UPDATE deadlocked SET name = 'other' WHERE id = 1") == 1);
  sink.join();
  while (PGresult* res = PQgetResult(other.get())) PQclear(res);
  PQclear(PQexec(other.get(), "COMMIT"));

  REQUIRE(waiting);
  REQUIRE_THAT(outcome, Contains("deadlocked") && Contains("40P01"));
  REQUIRE(query_rows("SELECT id, name FROM deadlocked WHERE id < 900000000 ORDER BY id") ==
          std::vector<std::string>{"1|other", "2|other"});
  db->apply({batch}, {});  // reconnects by itself
  REQUIRE(query_rows("SELECT id, name, __sluice_position FROM deadlocked WHERE id < 900000000 ORDER BY id") ==
          std::vector<std::string>{"1|sink|2", "2|sink|2"});
}

namespace {

constexpr std::int64_t kRowsPerBatch = 5000;

TableSpec killed_table(const std::string& name) {
  return TableSpec{{"", name},
                   {column("id", ColumnKind::kInt64, false), column("batch", ColumnKind::kInt64),
                    column("pad", ColumnKind::kString), column("__sluice_position", ColumnKind::kInt64)},
                   {"id"}};
}

// The child: applies batch 1, 2, 3, ... with checkpoint next_offset = batch number, until killed.
[[noreturn]] void write_batches_until_killed(const std::string& table, const std::string& connector) {
  try {
    auto db = open_sink(connector, false, "kill9-writer");
    TableSpec spec = killed_table(table);
    const std::string pad(200, 'p');
    for (std::int64_t n = 1;; ++n) {
      TableBatch b = batch_of(spec, {});
      for (std::int64_t i = 0; i < kRowsPerBatch; ++i) {
        std::int64_t id = n * kRowsPerBatch + i;
        b.rows.push_back(RowOp{RowOpKind::kUpsert, {Value(id)}, {Value(id), Value(n), Value(pad), Value(n)}, n, 0});
      }
      db->apply({b}, {checkpoint("t", 0, n)});
    }
  } catch (...) {
    ::_exit(3);
  }
}

std::int64_t stored_batches(const std::string& connector) {
  auto rows = query_rows("SELECT next_offset FROM __sluice_sink_checkpoints WHERE connector = '" + connector + "'");
  return rows.empty() ? 0 : std::stoll(rows[0]);
}

}  // namespace

TEST_CASE("A writer killed with SIGKILL mid-batch leaves exactly the batches of its checkpoint", "[jdbc_postgres]") {
  std::mt19937 random(std::random_device{}());
  for (int round = 0; round < 3; ++round) {
    const std::string table = "killed_" + std::to_string(round);
    const std::string connector = "kill9-" + std::to_string(round);
    auto setup = open_sink(connector);
    setup->create_table(killed_table(table));

    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) write_batches_until_killed(table, connector);
    const bool progressed = eventually([&] { return stored_batches(connector) >= 2; }, std::chrono::seconds(120));
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 400)(random)));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    REQUIRE(progressed);
    REQUIRE(WIFSIGNALED(status));
    // The server finishes (or aborts) what the dead client sent before the rows are counted.
    REQUIRE(eventually(
        [] {
          return query_rows("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'kill9-writer'") ==
                 std::vector<std::string>{"0"};
        },
        std::chrono::seconds(60)));

    const std::int64_t n = stored_batches(connector);
    INFO("round " << round << ": checkpoint says " << n << " batches");
    REQUIRE(n >= 2);
    REQUIRE(query_rows("SELECT count(*), count(DISTINCT batch), min(batch), max(batch) FROM " + table) ==
            std::vector<std::string>{std::to_string(n * kRowsPerBatch) + "|" + std::to_string(n) + "|1|" +
                                     std::to_string(n)});
    REQUIRE(query_rows("SELECT count(*) FROM " + table + " GROUP BY batch HAVING count(*) <> " +
                       std::to_string(kRowsPerBatch))
                .empty());
  }
}
