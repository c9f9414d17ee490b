// ChangeEventBuilder: the records built from hand-made Relations and tuples (text values as
// PostgreSQL prints them), compared field by field with the events Debezium's PostgreSQL connector
// documents.
#include "change_event_builder.h"

#include <catch2/catch.hpp>

#include "sluice/errors.h"

using namespace sluice;
using namespace sluice::postgres;

namespace Catch {
template <>
struct StringMaker<Value> {
  static std::string convert(const Value& v) { return v.to_string(); }
};
}  // namespace Catch

namespace {

constexpr Oid kInt4 = 23, kInt8 = 20, kText = 25, kBytea = 17, kTextArray = 1009, kInt4Array = 1007;
constexpr std::int64_t kNowNs = 1'700'000'000'123'456'789;

// Tuples own their values here; TupleView borrows them.
struct Tuple {
  std::vector<ColumnValue> values;
  TupleView view() const { return TupleView(values); }
};
ColumnValue text(std::string_view s) { return {ColumnKind::kText, s}; }
ColumnValue null() { return {ColumnKind::kNull, {}}; }
ColumnValue toast() { return {ColumnKind::kUnchangedToast, {}}; }

// public.customers (id int4 PRIMARY KEY, name text, photo bytea, tags text[], scores int4[])
Relation customers(char identity = 'd') {
  Relation r;
  r.oid = 16385, r.schema = "public", r.name = "customers", r.replica_identity = identity, r.version = 1;
  r.columns = {{"id", kInt4, -1, true}, {"name", kText, -1, identity == 'f'},
               {"photo", kBytea, -1, identity == 'f'}, {"tags", kTextArray, -1, identity == 'f'},
               {"scores", kInt4Array, -1, identity == 'f'}};
  return r;
}

// public.log (seq int8, msg text): no primary key.
Relation log_table() {
  Relation r;
  r.oid = 16390, r.schema = "public", r.name = "log", r.replica_identity = 'd', r.version = 1;
  r.columns = {{"seq", kInt8, -1, false}, {"msg", kText, -1, false}};
  return r;
}

EventOptions options(ConfigMap extra = {}) {
  ConfigMap config{{"topic.prefix", "dbserver1"}};
  for (auto& [k, v] : extra) config[k] = v;
  return EventOptions::from_config(config);
}

struct Fixture {
  TypeRegistry registry;
  ChangeEventBuilder builder;
  SourcePartition partition{{"server", Value("dbserver1")}};
  SourceOffset offset{{"lsn", Value(std::int64_t{24023128})}, {"txId", Value(std::int64_t{555})}};
  std::vector<SourceRecord> out;

  explicit Fixture(ConfigMap extra = {}) : builder(options(std::move(extra)), registry) {
    builder.set_clock([] { return kNowNs; });
  }
  static SourceInfo src(std::string snapshot = "false") {
    SourceInfo s;
    s.snapshot = std::move(snapshot);
    s.ts_us = 1'559'033'904'863'123;
    s.txid = 555;
    s.lsn = Lsn{24023128};
    s.last_commit_lsn = Lsn{24023119};
    s.db = "postgres";
    return s;
  }
};

const Struct& as_struct(const Value& v) { return v.as<Struct>(); }
const Struct& envelope(const SourceRecord& r) { return as_struct(r.record.value); }

std::vector<std::string> field_names(const Schema& s) {
  std::vector<std::string> names;
  for (const Field& f : s.fields()) names.push_back(f.name);
  return names;
}

Tuple full_row() { return {{text("1"), text("Anne"), text("\\x0102"), text("{a,b}"), text("{1,2}")}}; }

}  // namespace

