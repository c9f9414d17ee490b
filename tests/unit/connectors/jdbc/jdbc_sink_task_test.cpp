#include <catch2/catch.hpp>

#include "debezium_records.h"
#include "fake_sink_database.h"
#include "jdbc_sink_connector.h"
#include "jdbc_sink_task.h"

using namespace sluice;
using namespace sluice::jdbc;
using namespace jdbc_test;

namespace {

class RecordingMetrics : public TaskMetrics {
 public:
  void set(std::string_view name, double value) override { values[std::string(name)] = value; }
  void set_text(std::string_view, std::string_view) override {}
  std::map<std::string, double> values;
};

class FakeContext : public SinkTaskContext {
 public:
  explicit FakeContext(bool tolerate_all = false) : tolerate_all_(tolerate_all) {}
  std::vector<TopicPartition> assignment() const override { return {}; }
  void seek(const TopicOffsets&) override { ++seeks; }
  void pause(const std::vector<TopicPartition>&) override {}
  void resume(const std::vector<TopicPartition>&) override {}
  void request_commit() override {}
  void report(const SinkRecord& record, const std::exception& error) override {
    if (!tolerate_all_) throw ConnectError(std::string("Tolerance exceeded: ") + error.what());
    reported.push_back({record.kafka_offset.value_or(-1), error.what()});
  }
  const std::string& task_id() const override { return id_; }
  TaskMetrics& metrics() override { return metrics_; }

  std::vector<std::pair<std::int64_t, std::string>> reported;
  RecordingMetrics metrics_;
  int seeks = 0;

 private:
  bool tolerate_all_;
  std::string id_ = "sink-0";
};

ConfigMap task_config(ConfigMap extra = {}) {
  ConfigMap m{{"name", "sink"},
              {"connection.url", "jdbc:postgresql://127.0.0.1/t"},
              {"primary.key.mode", "record_key"},
              {"insert.mode", "upsert"},
              {"delete.enabled", "true"},
              {"schema.evolution", "basic"},
              {"table.name.format", "customers"}};
  for (auto& [k, v] : extra) m[k] = v;
  return m;
}

struct Harness {
  std::shared_ptr<FakeState> state = std::make_shared<FakeState>();
  std::vector<std::string> schemes_asked;

  std::unique_ptr<JdbcSinkTask> task(FakeContext& context, ConfigMap extra = {}) {
    auto t = std::make_unique<JdbcSinkTask>(
        [this](const std::string& scheme, const ConnectionSettings&, const DatabaseOptions& options) {
          schemes_asked.push_back(scheme);
          REQUIRE(options.connector_name == "sink");
          REQUIRE(options.checkpoint_table == "__sluice_sink_checkpoints");
          return std::make_unique<FakeSinkDatabase>(state);
        });
    t->start(task_config(std::move(extra)), context);
    return t;
  }

  // id -> name of the customers table.
  std::map<std::int32_t, std::string> names() const {
    std::map<std::int32_t, std::string> out;
    auto it = state->tables.find(TableId{"", "customers"});
    if (it == state->tables.end()) return out;
    for (const auto& [k, row] : it->second.rows) {
      out[static_cast<std::int32_t>(row.at("id").as_int64())] =
          row.at("name").is_null() ? "<null>" : row.at("name").as<std::string>();
    }
    return out;
  }
};

SinkRecord ins(std::int32_t id, std::string name, std::int64_t lsn, std::int64_t offset) {
  return pg_event({"c", std::nullopt, Row{id, std::move(name)}, lsn, lsn - 5, offset});
}
SinkRecord upd(std::int32_t id, std::string name, std::int64_t lsn, std::int64_t offset) {
  return pg_event({"u", std::nullopt, Row{id, std::move(name)}, lsn, lsn - 5, offset});
}
SinkRecord del(std::int32_t id, std::int64_t lsn, std::int64_t offset) {
  return pg_event({"d", Row{id, "x"}, std::nullopt, lsn, lsn - 5, offset});
}

}  // namespace

