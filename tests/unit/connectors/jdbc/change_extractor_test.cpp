#include <catch2/catch.hpp>

#include "change_extractor.h"
#include "debezium_records.h"
#include "sluice/errors.h"

using namespace sluice;
using namespace sluice::jdbc;
using namespace jdbc_test;

namespace {
JdbcSinkConfig config(ConfigMap extra = {}) {
  ConfigMap m{{"connection.url", "jdbc:postgresql://127.0.0.1/t"},
              {"primary.key.mode", "record_key"},
              {"delete.enabled", "true"},
              {"truncate.enabled", "true"},
              {"table.name.format", "${source.schema}.${source.table}"}};
  for (auto& [k, v] : extra) m[k] = v;
  return JdbcSinkConfig::parse(m);
}

std::vector<RowChange> extract(ChangeExtractor& x, const SinkRecord& r) {
  std::vector<RowChange> out;
  x.extract(r, out);
  return out;
}

std::vector<std::string> names(const ColumnList& cols) {
  std::vector<std::string> out;
  for (const auto& c : *cols) out.push_back(c.name);
  return out;
}
}  // namespace

TEST_CASE("An insert envelope becomes an upsert of after with its source position", "[jdbc]") {
  ChangeExtractor x(config());
  auto changes = extract(x, pg_event({"c", std::nullopt, Row{1, "ann", "hi"}, 500, 400, 7}));
  REQUIRE(changes.size() == 1);
  const RowChange& c = changes[0];
  CHECK(c.kind == RowChange::Kind::kUpsert);
  CHECK(c.table == TableId{"public", "customers"});
  CHECK(names(c.key_columns) == std::vector<std::string>{"id"});
  CHECK(c.key == std::vector<Value>{Value(std::int32_t{1})});
  CHECK(names(c.columns) == std::vector<std::string>{"name", "note"});
  CHECK(c.values == std::vector<Value>{Value("ann"), Value("hi")});
  CHECK(c.guard == 500);
  CHECK(c.guarded);
  REQUIRE(c.position.has_value());
  CHECK(*c.position == SourcePosition{400, 500});
  CHECK_FALSE(c.snapshot);
  CHECK(c.offset == 7);
  CHECK(c.deleted_at_ms == 1700000000000);
}

TEST_CASE("Snapshot reads get guard 0 and no position", "[jdbc]") {
  ChangeExtractor x(config());
  for (std::string flag : {"true", "last", "first"}) {
    auto changes = extract(x, pg_event({"r", std::nullopt, Row{1, "ann"}, 500, 400, 1, flag}));
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].snapshot);
    CHECK(changes[0].guard == 0);
    CHECK(changes[0].guarded);
    CHECK_FALSE(changes[0].position.has_value());
  }
}

TEST_CASE("Updates, deletes and truncates map to their row changes", "[jdbc]") {
  ChangeExtractor x(config());
  auto u = extract(x, pg_event({"u", Row{1, "ann"}, Row{1, "bob"}, 600, 550, 2}));
  REQUIRE(u.size() == 1);
  CHECK(u[0].kind == RowChange::Kind::kUpsert);
  CHECK(u[0].values[0] == Value("bob"));

  auto d = extract(x, pg_event({"d", Row{1, "bob"}, std::nullopt, 700, 650, 3}));
  REQUIRE(d.size() == 1);
  CHECK(d[0].kind == RowChange::Kind::kDelete);
  CHECK(d[0].key == std::vector<Value>{Value(std::int32_t{1})});
  CHECK(d[0].guarded);

  auto t = extract(x, pg_event({"t", std::nullopt, std::nullopt, 800, 750, 5}));
  REQUIRE(t.size() == 1);
  CHECK(t[0].kind == RowChange::Kind::kTruncate);
  CHECK(t[0].table == TableId{"public", "customers"});
}

