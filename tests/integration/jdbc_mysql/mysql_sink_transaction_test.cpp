// MysqlSinkDatabase transactions: the checkpoint is written with the rows or not at all, a
// truncate inside a batch rolls back with it, and lost connections, killed processes, lock
// timeouts and server restarts leave the target at a batch boundary.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sluice/errors.h>

#include <chrono>
#include <thread>

#include "mysql_sink_test_support.h"

using namespace sluice;
using namespace sluice::jdbc;
using namespace sluice::testing;

namespace {

std::vector<std::string> contents(const std::string& table, const std::string& db = "app") {
  return sink_mariadb().query_rows("SELECT id, name, __sluice_position FROM " + table + " ORDER BY id", db);
}

// Polls `condition` every 20 ms for up to a minute; false if it never held.
template <class F>
bool wait_for(F&& condition) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// The connection id of the one sink session connected to database `db`.
std::string sink_connection_id(const std::string& db) {
  return value_of("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = 'sink' AND DB = '" + db +
                  "' AND COMMAND <> 'Killed'");
}

std::string sessions_of(const std::string& db) {
  return value_of("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'sink' AND DB = '" + db + "'");
}

// Holds a row lock from a root session in a background client until release(): the session
// locks with SELECT ... FOR UPDATE, then sleeps; release() kills it, which rolls it back.
class LockHolder {
 public:
  explicit LockHolder(const std::string& select_for_update) {
    thread_ = std::thread([this, sql = "BEGIN; " + select_for_update + "; SELECT SLEEP(300) AS lock_holder; COMMIT"] {
      try {
        sink_mariadb().exec(sql);
      } catch (const std::exception& e) {
        error_ = e.what();  // expected: release() kills the session
      }
    });
    if (!wait_for([this] { return !holder_id().empty() || done_(); })) error_ += " (no lock after a minute)";
  }
  ~LockHolder() { release(); }

  // The lock is held ("" if the session failed before it slept).
  bool holding() { return !holder_id().empty(); }
  const std::string& error() const { return error_; }

