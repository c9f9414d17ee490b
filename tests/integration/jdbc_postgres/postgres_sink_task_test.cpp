// JdbcSinkTask over PostgresSinkDatabase with Debezium PostgreSQL-shaped change events: table
// creation, the LSN guard and the source.sequence checkpoint across task restarts, snapshot rows,
// a large put through the staging path, and a connection terminated between put() calls.
#include <catch2/catch.hpp>

#include <sluice/errors.h>

#include "jdbc_sink_task.h"
#include "sink_test_support.h"
#include "unit/connectors/jdbc/debezium_records.h"
#include "support/strict_sink_task_context.h"

using namespace sluice;
using namespace sluice::jdbc;
using namespace sluice::testing;
using jdbc_test::Event;
using jdbc_test::pg_event;
using jdbc_test::Row;

namespace {

class TestContext : public StrictSinkTaskContext {
 public:
  TestContext() : StrictSinkTaskContext("pg-sink-0") {}
};

// Each test writes table public.customers of its own schema (search_path via currentSchema).
ConfigMap task_config(const std::string& name, const std::string& schema) {
  return {{"name", name},
          {"connection.url", "jdbc:postgresql://127.0.0.1:" + std::to_string(sink_postgres().port()) +
                                 "/app?currentSchema=" + schema + "&application_name=" + name},
          {"connection.username", "postgres"},
          {"primary.key.mode", "record_key"},
          {"insert.mode", "upsert"},
          {"delete.enabled", "true"},
          {"schema.evolution", "basic"},
          {"table.name.format", "${source.table}"}};
}

std::unique_ptr<JdbcSinkTask> start_task(TestContext& context, const std::string& name, const std::string& schema) {
  exec_sql("CREATE SCHEMA IF NOT EXISTS " + schema);
  auto task = std::make_unique<JdbcSinkTask>(
      [](const std::string& scheme, const ConnectionSettings& connection, const DatabaseOptions& options) {
        if (scheme != "postgresql") throw ConfigError("connection.url", "unexpected scheme " + scheme);
        return make_postgres_sink_database(connection, options);
      });
  task->start(task_config(name, schema), context);
  task->open({TopicPartition{"srv.public.customers", 0}});
  return task;
}

std::vector<std::string> customers(const std::string& schema) {
  return query_rows("SELECT id, name, note, __sluice_position FROM " + schema + ".customers ORDER BY id");
}

Event insert(std::int32_t id, const std::string& name, std::int64_t lsn, std::int64_t offset) {
  return Event{"c", std::nullopt, Row{id, name}, lsn, lsn - 1, offset};
}

Event update(std::int32_t id, const std::string& name, std::int64_t lsn, std::int64_t offset) {
  return Event{"u", Row{id, "old"}, Row{id, name}, lsn, lsn - 1, offset};
}

Event remove(std::int32_t id, std::int64_t lsn, std::int64_t offset) {
  return Event{"d", Row{id, "gone"}, std::nullopt, lsn, lsn - 1, offset};
}

}  // namespace

TEST_CASE("JdbcSinkTask on PostgreSQL creates the table and applies a change stream once", "[jdbc_postgres]") {
  exec_sql("DROP SCHEMA IF EXISTS task_stream CASCADE");
  TestContext context;
  auto task = start_task(context, "pg-stream", "task_stream");
  const std::vector<SinkRecord> stream{pg_event(insert(1, "a", 100, 0)), pg_event(insert(2, "b", 200, 1)),
                                       pg_event(update(1, "a2", 300, 2)), pg_event(remove(2, 400, 3))};
  task->put(stream);
  CHECK(customers("task_stream") == std::vector<std::string>{"1|a2|<null>|300"});
  CHECK(query_rows("SELECT next_offset, position_major, position_minor, has_position FROM "
                   "task_stream.__sluice_sink_checkpoints WHERE connector = 'pg-stream'") ==
        std::vector<std::string>{"4|399|400|t"});
  task->stop();

  // A restarted task gets the whole stream again: the checkpoint skips it, so the delete of 2 is
  // not undone by its redelivered insert.
  TestContext again_context;
  auto again = start_task(again_context, "pg-stream", "task_stream");
  again->put(stream);
  again->put({pg_event(update(1, "a3", 500, 4))});
  CHECK(customers("task_stream") == std::vector<std::string>{"1|a3|<null>|500"});
  again->stop();
}

TEST_CASE("JdbcSinkTask on PostgreSQL: snapshot rows lose to streamed changes", "[jdbc_postgres]") {
  exec_sql("DROP SCHEMA IF EXISTS task_snapshot CASCADE");
  TestContext context;
  auto task = start_task(context, "pg-snapshot", "task_snapshot");
  Event snap1{"r", std::nullopt, Row{1, "snap"}, 900, 0, 0, "true"};
  Event snap2{"r", std::nullopt, Row{2, "snap"}, 900, 0, 1, "last"};
  task->put({pg_event(snap1), pg_event(snap2), pg_event(update(2, "streamed", 50, 2))});
  // A streamed change can carry an LSN below the snapshot point; it still replaces the snapshot row.
  CHECK(customers("task_snapshot") == std::vector<std::string>{"1|snap|<null>|0", "2|streamed|<null>|50"});
  task->stop();
}

TEST_CASE("JdbcSinkTask on PostgreSQL writes a large put through COPY", "[jdbc_postgres]") {
  exec_sql("DROP SCHEMA IF EXISTS task_large CASCADE");
  TestContext context;
  auto task = start_task(context, "pg-large", "task_large");
  std::vector<SinkRecord> records;
  for (std::int32_t i = 0; i < 3000; ++i) records.push_back(pg_event(insert(i, "n" + std::to_string(i), 1000 + i, i)));
  for (std::int32_t i = 0; i < 3000; i += 2) records.push_back(pg_event(remove(i, 10000 + i, 3000 + i / 2)));
  task->put(records);
  CHECK(query_rows("SELECT count(*), min(id), max(id), count(*) FILTER (WHERE id % 2 = 0) FROM task_large.customers") ==
        std::vector<std::string>{"1500|1|2999|0"});
  CHECK(query_rows("SELECT name, __sluice_position FROM task_large.customers WHERE id = 2999") ==
        std::vector<std::string>{"n2999|3999"});
  task->stop();
}

TEST_CASE("JdbcSinkTask on PostgreSQL: a terminated connection fails put() retriably and the retry applies once",
          "[jdbc_postgres]") {
  exec_sql("DROP SCHEMA IF EXISTS task_kill CASCADE");
  TestContext context;
  auto task = start_task(context, "pg-kill", "task_kill");
  task->put({pg_event(insert(1, "a", 100, 0))});
  REQUIRE(query_rows("SELECT count(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity "
                     "WHERE application_name = 'pg-kill'") == std::vector<std::string>{"1"});
  const std::vector<SinkRecord> next{pg_event(insert(2, "b", 200, 1)), pg_event(update(1, "a2", 300, 2))};
  CHECK_THROWS_AS(task->put(next), RetriableError);
  task->put(next);
  CHECK(customers("task_kill") == std::vector<std::string>{"1|a2|<null>|300", "2|b|<null>|200"});
  task->stop();
}