TEST_CASE("An update that changes the key deletes the old key and upserts the new", "[jdbc]") {
  ChangeExtractor x(config());
  auto changes = extract(x, pg_event({"u", Row{1, "ann"}, Row{2, "ann"}, 600, 550, 2}));
  REQUIRE(changes.size() == 2);
  CHECK(changes[0].kind == RowChange::Kind::kDelete);
  CHECK(changes[0].key == std::vector<Value>{Value(std::int32_t{1})});
  CHECK(changes[1].kind == RowChange::Kind::kUpsert);
  CHECK(changes[1].key == std::vector<Value>{Value(std::int32_t{2})});
}

TEST_CASE("A tombstone after the delete of its key is dropped, a bare one deletes unguarded", "[jdbc]") {
  ChangeExtractor x(config());
  extract(x, pg_event({"d", Row{1, "bob"}, std::nullopt, 700, 650, 3}));
  CHECK(extract(x, tombstone(1, 4)).empty());
  auto bare = extract(x, tombstone(9, 10));
  REQUIRE(bare.size() == 1);
  CHECK(bare[0].table == TableId{"public", "customers"});  // the topic's last table
  ChangeExtractor fresh(config());
  CHECK_THROWS_WITH(extract(fresh, tombstone(9, 10)), Catch::Contains("source.schema"));
  CHECK(bare[0].kind == RowChange::Kind::kDelete);
  CHECK_FALSE(bare[0].guarded);
  CHECK(bare[0].key == std::vector<Value>{Value(std::int32_t{9})});
}

TEST_CASE("Deletes and truncates are skipped unless enabled", "[jdbc]") {
  ChangeExtractor x(config({{"delete.enabled", "false"}, {"truncate.enabled", "false"}}));
  CHECK(extract(x, pg_event({"d", Row{1, "bob"}, std::nullopt, 700, 650, 3})).empty());
  CHECK(extract(x, tombstone(1, 4)).empty());
  CHECK(extract(x, pg_event({"t", std::nullopt, std::nullopt, 800, 750, 5})).empty());
}

TEST_CASE("Unchanged TOAST columns from the header are marked", "[jdbc]") {
  ChangeExtractor x(config());
  auto r = pg_event({"u", std::nullopt, Row{1, "ann"}, 600, 550, 2});
  r.headers.add("__debezium_unchanged_columns", Value("note, missing"), schemas::optional_string());
  auto changes = extract(x, r);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].unchanged == std::vector<std::string>{"note"});
}

namespace {
SchemaPtr flat_schema() {
  static const SchemaPtr s = SchemaBuilder::struct_()
                                 .name("flat")
                                 .field("id", schemas::int32())
                                 .field("name", schemas::optional_string())
                                 .field("__deleted", schemas::optional_string())
                                 .field("__source_lsn", schemas::optional_int64())
                                 .field("__source_sequence", schemas::optional_string())
                                 .build();
  return s;
}
SinkRecord flat(std::int32_t id, const char* deleted, std::int64_t offset) {
  Struct v(flat_schema());
  v.put("id", id).put("name", "n").put("__deleted", deleted).put("__source_lsn", std::int64_t{900});
  v.put("__source_sequence", "[null,\"900\"]");
  SinkRecord r;
  r.topic = "orders";
  r.kafka_partition = 0;
  r.kafka_offset = offset;
  r.key_schema = key_schema();
  r.key = key_value(id);
  r.value_schema = flat_schema();
  r.value = Value(std::move(v));
  return r;
}
}  // namespace

TEST_CASE("Flattened records: __deleted=true deletes, otherwise __deleted stays a column", "[jdbc]") {
  ChangeExtractor x(config({{"table.name.format", "${topic}"}}));
  auto up = extract(x, flat(1, "false", 0));
  REQUIRE(up.size() == 1);
  CHECK(up[0].kind == RowChange::Kind::kUpsert);
  CHECK(up[0].table == TableId{"", "orders"});
  CHECK(names(up[0].columns) == std::vector<std::string>{"name", "__deleted", "__source_lsn", "__source_sequence"});
  CHECK(up[0].guard == 900);
  REQUIRE(up[0].position.has_value());
  CHECK(*up[0].position == SourcePosition{0, 900});
  auto del = extract(x, flat(1, "true", 1));
  REQUIRE(del.size() == 1);
  CHECK(del[0].kind == RowChange::Kind::kDelete);
  CHECK(extract(x, tombstone(1, 2, 0, "orders")).empty());  // the delete did it
}