TEST_CASE("ChangeEventBuilder insert: topic, key, envelope and source as Debezium emits them", "[postgres][change_event]") {
  Fixture f;
  Relation rel = customers();
  Tuple row = full_row();
  f.builder.insert(rel, row.view(), Fixture::src(), f.partition, f.offset, f.out);
  REQUIRE(f.out.size() == 1);
  const SourceRecord& r = f.out[0];
  CHECK(r.record.topic == "dbserver1.public.customers");
  CHECK(r.source_partition == f.partition);
  CHECK(r.source_offset == f.offset);
  CHECK_FALSE(r.record.timestamp_ms.has_value());

  // Key: struct of the primary key.
  REQUIRE(r.record.key_schema);
  CHECK(*r.record.key_schema == *SchemaBuilder::struct_().name("dbserver1.public.customers.Key")
                                     .field("id", schemas::int32()).build());
  CHECK(as_struct(r.record.key).get("id") == Value(std::int32_t{1}));

  // Envelope schema.
  const Schema& env = *r.record.value_schema;
  CHECK(env.name() == "dbserver1.public.customers.Envelope");
  CHECK(env.version() == 2);
  CHECK_FALSE(env.optional());
  CHECK(field_names(env) == std::vector<std::string>{"before", "after", "source", "op", "ts_ms", "ts_us", "ts_ns", "transaction"});
  SchemaPtr value_schema = SchemaBuilder::struct_().optional().name("dbserver1.public.customers.Value")
      .field("id", schemas::int32()).field("name", schemas::optional_string())
      .field("photo", schemas::optional_bytes())
      .field("tags", SchemaBuilder::array(schemas::optional_string()).optional().build())
      .field("scores", SchemaBuilder::array(schemas::optional_int32()).optional().build()).build();
  CHECK(*env.field("before")->schema == *value_schema);
  CHECK(*env.field("after")->schema == *value_schema);
  CHECK(*env.field("op")->schema == *schemas::string());
  for (const char* ts : {"ts_ms", "ts_us", "ts_ns"}) CHECK(*env.field(ts)->schema == *schemas::optional_int64());
  const Schema& block = *env.field("transaction")->schema;
  CHECK(block.name() == "event.block");
  CHECK(block.version() == 1);
  CHECK(block.optional());
  CHECK(field_names(block) == std::vector<std::string>{"id", "total_order", "data_collection_order"});
  CHECK(*block.field("total_order")->schema == *schemas::int64());

  // Source schema.
  const Schema& source = *env.field("source")->schema;
  CHECK(source.name() == "io.debezium.connector.postgresql.Source");
  CHECK(source.version() == 1);
  CHECK_FALSE(source.optional());
  CHECK(field_names(source) == std::vector<std::string>{"version", "connector", "name", "ts_ms", "snapshot", "db", "sequence",
                                                         "ts_us", "ts_ns", "schema", "table", "txId", "lsn", "xmin"});
  for (const char* s : {"version", "connector", "name", "db", "schema", "table"}) CHECK(*source.field(s)->schema == *schemas::string());
  CHECK(*source.field("ts_ms")->schema == *schemas::int64());
  for (const char* s : {"ts_us", "ts_ns", "txId", "lsn", "xmin"}) CHECK(*source.field(s)->schema == *schemas::optional_int64());
  CHECK(*source.field("sequence")->schema == *schemas::optional_string());
  const Schema& snapshot = *source.field("snapshot")->schema;
  CHECK(snapshot.type() == Type::kString);
  CHECK(snapshot.name() == "io.debezium.data.Enum");
  CHECK(snapshot.version() == 1);
  CHECK(snapshot.optional());
  CHECK(snapshot.default_value() == Value("false"));
  CHECK(*snapshot.parameter("allowed") == "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental");

  // Values.
  const Struct& e = envelope(r);
  CHECK(e.get("before").is_null());
  const Struct& after = as_struct(e.get("after"));
  CHECK(after.get("id") == Value(std::int32_t{1}));
  CHECK(after.get("name") == Value("Anne"));
  CHECK(after.get("photo") == Value(Bytes{1, 2}));
  CHECK(after.get("tags") == Value(Array{Value("a"), Value("b")}));
  CHECK(after.get("scores") == Value(Array{Value(std::int32_t{1}), Value(std::int32_t{2})}));
  CHECK(e.get("op") == Value("c"));
  CHECK(e.get("ts_ms") == Value(std::int64_t{1'700'000'000'123}));
  CHECK(e.get("ts_us") == Value(std::int64_t{1'700'000'000'123'456}));
  CHECK(e.get("ts_ns") == Value(kNowNs));
  CHECK(e.get("transaction").is_null());
  const Struct& s = as_struct(e.get("source"));
  CHECK(s.get("version") == Value(std::string(kDebeziumVersion)));
  CHECK(s.get("connector") == Value("postgresql"));
  CHECK(s.get("name") == Value("dbserver1"));
  CHECK(s.get("ts_ms") == Value(std::int64_t{1559033904863}));
  CHECK(s.get("ts_us") == Value(std::int64_t{1559033904863123}));
  CHECK(s.get("ts_ns") == Value(std::int64_t{1559033904863123000}));
  CHECK(s.get("snapshot") == Value("false"));
  CHECK(s.get("db") == Value("postgres"));
  CHECK(s.get("sequence") == Value("[\"24023119\",\"24023128\"]"));
  CHECK(s.get("schema") == Value("public"));
  CHECK(s.get("table") == Value("customers"));
  CHECK(s.get("txId") == Value(std::int64_t{555}));
  CHECK(s.get("lsn") == Value(std::int64_t{24023128}));
  CHECK(s.get("xmin").is_null());
  e.validate();
  as_struct(r.record.key).validate();
}

TEST_CASE("ChangeEventBuilder read events carry the snapshot marker; sequence prints unset LSNs as null", "[postgres][change_event]") {
  Fixture f;
  Relation rel = customers();
  Tuple row = full_row();
  SourceInfo src = Fixture::src("last");
  src.last_commit_lsn.reset();
  src.txid.reset();
  f.builder.read(rel, row.view(), src, f.partition, f.offset, f.out);
  REQUIRE(f.out.size() == 1);
  const Struct& e = envelope(f.out[0]);
  CHECK(e.get("op") == Value("r"));
  CHECK(e.get("before").is_null());
  const Struct& s = as_struct(e.get("source"));
  CHECK(s.get("snapshot") == Value("last"));
  CHECK(s.get("sequence") == Value("[null,\"24023128\"]"));
  CHECK(s.get("txId").is_null());
}

TEST_CASE("ChangeEventBuilder update: before per replica identity", "[postgres][change_event]") {
  Tuple after{{text("1"), text("Annie"), null(), text("{}"), null()}};
  SECTION("DEFAULT: no old tuple, before is null") {
    Fixture f;
    Relation rel = customers('d');
    f.builder.update(rel, std::nullopt, false, after.view(), Fixture::src(), f.partition, f.offset, f.out);
    REQUIRE(f.out.size() == 1);
    const Struct& e = envelope(f.out[0]);
    CHECK(e.get("op") == Value("u"));
    CHECK(e.get("before").is_null());
    CHECK(as_struct(e.get("after")).get("name") == Value("Annie"));
    CHECK(as_struct(e.get("after")).get("tags") == Value(Array{}));
  }
  SECTION("FULL: the whole old row, key from the catalog's primary key") {
    Fixture f;
    Relation rel = customers('f');
    f.builder.set_table_metadata("public", "customers", {{"id"}, {"id"}});
    Tuple old = full_row();
    f.builder.update(rel, old.view(), true, after.view(), Fixture::src(), f.partition, f.offset, f.out);
    REQUIRE(f.out.size() == 1);
    const Struct& e = envelope(f.out[0]);
    CHECK(e.get("op") == Value("u"));
    const Struct& before = as_struct(e.get("before"));
    CHECK(before.get("name") == Value("Anne"));
    CHECK(before.get("photo") == Value(Bytes{1, 2}));
    CHECK(field_names(*f.out[0].record.key_schema) == std::vector<std::string>{"id"});
    e.validate();
  }
  SECTION("FULL without catalog facts: no key (pgoutput flags every column as identity)") {
    Fixture f;
    Relation rel = customers('f');
    Tuple old = full_row();
    f.builder.update(rel, old.view(), true, after.view(), Fixture::src(), f.partition, f.offset, f.out);
    REQUIRE(f.out.size() == 1);
    CHECK(f.out[0].record.key_schema == nullptr);
    CHECK(f.out[0].record.key.is_null());
  }
}

TEST_CASE("ChangeEventBuilder delete: key-only before, then a tombstone", "[postgres][change_event]") {
  Tuple key_only{{text("7"), null(), null(), null(), null()}};
  SECTION("tombstones on (default)") {
    Fixture f;
    Relation rel = customers();
    f.builder.remove(rel, key_only.view(), false, Fixture::src(), f.partition, f.offset, f.out);
    REQUIRE(f.out.size() == 2);
    const Struct& e = envelope(f.out[0]);
    CHECK(e.get("op") == Value("d"));
    CHECK(e.get("after").is_null());
    const Struct& before = as_struct(e.get("before"));
    CHECK(before.get("id") == Value(std::int32_t{7}));
    CHECK(before.get("name").is_null());
    const SourceRecord& t = f.out[1];
    CHECK(t.record.topic == "dbserver1.public.customers");
    CHECK(t.record.key == f.out[0].record.key);
    CHECK(t.record.key_schema == f.out[0].record.key_schema);
    CHECK(t.record.value.is_null());
    CHECK(t.record.value_schema == nullptr);
    CHECK(t.source_offset == f.offset);
  }
  SECTION("tombstones.on.delete=false") {
    Fixture f(ConfigMap{{"tombstones.on.delete", "false"}});
    Relation rel = customers();
    f.builder.remove(rel, key_only.view(), false, Fixture::src(), f.partition, f.offset, f.out);
    REQUIRE(f.out.size() == 1);
    CHECK(envelope(f.out[0]).get("op") == Value("d"));
  }
}

namespace {

constexpr Oid kBool = 16, kNumeric = 1700, kTimestamp = 1114, kDate = 1082, kJsonb = 3802;
constexpr std::int32_t kNumeric10_2 = ((10 << 16) | 2) + 4;  // atttypmod of numeric(10,2)

// public.accounts: every column but `note` NOT NULL, replica identity DEFAULT.
Relation accounts() {
  Relation r;
  r.oid = 16400, r.schema = "public", r.name = "accounts", r.replica_identity = 'd', r.version = 1;
  r.columns = {{"id", kInt4, -1, true},          {"n", kInt4, -1, false},
               {"big", kInt8, -1, false},        {"label", kText, -1, false},
               {"active", kBool, -1, false},     {"amount", kNumeric, kNumeric10_2, false},
               {"created", kTimestamp, -1, false}, {"day", kDate, -1, false},
               {"raw", kBytea, -1, false},       {"scores", kInt4Array, -1, false},
               {"doc", kJsonb, -1, false},       {"note", kText, -1, false}};
  return r;
}
TableMetadata accounts_metadata() {
  return {{"id"}, {"id", "n", "big", "label", "active", "amount", "created", "day", "raw", "scores", "doc"}};
}
Tuple accounts_key_only(std::string_view id) {
  Tuple t{{text(id)}};
  t.values.resize(accounts().columns.size(), null());
  return t;
}

}  // namespace

TEST_CASE("ChangeEventBuilder delete with a key-only old row fills NOT NULL columns with Debezium's fallbacks",
          "[postgres][change_event]") {
  Fixture f;
  Relation rel = accounts();
  f.builder.set_table_metadata("public", "accounts", accounts_metadata());
  Tuple key_only = accounts_key_only("7");
  f.builder.remove(rel, key_only.view(), false, Fixture::src(), f.partition, f.offset, f.out);
  REQUIRE(f.out.size() == 2);
  const SourceRecord& r = f.out[0];

  // NOT NULL columns are required in the Value schema, as in Debezium; `note` stays optional.
  const Schema& value_schema = *r.record.value_schema->field("before")->schema;
  for (const Field& field : value_schema.fields()) {
    INFO(field.name);
    CHECK(field.schema->optional() == (field.name == "note"));
  }
  const Struct& before = as_struct(envelope(r).get("before"));
  CHECK(before.get("id") == Value(std::int32_t{7}));
  CHECK(before.get("n") == Value(std::int32_t{0}));
  CHECK(before.get("big") == Value(std::int64_t{0}));
  CHECK(before.get("label") == Value(""));
  CHECK(before.get("active") == Value(false));
  CHECK(before.get("amount") == Value(logical::decimal_from_string("0", 2)));
  CHECK(logical::decimal_to_string(before.get("amount").as<Bytes>(), 2) == "0.00");
  CHECK(before.get("created") == Value(std::int64_t{0}));  // io.debezium.time.MicroTimestamp: the epoch
  CHECK(before.get("day") == Value(std::int32_t{0}));      // io.debezium.time.Date: 1970-01-01
  CHECK(before.get("raw") == Value(Bytes{}));
  CHECK(before.get("scores") == Value(Array{}));
  CHECK(before.get("doc") == Value("{}"));
  CHECK(before.get("note").is_null());
  CHECK(envelope(r).get("after").is_null());
  CHECK_NOTHROW(validate_value(r.record.value_schema, r.record.value));
  CHECK_NOTHROW(envelope(r).validate());
  CHECK(f.out[1].record.value.is_null());  // the tombstone
}

TEST_CASE("ChangeEventBuilder fallbacks follow the column's schema", "[postgres][change_event]") {
  SECTION("decimal.handling.mode=double") {
    Fixture f(ConfigMap{{"decimal.handling.mode", "double"}});
    Relation rel = accounts();
    f.builder.set_table_metadata("public", "accounts", accounts_metadata());
    Tuple key_only = accounts_key_only("1");
    f.builder.remove(rel, key_only.view(), false, Fixture::src(), f.partition, f.offset, f.out);
    REQUIRE_FALSE(f.out.empty());
    CHECK(as_struct(envelope(f.out[0]).get("before")).get("amount") == Value(0.0));
    CHECK_NOTHROW(validate_value(f.out[0].record.value_schema, f.out[0].record.value));
  }
  SECTION("decimal.handling.mode=string") {
    Fixture f(ConfigMap{{"decimal.handling.mode", "string"}});
    Relation rel = accounts();
    f.builder.set_table_metadata("public", "accounts", accounts_metadata());
    Tuple key_only = accounts_key_only("1");
    f.builder.remove(rel, key_only.view(), false, Fixture::src(), f.partition, f.offset, f.out);
    REQUIRE_FALSE(f.out.empty());
    CHECK(as_struct(envelope(f.out[0]).get("before")).get("amount") == Value("0"));
    CHECK_NOTHROW(validate_value(f.out[0].record.value_schema, f.out[0].record.value));
  }
  SECTION("time.precision.mode=connect, binary.handling.mode=hex") {
    Fixture f(ConfigMap{{"time.precision.mode", "connect"}, {"binary.handling.mode", "hex"}});
    Relation rel = accounts();
    f.builder.set_table_metadata("public", "accounts", accounts_metadata());
    Tuple key_only = accounts_key_only("1");
    f.builder.remove(rel, key_only.view(), false, Fixture::src(), f.partition, f.offset, f.out);
    REQUIRE_FALSE(f.out.empty());
    const Struct& before = as_struct(envelope(f.out[0]).get("before"));
    CHECK(before.get("created") == Value(std::int64_t{0}));  // Connect Timestamp
    CHECK(before.get("day") == Value(std::int32_t{0}));      // Connect Date
    CHECK(before.get("raw") == Value(""));
    CHECK_NOTHROW(validate_value(f.out[0].record.value_schema, f.out[0].record.value));
  }
  SECTION("fallback_value by schema: VariableScaleDecimal, ZonedTimestamp, map, floats, int16") {
    SchemaPtr vsd = SchemaBuilder::struct_().name("io.debezium.data.VariableScaleDecimal").version(1)
        .field("scale", schemas::int32()).field("value", schemas::bytes()).build();
    Value v = fallback_value(vsd);
    CHECK_NOTHROW(validate_value(vsd, v));
    CHECK(as_struct(v).get("scale") == Value(std::int32_t{0}));
    CHECK(as_struct(v).get("value") == Value(logical::decimal_from_string("0", 0)));
    SchemaPtr zoned = SchemaBuilder::string().name("io.debezium.time.ZonedTimestamp").version(1).build();
    CHECK(fallback_value(zoned) == Value("1970-01-01T00:00:00Z"));
    SchemaPtr map = SchemaBuilder::map(schemas::string(), schemas::optional_string()).build();
    CHECK(fallback_value(map) == Value(Map{}));
    CHECK(fallback_value(schemas::float32()) == Value(0.0f));
    CHECK(fallback_value(schemas::int16()) == Value(std::int16_t{0}));
  }
}

TEST_CASE("ChangeEventBuilder key-only old rows: PK change and unchanged TOAST get fallbacks; full rows keep their values",
          "[postgres][change_event]") {
  Fixture f;
  Relation rel = accounts();
  f.builder.set_table_metadata("public", "accounts", accounts_metadata());
  Tuple full{{text("2"), text("5"), text("6"), text("x"), text("t"), text("1.50"), text("2024-01-02 03:04:05"),
              text("2024-01-02"), text("\\x01"), text("{1}"), text("{\"a\":1}"), null()}};
  SECTION("a primary key change: the d event's before") {
    Tuple old_key = accounts_key_only("1");
    f.builder.update(rel, old_key.view(), false, full.view(), Fixture::src(), f.partition, f.offset, f.out);
    REQUIRE(f.out.size() == 3);
    const Struct& before = as_struct(envelope(f.out[0]).get("before"));
    CHECK(envelope(f.out[0]).get("op") == Value("d"));
    CHECK(before.get("id") == Value(std::int32_t{1}));
    CHECK(before.get("n") == Value(std::int32_t{0}));
    CHECK(before.get("note").is_null());
    CHECK_NOTHROW(validate_value(f.out[0].record.value_schema, f.out[0].record.value));
    CHECK(as_struct(envelope(f.out[2]).get("after")).get("n") == Value(std::int32_t{5}));
  }
  SECTION("an unchanged TOAST numeric (no placeholder shape) in a key-only old row gets 0 instead of failing") {
    Tuple key_only = accounts_key_only("3");
    key_only.values[5] = toast();
    f.builder.remove(rel, key_only.view(), false, Fixture::src(), f.partition, f.offset, f.out);
    REQUIRE_FALSE(f.out.empty());
    CHECK(as_struct(envelope(f.out[0]).get("before")).get("amount") == Value(logical::decimal_from_string("0", 2)));
    CHECK_NOTHROW(validate_value(f.out[0].record.value_schema, f.out[0].record.value));
  }
  SECTION("a full old row (REPLICA IDENTITY FULL) is taken as sent") {
    f.builder.remove(rel, full.view(), true, Fixture::src(), f.partition, f.offset, f.out);
    REQUIRE_FALSE(f.out.empty());
    const Struct& before = as_struct(envelope(f.out[0]).get("before"));
    CHECK(before.get("n") == Value(std::int32_t{5}));
    CHECK(before.get("label") == Value("x"));
    CHECK(before.get("note").is_null());
  }
  SECTION("an insert never gets fallbacks") {
    Tuple bad = accounts_key_only("4");
    f.builder.insert(rel, bad.view(), Fixture::src(), f.partition, f.offset, f.out);
    REQUIRE_FALSE(f.out.empty());
    CHECK(as_struct(envelope(f.out[0]).get("after")).get("n").is_null());
  }
}

TEST_CASE("ChangeEventBuilder primary key change: delete + tombstone + create with key headers", "[postgres][change_event]") {
  Fixture f;
  Relation rel = customers();
  Tuple old_key{{text("1"), null(), null(), null(), null()}};
  Tuple after{{text("2"), text("Anne"), null(), null(), null()}};
  f.builder.update(rel, old_key.view(), false, after.view(), Fixture::src(), f.partition, f.offset, f.out);
  REQUIRE(f.out.size() == 3);
  const SourceRecord &del = f.out[0], &tomb = f.out[1], &create = f.out[2];
  CHECK(envelope(del).get("op") == Value("d"));
  CHECK(as_struct(del.record.key).get("id") == Value(std::int32_t{1}));
  CHECK(as_struct(envelope(del).get("before")).get("id") == Value(std::int32_t{1}));
  const Header* new_key = del.record.headers.last(kNewKeyHeader);
  REQUIRE(new_key);
  CHECK(as_struct(new_key->value).get("id") == Value(std::int32_t{2}));
  CHECK(new_key->schema == del.record.key_schema);
  CHECK(tomb.record.value.is_null());
  CHECK(tomb.record.key == del.record.key);
  CHECK(envelope(create).get("op") == Value("c"));
  CHECK(envelope(create).get("before").is_null());
  CHECK(as_struct(create.record.key).get("id") == Value(std::int32_t{2}));
  const Header* old_key_header = create.record.headers.last(kOldKeyHeader);
  REQUIRE(old_key_header);
  CHECK(as_struct(old_key_header->value).get("id") == Value(std::int32_t{1}));
}

TEST_CASE("ChangeEventBuilder unchanged TOAST values", "[postgres][change_event]") {
  Tuple after{{text("1"), toast(), toast(), toast(), toast()}};
  std::string ph = "__debezium_unavailable_value";
  SECTION("placeholder per column shape, as Debezium") {
    Fixture f;
    Relation rel = customers();
    f.builder.update(rel, std::nullopt, false, after.view(), Fixture::src(), f.partition, f.offset, f.out);
    const Struct& a = as_struct(envelope(f.out.at(0)).get("after"));
    CHECK(a.get("name") == Value(ph));
    CHECK(a.get("photo") == Value(Bytes(ph.begin(), ph.end())));
    CHECK(a.get("tags") == Value(Array{Value(ph)}));
    Array ints;
    for (char c : ph) ints.emplace_back(static_cast<std::int32_t>(c));
    CHECK(a.get("scores") == Value(ints));
    CHECK(f.out[0].record.headers.empty());
  }
  SECTION("a custom placeholder, hex: for bytes") {
    Fixture f(ConfigMap{{"unavailable.value.placeholder", "hex:0A0b"}});
    Relation rel = customers();
    f.builder.update(rel, std::nullopt, false, after.view(), Fixture::src(), f.partition, f.offset, f.out);
    CHECK(as_struct(envelope(f.out.at(0)).get("after")).get("photo") == Value(Bytes{10, 11}));
  }
  SECTION("FULL identity: the old row supplies the value") {
    Fixture f;
    Relation rel = customers('f');
    Tuple old = full_row();
    f.builder.update(rel, old.view(), true, after.view(), Fixture::src(), f.partition, f.offset, f.out);
    const Struct& a = as_struct(envelope(f.out.at(0)).get("after"));
    CHECK(a.get("name") == Value("Anne"));
    CHECK(a.get("photo") == Value(Bytes{1, 2}));
  }
  SECTION("unavailable.value.handling=omit: null and named in a header") {
    Fixture f(ConfigMap{{"unavailable.value.handling", "omit"}});
    Relation rel = customers();
    Tuple some{{text("1"), toast(), text("\\x00"), null(), toast()}};
    f.builder.update(rel, std::nullopt, false, some.view(), Fixture::src(), f.partition, f.offset, f.out);
    const SourceRecord& r = f.out.at(0);
    const Struct& a = as_struct(envelope(r).get("after"));
    CHECK(a.get("name").is_null());
    CHECK(a.get("photo") == Value(Bytes{0}));
    CHECK(a.get("scores").is_null());
    const Header* h = r.record.headers.last(kUnchangedColumnsHeader);
    REQUIRE(h);
    CHECK(h->value == Value("name,scores"));
    CHECK(*h->schema == *schemas::optional_string());
    envelope(r).validate();
  }
}

TEST_CASE("ChangeEventBuilder keys: keyless tables and message.key.columns", "[postgres][change_event]") {
  Tuple row{{text("42"), text("hello")}};
  SECTION("no primary key: null key and key schema") {
    Fixture f;
    Relation rel = log_table();
    f.builder.insert(rel, row.view(), Fixture::src(), f.partition, f.offset, f.out);
    REQUIRE(f.out.size() == 1);
    CHECK(f.out[0].record.key_schema == nullptr);
    CHECK(f.out[0].record.key.is_null());
    CHECK(f.builder.key_schema(rel) == nullptr);
  }
  SECTION("message.key.columns gives a keyless table a key, regex on schema.table") {
    Fixture f(ConfigMap{{"message.key.columns", "public\\.cust.*:name; public.log:seq,msg"}});
    Relation rel = log_table();
    f.builder.insert(rel, row.view(), Fixture::src(), f.partition, f.offset, f.out);
    REQUIRE(f.out[0].record.key_schema);
    CHECK(*f.out[0].record.key_schema == *SchemaBuilder::struct_().name("dbserver1.public.log.Key")
                                              .field("seq", schemas::optional_int64())
                                              .field("msg", schemas::optional_string()).build());
    CHECK(as_struct(f.out[0].record.key).get("seq") == Value(std::int64_t{42}));
    Relation cust = customers();
    Tuple crow = full_row();
    f.builder.insert(cust, crow.view(), Fixture::src(), f.partition, f.offset, f.out);
    CHECK(field_names(*f.out[1].record.key_schema) == std::vector<std::string>{"name"});
    CHECK(as_struct(f.out[1].record.key).get("name") == Value("Anne"));
  }
}

TEST_CASE("ChangeEventBuilder column filters", "[postgres][change_event]") {
  Tuple row = full_row();
  SECTION("exclude: left out of before/after, key columns stay in the key") {
    Fixture f(ConfigMap{{"column.exclude.list", "public\\.customers\\.(photo|ID)"}});
    Relation rel = customers();
    f.builder.insert(rel, row.view(), Fixture::src(), f.partition, f.offset, f.out);
    const SourceRecord& r = f.out.at(0);
    CHECK(field_names(*r.record.value_schema->field("after")->schema) == std::vector<std::string>{"name", "tags", "scores"});
    CHECK(as_struct(r.record.key).get("id") == Value(std::int32_t{1}));
  }
  SECTION("include") {
    Fixture f(ConfigMap{{"column.include.list", "public.customers.id,public.customers.name"}});
    Relation rel = customers();
    f.builder.insert(rel, row.view(), Fixture::src(), f.partition, f.offset, f.out);
    CHECK(field_names(*f.out.at(0).record.value_schema->field("after")->schema) == std::vector<std::string>{"id", "name"});
  }
  SECTION("a table with every column filtered out is not included and emits nothing") {
    Fixture f(ConfigMap{{"column.include.list", "other\\..*"}});
    Relation rel = customers();
    CHECK_FALSE(f.builder.included(rel));
    f.builder.insert(rel, row.view(), Fixture::src(), f.partition, f.offset, f.out);
    CHECK(f.out.empty());
  }
}

TEST_CASE("ChangeEventBuilder skipped.operations and truncate events", "[postgres][change_event]") {
  Relation rel = customers();
  Tuple row = full_row();
  Tuple key_only{{text("1"), null(), null(), null(), null()}};
  SECTION("default skips truncate") {
    Fixture f;
    f.builder.truncate(rel, Fixture::src(), f.partition, f.offset, f.out);
    CHECK(f.out.empty());
  }
  SECTION("none: truncate has a null key and before/after null") {
    Fixture f(ConfigMap{{"skipped.operations", "none"}});
    f.builder.truncate(rel, Fixture::src(), f.partition, f.offset, f.out);
    REQUIRE(f.out.size() == 1);
    const SourceRecord& r = f.out[0];
    CHECK(r.record.topic == "dbserver1.public.customers");
    CHECK(r.record.key.is_null());
    CHECK(r.record.value_schema->name() == "dbserver1.public.customers.Envelope");
    const Struct& e = envelope(r);
    CHECK(e.get("op") == Value("t"));
    CHECK(e.get("before").is_null());
    CHECK(e.get("after").is_null());
    CHECK(as_struct(e.get("source")).get("table") == Value("customers"));
  }
  SECTION("c,d: inserts and deletes (with their tombstones) produce nothing") {
    Fixture f(ConfigMap{{"skipped.operations", "c, D"}});
    f.builder.insert(rel, row.view(), Fixture::src(), f.partition, f.offset, f.out);
    f.builder.remove(rel, key_only.view(), false, Fixture::src(), f.partition, f.offset, f.out);
    CHECK(f.out.empty());
    f.builder.update(rel, std::nullopt, false, row.view(), Fixture::src(), f.partition, f.offset, f.out);
    CHECK(f.out.size() == 1);
  }
}

TEST_CASE("ChangeEventBuilder transaction metadata", "[postgres][change_event]") {
  Fixture f(ConfigMap{{"provide.transaction.metadata", "true"}});
  Relation cust = customers(), log = log_table();
  Tuple crow = full_row();
  Tuple lrow{{text("1"), text("x")}};
  SourceInfo src = Fixture::src();
  f.builder.begin_transaction(src, f.partition, f.offset, f.out);
  f.builder.insert(cust, crow.view(), src, f.partition, f.offset, f.out);
  f.builder.insert(log, lrow.view(), src, f.partition, f.offset, f.out);
  f.builder.insert(cust, crow.view(), src, f.partition, f.offset, f.out);
  f.builder.end_transaction(src, f.partition, f.offset, f.out);
  REQUIRE(f.out.size() == 5);

  const SourceRecord& begin = f.out[0];
  CHECK(begin.record.topic == "dbserver1.transaction");
  CHECK(begin.record.key_schema->name() == "io.debezium.connector.common.TransactionMetadataKey");
  CHECK(as_struct(begin.record.key).get("id") == Value("555:24023128"));
  const Schema& vs = *begin.record.value_schema;
  CHECK(vs.name() == "io.debezium.connector.common.TransactionMetadataValue");
  CHECK(vs.version() == 1);
  CHECK(field_names(vs) == std::vector<std::string>{"status", "id", "event_count", "data_collections", "ts_ms"});
  CHECK(vs.field("data_collections")->schema->value_schema()->name() == "event.collection");
  const Struct& b = as_struct(begin.record.value);
  CHECK(b.get("status") == Value("BEGIN"));
  CHECK(b.get("event_count").is_null());
  CHECK(b.get("data_collections").is_null());
  CHECK(b.get("ts_ms") == Value(std::int64_t{1559033904863}));

  auto block = [&](std::size_t i) { return as_struct(envelope(f.out[i]).get("transaction")); };
  CHECK(block(1).get("id") == Value("555:24023128"));
  CHECK(block(1).get("total_order") == Value(std::int64_t{1}));
  CHECK(block(1).get("data_collection_order") == Value(std::int64_t{1}));
  CHECK(block(2).get("total_order") == Value(std::int64_t{2}));
  CHECK(block(2).get("data_collection_order") == Value(std::int64_t{1}));
  CHECK(block(3).get("total_order") == Value(std::int64_t{3}));
  CHECK(block(3).get("data_collection_order") == Value(std::int64_t{2}));

  const Struct& end = as_struct(f.out[4].record.value);
  CHECK(end.get("status") == Value("END"));
  CHECK(end.get("id") == Value("555:24023128"));
  CHECK(end.get("event_count") == Value(std::int64_t{3}));
  const Array& collections = end.get("data_collections").as<Array>();
  REQUIRE(collections.size() == 2);
  CHECK(as_struct(collections[0]).get("data_collection") == Value("public.customers"));
  CHECK(as_struct(collections[0]).get("event_count") == Value(std::int64_t{2}));
  CHECK(as_struct(collections[1]).get("data_collection") == Value("public.log"));
  end.validate();

  // After END, events carry no block; the next transaction counts from 1 again.
  f.out.clear();
  f.builder.insert(cust, crow.view(), src, f.partition, f.offset, f.out);
  CHECK(envelope(f.out[0]).get("transaction").is_null());
  f.builder.begin_transaction(src, f.partition, f.offset, f.out);
  f.builder.insert(cust, crow.view(), src, f.partition, f.offset, f.out);
  CHECK(as_struct(envelope(f.out[2]).get("transaction")).get("data_collection_order") == Value(std::int64_t{1}));
}

TEST_CASE("ChangeEventBuilder without provide.transaction.metadata emits no transaction records", "[postgres][change_event]") {
  Fixture f;
  f.builder.begin_transaction(Fixture::src(), f.partition, f.offset, f.out);
  f.builder.end_transaction(Fixture::src(), f.partition, f.offset, f.out);
  CHECK(f.out.empty());
  CHECK_FALSE(f.builder.in_transaction());
}

TEST_CASE("ChangeEventBuilder logical decoding messages", "[postgres][change_event]") {
  SECTION("bytes content, prefix key, empty schema/table in source") {
    Fixture f;
    SourceInfo src = Fixture::src();
    f.builder.message(true, "audit", "hi", src, f.partition, f.offset, f.out);
    REQUIRE(f.out.size() == 1);
    const SourceRecord& r = f.out[0];
    CHECK(r.record.topic == "dbserver1.message");
    CHECK(*r.record.key_schema == *SchemaBuilder::struct_().name("io.debezium.connector.postgresql.MessageKey").version(1)
                                       .field("prefix", schemas::optional_string()).build());
    CHECK(as_struct(r.record.key).get("prefix") == Value("audit"));
    const Schema& vs = *r.record.value_schema;
    CHECK(vs.name() == "io.debezium.connector.postgresql.MessageValue");
    CHECK(field_names(vs) == std::vector<std::string>{"op", "ts_ms", "source", "message"});
    CHECK(*vs.field("message")->schema == *SchemaBuilder::struct_().name("io.debezium.connector.postgresql.Message").version(1)
                                               .field("prefix", schemas::optional_string())
                                               .field("content", schemas::optional_bytes()).build());
    const Struct& v = as_struct(r.record.value);
    CHECK(v.get("op") == Value("m"));
    CHECK(v.get("ts_ms") == Value(std::int64_t{1'700'000'000'123}));
    CHECK(as_struct(v.get("message")).get("content") == Value(Bytes{'h', 'i'}));
    const Struct& s = as_struct(v.get("source"));
    CHECK(s.get("schema") == Value(""));
    CHECK(s.get("table") == Value(""));
    CHECK(s.get("txId") == Value(std::int64_t{555}));
    v.validate();
  }
  SECTION("binary.handling.mode=hex makes content a hex string") {
    Fixture f(ConfigMap{{"binary.handling.mode", "hex"}});
    f.builder.message(false, "p", "\x01\xff", Fixture::src(), f.partition, f.offset, f.out);
    CHECK(as_struct(as_struct(f.out.at(0).record.value).get("message")).get("content") == Value("01ff"));
  }
  SECTION("a transactional message counts in the END event") {
    Fixture f(ConfigMap{{"provide.transaction.metadata", "true"}});
    f.builder.begin_transaction(Fixture::src(), f.partition, f.offset, f.out);
    f.builder.message(true, "p", "x", Fixture::src(), f.partition, f.offset, f.out);
    f.builder.end_transaction(Fixture::src(), f.partition, f.offset, f.out);
    const Struct& end = as_struct(f.out.at(2).record.value);
    CHECK(end.get("event_count") == Value(std::int64_t{1}));
    CHECK(as_struct(end.get("data_collections").as<Array>().at(0)).get("data_collection") == Value("LOGICAL_DECODING_MESSAGE"));
  }
}

TEST_CASE("ChangeEventBuilder builds schemas once per relation definition", "[postgres][change_event]") {
  Fixture f;
  Relation rel = customers();
  Tuple row = full_row();
  f.builder.insert(rel, row.view(), Fixture::src(), f.partition, f.offset, f.out);
  Relation copy = rel;  // e.g. the snapshot's own Relation for the same table
  copy.version = 0;
  f.builder.insert(copy, row.view(), Fixture::src(), f.partition, f.offset, f.out);
  CHECK(f.out[0].record.value_schema == f.out[1].record.value_schema);
  Relation changed = rel;
  changed.version = 2;
  changed.columns.push_back({"email", kText, -1, false});
  Tuple wider{{text("1"), text("Anne"), null(), null(), null(), text("a@b")}};
  f.builder.insert(changed, wider.view(), Fixture::src(), f.partition, f.offset, f.out);
  CHECK(f.out[2].record.value_schema != f.out[0].record.value_schema);
  CHECK(as_struct(envelope(f.out[2]).get("after")).get("email") == Value("a@b"));
}

TEST_CASE("ChangeEventBuilder conversion errors name the table", "[postgres][change_event]") {
  Fixture f;
  Relation rel = customers();
  Tuple bad{{text("one"), null(), null(), null(), null()}};
  REQUIRE_THROWS_AS(f.builder.insert(rel, bad.view(), Fixture::src(), f.partition, f.offset, f.out), DataError);
  try {
    f.builder.insert(rel, bad.view(), Fixture::src(), f.partition, f.offset, f.out);
  } catch (const DataError& e) {
    CHECK(std::string(e.what()).find("public.customers") != std::string::npos);
  }
}

TEST_CASE("EventOptions::from_config reports every bad key", "[postgres][change_event]") {
  ConfigMap config{{"tombstones.on.delete", "maybe"},
                   {"column.include.list", "a.b.c"},
                   {"column.exclude.list", "(unclosed"},
                   {"message.key.columns", "public.t"},
                   {"skipped.operations", "c,x"},
                   {"unavailable.value.handling", "drop"},
                   {"decimal.handling.mode", "exact"}};
  try {
    EventOptions::from_config(config);
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    std::set<std::string> keys;
    for (const ConfigProblem& p : e.problems()) keys.insert(p.key);
    // topic.prefix, the bad boolean, the handling mode and decimal mode fail the first pass.
    CHECK(keys.count("topic.prefix"));
    CHECK(keys.count("tombstones.on.delete"));
    CHECK(keys.count("unavailable.value.handling"));
    CHECK(keys.count("decimal.handling.mode"));
  }
  config["topic.prefix"] = "db";
  config["tombstones.on.delete"] = "TRUE";
  config["unavailable.value.handling"] = "OMIT";
  config.erase("decimal.handling.mode");
  try {
    EventOptions::from_config(config);
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    std::set<std::string> keys;
    for (const ConfigProblem& p : e.problems()) keys.insert(p.key);
    CHECK(keys == std::set<std::string>{"column.exclude.list", "message.key.columns", "skipped.operations"});
  }
  config.erase("column.exclude.list");
  config["message.key.columns"] = "public.t:a,b;s.u:c";
  config["skipped.operations"] = "none";
  EventOptions o = EventOptions::from_config(config);
  CHECK(o.topic_prefix == "db");
  CHECK(o.tombstones_on_delete);
  CHECK(o.toast_omit_with_header);
  CHECK(o.skipped_operations.empty());
  CHECK(o.message_key_columns.at("public.t") == std::vector<std::string>{"a", "b"});
  CHECK(o.message_key_columns.at("s.u") == std::vector<std::string>{"c"});
  CHECK(o.column_include_list == std::vector<std::string>{"a.b.c"});
  EventOptions defaults = EventOptions::from_config({{"topic.prefix", "db"}});
  CHECK(defaults.skipped_operations == std::set<char>{'t'});
  CHECK_FALSE(defaults.provide_transaction_metadata);
  CHECK(defaults.unavailable_value_placeholder == "__debezium_unavailable_value");
}