  void release() {
    const std::string id = holder_id();
    if (!id.empty()) sink_mariadb().exec("KILL " + id);
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::string holder_id() const {
    auto rows = rows_of("SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(300) AS lock_holder%'");
    return rows.empty() ? "" : rows.front();
  }
  bool done_() const { return !error_.empty(); }

  std::string error_;
  std::thread thread_;
};

// Joins a thread when the scope ends, also when a REQUIRE leaves it early.
struct JoinOnExit {
  std::thread& thread;
  ~JoinOnExit() {
    if (thread.joinable()) thread.join();
  }
};

bool lock_waits() { return value_of("SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'") != "0"; }

}  // namespace

TEST_CASE("MysqlSinkDatabase stores checkpoints per connector and partition together with the rows", "[mysql]") {
  auto db = open_sink("tx-checkpoints");
  auto other = open_sink("tx-checkpoints-other");
  CHECK(db->load_checkpoints().empty());
  auto spec = keyed_table("checkpointed");
  db->create_table(spec);
  db->apply({batch_of(spec, {upsert_row(1, "a", 10)})},
            {checkpoint("orders", 0, 5, SourcePosition{7, 8}, true), checkpoint("orders", 1, 3)});
  db->apply({batch_of(spec, {upsert_row(2, "b", 11)})}, {checkpoint("orders", 0, 6, SourcePosition{9, -1}, true)});
  auto loaded = db->load_checkpoints();
  REQUIRE(loaded.size() == 2);
  CHECK(loaded[0].partition == TopicPartition{"orders", 0});
  CHECK(loaded[0].next_offset == 6);
  CHECK(loaded[0].last_position == SourcePosition{9, -1});
  CHECK(loaded[0].has_position);
  CHECK(loaded[1].partition == TopicPartition{"orders", 1});
  CHECK(loaded[1].next_offset == 3);
  CHECK_FALSE(loaded[1].has_position);
  CHECK(other->load_checkpoints().empty());
  CHECK(value_of("SELECT COUNT(*) FROM __sluice_sink_checkpoints WHERE connector = 'tx-checkpoints'"
                 " AND updated_at > UTC_TIMESTAMP() - INTERVAL 1 HOUR") == "2");
}

TEST_CASE("MysqlSinkDatabase: a failing batch leaves neither its rows nor its checkpoint", "[mysql]") {
  auto db = open_sink("tx-failing");
  auto spec = keyed_table("failing_rows");
  db->create_table(spec);
  db->apply({batch_of(spec, {upsert_row(1, "a", 10)})}, {checkpoint("t", 0, 1)});
  auto missing = keyed_table("no_such_table");
  auto message = message_if_thrown<ConnectError>([&] {
    db->apply({batch_of(spec, {upsert_row(1, "changed", 11), upsert_row(2, "b", 11)}), batch_of(missing, {upsert_row(1, "x", 1)})},
              {checkpoint("t", 0, 3)});
  });
  CHECK_THAT(message, Catch::Contains("no_such_table") && Catch::Contains("upsert into"));
  CHECK(contents("failing_rows") == std::vector<std::string>{"1\ta\t10"});
  REQUIRE(db->load_checkpoints().size() == 1);
  CHECK(db->load_checkpoints()[0].next_offset == 1);
  // The session goes on.
  db->apply({batch_of(spec, {upsert_row(2, "b", 11)})}, {checkpoint("t", 0, 3)});
  CHECK(db->load_checkpoints()[0].next_offset == 3);
}

TEST_CASE("MysqlSinkDatabase empties a table inside the batch's transaction", "[mysql]") {
  auto db = open_sink("tx-truncate");
  auto spec = keyed_table("truncated");
  db->create_table(spec);
  db->apply({batch_of(spec, {upsert_row(1, "a", 10), upsert_row(2, "b", 10)})}, {});
  auto truncate_then_insert = batch_of(spec, {upsert_row(3, "c", 1)});
  truncate_then_insert.truncate_first = true;
  // A later failure in the same batch brings the emptied rows back.
  CHECK_THROWS_AS(db->apply({truncate_then_insert, batch_of(spec, {upsert_row(3, "dup", 2)}, InsertMode::kInsert)}, {}),
                  ConnectError);
  CHECK(contents("truncated") == std::vector<std::string>{"1\ta\t10", "2\tb\t10"});
  db->apply({truncate_then_insert}, {});
  CHECK(contents("truncated") == std::vector<std::string>{"3\tc\t1"});
}

TEST_CASE("MysqlSinkDatabase connect errors: bad credentials and databases are permanent and no server is retriable", "[mysql]") {
  auto bad_password = sink_connection();
  bad_password.password = "wrong";
  CHECK_THAT(message_if_thrown<ConnectError>([&] { open_sink("tx-connect", bad_password); }),
             Catch::Contains("Access denied") && Catch::Contains("1045"));
  auto bad_database = sink_connection();
  bad_database.database = "no_such_db";
  CHECK_THAT(message_if_thrown<ConnectError>([&] { open_sink("tx-connect", bad_database); }),
             Catch::Contains("Unknown database") && Catch::Contains("1049"));
  auto no_server = sink_connection();
  no_server.port = 1;
  CHECK_THAT(message_if_thrown<RetriableError>([&] { open_sink("tx-connect", no_server); }),
             Catch::Contains("127.0.0.1:1"));
}

TEST_CASE("MysqlSinkDatabase: a killed connection is retriable and after connect() the same batch applies once", "[mysql]") {
  sink_mariadb().exec("CREATE DATABASE killdb");
  auto db = open_sink("tx-kill", sink_connection(sink_mariadb(), "killdb"));
  auto spec = keyed_table("killed");
  db->create_table(spec);
  db->apply({batch_of(spec, {upsert_row(1, "a", 10)})}, {checkpoint("t", 0, 1)});

  // Killed between batches.
  sink_mariadb().exec("KILL " + sink_connection_id("killdb"));
  auto batch = batch_of(spec, {upsert_row(2, "b", 11), upsert_row(3, "c", 11)});
  CHECK_THROWS_AS(db->apply({batch}, {checkpoint("t", 0, 3)}), RetriableError);
  db->connect();
  db->apply({batch}, {checkpoint("t", 0, 3)});

  // Killed in the middle of a batch: its first statement is done, the second waits for a lock.
  auto other = keyed_table("killed_other");
  db->create_table(other);
  db->apply({batch_of(other, {upsert_row(1, "locked", 1)})}, {});
  std::string message;
  {
    LockHolder locker("SELECT * FROM killdb.killed_other FOR UPDATE");
    REQUIRE(locker.holding());
    std::thread writer([&] {
      message = message_if_thrown<RetriableError>([&] {
        db->apply({batch_of(spec, {upsert_row(4, "d", 12)}), batch_of(other, {upsert_row(1, "waits", 2)})},
                  {checkpoint("t", 0, 5)});
      });
    });
    JoinOnExit join_writer{writer};
    REQUIRE(wait_for(lock_waits));
    sink_mariadb().exec("KILL " + sink_connection_id("killdb"));
    writer.join();
  }
  CHECK_THAT(message, Catch::Contains("killed_other"));
  CHECK(contents("killed", "killdb") == std::vector<std::string>{"1\ta\t10", "2\tb\t11", "3\tc\t11"});
  db->connect();
  CHECK(db->load_checkpoints().at(0).next_offset == 3);
  db->apply({batch_of(spec, {upsert_row(4, "d", 12)}), batch_of(other, {upsert_row(1, "waits", 2)})},
            {checkpoint("t", 0, 5)});
  CHECK(contents("killed", "killdb") == std::vector<std::string>{"1\ta\t10", "2\tb\t11", "3\tc\t11", "4\td\t12"});
  CHECK(contents("killed_other", "killdb") == std::vector<std::string>{"1\twaits\t2"});
  CHECK(db->load_checkpoints().at(0).next_offset == 5);
}

TEST_CASE("MysqlSinkDatabase: a lock wait timeout is retriable and rolls the batch back", "[mysql]") {
  sink_mariadb().exec("SET GLOBAL innodb_lock_wait_timeout = 1");
  auto db = open_sink("tx-lock-timeout");  // the session takes the global value now
  sink_mariadb().exec("SET GLOBAL innodb_lock_wait_timeout = 50");
  auto spec = keyed_table("lock_timeout");
  db->create_table(spec);
  db->apply({batch_of(spec, {upsert_row(1, "a", 1)})}, {});
  std::string message;
  {
    LockHolder locker("SELECT * FROM lock_timeout WHERE id = 1 FOR UPDATE");
    REQUIRE(locker.holding());
    message = message_if_thrown<RetriableError>(
        [&] { db->apply({batch_of(spec, {upsert_row(2, "b", 2), upsert_row(1, "a2", 2)})}, {checkpoint("t", 0, 9)}); });
  }
  CHECK_THAT(message, Catch::Contains("1205"));
  CHECK(contents("lock_timeout") == std::vector<std::string>{"1\ta\t1"});
  CHECK(db->load_checkpoints().empty());
  // The connection survived; the retry goes through once the lock is gone.
  db->apply({batch_of(spec, {upsert_row(2, "b", 2), upsert_row(1, "a2", 2)})}, {checkpoint("t", 0, 9)});
  CHECK(contents("lock_timeout") == std::vector<std::string>{"1\ta2\t2", "2\tb\t2"});
}

TEST_CASE("MysqlSinkDatabase: socketTimeout ends a statement that waits too long and fails retriably", "[mysql]") {
  auto connection = sink_connection();
  connection.properties = {{"socketTimeout", "1000"}};
  auto db = open_sink("tx-socket-timeout", connection);
  auto spec = keyed_table("socket_timeout");
  db->create_table(spec);
  db->apply({batch_of(spec, {upsert_row(1, "a", 1)})}, {});
  std::string message;
  {
    LockHolder locker("SELECT * FROM socket_timeout WHERE id = 1 FOR UPDATE");
    REQUIRE(locker.holding());
    message = message_if_thrown<RetriableError>([&] { db->apply({batch_of(spec, {upsert_row(1, "a2", 2)})}, {}); });
  }
  CHECK_THAT(message, Catch::Contains("socket_timeout") && Catch::Contains("2013"));
  db->connect();
  db->apply({batch_of(spec, {upsert_row(1, "a2", 2)})}, {});
  CHECK(contents("socket_timeout") == std::vector<std::string>{"1	a2	2"});
}

TEST_CASE("MysqlSinkDatabase: kill -9 of the writing process leaves exactly the checkpointed batches", "[mysql]") {
  sink_mariadb().exec("CREATE DATABASE crashdb");
  const auto connection = sink_connection(sink_mariadb(), "crashdb");
  const auto spec = keyed_table("crashed");
  open_sink("tx-crash", connection)->create_table(spec);
  constexpr std::int64_t kRowsPerBatch = 20;
  // Batch i writes rows (i-1)*20+1 .. i*20, sets row 0 to "i", and checkpoints next offset i.
  auto batch = [&](std::int64_t i) {
    std::vector<RowOp> rows{upsert_row(0, std::to_string(i), i)};
    for (std::int64_t id = (i - 1) * kRowsPerBatch + 1; id <= i * kRowsPerBatch; ++id) rows.push_back(upsert_row(id, "r", i));
    return batch_of(spec, rows);
  };
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The child writes batches until it is killed; it never returns into the test framework.
    try {
      auto db = jdbc::make_mysql_sink_database(connection, sink_options("tx-crash"));
      db->connect();
      for (std::int64_t i = 1;; ++i) db->apply({batch(i)}, {checkpoint("loop", 0, i)});
    } catch (...) {
    }
    ::_exit(1);
  }
  const auto checkpointed = [] {
    auto rows = sink_mariadb().query_rows("SELECT next_offset FROM __sluice_sink_checkpoints", "crashdb");
    return rows.empty() ? 0 : std::stoll(rows[0]);
  };
  bool progressed = wait_for([&] { return checkpointed() >= 25; });
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  REQUIRE(progressed);
  REQUIRE(WIFSIGNALED(status));
  // Once the server has dropped the session, its open transaction is rolled back.
  REQUIRE(wait_for([] { return sessions_of("crashdb") == "0"; }));
  const std::string state = sink_mariadb().query_value(
      "SELECT CONCAT((SELECT next_offset FROM __sluice_sink_checkpoints), ' ', COUNT(*), ' ', MAX(id), ' ',"
      " (SELECT name FROM crashed WHERE id = 0)) FROM crashed WHERE id > 0",
      "crashdb");
  const std::int64_t n = std::stoll(state.substr(0, state.find(' ')));
  CHECK(n >= 25);
  CHECK(state == std::to_string(n) + " " + std::to_string(n * kRowsPerBatch) + " " + std::to_string(n * kRowsPerBatch) +
                     " " + std::to_string(n));
  // A new writer resumes from the checkpoint.
  auto db = open_sink("tx-crash", connection);
  REQUIRE(db->load_checkpoints().size() == 1);
  CHECK(db->load_checkpoints()[0].next_offset == n);
  db->apply({batch(n + 1)}, {checkpoint("loop", 0, n + 1)});
  CHECK(sink_mariadb().query_value("SELECT COUNT(*) FROM crashed WHERE id > 0", "crashdb") ==
        std::to_string((n + 1) * kRowsPerBatch));
}

TEST_CASE("MysqlSinkDatabase: a server crash and restart is retriable until the server is back", "[mysql]") {
  MariadbServer server;
  auto db = open_sink("tx-restart", sink_connection(server));
  auto spec = keyed_table("restarted");
  db->create_table(spec);
  db->apply({batch_of(spec, {upsert_row(1, "a", 1)})}, {checkpoint("t", 0, 1)});
  server.kill9();
  auto batch = batch_of(spec, {upsert_row(2, "b", 2)});
  CHECK_THROWS_AS(db->apply({batch}, {checkpoint("t", 0, 2)}), RetriableError);
  CHECK_THROWS_AS(db->connect(), RetriableError);
  server.start();
  db->connect();
  db->apply({batch}, {checkpoint("t", 0, 2)});
  CHECK(server.query_rows("SELECT id, name FROM restarted ORDER BY id") == std::vector<std::string>{"1\ta", "2\tb"});
  CHECK(db->load_checkpoints().at(0).next_offset == 2);
}
