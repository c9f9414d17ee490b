// ExtractNewRecordState against change events shaped exactly as Debezium's PostgreSQL connector
// emits them (topic.prefix "dbserver1", table public.customers).
#include <catch2/catch.hpp>

#include "extract_new_record_state.h"
#include "plugin.cpp"  // the plugin's registration block, to check what it registers
#include "sluice/errors.h"

using namespace sluice;
using sluice::debezium::ExtractNewRecordState;

namespace {

const SchemaPtr kKeySchema =
    SchemaBuilder::struct_().name("dbserver1.public.customers.Key").field("id", schemas::int32()).build();

SchemaPtr status_schema() {
  return SchemaBuilder::string().optional().default_value(Value("active")).build();
}

const SchemaPtr kRowSchema = SchemaBuilder::struct_()
                                 .name("dbserver1.public.customers.Value")
                                 .optional()
                                 .field("id", schemas::int32())
                                 .field("first_name", schemas::string())
                                 .field("email", schemas::optional_string())
                                 .field("status", status_schema())
                                 .build();

const SchemaPtr kSourceSchema =
    SchemaBuilder::struct_()
        .name("io.debezium.connector.postgresql.Source")
        .field("version", schemas::string())
        .field("connector", schemas::string())
        .field("name", schemas::string())
        .field("ts_ms", schemas::int64())
        .field("snapshot", SchemaBuilder::string()
                               .optional()
                               .name("io.debezium.data.Enum")
                               .version(1)
                               .parameter("allowed", "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental")
                               .default_value(Value("false"))
                               .build())
        .field("db", schemas::string())
        .field("sequence", schemas::optional_string())
        .field("ts_us", schemas::optional_int64())
        .field("ts_ns", schemas::optional_int64())
        .field("schema", schemas::string())
        .field("table", schemas::string())
        .field("txId", schemas::optional_int64())
        .field("lsn", schemas::optional_int64())
        .field("xmin", schemas::optional_int64())
        .build();

const SchemaPtr kTransactionSchema = SchemaBuilder::struct_()
                                         .name("event.block")
                                         .version(1)
                                         .optional()
                                         .field("id", schemas::string())
                                         .field("total_order", schemas::int64())
                                         .field("data_collection_order", schemas::int64())
                                         .build();

const SchemaPtr kEnvelopeSchema = SchemaBuilder::struct_()
                                      .name("dbserver1.public.customers.Envelope")
                                      .version(2)
                                      .field("before", kRowSchema)
                                      .field("after", kRowSchema)
                                      .field("source", kSourceSchema)
                                      .field("transaction", kTransactionSchema)
                                      .field("op", schemas::string())
                                      .field("ts_ms", schemas::optional_int64())
                                      .field("ts_us", schemas::optional_int64())
                                      .field("ts_ns", schemas::optional_int64())
                                      .build();

constexpr const char* kTopic = "dbserver1.public.customers";
constexpr std::int64_t kLsn = 24023128;
constexpr std::int64_t kSourceTs = 1559033904863;
constexpr std::int64_t kEventTs = 1559033904999;

Value row(std::int32_t id, const char* first_name, Value email, Value status = Value("gold")) {
  Struct s(kRowSchema);
  s.put("id", id).put("first_name", first_name).put("email", std::move(email)).put("status", std::move(status));
  return Value(std::move(s));
}

Struct source(const char* snapshot) {
  Struct s(kSourceSchema);
  s.put("version", "3.0.0.Final")
      .put("connector", "postgresql")
      .put("name", "dbserver1")
      .put("ts_ms", kSourceTs)
      .put("snapshot", snapshot)
      .put("db", "inventory")
      .put("sequence", "[\"24023119\",\"24023128\"]")
      .put("ts_us", kSourceTs * 1000)
      .put("ts_ns", kSourceTs * 1000000)
      .put("schema", "public")
      .put("table", "customers")
      .put("txId", std::int64_t{555})
      .put("lsn", kLsn);
  return s;
}

Value key(std::int32_t id) {
  Struct k(kKeySchema);
  k.put("id", id);
  return Value(std::move(k));
}

Record event(const char* op, Value before, Value after, bool with_transaction = false) {
  Struct env(kEnvelopeSchema);
  env.put("before", std::move(before))
      .put("after", std::move(after))
      .put("source", Value(source(std::string_view(op) == "r" ? "true" : "false")))
      .put("op", op)
      .put("ts_ms", kEventTs)
      .put("ts_us", kEventTs * 1000)
      .put("ts_ns", kEventTs * 1000000);
  if (with_transaction) {
    Struct tx(kTransactionSchema);
    tx.put("id", "555:24023128").put("total_order", std::int64_t{1}).put("data_collection_order", std::int64_t{1});
    env.put("transaction", Value(std::move(tx)));
  }
  env.validate();
  Record r;
  r.topic = kTopic;
  r.kafka_partition = 0;
  r.key_schema = kKeySchema;
  r.key = key(1);
  r.value_schema = kEnvelopeSchema;
  r.value = Value(std::move(env));
  r.timestamp_ms = kEventTs;
  return r;
}

Record create_event(bool with_transaction = false) {
  return event("c", Value(), row(1, "Anne", Value("annek@noanswer.org")), with_transaction);
}
Record update_event() {
  return event("u", row(1, "Anne", Value("annek@noanswer.org")), row(1, "Anne Marie", Value("am@noanswer.org")));
}
Record delete_event() { return event("d", row(1, "Anne", Value(), Value()), Value()); }
Record tombstone() {
  Record r;
  r.topic = kTopic;
  r.key_schema = kKeySchema;
  r.key = key(1);
  return r;
}

std::unique_ptr<ExtractNewRecordState> make(ConfigMap config = {}) {
  auto t = std::make_unique<ExtractNewRecordState>();
  t->configure(config);
  return t;
}

const Struct& value_struct(const Record& r) { return r.value.as<Struct>(); }

}  // namespace

