#include <catch2/catch.hpp>

#include <sluice/errors.h>

#include <atomic>
#include <future>
#include <thread>

#include "pg_connection.h"
#include "pg_test_support.h"
#include "support/eventually.h"

using namespace sluice::postgres;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using sluice::testing::commit_end_lsn;
using sluice::testing::is_commit;
using sluice::testing::read_until;
using sluice::testing::shared_postgres;

namespace {

StreamOptions pub_all_v1() {
  StreamOptions options;
  options.proto_version = 1;
  options.publication_names = {"pub_all"};
  return options;
}

Lsn confirmed_flush(PgConnection& conn, const std::string& slot) {
  auto text = conn.query_value("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = $1", {slot});
  return text ? Lsn::parse(*text).value_or(Lsn{}) : Lsn{};
}

}  // namespace

TEST_CASE("IDENTIFY_SYSTEM names the database, timeline and WAL position", "[postgres]") {
  ReplicationStream stream(shared_postgres().conninfo());
  SystemIdentity id = stream.identify_system();
  REQUIRE(id.dbname == "app");
  REQUIRE(id.timeline == 1);
  REQUIRE(id.xlogpos);
  REQUIRE(id.system_id == shared_postgres().query_value("SELECT system_identifier::text FROM pg_control_system()"));
  REQUIRE_NOTHROW(stream.check_wal_level());
}

TEST_CASE("The exported snapshot and the stream meet at the slot's consistent point", "[postgres]") {
  auto& server = shared_postgres();
  server.exec("CREATE TABLE handoff(id int primary key, v text); INSERT INTO handoff VALUES (1, 'before')");

  ReplicationStream stream(server.conninfo());
  CreatedSlot slot = stream.create_slot("handoff_slot", "pgoutput", /*export_snapshot=*/true, /*temporary=*/true);
  REQUIRE(slot.slot_name == "handoff_slot");
  REQUIRE(slot.consistent_point);
  REQUIRE_FALSE(slot.snapshot_name.empty());
  server.exec("INSERT INTO handoff VALUES (2, 'after')");

  // The replication connection stays idle while the snapshot is imported.
  PgConnection snapshot_session(server.conninfo());
  snapshot_session.exec("BEGIN ISOLATION LEVEL REPEATABLE READ");
  snapshot_session.exec("SET TRANSACTION SNAPSHOT " + quote_literal(slot.snapshot_name));
  QueryResult seen = snapshot_session.query("SELECT id FROM handoff ORDER BY id");
  snapshot_session.exec("COMMIT");
  REQUIRE(seen.rows == std::vector<PgRow>{{"1"}});

  stream.start(slot.slot_name, slot.consistent_point, pub_all_v1());
  auto messages = read_until(stream, is_commit);
  std::string types;
  for (const auto& m : messages) types += m.type;
  REQUIRE(types == "BRIC");
  REQUIRE_THAT(messages[2].payload, Contains("after"));
  REQUIRE_THAT(messages[1].payload, Contains("handoff"));
  REQUIRE(messages[3].wal_start == commit_end_lsn(messages[3]));
  REQUIRE(messages[3].wal_start > slot.consistent_point);
}

