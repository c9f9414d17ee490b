// JdbcSinkTask over MysqlSinkDatabase with Debezium MySQL-shaped change events: auto-create and
// evolution on MariaDB, the binlog position guard, checkpoints across task restarts, and a
// connection killed between put() calls.
#include <catch2/catch.hpp>

#include <sluice/errors.h>
#include <sluice/schema.h>

#include "jdbc_sink_task.h"
#include "mysql_sink_test_support.h"
#include "support/strict_sink_task_context.h"

using namespace sluice;
using namespace sluice::jdbc;
using namespace sluice::testing;

namespace {

class TestContext : public StrictSinkTaskContext {
 public:
  TestContext() : StrictSinkTaskContext("mysql-sink-0") {}
};

SchemaPtr row_schema(bool with_email) {
  auto b = SchemaBuilder::struct_()
               .name("srv.inventory.customers.Value")
               .optional()
               .field("id", schemas::int32())
               .field("name", schemas::optional_string())
               .field("balance", logical::decimal(2).build())
               .field("seen", SchemaBuilder::int64().name("io.debezium.time.MicroTimestamp").optional().build());
  if (with_email) b.field("email", schemas::optional_string());
  return b.build();
}

const SchemaPtr& key_schema() {
  static const SchemaPtr s = SchemaBuilder::struct_().name("srv.inventory.customers.Key").field("id", schemas::int32()).build();
  return s;
}

const SchemaPtr& source_schema() {
  static const SchemaPtr s = SchemaBuilder::struct_()
                                 .name("io.debezium.connector.mysql.Source")
                                 .field("connector", schemas::string())
                                 .field("ts_ms", schemas::int64())
                                 .field("snapshot", SchemaBuilder::string().optional().name("io.debezium.data.Enum").build())
                                 .field("db", schemas::string())
                                 .field("table", schemas::optional_string())
                                 .field("file", schemas::string())
                                 .field("pos", schemas::int64())
                                 .field("row", schemas::int32())
                                 .build();
  return s;
}

struct Change {
  std::string op;  // c, u, d
  std::int32_t id;
  std::string name;
  std::int64_t pos;      // binlog position in mysql-bin.000003
  std::int64_t offset;   // Kafka offset
  bool with_email = false;
};

SinkRecord event(const Change& c) {
  const SchemaPtr rows = row_schema(c.with_email);
  const SchemaPtr envelope = SchemaBuilder::struct_()
                                 .name("srv.inventory.customers.Envelope")
                                 .field("before", rows)
                                 .field("after", rows)
                                 .field("source", source_schema())
                                 .field("op", schemas::string())
                                 .field("ts_ms", schemas::optional_int64())
                                 .build();
  Struct row(rows);
  row.put("id", c.id).put("name", c.name).put("balance", Value(logical::decimal_from_unscaled(c.id * 100 + 5)));
  row.put("seen", std::int64_t{1706706245123456});
  if (c.with_email) row.put("email", c.name + "@example.com");
  Struct source(source_schema());
  source.put("connector", "mysql").put("ts_ms", std::int64_t{1706706245000}).put("snapshot", "false");
  source.put("db", "inventory").put("table", "customers").put("file", "mysql-bin.000003").put("pos", c.pos).put("row", std::int32_t{0});
  Struct env(envelope);
  env.put(c.op == "d" ? "before" : "after", Value(row)).put("source", source).put("op", c.op);
  Struct key(key_schema());
  key.put("id", c.id);
  SinkRecord r;
  r.topic = "srv.inventory.customers";
  r.kafka_partition = 0;
  r.kafka_offset = c.offset;
  r.key_schema = key_schema();
  r.key = Value(std::move(key));
  r.value_schema = envelope;
  r.value = Value(std::move(env));
  r.timestamp_ms = 1706706245001;
  return r;
}

ConfigMap task_config(const std::string& name, const std::string& database) {
  return {{"name", name},
          {"connection.url", "jdbc:mysql://127.0.0.1:" + std::to_string(sink_mariadb().port()) + "/" + database},
          {"connection.username", MariadbServer::kUser},
          {"connection.password", MariadbServer::kPassword},
          {"primary.key.mode", "record_key"},
          {"insert.mode", "upsert"},
          {"delete.enabled", "true"},
          {"schema.evolution", "basic"},
          {"table.name.format", "${source.table}"}};
}

std::unique_ptr<JdbcSinkTask> start_task(TestContext& context, const std::string& name, const std::string& database) {
  auto task = std::make_unique<JdbcSinkTask>(
      [](const std::string& scheme, const ConnectionSettings& connection, const DatabaseOptions& options) {
        if (scheme != "mysql") throw ConfigError("connection.url", "unexpected scheme " + scheme);
        return make_mysql_sink_database(connection, options);
      });
  task->start(task_config(name, database), context);
  task->open({TopicPartition{"srv.inventory.customers", 0}});
  return task;
}

std::vector<std::string> customers(const std::string& database) {
  return sink_mariadb().query_rows("SELECT id, name, balance, seen FROM customers ORDER BY id", database);
}

constexpr std::int64_t kFile3 = std::int64_t{3} << 40;

}  // namespace