TEST_CASE("ExtractNewRecordState replaces create, update and snapshot events with the after row", "[debezium]") {
  auto t = make();
  for (Record in : {create_event(), update_event(), event("r", Value(), row(1, "Anne", Value())) }) {
    const Value after = in.value.as<Struct>().get("after");
    auto out = t->apply(std::move(in));
    REQUIRE(out);
    CHECK(out->value == after);
    CHECK(out->value_schema == kRowSchema);  // the envelope's `after` schema, unchanged
    CHECK(out->topic == kTopic);
    CHECK(out->key == key(1));
    CHECK(out->key_schema == kKeySchema);
    CHECK(out->timestamp_ms == kEventTs);
    CHECK(out->headers.empty());
  }
}

TEST_CASE("ExtractNewRecordState default mode keeps a null-valued delete and drops the tombstone", "[debezium]") {
  auto t = make();
  CHECK(t->delete_action() == ExtractNewRecordState::DeleteAction::kNullValue);
  auto out = t->apply(delete_event());
  REQUIRE(out);
  CHECK(out->value.is_null());
  CHECK(out->value_schema == kRowSchema);  // Debezium keeps the value schema; its JDBC sink relies on it
  CHECK(out->key == key(1));
  CHECK_FALSE(t->apply(tombstone()));
}

TEST_CASE("ExtractNewRecordState drop mode removes deletes and tombstones", "[debezium]") {
  auto t = make({{"delete.tombstone.handling.mode", "drop"}});
  CHECK_FALSE(t->apply(delete_event()));
  CHECK_FALSE(t->apply(tombstone()));
  CHECK(t->apply(create_event()));
}

TEST_CASE("ExtractNewRecordState rewrite mode flattens before and marks __deleted", "[debezium]") {
  auto t = make({{"delete.tombstone.handling.mode", "rewrite"}});
  auto del = t->apply(delete_event());
  REQUIRE(del);
  REQUIRE(del->value_schema);
  CHECK(del->value_schema->name() == "dbserver1.public.customers.Value");
  CHECK_FALSE(del->value_schema->optional());
  REQUIRE(del->value_schema->fields().size() == 5);
  CHECK(del->value_schema->fields()[4].name == "__deleted");
  CHECK(*del->value_schema->fields()[4].schema == *schemas::optional_string());
  const Struct& v = value_struct(*del);
  CHECK(v.get("id") == Value(std::int32_t{1}));
  CHECK(v.get("first_name") == Value("Anne"));
  CHECK(v.get("email").is_null());
  CHECK(v.get("status") == Value("active"));  // replace.null.with.default=true (default)
  CHECK(v.get("__deleted") == Value("true"));
  v.validate();

  auto created = t->apply(create_event());
  REQUIRE(created);
  CHECK(value_struct(*created).get("__deleted") == Value("false"));
  CHECK(created->value_schema == del->value_schema);  // cached per (row, envelope) schema

  CHECK_FALSE(t->apply(tombstone()));
}