TEST_CASE("JdbcSinkTask writes a stream and creates the table", "[jdbc]") {
  Harness h;
  FakeContext ctx;
  auto task = h.task(ctx);
  task->put({ins(1, "a", 100, 0), ins(2, "b", 110, 1), upd(1, "a2", 120, 2), del(2, 130, 3), tombstone(2, 4)});
  CHECK(h.names() == std::map<std::int32_t, std::string>{{1, "a2"}});
  CHECK(h.schemes_asked == std::vector<std::string>{"postgresql"});
  auto cp = h.state->checkpoints.at(TopicPartition{"srv.public.customers", 0});
  CHECK(cp.next_offset == 5);
  CHECK(cp.last_position == SourcePosition{125, 130});
  CHECK(ctx.metrics_.values.at("records_applied_total") == 4);  // the tombstone was dropped
  CHECK(ctx.metrics_.values.at("batches_total") == 1);
  CHECK(ctx.metrics_.values.at("last_batch_rows") == 2);
  CHECK(ctx.metrics_.values.count("last_batch_ms") == 1);
  TopicOffsets current{{TopicPartition{"srv.public.customers", 0}, 5}};
  CHECK(task->pre_commit(current) == current);
  task->open({TopicPartition{"srv.public.customers", 0}});
  CHECK(ctx.seeks == 0);
}

TEST_CASE("Duplicate delivery and reordered redelivery give the same table", "[jdbc]") {
  std::vector<SinkRecord> stream{ins(1, "a", 100, 0), ins(2, "b", 110, 1), upd(1, "a2", 120, 2),
                                 upd(2, "b2", 130, 3)};
  Harness once;
  FakeContext c1;
  once.task(c1)->put(stream);

  Harness twice;
  FakeContext c2;
  auto t = twice.task(c2);
  t->put(stream);
  t->put(stream);
  // All but the last: the change at the stored position is applied again (a no-op by the guard).
  CHECK(c2.metrics_.values.at("records_skipped_total") == 3);
  // A restarted task (new instance, checkpoints loaded) gets an older part again, reordered.
  FakeContext c3;
  twice.task(c3)->put({upd(2, "b2", 130, 3), ins(1, "a", 100, 0), ins(2, "b", 110, 1)});
  CHECK(twice.names() == once.names());
  CHECK(twice.names() == std::map<std::int32_t, std::string>{{1, "a2"}, {2, "b2"}});
}

TEST_CASE("The row guard orders changes the checkpoint cannot skip", "[jdbc]") {
  Harness h;
  FakeContext ctx;
  auto task = h.task(ctx);
  // A streamed change, then a snapshot read of the same row delivered late: the streamed one wins.
  task->put({upd(1, "streamed", 300, 0)});
  task->put({pg_event({"r", std::nullopt, Row{1, "snapshot"}, 0, 0, 1, "true"})});
  CHECK(h.names() == std::map<std::int32_t, std::string>{{1, "streamed"}});
  // A re-snapshot replaces a snapshot row (0 vs 0).
  task->put({pg_event({"r", std::nullopt, Row{2, "s1"}, 0, 0, 2, "true"})});
  task->put({pg_event({"r", std::nullopt, Row{2, "s2"}, 0, 0, 3, "last"})});
  CHECK(h.names().at(2) == "s2");
}

TEST_CASE("A delete followed by a redelivered older insert does not resurrect the row", "[jdbc]") {
  Harness h;
  FakeContext c1;
  h.task(c1)->put({ins(1, "a", 100, 0), del(1, 200, 1)});
  CHECK(h.names().empty());
  FakeContext c2;
  auto restarted = h.task(c2);
  restarted->put({ins(1, "a", 100, 0)});
  CHECK(h.names().empty());
  CHECK(c2.metrics_.values.at("records_skipped_total") == 1);
}