TEST_CASE("Status updates advance the slot's confirmed_flush_lsn", "[postgres]") {
  auto& server = shared_postgres();
  server.exec("CREATE TABLE IF NOT EXISTS confirmed(id serial primary key)");
  PgConnection admin(server.conninfo());

  ReplicationStream stream(server.conninfo());
  CreatedSlot slot = stream.create_slot("confirm_slot", "pgoutput", false, /*temporary=*/true);
  stream.set_status_interval(200ms);
  stream.start(slot.slot_name, Lsn{}, pub_all_v1());
  server.exec("INSERT INTO confirmed VALUES (DEFAULT)");
  auto messages = read_until(stream, is_commit);
  REQUIRE(!messages.empty());
  REQUIRE(is_commit(messages.back()));
  Lsn end = commit_end_lsn(messages.back());
  REQUIRE(confirmed_flush(admin, "confirm_slot") < end);

  stream.send_status(end, end, end);
  REQUIRE(sluice::testing::eventually([&] {
    stream.read(20);
    return confirmed_flush(admin, "confirm_slot") >= end;
  }));

  SECTION("an idle slot keeps advancing past WAL it has nothing to send for") {
    // WAL written in another database is decoded but never sent; once everything handed out is
    // confirmed, the stream confirms the server's position from its keepalives.
    server.exec("CREATE TABLE elsewhere(id int); INSERT INTO elsewhere VALUES (1)", "postgres");
    Lsn after = *Lsn::parse(server.query_value("SELECT pg_current_wal_lsn()::text"));
    REQUIRE(sluice::testing::eventually([&] {
      REQUIRE_FALSE(stream.read(50).has_value());
      return confirmed_flush(admin, "confirm_slot") >= after;
    }));
  }
  SECTION("nothing is confirmed past a transaction that is not flushed yet") {
    server.exec("INSERT INTO confirmed VALUES (DEFAULT)");
    auto second = read_until(stream, is_commit);
    REQUIRE(is_commit(second.back()));
    server.exec("CREATE TABLE elsewhere2(id int); INSERT INTO elsewhere2 VALUES (1)", "postgres");
    auto until = std::chrono::steady_clock::now() + 1500ms;
    while (std::chrono::steady_clock::now() < until) REQUIRE_FALSE(stream.read(50).has_value());
    REQUIRE(confirmed_flush(admin, "confirm_slot") < commit_end_lsn(second.back()));
    stream.set_flushed_lsn(commit_end_lsn(second.back()));
    REQUIRE(sluice::testing::eventually([&] {
      stream.read(20);
      return confirmed_flush(admin, "confirm_slot") >= commit_end_lsn(second.back());
    }));
  }
}

TEST_CASE("A slot streamed by another connection gives an error naming the slot and PID", "[postgres]") {
  auto& server = shared_postgres();
  {
    ReplicationStream first(server.conninfo());
    first.create_slot("busy_slot", "pgoutput", false);
    first.start("busy_slot", Lsn{}, pub_all_v1());
    int holder = PQbackendPID(first.raw());

    ReplicationStream second(server.conninfo());
    SlotInfo info = second.slot_info("busy_slot");
    REQUIRE(info.exists);
    REQUIRE(info.active);
    REQUIRE(info.active_pid == holder);
    REQUIRE(info.plugin == "pgoutput");
    REQUIRE(info.database == "app");
    REQUIRE_THAT(sluice::testing::message_if_thrown<sluice::ConnectError>(
                     [&] { second.start("busy_slot", Lsn{}, pub_all_v1()); }),
                 Contains("replication slot 'busy_slot' is in use") && Contains("PID " + std::to_string(holder)));
    REQUIRE_FALSE(second.slot_info("no_such_slot").exists);
  }
  ReplicationStream cleanup(server.conninfo());
  cleanup.drop_slot("busy_slot", /*wait=*/true);
  REQUIRE_FALSE(cleanup.slot_info("busy_slot").exists);
  REQUIRE_NOTHROW(cleanup.drop_slot("busy_slot"));
  REQUIRE_THROWS_AS(cleanup.create_slot("Bad-Name"), sluice::ConfigError);
}