TEST_CASE("ExtractNewRecordState replace.null.with.default=false keeps nulls when rewriting", "[debezium]") {
  auto t = make({{"delete.tombstone.handling.mode", "rewrite"}, {"replace.null.with.default", "false"}});
  auto del = t->apply(delete_event());
  REQUIRE(del);
  CHECK(value_struct(*del).get("status").is_null());

  // Outside the rewrite modes Debezium passes the row through as is.
  auto plain = make()->apply(event("c", Value(), row(2, "Bob", Value(), Value())));
  REQUIRE(plain);
  CHECK(value_struct(*plain).get("status").is_null());
}

TEST_CASE("ExtractNewRecordState rewrite-with-tombstone keeps tombstones", "[debezium]") {
  auto t = make({{"delete.tombstone.handling.mode", "rewrite-with-tombstone"}});
  auto del = t->apply(delete_event());
  REQUIRE(del);
  CHECK(value_struct(*del).get("__deleted") == Value("true"));
  auto tomb = t->apply(tombstone());
  REQUIRE(tomb);
  CHECK(tomb->value.is_null());
  CHECK(tomb->key == key(1));
}

TEST_CASE("ExtractNewRecordState delete-to-tombstone turns deletes into tombstones", "[debezium]") {
  auto t = make({{"delete.tombstone.handling.mode", "delete-to-tombstone"}});
  auto del = t->apply(delete_event());
  REQUIRE(del);
  CHECK(del->value.is_null());
  CHECK(del->value_schema == nullptr);
  CHECK(del->key == key(1));
  CHECK_FALSE(t->apply(tombstone()));
  CHECK(t->apply(create_event()));
}

TEST_CASE("ExtractNewRecordState modes are case-insensitive", "[debezium]") {
  CHECK(make({{"delete.tombstone.handling.mode", "REWRITE"}})->delete_action() ==
        ExtractNewRecordState::DeleteAction::kRewrite);
}

TEST_CASE("ExtractNewRecordState drops truncate events", "[debezium]") {
  auto t = make({{"delete.tombstone.handling.mode", "rewrite-with-tombstone"}});
  Record truncate = event("t", Value(), Value());
  truncate.key_schema = nullptr;
  truncate.key = Value();
  CHECK_FALSE(t->apply(std::move(truncate)));
}

TEST_CASE("ExtractNewRecordState maps the legacy drop.tombstones and delete.handling.mode", "[debezium]") {
  using TA = ExtractNewRecordState::TombstoneAction;
  using DA = ExtractNewRecordState::DeleteAction;
  SECTION("rewrite with tombstones kept") {
    auto t = make({{"drop.tombstones", "false"}, {"delete.handling.mode", "rewrite"}});
    CHECK(t->tombstone_action() == TA::kKeep);
    CHECK(t->delete_action() == DA::kRewrite);
    auto del = t->apply(delete_event());
    REQUIRE(del);
    CHECK(value_struct(*del).get("__deleted") == Value("true"));
    CHECK(t->apply(tombstone()));
  }
  SECTION("none keeps deletes as null values; tombstones dropped by default") {
    auto t = make({{"delete.handling.mode", "none"}});
    auto del = t->apply(delete_event());
    REQUIRE(del);
    CHECK(del->value.is_null());
    CHECK_FALSE(t->apply(tombstone()));
  }
  SECTION("drop.tombstones=false alone: deletes dropped (legacy default), tombstones kept") {
    auto t = make({{"drop.tombstones", "false"}});
    CHECK_FALSE(t->apply(delete_event()));
    CHECK(t->apply(tombstone()));
  }
  SECTION("delete.tombstone.handling.mode wins over the legacy keys") {
    auto t = make({{"delete.tombstone.handling.mode", "drop"}, {"drop.tombstones", "false"},
                   {"delete.handling.mode", "rewrite"}});
    CHECK(t->tombstone_action() == TA::kDrop);
    CHECK(t->delete_action() == DA::kDrop);
  }
}