TEST_CASE("A record without source facts is written without a guard", "[jdbc]") {
  auto schema = SchemaBuilder::struct_().field("id", schemas::int32()).field("v", schemas::string()).build();
  Struct v(schema);
  v.put("id", std::int32_t{3}).put("v", "x");
  SinkRecord r;
  r.topic = "plain.topic";
  r.kafka_partition = 2;
  r.kafka_offset = 41;
  r.value_schema = schema;
  r.value = Value(v);
  ChangeExtractor x(config({{"primary.key.mode", "kafka"}, {"delete.enabled", "false"},
                            {"table.name.format", "${topic}"}}));
  auto c = extract(x, r);
  REQUIRE(c.size() == 1);
  CHECK(c[0].table == TableId{"", "plain_topic"});
  CHECK_FALSE(c[0].guarded);
  CHECK_FALSE(c[0].position.has_value());
  CHECK(names(c[0].key_columns) == std::vector<std::string>{"__connect_topic", "__connect_partition", "__connect_offset"});
  CHECK(c[0].key == std::vector<Value>{Value("plain.topic"), Value(std::int32_t{2}), Value(std::int64_t{41})});
  CHECK(names(c[0].columns) == std::vector<std::string>{"id", "v"});
}

TEST_CASE("record_value keys and field filters", "[jdbc]") {
  ChangeExtractor x(config({{"primary.key.mode", "record_value"}, {"primary.key.fields", "name"},
                            {"delete.enabled", "false"}, {"field.exclude.list", "srv.public.customers:note"}}));
  auto c = extract(x, pg_event({"c", std::nullopt, Row{1, "ann", "hi"}, 500, 400, 7}));
  REQUIRE(c.size() == 1);
  CHECK(names(c[0].key_columns) == std::vector<std::string>{"name"});
  CHECK(c[0].key == std::vector<Value>{Value("ann")});
  CHECK(names(c[0].columns) == std::vector<std::string>{"id"});
}

TEST_CASE("MySQL binlog positions give (file seq << 40) | pos", "[jdbc]") {
  auto source = SchemaBuilder::struct_()
                    .field("ts_ms", schemas::int64())
                    .field("db", schemas::string())
                    .field("table", schemas::optional_string())
                    .field("file", schemas::string())
                    .field("pos", schemas::int64())
                    .field("row", schemas::int32())
                    .field("snapshot", schemas::optional_string())
                    .build();
  auto env = SchemaBuilder::struct_()
                 .field("before", row_schema()).field("after", row_schema())
                 .field("source", source).field("op", schemas::string()).build();
  Struct src(source);
  src.put("ts_ms", std::int64_t{1}).put("db", "shop").put("table", "customers")
      .put("file", "mysql-bin.000003").put("pos", std::int64_t{1234}).put("row", std::int32_t{2});
  Struct e(env);
  e.put("after", row_value(Row{1, "a"})).put("source", src).put("op", "c");
  SinkRecord r;
  r.topic = "m.shop.customers";
  r.kafka_partition = 0;
  r.kafka_offset = 0;
  r.key_schema = key_schema();
  r.key = key_value(1);
  r.value_schema = env;
  r.value = Value(e);
  ChangeExtractor x(config({{"table.name.format", "${source.db}.${source.table}"}}));
  auto c = extract(x, r);
  REQUIRE(c.size() == 1);
  CHECK(c[0].table == TableId{"shop", "customers"});
  CHECK(c[0].guard == ((std::int64_t{3} << 40) | 1234));
  CHECK(*c[0].position == SourcePosition{(std::int64_t{3} << 40) | 1234, 2});
}