TEST_CASE("wakeup() makes a blocked read() return promptly", "[postgres]") {
  ReplicationStream stream(shared_postgres().conninfo());
  stream.create_slot("wakeup_slot", "pgoutput", false, /*temporary=*/true);
  stream.start("wakeup_slot", Lsn{}, pub_all_v1());
  std::atomic<bool> returned{false};
  auto reader = std::async(std::launch::async, [&] {
    auto started = std::chrono::steady_clock::now();
    auto data = stream.read(30'000);
    returned = true;
    return std::make_pair(data.has_value(), std::chrono::steady_clock::now() - started);
  });
  std::this_thread::sleep_for(300ms);
  REQUIRE_FALSE(returned.load());
  stream.wakeup();
  REQUIRE(reader.wait_for(1s) == std::future_status::ready);
  auto [got_data, elapsed] = reader.get();
  REQUIRE_FALSE(got_data);
  REQUIRE(elapsed < 1500ms);
}

TEST_CASE("A server restart mid-stream makes read() throw RetriableError", "[postgres]") {
  sluice::testing::PostgresServer server;
  server.exec("CREATE PUBLICATION pub_all FOR ALL TABLES; CREATE TABLE moving(id int primary key)");
  ReplicationStream stream(server.conninfo());
  stream.create_slot("restart_slot", "pgoutput", false);
  stream.start("restart_slot", Lsn{}, pub_all_v1());
  server.exec("INSERT INTO moving VALUES (1)");
  auto first = read_until(stream, is_commit);
  REQUIRE(is_commit(first.back()));
  stream.set_flushed_lsn(commit_end_lsn(first.back()));

  // Keep reading (and answering keepalives) while the server shuts down and comes back.
  auto restarting = std::async(std::launch::async, [&] { server.restart(); });
  bool retriable = false;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  try {
    while (std::chrono::steady_clock::now() < deadline) stream.read(100);
  } catch (const sluice::RetriableError&) {
    retriable = true;
  }
  restarting.get();
  REQUIRE(retriable);
  REQUIRE_THROWS_AS(stream.read(100), sluice::ConnectError);  // not streaming any more

  // The slot survives and a new connection resumes from it.
  ReplicationStream resumed(server.conninfo());
  REQUIRE(resumed.slot_info("restart_slot").exists);
  resumed.start("restart_slot", Lsn{}, pub_all_v1());
  server.exec("INSERT INTO moving VALUES (2)");
  auto messages = read_until(resumed, is_commit);
  REQUIRE(is_commit(messages.back()));
}

TEST_CASE("A missing publication fails on the first change with a non-retriable error", "[postgres]") {
  auto& server = shared_postgres();
  server.exec("CREATE TABLE IF NOT EXISTS unpublished(id serial primary key)");
  ReplicationStream stream(server.conninfo());
  stream.create_slot("nopub_slot", "pgoutput", false, /*temporary=*/true);
  StreamOptions options = pub_all_v1();
  options.publication_names = {"no_such_pub"};
  stream.start("nopub_slot", Lsn{}, options);  // PostgreSQL checks lazily, when decoding
  server.exec("INSERT INTO unpublished VALUES (DEFAULT)");
  std::string message = sluice::testing::message_if_thrown<sluice::ConnectError>([&] {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) stream.read(100);
  });
  REQUIRE_THAT(message, Contains("publication \"no_such_pub\" does not exist") && Contains("42704"));
}

TEST_CASE("Keepalives that ask for a reply are answered, so wal_sender_timeout never fires", "[postgres]") {
  auto& server = shared_postgres();
  server.exec("ALTER SYSTEM SET wal_sender_timeout = '1s'", "postgres");
  server.exec("SELECT pg_reload_conf()", "postgres");
  ReplicationStream stream(server.conninfo());
  stream.create_slot("keepalive_slot", "pgoutput", false, /*temporary=*/true);
  stream.set_status_interval(std::chrono::hours(1));  // only keepalive replies keep us alive
  stream.start("keepalive_slot", Lsn{}, pub_all_v1());
  auto until = std::chrono::steady_clock::now() + 3s;
  std::string failure;
  try {
    while (std::chrono::steady_clock::now() < until) stream.read(100);
  } catch (const std::exception& e) {
    failure = e.what();
  }
  server.exec("ALTER SYSTEM RESET wal_sender_timeout", "postgres");
  server.exec("SELECT pg_reload_conf()", "postgres");
  REQUIRE(failure == "");
}