TEST_CASE("ExtractNewRecordState add.fields appends envelope, source and transaction metadata", "[debezium]") {
  auto t = make({{"add.fields", "op,table,lsn,source.ts_ms,ts_ms,db:database,id,nosuch"}});
  auto out = t->apply(create_event());
  REQUIRE(out);
  const Schema& s = *out->value_schema;
  CHECK(s.name() == "dbserver1.public.customers.Value");
  std::vector<std::string> names;
  for (const Field& f : s.fields()) names.push_back(f.name);
  CHECK(names == std::vector<std::string>{"id", "first_name", "email", "status", "__op", "__table", "__lsn",
                                          "__source_ts_ms", "__ts_ms", "__database", "__id"});
  CHECK(s.field("__op")->schema->optional());
  CHECK(s.field("__op")->schema->type() == Type::kString);
  CHECK(s.field("__lsn")->schema->type() == Type::kInt64);
  const Struct& v = value_struct(*out);
  v.validate();
  CHECK(v.get("__op") == Value("c"));
  CHECK(v.get("__table") == Value("customers"));
  CHECK(v.get("__lsn") == Value(kLsn));
  CHECK(v.get("__source_ts_ms") == Value(kSourceTs));
  CHECK(v.get("__ts_ms") == Value(kEventTs));
  CHECK(v.get("__database") == Value("inventory"));
  CHECK(v.get("__id").is_null());  // no transaction block (provide.transaction.metadata=false)

  auto with_tx = t->apply(create_event(true));
  REQUIRE(with_tx);
  CHECK(value_struct(*with_tx).get("__id") == Value("555:24023128"));
  CHECK(with_tx->value_schema == out->value_schema);
}

TEST_CASE("ExtractNewRecordState add.fields.prefix and deletes in rewrite mode", "[debezium]") {
  auto t = make({{"add.fields", "op,source.lsn"}, {"add.fields.prefix", "meta_"},
                 {"delete.tombstone.handling.mode", "rewrite"}});
  auto del = t->apply(delete_event());
  REQUIRE(del);
  std::vector<std::string> names;
  for (const Field& f : del->value_schema->fields()) names.push_back(f.name);
  CHECK(names == std::vector<std::string>{"id", "first_name", "email", "status", "__deleted", "meta_op",
                                          "meta_source_lsn"});
  CHECK(value_struct(*del).get("meta_op") == Value("d"));
  CHECK(value_struct(*del).get("meta_source_lsn") == Value(kLsn));

  // Without rewrite, a delete has no value to add fields to.
  auto plain = make({{"add.fields", "op"}})->apply(delete_event());
  REQUIRE(plain);
  CHECK(plain->value.is_null());
}

TEST_CASE("ExtractNewRecordState add.headers copies metadata into headers", "[debezium]") {
  auto t = make({{"add.headers", "op,source.lsn:LSN,db"}, {"delete.tombstone.handling.mode", "rewrite-with-tombstone"}});
  auto out = t->apply(update_event());
  REQUIRE(out);
  REQUIRE(out->headers.size() == 3);
  const Header* op = out->headers.last("__op");
  REQUIRE(op);
  CHECK(op->value == Value("u"));
  REQUIRE(op->schema);
  CHECK(op->schema->optional());
  CHECK(out->headers.last("__LSN")->value == Value(kLsn));
  CHECK(out->headers.last("__db")->value == Value("inventory"));
  CHECK_FALSE(out->value.as<Struct>().schema()->field("__op"));  // headers only

  auto tomb = t->apply(tombstone());
  REQUIRE(tomb);
  REQUIRE(tomb->headers.size() == 1);
  CHECK(tomb->headers.last("__op")->value == Value("d"));

  auto prefixed = make({{"add.headers", "op"}, {"add.headers.prefix", "dbz."}})->apply(create_event());
  REQUIRE(prefixed);
  CHECK(prefixed->headers.last("dbz.op")->value == Value("c"));
}

