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

// Every streaming test runs both ways the pump can read: framing the socket itself (the default on
// an unencrypted connection) and through libpq (how an SSL connection streams).
StreamOptions pub_all_v1(bool through_libpq) {
  StreamOptions options;
  options.through_libpq = through_libpq;
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
  const bool through_libpq = GENERATE(false, true);
  CAPTURE(through_libpq);
  auto& server = shared_postgres();
  server.exec("DROP TABLE IF EXISTS handoff; CREATE TABLE handoff(id int primary key, v text); INSERT INTO handoff VALUES (1, 'before')");

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

  stream.start(slot.slot_name, slot.consistent_point, pub_all_v1(through_libpq));
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
  const bool through_libpq = GENERATE(false, true);
  CAPTURE(through_libpq);
  auto& server = shared_postgres();
  server.exec("CREATE TABLE IF NOT EXISTS confirmed(id serial primary key)");
  PgConnection admin(server.conninfo());

  ReplicationStream stream(server.conninfo());
  CreatedSlot slot = stream.create_slot("confirm_slot", "pgoutput", false, /*temporary=*/true);
  stream.set_status_interval(200ms);
  stream.start(slot.slot_name, Lsn{}, pub_all_v1(through_libpq));
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
    server.exec("CREATE TABLE IF NOT EXISTS elsewhere(id int); INSERT INTO elsewhere VALUES (1)", "postgres");
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
    server.exec("CREATE TABLE IF NOT EXISTS elsewhere2(id int); INSERT INTO elsewhere2 VALUES (1)", "postgres");
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
  const bool through_libpq = GENERATE(false, true);
  CAPTURE(through_libpq);
  auto& server = shared_postgres();
  {
    ReplicationStream first(server.conninfo());
    first.create_slot("busy_slot", "pgoutput", false);
    first.start("busy_slot", Lsn{}, pub_all_v1(through_libpq));
    int holder = PQbackendPID(first.raw());

    ReplicationStream second(server.conninfo());
    SlotInfo info = second.slot_info("busy_slot");
    REQUIRE(info.exists);
    REQUIRE(info.active);
    REQUIRE(info.active_pid == holder);
    REQUIRE(info.plugin == "pgoutput");
    REQUIRE(info.database == "app");
    REQUIRE_THAT(sluice::testing::message_if_thrown<sluice::ConnectError>(
                     [&] { second.start("busy_slot", Lsn{}, pub_all_v1(through_libpq)); }),
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
  const bool through_libpq = GENERATE(false, true);
  CAPTURE(through_libpq);
  ReplicationStream stream(shared_postgres().conninfo());
  stream.create_slot("wakeup_slot", "pgoutput", false, /*temporary=*/true);
  stream.start("wakeup_slot", Lsn{}, pub_all_v1(through_libpq));
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
  const bool through_libpq = GENERATE(false, true);
  CAPTURE(through_libpq);
  sluice::testing::PostgresServer server;
  server.exec("CREATE PUBLICATION pub_all FOR ALL TABLES; CREATE TABLE moving(id int primary key)");
  ReplicationStream stream(server.conninfo());
  stream.create_slot("restart_slot", "pgoutput", false);
  stream.start("restart_slot", Lsn{}, pub_all_v1(through_libpq));
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
  resumed.start("restart_slot", Lsn{}, pub_all_v1(through_libpq));
  server.exec("INSERT INTO moving VALUES (2)");
  auto messages = read_until(resumed, is_commit);
  REQUIRE(is_commit(messages.back()));
}

TEST_CASE("A missing publication fails on the first change with a non-retriable error", "[postgres]") {
  const bool through_libpq = GENERATE(false, true);
  CAPTURE(through_libpq);
  auto& server = shared_postgres();
  server.exec("CREATE TABLE IF NOT EXISTS unpublished(id serial primary key)");
  ReplicationStream stream(server.conninfo());
  stream.create_slot("nopub_slot", "pgoutput", false, /*temporary=*/true);
  StreamOptions options = pub_all_v1(through_libpq);
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
  const bool through_libpq = GENERATE(false, true);
  CAPTURE(through_libpq);
  auto& server = shared_postgres();
  server.exec("ALTER SYSTEM SET wal_sender_timeout = '1s'", "postgres");
  server.exec("SELECT pg_reload_conf()", "postgres");
  ReplicationStream stream(server.conninfo());
  stream.create_slot("keepalive_slot", "pgoutput", false, /*temporary=*/true);
  stream.set_status_interval(std::chrono::hours(1));  // only keepalive replies keep us alive
  stream.start("keepalive_slot", Lsn{}, pub_all_v1(through_libpq));
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

TEST_CASE("Messages larger than a chunk, and many across chunk boundaries, arrive whole and in order", "[postgres]") {
  const bool through_libpq = GENERATE(false, true);
  CAPTURE(through_libpq);
  auto& server = shared_postgres();
  server.exec("CREATE TABLE IF NOT EXISTS framing(id int primary key, v text)");
  ReplicationStream stream(server.conninfo());
  stream.create_slot("framing_slot", "pgoutput", false, /*temporary=*/true);
  stream.start("framing_slot", Lsn{}, pub_all_v1(through_libpq));
  // 20,000 small inserts (far more than one 64 KB chunk), then rows of 300 KB and 3 MB of text that
  // does not compress (sent whole: larger than any chunk or read).
  server.exec("TRUNCATE framing; INSERT INTO framing SELECT i, 'row ' || i FROM generate_series(1, 20000) AS i");
  server.exec("INSERT INTO framing SELECT 20001, string_agg(md5(random()::text), '') FROM generate_series(1, 9375)");
  server.exec("INSERT INTO framing SELECT 20002, string_agg(md5(random()::text), '') FROM generate_series(1, 93750)");
  std::vector<sluice::testing::ReceivedMessage> inserts;
  int commits = 0;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (commits < 3 && std::chrono::steady_clock::now() < deadline) {  // three transactions
    auto data = stream.read(100);
    if (!data) continue;
    if (data->payload[0] == 'C') ++commits;
    if (data->payload[0] == 'I') inserts.push_back({'I', data->wal_start, std::string(data->payload)});
  }
  REQUIRE(commits == 3);
  REQUIRE(inserts.size() == 20002);
  for (int i : {0, 1, 9999, 19999}) REQUIRE_THAT(inserts[i].payload, Contains("row " + std::to_string(i + 1)));
  std::size_t out_of_order = 0;
  for (std::size_t i = 1; i < 20000; ++i) out_of_order += inserts[i].wal_start > inserts[i - 1].wal_start ? 0 : 1;
  REQUIRE(out_of_order == 0);
  REQUIRE(inserts[20000].payload.size() > 300'000);
  REQUIRE(inserts[20001].payload.size() > 3'000'000);
  std::string stored = server.query_value("SELECT v FROM framing WHERE id = 20002");
  REQUIRE(stored.size() == 3'000'000);
  REQUIRE_THAT(inserts[20001].payload, Contains(stored));
}