TEST_CASE("A retriable failure then the retried put applies every change once", "[jdbc]") {
  Harness h;
  FakeContext ctx;
  auto task = h.task(ctx, {{"batch.size", "2"}});
  std::vector<SinkRecord> records{ins(1, "a", 100, 0), ins(2, "b", 110, 1), upd(1, "a2", 120, 2),
                                  ins(3, "c", 130, 3)};
  task->put({ins(9, "z", 90, 10)});
  const int connects = h.state->connects;
  // The commit of the put's first transaction is lost with the connection.
  const int before = h.state->applies;
  h.state->apply_failures = 1;
  CHECK_THROWS_AS(task->put(records), RetriableError);
  CHECK(h.state->applies == before);  // the first transaction failed: nothing applied
  task->put(records);                 // the runtime retries the same records
  CHECK(h.state->connects == connects + 1);
  CHECK(h.state->applies == before + 2);
  CHECK(h.names() == std::map<std::int32_t, std::string>{{1, "a2"}, {2, "b"}, {3, "c"}, {9, "z"}});
}

TEST_CASE("A retriable failure mid-put: the retry skips the committed transaction", "[jdbc]") {
  Harness h;
  FakeContext ctx;
  auto task = h.task(ctx, {{"batch.size", "2"}});
  std::vector<SinkRecord> records{ins(1, "a", 100, 0), ins(2, "b", 110, 1), upd(1, "a2", 120, 2),
                                  ins(3, "c", 130, 3)};
  task->put({records[0], records[1]});
  const int applies = h.state->applies;
  h.state->apply_failures = 1;
  CHECK_THROWS_AS(task->put({records[2], records[3]}), RetriableError);
  // The runtime redelivers everything from the last committed offset.
  task->put(records);
  CHECK(h.state->applies == applies + 2);  // the skipped chunk only writes its checkpoint
  CHECK(ctx.metrics_.values.at("records_skipped_total") == 1);  // the one at the stored position is re-applied
  CHECK(h.names() == std::map<std::int32_t, std::string>{{1, "a2"}, {2, "b"}, {3, "c"}});
}

TEST_CASE("An unreachable database at start: put reconnects", "[jdbc]") {
  Harness h;
  h.state->connect_failures = 2;
  FakeContext ctx;
  auto task = h.task(ctx);  // start swallows the first failure
  CHECK_THROWS_AS(task->put({ins(1, "a", 100, 0)}), RetriableError);
  task->put({ins(1, "a", 100, 0)});
  CHECK(h.names().size() == 1);
}

namespace {
SinkRecord flat_record(const SchemaPtr& schema, std::int32_t id, std::int64_t offset,
                       std::vector<std::pair<std::string, Value>> fields) {
  Struct v(schema);
  v.put("id", id);
  for (auto& [k, val] : fields) v.put(k, val);
  SinkRecord r;
  r.topic = "people";
  r.kafka_partition = 0;
  r.kafka_offset = offset;
  r.key_schema = key_schema();
  r.key = key_value(id);
  r.value_schema = schema;
  r.value = Value(std::move(v));
  return r;
}
}  // namespace

TEST_CASE("schema.evolution=basic adds a column the records gained", "[jdbc]") {
  auto v1 = SchemaBuilder::struct_().field("id", schemas::int32()).field("name", schemas::optional_string()).build();
  auto v2 = SchemaBuilder::struct_()
                .field("id", schemas::int32())
                .field("name", schemas::optional_string())
                .field("email", schemas::optional_string())
                .build();
  Harness h;
  FakeContext ctx;
  auto task = h.task(ctx, {{"table.name.format", "${topic}"}});
  task->put({flat_record(v1, 1, 0, {{"name", Value("a")}})});
  task->put({flat_record(v1, 2, 1, {{"name", Value("b")}})});
  const int describes = h.state->describes;
  CHECK(describes == 1);  // cached after the first batch
  task->put({flat_record(v2, 3, 2, {{"name", Value("c")}, {"email", Value("c@x")}})});
  const FakeTable& t = h.state->tables.at(TableId{"", "people"});
  std::vector<std::string> cols;
  for (const auto& c : t.columns) cols.push_back(c.name);
  CHECK(cols == std::vector<std::string>{"id", "name", "email"});  // no source position: no guard
  CHECK(t.rows.at(fake_key({Value(std::int32_t{3})})).at("email") == Value("c@x"));
}