TEST_CASE("ExtractNewRecordState route.by.field takes the topic from the row", "[debezium]") {
  auto t = make({{"route.by.field", "first_name"}});
  auto created = t->apply(create_event());
  REQUIRE(created);
  CHECK(created->topic == "Anne");
  auto updated = t->apply(update_event());
  REQUIRE(updated);
  CHECK(updated->topic == "Anne Marie");
  auto deleted = t->apply(delete_event());  // routed by `before`
  REQUIRE(deleted);
  CHECK(deleted->topic == "Anne");

  auto by_email = make({{"route.by.field", "email"}})->apply(event("c", Value(), row(3, "Cy", Value())));
  REQUIRE(by_email);
  CHECK(by_email->topic == kTopic);  // null keeps the topic

  CHECK_THROWS_AS(make({{"route.by.field", "nosuch"}})->apply(create_event()), DataError);
  CHECK_THROWS_AS(make({{"route.by.field", "id"}})->apply(create_event()), DataError);
}

TEST_CASE("ExtractNewRecordState drops the fields a header names", "[debezium]") {
  auto with_header = [](Record r) {
    r.headers.add("__dropped", Value(Array{Value("email"), Value("id")}));
    return r;
  };
  SECTION("only optional fields by default") {
    auto t = make({{"drop.fields.header.name", "__dropped"}});
    auto out = t->apply(with_header(create_event()));
    REQUIRE(out);
    CHECK(out->value_schema->field("id"));
    CHECK_FALSE(out->value_schema->field("email"));
    CHECK(value_struct(*out).get("first_name") == Value("Anne"));
    value_struct(*out).validate();
    CHECK(out->key == key(1));
  }
  SECTION("required fields too, and from the key") {
    auto t = make({{"drop.fields.header.name", "__dropped"}, {"drop.fields.keep.schema.compatible", "false"},
                   {"drop.fields.from.key", "true"}});
    auto out = t->apply(with_header(create_event()));
    REQUIRE(out);
    CHECK_FALSE(out->value_schema->field("id"));
    CHECK_FALSE(out->value_schema->field("email"));
    CHECK(out->key_schema->fields().empty());
    CHECK(out->key_schema->name() == "dbserver1.public.customers.Key");
  }
  SECTION("records without the header are untouched") {
    auto out = make({{"drop.fields.header.name", "__dropped"}})->apply(create_event());
    REQUIRE(out);
    CHECK(out->value_schema == kRowSchema);
  }
  SECTION("a header that is not a list is a DataError") {
    Record r = create_event();
    r.headers.add("__dropped", Value(std::int32_t{7}));
    CHECK_THROWS_AS(make({{"drop.fields.header.name", "__dropped"}})->apply(std::move(r)), DataError);
  }
}

TEST_CASE("ExtractNewRecordState passes records that are not change events through", "[debezium]") {
  auto t = make({{"add.fields", "op"}, {"add.headers", "op"}, {"delete.tombstone.handling.mode", "rewrite"}});

  SchemaPtr heartbeat_schema = SchemaBuilder::struct_()
                                   .name("io.debezium.connector.common.Heartbeat")
                                   .field("ts_ms", schemas::int64())
                                   .build();
  Struct hb(heartbeat_schema);
  hb.put("ts_ms", kEventTs);
  Record heartbeat;
  heartbeat.topic = "__debezium-heartbeat.dbserver1";
  heartbeat.value_schema = heartbeat_schema;
  heartbeat.value = Value(hb);
  auto out = t->apply(heartbeat);
  REQUIRE(out);
  CHECK(out->value == heartbeat.value);
  CHECK(out->headers.empty());

  // Named like an envelope but without `op` (not a change event Debezium would emit).
  SchemaPtr odd = SchemaBuilder::struct_().name("x.Envelope").field("after", kRowSchema).build();
  Record odd_record;
  odd_record.value_schema = odd;
  odd_record.value = Value(Struct(odd));
  auto odd_out = t->apply(odd_record);
  REQUIRE(odd_out);
  CHECK(odd_out->value == odd_record.value);

  Record schemaless;
  schemaless.value = Value(string_map({{"ts_ms", kEventTs}}));
  auto s_out = t->apply(schemaless);
  REQUIRE(s_out);
  CHECK(s_out->value == schemaless.value);
}

