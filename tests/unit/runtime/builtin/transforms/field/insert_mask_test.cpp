#include "field_transform_fixture.h"

using namespace sluice;
using namespace sluice::test;

namespace {
SchemaPtr simple_schema() {
  static const SchemaPtr s = SchemaBuilder::struct_().name("s").field("magic", schemas::int64()).build();
  return s;
}
Struct simple(std::int64_t magic) {
  Struct s(simple_schema());
  s.put("magic", i64(magic));
  return s;
}
}  // namespace

// ---- InsertField -----------------------------------------------------------------------------

TEST_CASE("InsertField$Value adds metadata and static fields to a struct", "[transforms][insert]") {
  auto insert = make_transform("InsertField$Value", {{"topic.field", "topic_field!"},
                                                      {"partition.field", "partition_field"},
                                                      {"offset.field", "offset_field?"},
                                                      {"timestamp.field", "timestamp_field"},
                                                      {"static.field", "instance_id"},
                                                      {"static.value", "my-instance-id"}});
  Record in = value_record(simple_schema(), Value(simple(42)));
  in.kafka_offset = 77;
  Record out = apply(*insert, std::move(in));

  const Schema& schema = *out.value_schema;
  CHECK(schema.name() == "s");
  REQUIRE(schema.fields().size() == 6);
  CHECK(schema.field("magic")->schema == schemas::int64());
  CHECK(schema.field("topic_field")->schema == schemas::string());
  CHECK(schema.field("partition_field")->schema == schemas::optional_int32());
  CHECK(schema.field("offset_field")->schema == schemas::optional_int64());
  CHECK(schema.field("timestamp_field")->schema->name() == logical::kTimestampName);
  CHECK(schema.field("timestamp_field")->schema->optional());
  CHECK(schema.field("instance_id")->schema == schemas::optional_string());

  const Struct& v = out.value.as<Struct>();
  CHECK(v.get("magic") == i64(42));
  CHECK(v.get("topic_field") == Value("orders"));
  CHECK(v.get("partition_field") == i32(3));
  CHECK(v.get("offset_field") == i64(77));
  CHECK(v.get("timestamp_field") == i64(1700000000123));
  CHECK(v.get("instance_id") == Value("my-instance-id"));
  CHECK_NOTHROW(v.validate());

  Record again = apply(*insert, [] { Record r = value_record(simple_schema(), Value(simple(1))); r.kafka_offset = 1; return r; }());
  CHECK(again.value_schema == out.value_schema);
}

TEST_CASE("InsertField$Key adds fields to a schemaless map and skips absent metadata", "[transforms][insert]") {
  auto insert = make_transform("InsertField$Key", {{"topic.field", "t"}, {"timestamp.field", "ts"},
                                                    {"partition.field", "p"}, {"static.field", "s"}});
  Record in = key_record(nullptr, Value(string_map({{"k", i32(1)}, {"t", Value("old")}})));
  in.timestamp_ms.reset();
  Record out = apply(*insert, std::move(in));
  // No static.value: the static field is left out, as is the missing timestamp.
  CHECK(out.key == Value(string_map({{"k", i32(1)}, {"t", Value("orders")}, {"p", i32(3)}})));
}

TEST_CASE("InsertField passes tombstones through", "[transforms][insert]") {
  auto insert = make_transform("InsertField$Value", {{"topic.field", "t"}});
  Record out = apply(*insert, value_record(simple_schema(), Value()));
  CHECK(out.value.is_null());
  CHECK(out.value_schema == simple_schema());
}

TEST_CASE("InsertField data errors", "[transforms][insert]") {
  auto offset = make_transform("InsertField$Value", {{"offset.field", "o"}});
  CHECK_THROWS_WITH(offset->apply(value_record(simple_schema(), Value(simple(1)))),
                    Catch::Contains("Only SinkRecord supported"));
  auto topic = make_transform("InsertField$Value", {{"topic.field", "magic"}});
  CHECK_THROWS_AS(topic->apply(value_record(simple_schema(), Value(simple(1)))), DataError);  // duplicate field
  CHECK_THROWS_AS(topic->apply(value_record(nullptr, Value("text"))), DataError);
  CHECK_THROWS_AS(topic->apply(value_record(schemas::string(), Value("text"))), DataError);
}