TEST_CASE("schema.evolution=none: a missing table or column fails with the names", "[jdbc]") {
  Harness h;
  FakeContext ctx;
  auto task = h.task(ctx, {{"schema.evolution", "none"}});
  CHECK_THROWS_WITH(task->put({ins(1, "a", 100, 0)}),
                    Catch::Contains("customers does not exist") && Catch::Contains("schema.evolution=none"));
  h.state->tables[TableId{"", "customers"}] =
      FakeTable{{ColumnSpec{"id", {}, false}, ColumnSpec{"name", {}, true}}, {"id"}, {}};
  FakeContext ctx2;
  auto task2 = h.task(ctx2, {{"schema.evolution", "none"}});
  CHECK_THROWS_WITH(task2->put({ins(1, "a", 100, 0)}), Catch::Contains("lacks columns note, __sluice_position"));
  CHECK(h.state->tables.at(TableId{"", "customers"}).columns.size() == 2);
}

TEST_CASE("A poison record is found by halving and reported; the others are applied", "[jdbc]") {
  Harness h;
  h.state->poison = "bad";
  FakeContext ctx(/*tolerate_all=*/true);
  auto task = h.task(ctx);
  task->put({ins(1, "a", 100, 0), ins(2, "b", 110, 1), ins(3, "bad", 120, 2), ins(4, "d", 130, 3),
             ins(5, "e", 140, 4)});
  REQUIRE(ctx.reported.size() == 1);
  CHECK(ctx.reported[0].first == 2);
  CHECK_THAT(ctx.reported[0].second, Catch::Contains("rejected"));
  CHECK(h.names() == std::map<std::int32_t, std::string>{{1, "a"}, {2, "b"}, {4, "d"}, {5, "e"}});
}

TEST_CASE("With errors.tolerance=none a poison record fails the put", "[jdbc]") {
  Harness h;
  h.state->poison = "bad";
  FakeContext ctx;
  auto task = h.task(ctx);
  CHECK_THROWS_WITH(task->put({ins(1, "a", 100, 0), ins(3, "bad", 120, 1)}), Catch::Contains("rejected"));
  SinkRecord text;
  text.topic = "t";
  text.kafka_partition = 0;
  text.kafka_offset = 9;
  text.value = Value("not a struct");
  CHECK_THROWS_WITH(task->put({text}), Catch::Contains("offset 9"));
}

TEST_CASE("JdbcSinkConnector checks the URL's database is compiled in", "[jdbc]") {
  JdbcSinkConnector connector({"postgresql"}, [](const std::string&, const ConnectionSettings&,
                                                 const DatabaseOptions&) { return nullptr; });
  ConfigMap mysql = task_config({{"connection.url", "jdbc:mysql://127.0.0.1/db"}});
  bool found = false;
  for (const auto& v : connector.validate(mysql)) {
    if (v.name == "connection.url") {
      REQUIRE(v.errors.size() == 1);
      CHECK_THAT(v.errors[0], Catch::Contains("no mysql support"));
      found = true;
    }
  }
  CHECK(found);
  struct NoContext : ConnectorContext {
    void request_task_reconfiguration() override {}
    void raise_error(const std::string&) override {}
    const std::string& connector_name() const override { return name; }
    std::string name = "sink";
  } context;
  CHECK_THROWS_AS(connector.start(mysql, context), ConfigError);
  connector.start(task_config(), context);
  auto configs = connector.task_configs(3);
  REQUIRE(configs.size() == 3);
  CHECK(configs[2].at("connection.url") == "jdbc:postgresql://127.0.0.1/t");
  CHECK(connector.create_task() != nullptr);
}