TEST_CASE("Poison records throw DataError naming topic, partition and offset", "[jdbc]") {
  ChangeExtractor x(config());
  auto no_key = pg_event({"c", std::nullopt, Row{1, "ann"}, 500, 400, 12, "false", 3});
  no_key.key = Value();
  CHECK_THROWS_WITH(extract(x, no_key), Catch::Contains("topic 'srv.public.customers' partition 3 offset 12") &&
                                            Catch::Contains("record key"));
  SinkRecord text;
  text.topic = "t";
  text.kafka_partition = 0;
  text.kafka_offset = 1;
  text.value = Value("just text");
  CHECK_THROWS_AS(extract(x, text), DataError);
  auto bad_op = pg_event({"x", std::nullopt, Row{1, "ann"}, 500, 400, 12});
  CHECK_THROWS_WITH(extract(x, bad_op), Catch::Contains("unknown op 'x'"));
}

TEST_CASE("Schemas rebuilt for every record still give the right columns", "[jdbc]") {
  ChangeExtractor x(config({{"delete.enabled", "false"}, {"table.name.format", "${topic}"}}));
  const std::size_t n = ChangeExtractor::kMaxCachedSchemas + 10;
  for (std::size_t i = 0; i < n; ++i) {
    auto key = SchemaBuilder::struct_().field("k", schemas::int64()).build();
    auto value = SchemaBuilder::struct_().field("k", schemas::int64()).field("v", schemas::string()).build();
    Struct kv(key);
    kv.put("k", static_cast<std::int64_t>(i));
    Struct vv(value);
    vv.put("k", static_cast<std::int64_t>(i)).put("v", "x");
    SinkRecord r;
    r.topic = "fresh";
    r.kafka_partition = 0;
    r.kafka_offset = static_cast<std::int64_t>(i);
    r.key_schema = key;
    r.key = Value(kv);
    r.value_schema = value;
    r.value = Value(vv);
    auto c = extract(x, r);
    REQUIRE(c.size() == 1);
    REQUIRE(names(c[0].key_columns) == std::vector<std::string>{"k"});
    REQUIRE(names(c[0].columns) == std::vector<std::string>{"v"});
    REQUIRE(c[0].key == std::vector<Value>{Value(static_cast<std::int64_t>(i))});
  }
}

TEST_CASE("Creates and snapshot reads are marked likely new, updates and flattened records without __op are not",
          "[jdbc]") {
  ChangeExtractor x(config());
  auto created = extract(x, pg_event({"c", std::nullopt, Row{1, "a"}, 100, 90, 0}));
  auto read = extract(x, pg_event({"r", std::nullopt, Row{2, "a"}, 0, 0, 1, "true"}));
  auto updated = extract(x, pg_event({"u", Row{3, "a"}, Row{3, "b"}, 110, 100, 2}));
  auto moved = extract(x, pg_event({"u", Row{4, "a"}, Row{5, "a"}, 120, 110, 3}));
  REQUIRE((created.size() == 1 && read.size() == 1 && updated.size() == 1 && moved.size() == 2));
  CHECK(created[0].likely_new);
  CHECK(read[0].likely_new);
  CHECK_FALSE(updated[0].likely_new);
  CHECK_FALSE(moved[0].likely_new);  // the delete of the old key
  CHECK_FALSE(moved[1].likely_new);  // an update, even under a new key

  ChangeExtractor flattened(config({{"table.name.format", "${topic}"}}));
  CHECK_FALSE(extract(flattened, flat(1, "false", 10))[0].likely_new);
  auto with_header = flat(2, "false", 11);
  with_header.headers.add("__op", Value("c"), schemas::string());
  CHECK(extract(flattened, with_header)[0].likely_new);
  auto update_header = flat(3, "false", 12);
  update_header.headers.add("__op", Value("u"), schemas::string());
  CHECK_FALSE(extract(flattened, update_header)[0].likely_new);

  auto op_schema = SchemaBuilder::struct_().name("flat_op").field("id", schemas::int32()).field("__op", schemas::string()).build();
  auto flat_op = [&](std::int32_t id, const char* op) {
    Struct v(op_schema);
    v.put("id", id).put("__op", op);
    SinkRecord r = flat(id, "false", 20 + id);
    r.value_schema = op_schema;
    r.value = Value(std::move(v));
    return r;
  };
  CHECK(extract(flattened, flat_op(4, "r"))[0].likely_new);
  CHECK_FALSE(extract(flattened, flat_op(5, "u"))[0].likely_new);
}