// ---- MaskField -------------------------------------------------------------------------------

namespace {
SchemaPtr person_schema() {
  static const SchemaPtr s = SchemaBuilder::struct_()
                                 .field("age", schemas::int32())
                                 .field("name", schemas::string())
                                 .field("vip", schemas::boolean())
                                 .field("balance", logical::decimal(2).build())
                                 .field("tags", SchemaBuilder::array(schemas::string()).build())
                                 .field("city", schemas::string())
                                 .build();
  return s;
}
Struct person() {
  Struct s(person_schema());
  s.put("age", i32(37)).put("name", Value("Ada")).put("vip", Value(true))
      .put("balance", Value(logical::decimal_from_unscaled(1050))).put("tags", Value(Array{Value("a")}))
      .put("city", Value("Paris"));
  return s;
}
}  // namespace

TEST_CASE("MaskField$Value replaces listed fields with their type's empty value", "[transforms][mask]") {
  auto mask = make_transform("MaskField$Value", {{"fields", "age,name,vip,balance,tags"}});
  Record out = apply(*mask, value_record(person_schema(), Value(person())));
  CHECK(out.value_schema == person_schema());
  const Struct& v = out.value.as<Struct>();
  CHECK(v.get("age") == i32(0));
  CHECK(v.get("name") == Value(""));
  CHECK(v.get("vip") == Value(false));
  CHECK(logical::decimal_to_string(v.get("balance").as<Bytes>(), 2) == "0.00");
  CHECK(v.get("tags") == Value(Array{}));
  CHECK(v.get("city") == Value("Paris"));
}

TEST_CASE("MaskField with a replacement", "[transforms][mask]") {
  SECTION("strings and numbers take the replacement") {
    auto mask = make_transform("MaskField$Value", {{"fields", "name"}, {"replacement", "****"}});
    CHECK(apply(*mask, value_record(person_schema(), Value(person()))).value.as<Struct>().get("name") == Value("****"));
    auto numeric = make_transform("MaskField$Value", {{"fields", "age,balance"}, {"replacement", "-1"}});
    const Struct v = apply(*numeric, value_record(person_schema(), Value(person()))).value.as<Struct>();
    CHECK(v.get("age") == i32(-1));
    CHECK(logical::decimal_to_string(v.get("balance").as<Bytes>(), 2) == "-1.00");
  }
  SECTION("a replacement that does not fit the type is a DataError") {
    auto mask = make_transform("MaskField$Value", {{"fields", "age"}, {"replacement", "****"}});
    CHECK_THROWS_WITH(mask->apply(value_record(person_schema(), Value(person()))),
                      Catch::Contains("Unable to convert **** (String) to number"));
    auto on_bool = make_transform("MaskField$Value", {{"fields", "vip"}, {"replacement", "x"}});
    CHECK_THROWS_WITH(on_bool->apply(value_record(person_schema(), Value(person()))),
                      Catch::Contains("with custom replacement"));
  }
}

TEST_CASE("MaskField$Key masks a schemaless map", "[transforms][mask]") {
  auto mask = make_transform("MaskField$Key", {{"fields", "ssn,n,absent"}});
  Record out = apply(*mask, key_record(nullptr, Value(string_map({{"ssn", Value("123-45")}, {"n", Value(2.5)},
                                                                  {"keep", i32(9)}}))));
  CHECK(out.key == Value(string_map({{"ssn", Value("")}, {"n", Value(0.0)}, {"keep", i32(9)}, {"absent", Value()}})));
}

TEST_CASE("MaskField errors", "[transforms][mask]") {
  CHECK_THROWS_AS(make_transform("MaskField$Value", {}), ConfigError);
  CHECK_THROWS_AS(make_transform("MaskField$Value", {{"fields", ""}}), ConfigError);
  CHECK_THROWS_AS(make_transform("MaskField$Value", {{"fields", "a"}, {"replacement", ""}}), ConfigError);
  auto mask = make_transform("MaskField$Value", {{"fields", "b"}});
  CHECK_THROWS_WITH(mask->apply(value_record(nullptr, Value(string_map({{"b", Value(Bytes{1})}})))),
                    Catch::Contains("Cannot mask value of type"));
  CHECK_THROWS_AS(mask->apply(value_record(nullptr, Value("text"))), DataError);
}