TEST_CASE("JdbcSinkTask on MariaDB creates the table and applies a change stream", "[mysql]") {
  sink_mariadb().exec("CREATE DATABASE task_stream");
  TestContext context;
  auto task = start_task(context, "mysql-stream", "task_stream");
  const std::vector<SinkRecord> stream{event({"c", 1, "a", 100, 0}), event({"c", 2, "b", 200, 1}),
                                       event({"u", 1, "a2", 300, 2}), event({"d", 2, "b", 400, 3})};
  task->put(stream);
  CHECK(customers("task_stream") == std::vector<std::string>{"1\ta2\t1.05\t2024-01-31 13:04:05.123456"});
  CHECK(sink_mariadb().query_value("SELECT __sluice_position FROM customers", "task_stream") ==
        std::to_string(kFile3 | 300));
  CHECK(sink_mariadb().query_value("SELECT CONCAT(next_offset, ' ', position_major, ' ', has_position) FROM"
                                   " __sluice_sink_checkpoints WHERE connector = 'mysql-stream'",
                                   "task_stream") == "4 " + std::to_string(kFile3 | 400) + " 1");
  task->stop();

  // A restarted task gets the whole stream again: the checkpoint skips it, so the delete of 2 is
  // not undone by its redelivered insert.
  TestContext again_context;
  auto again = start_task(again_context, "mysql-stream", "task_stream");
  again->put(stream);
  CHECK(customers("task_stream") == std::vector<std::string>{"1\ta2\t1.05\t2024-01-31 13:04:05.123456"});
  again->stop();
}

TEST_CASE("JdbcSinkTask on MariaDB adds a column when the records gain a field", "[mysql]") {
  sink_mariadb().exec("CREATE DATABASE task_evolve");
  TestContext context;
  auto task = start_task(context, "mysql-evolve", "task_evolve");
  task->put({event({"c", 1, "a", 100, 0})});
  task->put({event({"c", 2, "b", 200, 1, true})});
  CHECK(sink_mariadb().query_rows("SELECT id, email FROM customers ORDER BY id", "task_evolve") ==
        std::vector<std::string>{"1\tNULL", "2\tb@example.com"});
  task->stop();
}

TEST_CASE("JdbcSinkTask on MariaDB: a killed connection fails put() retriably and the retry applies once", "[mysql]") {
  sink_mariadb().exec("CREATE DATABASE task_kill");
  TestContext context;
  auto task = start_task(context, "mysql-kill", "task_kill");
  task->put({event({"c", 1, "a", 100, 0})});
  sink_mariadb().exec("KILL " + sink_mariadb().query_value("SELECT ID FROM information_schema.PROCESSLIST"
                                                           " WHERE USER = 'sink' AND DB = 'task_kill'"));
  const std::vector<SinkRecord> next{event({"c", 2, "b", 200, 1}), event({"u", 1, "a2", 300, 2})};
  CHECK_THROWS_AS(task->put(next), RetriableError);
  task->put(next);
  CHECK(customers("task_kill") == std::vector<std::string>{"1\ta2\t1.05\t2024-01-31 13:04:05.123456",
                                                           "2\tb\t2.05\t2024-01-31 13:04:05.123456"});
  task->stop();
}