TEST_CASE("A key change split across puts: the create sharing the delete's position is applied", "[jdbc]") {
  // PostgreSQL emits a primary key change as d (old key) + tombstone + c (new key), all with the
  // change's one sequence; the runtime may end a put() between them.
  Harness h;
  FakeContext ctx;
  auto task = h.task(ctx);
  task->put({ins(1, "a", 100, 0)});
  task->put({pg_event({"d", Row{1, "a"}, std::nullopt, 200, 195, 1}), tombstone(1, 2)});
  task->put({pg_event({"c", std::nullopt, Row{2, "a"}, 200, 195, 3})});
  CHECK(h.names() == std::map<std::int32_t, std::string>{{2, "a"}});
  // Redelivered after a restart, nothing changes and nothing comes back.
  FakeContext ctx2;
  h.task(ctx2)->put({ins(1, "a", 100, 0), pg_event({"d", Row{1, "a"}, std::nullopt, 200, 195, 1}),
                     tombstone(1, 2), pg_event({"c", std::nullopt, Row{2, "a"}, 200, 195, 3})});
  CHECK(h.names() == std::map<std::int32_t, std::string>{{2, "a"}});
}

TEST_CASE("Records without source facts stay correct across a restart of the bus offsets", "[jdbc]") {
  // On the embedded bus offsets start at 0 again after a worker restart.
  auto schema = SchemaBuilder::struct_().field("id", schemas::int32()).field("name", schemas::optional_string()).build();
  Harness h;
  FakeContext c1;
  auto first = h.task(c1, {{"table.name.format", "${topic}"}});
  std::vector<SinkRecord> before;
  for (std::int64_t o = 0; o < 50; ++o) before.push_back(flat_record(schema, 1, o, {{"name", Value("old")}}));
  first->put(before);
  FakeContext c2;
  auto restarted = h.task(c2, {{"table.name.format", "${topic}"}});
  restarted->put({flat_record(schema, 1, 0, {{"name", Value("new")}})});
  const FakeTable& t = h.state->tables.at(TableId{"", "people"});
  CHECK(t.rows.at(fake_key({Value(std::int32_t{1})})).at("name") == Value("new"));
}

TEST_CASE("A commit whose reply was lost: the retry reloads the checkpoint and skips it", "[jdbc]") {
  Harness h;
  FakeContext ctx;
  auto task = h.task(ctx);
  std::vector<SinkRecord> records{ins(1, "a", 100, 0), del(1, 200, 1), ins(2, "b", 300, 2)};
  h.state->apply_failures = 1;
  h.state->fail_after_commit = true;
  CHECK_THROWS_AS(task->put(records), RetriableError);
  CHECK(h.state->applies == 1);  // it did commit
  task->put({ins(1, "a", 100, 0)});  // an older insert redelivered after the reconnect
  CHECK(h.names() == std::map<std::int32_t, std::string>{{2, "b"}});
  CHECK(ctx.metrics_.values.at("records_skipped_total") == 1);
}

TEST_CASE("A replayed bare tombstone does not delete a row re-inserted after it", "[jdbc]") {
  std::vector<SinkRecord> stream{ins(1, "a", 100, 0), ins(2, "b", 150, 1), tombstone(1, 2),
                                 ins(1, "again", 200, 3), ins(2, "b2", 300, 4)};
  Harness h;
  FakeContext c1;
  h.task(c1)->put(stream);
  REQUIRE(h.names() == std::map<std::int32_t, std::string>{{1, "again"}, {2, "b2"}});
  FakeContext c2;
  h.task(c2)->put(stream);  // replayed after a restart
  CHECK(h.names() == std::map<std::int32_t, std::string>{{1, "again"}, {2, "b2"}});
}