TEST_CASE("ExtractNewRecordState flattens schemaless envelopes", "[debezium]") {
  auto envelope = [](const char* op, Value before, Value after) {
    Record r;
    r.topic = kTopic;
    r.key = Value(string_map({{"id", std::int32_t{1}}}));
    r.value = Value(string_map({{"before", std::move(before)},
                                {"after", std::move(after)},
                                {"source", Value(string_map({{"db", "inventory"}, {"lsn", kLsn}}))},
                                {"op", op},
                                {"ts_ms", kEventTs}}));
    return r;
  };
  const Value anne = Value(string_map({{"id", std::int32_t{1}}, {"first_name", "Anne"}}));

  auto plain = make();
  auto created = plain->apply(envelope("c", Value(), anne));
  REQUIRE(created);
  CHECK(created->value == anne);
  CHECK(created->value_schema == nullptr);
  auto deleted = plain->apply(envelope("d", anne, Value()));
  REQUIRE(deleted);
  CHECK(deleted->value.is_null());

  auto t = make({{"delete.tombstone.handling.mode", "rewrite"}, {"add.fields", "op,lsn"}, {"add.headers", "db"}});
  auto rewritten = t->apply(envelope("d", anne, Value()));
  REQUIRE(rewritten);
  const Map& m = rewritten->value.as<Map>();
  CHECK(*map_find(m, "first_name") == Value("Anne"));
  CHECK(*map_find(m, "__deleted") == Value("true"));
  CHECK(*map_find(m, "__op") == Value("d"));
  CHECK(*map_find(m, "__lsn") == Value(kLsn));
  CHECK(rewritten->headers.last("__db")->value == Value("inventory"));
}

TEST_CASE("ExtractNewRecordState rejects bad configuration with every problem", "[debezium]") {
  ExtractNewRecordState t;
  CHECK_THROWS_AS(t.configure({{"delete.tombstone.handling.mode", "none"}}), ConfigError);
  CHECK_THROWS_AS(t.configure({{"delete.handling.mode", "bogus"}}), ConfigError);
  CHECK_THROWS_AS(t.configure({{"drop.tombstones", "maybe"}}), ConfigError);
  CHECK_THROWS_AS(t.configure({{"add.fields", "op:a:b"}}), ConfigError);
  CHECK_THROWS_AS(t.configure({{"add.headers", "source.ts.ms"}}), ConfigError);
  try {
    t.configure({{"delete.tombstone.handling.mode", "sometimes"}, {"add.fields", "op:"}});
    FAIL("configure accepted bad values");
  } catch (const ConfigError& e) {
    std::vector<std::string> keys;
    for (const auto& p : e.problems()) keys.push_back(p.key);
    CHECK(keys == std::vector<std::string>{"delete.tombstone.handling.mode", "add.fields"});
  }
  int with_errors = 0;
  for (const auto& v : t.config_def().validate({{"add.fields", "a:b:c"}, {"drop.fields.from.key", "yes"}})) {
    if (!v.errors.empty()) ++with_errors;
  }
  CHECK(with_errors == 2);
}

namespace {
struct CapturingRegistrar : Registrar {
  std::vector<std::string> transforms;
  std::vector<TransformFactory> factories;
  void add_source(std::string_view, SourceFactory, std::vector<std::string>) override {}
  void add_sink(std::string_view, SinkFactory, std::vector<std::string>) override {}
  void add_transform(std::string_view name, TransformFactory f, std::vector<std::string>) override {
    transforms.emplace_back(name);
    factories.push_back(std::move(f));
  }
  void add_predicate(std::string_view, PredicateFactory, std::vector<std::string>) override {}
  void add_converter(std::string_view, ConverterFactory, std::vector<std::string>) override {}
  void add_header_converter(std::string_view, HeaderConverterFactory, std::vector<std::string>) override {}
};
}  // namespace

TEST_CASE("The debezium plugin registers ExtractNewRecordState under Debezium's class name", "[debezium]") {
  const sluice_plugin_info* info = sluice_plugin_entry();
  CHECK(info->abi_version == kAbiVersion);
  CHECK(std::string(info->name) == "debezium");
  CapturingRegistrar r;
  info->register_plugin(r);
  REQUIRE(r.transforms == std::vector<std::string>{"io.debezium.transforms.ExtractNewRecordState"});
  auto t = r.factories[0]();
  t->configure({});
  auto out = t->apply(create_event());
  REQUIRE(out);
  CHECK(out->value_schema == kRowSchema);
}
