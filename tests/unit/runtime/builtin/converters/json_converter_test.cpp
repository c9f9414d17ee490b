#include <catch2/catch.hpp>

#include <cstring>
#include <limits>

#include "runtime/builtin/converters/json_converter.h"
#include "sluice/errors.h"
#include "sluice/schema.h"
#include "tests/unit/runtime/builtin/converters/converter_test_support.h"

using namespace sluice;
using sluice::builtin::JsonConverter;
using sluice::test::bytes_of;
using sluice::test::text_of;

namespace {

JsonConverter configured(ConfigMap config = {}) {
  JsonConverter c;
  c.configure(config, false);
  return c;
}

std::string write(JsonConverter& c, const SchemaPtr& schema, const Value& value) {
  return text_of(c.from_connect_data("t", {}, schema, value));
}

SchemaAndValue read(JsonConverter& c, std::string_view text) {
  Bytes data = bytes_of(text);
  return c.to_connect_data("t", {}, &data);
}

SchemaPtr reference_schema() {
  return SchemaBuilder::struct_()
      .name("dbserver1.public.t.Value")
      .field("id", schemas::int32())
      .field("price", logical::decimal(2).optional().parameter("connect.decimal.precision", "10").build())
      .field("created",
             SchemaBuilder::int64().optional().name("io.debezium.time.MicroTimestamp").version(1).build())
      .build();
}

constexpr const char* kReferenceEnvelope =
    R"({"schema":{"type":"struct","fields":[)"
    R"({"type":"int32","optional":false,"field":"id"},)"
    R"({"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,)"
    R"("parameters":{"scale":"2","connect.decimal.precision":"10"},"field":"price"},)"
    R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroTimestamp","version":1,"field":"created"}],)"
    R"("optional":false,"name":"dbserver1.public.t.Value"},)"
    R"("payload":{"id":1,"price":"AJg=","created":1559033904863123}})";

Value reference_value() {
  Struct s(reference_schema());
  s.put("id", std::int32_t{1})
      .put("price", logical::decimal_from_unscaled(152))
      .put("created", std::int64_t{1559033904863123});
  return Value(std::move(s));
}

}  // namespace

TEST_CASE("JsonConverter writes Kafka's schema and payload envelope byte for byte", "[converters][json]") {
  auto c = configured();
  REQUIRE(write(c, schemas::boolean(), true) == R"({"schema":{"type":"boolean","optional":false},"payload":true})");
  REQUIRE(write(c, reference_schema(), reference_value()) == kReferenceEnvelope);
  REQUIRE(write(c, nullptr, Value(std::int64_t{5})) == R"({"schema":null,"payload":5})");
}

TEST_CASE("JsonConverter reads the envelope back into the same schema and value", "[converters][json]") {
  auto c = configured();
  auto back = read(c, kReferenceEnvelope);
  REQUIRE(*back.schema == *reference_schema());
  REQUIRE(back.value == reference_value());
  REQUIRE(back.schema->field("created")->schema->name() == "io.debezium.time.MicroTimestamp");
  auto schemaless = read(c, R"({"schema":null,"payload":{"a":[1,2.5]}})");
  REQUIRE(schemaless.schema == nullptr);
  REQUIRE(schemaless.value == Value(Map{{Value("a"), Value(Array{Value(std::int64_t{1}), Value(2.5)})}}));
}

TEST_CASE("JsonConverter keeps tombstones as absent bytes", "[converters][json]") {
  auto c = configured();
  REQUIRE_FALSE(c.from_connect_data("t", {}, nullptr, Value()).has_value());
  REQUIRE_FALSE(c.from_connect_data("t", {}, reference_schema(), Value()).has_value());
  auto back = c.to_connect_data("t", {}, nullptr);
  REQUIRE(back.schema == nullptr);
  REQUIRE(back.value.is_null());
}

TEST_CASE("JsonConverter with schemas.enable refuses bytes without the envelope", "[converters][json]") {
  auto c = configured();
  for (const char* text : {R"({"payload":1})", R"({"a":1,"b":2})", R"({"schema":null,"payload":1,"x":0})", "42"}) {
    INFO(text);
    REQUIRE_THROWS_WITH(read(c, text), Catch::Contains("set schemas.enable=false"));
  }
  REQUIRE_THROWS_AS(read(c, R"({"schema":{"type":"int32"},"payload":"x"})"), DataError);
  REQUIRE_THROWS_AS(read(c, R"({"schema":{"type":"nope"},"payload":1})"), DataError);
  REQUIRE_THROWS_AS(read(c, "{not json"), DataError);
  REQUIRE_THROWS_AS(read(c, ""), DataError);
}

TEST_CASE("JsonConverter without schemas writes the payload only and reads schemaless data", "[converters][json]") {
  auto c = configured({{"schemas.enable", "false"}});
  REQUIRE(write(c, reference_schema(), reference_value()) == R"({"id":1,"price":"AJg=","created":1559033904863123})");
  auto back = read(c, R"({"id":1,"name":"x","tags":["a"],"score":0.5})");
  REQUIRE(back.schema == nullptr);
  const auto& m = back.value.as<Map>();
  REQUIRE(*map_find(m, "id") == Value(std::int64_t{1}));
  REQUIRE(*map_find(m, "name") == Value("x"));
  REQUIRE(*map_find(m, "tags") == Value(Array{Value("a")}));
  REQUIRE(*map_find(m, "score") == Value(0.5));
  REQUIRE(read(c, "  ").value.is_null());
  REQUIRE_THROWS_AS(read(c, "[1,"), DataError);
}

TEST_CASE("JsonConverter decimal.format chooses base64 or numeric Decimals", "[converters][json]") {
  auto schema = logical::decimal(4).build();
  auto value = Value(logical::decimal_from_string("101.2345", 4));
  auto base64 = configured();
  REQUIRE(write(base64, schema, value) ==
          R"({"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal",)"
          R"("version":1,"parameters":{"scale":"4"}},"payload":"D3J5"})");
  auto numeric = configured({{"decimal.format", "numeric"}});
  auto text = write(numeric, schema, value);
  REQUIRE_THAT(text, Catch::EndsWith(R"("payload":101.2345})"));
  // Either form reads back, whatever this converter writes.
  REQUIRE(read(base64, text).value == value);
  REQUIRE(read(numeric, write(base64, schema, value)).value == value);
  REQUIRE_THROWS_AS(configured({{"decimal.format", "HEX"}}), ConfigError);
}

TEST_CASE("JsonConverter replace.null.with.default decides what a null field becomes", "[converters][json]") {
  auto schema = SchemaBuilder::struct_()
                    .field("n", SchemaBuilder::int32().optional().default_value(std::int32_t{9}).build())
                    .build();
  Struct s(schema);
  auto replacing = configured();
  auto keeping = configured({{"replace.null.with.default", "false"}});
  REQUIRE_THAT(write(replacing, schema, s), Catch::EndsWith(R"("payload":{"n":9}})"));
  REQUIRE_THAT(write(keeping, schema, s), Catch::EndsWith(R"("payload":{"n":null}})"));
  auto text = write(keeping, schema, s);
  REQUIRE(read(keeping, text).value.as<Struct>().get("n").is_null());
  REQUIRE(read(replacing, text).value.as<Struct>().get("n") == Value(std::int32_t{9}));
}

TEST_CASE("JsonConverter parses each distinct schema text once", "[converters][json]") {
  auto c = configured();
  auto first = read(c, R"({"schema":{"type":"string","optional":true,"name":"a"},"payload":"x"})");
  auto second = read(c, R"({"schema":{"type":"string","optional":true,"name":"a"},"payload":"y"})");
  REQUIRE(first.schema == second.schema);  // the same object: a cache hit
  REQUIRE(second.value == Value("y"));
  auto uncached = configured({{"schemas.cache.size", "0"}});
  auto a = read(uncached, R"({"schema":{"type":"string"},"payload":"x"})");
  auto b = read(uncached, R"({"schema":{"type":"string"},"payload":"x"})");
  REQUIRE(a.schema != b.schema);
  REQUIRE(*a.schema == *b.schema);
}

TEST_CASE("JsonConverter encodes a schema once and reuses the text for later records", "[converters][json]") {
  auto c = configured({{"schemas.cache.size", "2"}});
  auto schema = reference_schema();
  // Many schemas in turn: entries are evicted and re-encoded, the output never changes.
  for (int round = 0; round < 3; ++round) {
    REQUIRE(write(c, schema, reference_value()) == kReferenceEnvelope);
    for (int i = 0; i < 3; ++i) {
      auto other = SchemaBuilder::int32().name("n" + std::to_string(i)).build();
      REQUIRE(write(c, other, Value(std::int32_t{i})) ==
              R"({"schema":{"type":"int32","optional":false,"name":"n)" + std::to_string(i) +
                  R"("},"payload":)" + std::to_string(i) + "}");
    }
  }
}

TEST_CASE("JsonConverter converts header values like record values", "[converters][json]") {
  JsonConverter c;
  c.configure(ConfigMap{{"converter.type", "header"}});
  auto data = c.from_connect_header("t", "h", schemas::int16(), Value(std::int16_t{7}));
  REQUIRE(text_of(data) == R"({"schema":{"type":"int16","optional":false},"payload":7})");
  auto back = c.to_connect_header("t", "h", &*data);
  REQUIRE(back.value == Value(std::int16_t{7}));
  REQUIRE_THROWS_AS(configured({{"converter.type", "sideways"}}), ConfigError);
}

TEST_CASE("JsonConverter documents every configuration key", "[converters][json]") {
  const auto& def = JsonConverter::definition();
  for (const char* key : {"schemas.enable", "schemas.cache.size", "decimal.format",
                          "replace.null.with.default", "converter.type"}) {
    INFO(key);
    REQUIRE(def.find(key) != nullptr);
    REQUIRE_FALSE(def.find(key)->documentation.empty());
  }
  REQUIRE(*def.find("schemas.enable")->default_value.text() == "true");
  REQUIRE(*def.find("schemas.cache.size")->default_value.text() == "1000");
  REQUIRE(*def.find("decimal.format")->default_value.text() == "BASE64");
  REQUIRE_THROWS_AS(configured({{"schemas.cache.size", "-1"}}), ConfigError);
}

TEST_CASE("JsonConverter reads a run of records with one schema exactly, and still refuses a bad one",
          "[converters][json]") {
  JsonConverter c = configured();
  const std::string schema = R"({"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":false})";
  auto envelope = [&](const std::string& payload) { return R"({"schema":)" + schema + R"(,"payload":)" + payload + "}"; };
  for (int i = 0; i < 3; ++i) {
    auto got = read(c, envelope(R"({"id":)" + std::to_string(i) + "}"));
    REQUIRE(got.value.as<Struct>().get("id") == Value(std::int32_t{i}));
  }
  // Same prefix, but not the two-member form: the shortcut must not accept it.
  REQUIRE_THROWS_AS(read(c, envelope(R"({"id":7},"extra":1)")), DataError);
  REQUIRE_THROWS_AS(read(c, envelope(R"({"id":"seven"})")), DataError);
  // A different schema afterwards is read as that schema.
  auto other = read(c, R"({"schema":{"type":"string","optional":false},"payload":"x"})");
  REQUIRE(other.schema->type() == Type::kString);
  REQUIRE(other.value == Value("x"));
}

namespace {

// A Debezium-like envelope exercising every type: what passing must reproduce exactly.
std::pair<SchemaPtr, Value> mixed_record(bool null_fields) {
  auto row = SchemaBuilder::struct_()
                 .name("p.public.t.Value")
                 .optional()
                 .field("i8", schemas::int8())
                 .field("i16", SchemaBuilder::int16().optional().build())
                 .field("i64", schemas::int64())
                 .field("f32", SchemaBuilder::float32().optional().build())
                 .field("f64", schemas::float64())
                 .field("flag", SchemaBuilder::boolean().optional().default_value(true).build())
                 .field("s", SchemaBuilder::string().optional().default_value(std::string("dflt")).build())
                 .field("b", SchemaBuilder::bytes().optional().build())
                 .field("price", logical::decimal(2).optional().build())
                 .field("tags", SchemaBuilder::array(schemas::optional_string()).optional().build())
                 .field("attrs", SchemaBuilder::map(schemas::string(), schemas::optional_int32()).optional().build())
                 .field("ids", SchemaBuilder::map(schemas::int32(), schemas::string()).optional().build())
                 .build();
  auto envelope = SchemaBuilder::struct_()
                      .name("p.public.t.Envelope")
                      .version(2)
                      .doc("change")
                      .field("before", row)
                      .field("after", row)
                      .field("op", schemas::string())
                      .field("ts_ms", schemas::optional_int64())
                      .build();
  Struct after(row);
  after.put("i8", std::int8_t{-3}).put("i64", std::int64_t{1} << 40).put("f64", 0.1);
  after.put("b", Bytes{0, 255, 7}).put("price", logical::decimal_from_unscaled(-152));
  if (!null_fields) {
    after.put("i16", std::int16_t{300}).put("f32", std::numeric_limits<float>::quiet_NaN());
    after.put("flag", false).put("s", std::string("h\u00e9llo \"x\"\n"));
    after.put("tags", Array{Value("a"), Value(), Value("c")});
    after.put("attrs", Map{{Value("k"), Value(std::int32_t{1})}, {Value("z"), Value()}});
    after.put("ids", Map{{Value(std::int32_t{2}), Value("two")}});
  }
  Struct e(envelope);
  e.put("after", std::move(after)).put("op", "c");
  return {envelope, Value(std::move(e))};
}

// Bit-level float equality (NaN == NaN), for comparing round trips.
bool same(const Value& a, const Value& b);
bool same(const std::vector<Value>& a, const std::vector<Value>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!same(a[i], b[i])) return false;
  }
  return true;
}
bool same(const Value& a, const Value& b) {
  if (auto* f = a.get_if<float>()) return b.is<float>() && std::memcmp(f, b.get_if<float>(), sizeof(float)) == 0;
  if (auto* s = a.get_if<Struct>()) {
    return b.is<Struct>() && *s->schema() == *b.as<Struct>().schema() && same(s->values(), b.as<Struct>().values());
  }
  if (auto* x = a.get_if<Array>()) return b.is<Array>() && same(*x, b.as<Array>());
  if (auto* m = a.get_if<Map>()) {
    const auto* n = b.get_if<Map>();
    if (!n || m->size() != n->size()) return false;
    for (std::size_t i = 0; i < m->size(); ++i) {
      if (!same((*m)[i].first, (*n)[i].first) || !same((*m)[i].second, (*n)[i].second)) return false;
    }
    return true;
  }
  return a == b;
}

}  // namespace

TEST_CASE("JsonConverter's pass() gives what the round trip through the bytes gives", "[converters][json]") {
  for (const char* replace : {"true", "false"}) {
    for (bool null_fields : {false, true}) {
      DYNAMIC_SECTION("replace.null.with.default=" << replace << (null_fields ? ", null fields" : "")) {
        auto c = configured({{"replace.null.with.default", replace}});
        REQUIRE(c.passes_records());
        auto [schema, value] = mixed_record(null_fields);
        Bytes written = *c.from_connect_data("t", {}, schema, value);
        SchemaAndValue read_back = c.to_connect_data("t", {}, &written);

        SchemaPtr passed_schema = schema;
        Value passed = value;
        REQUIRE(c.pass(passed_schema, passed));
        REQUIRE(*passed_schema == *read_back.schema);
        REQUIRE(same(passed, read_back.value));
        // The nulls that have defaults are what tell the two settings apart.
        const Value& s = passed.as<Struct>().get("after").as<Struct>().get("s");
        if (!null_fields) {
          REQUIRE(s == Value("h\u00e9llo \"x\"\n"));
        } else if (std::string(replace) == "true") {
          REQUIRE(s == Value("dflt"));
        } else {
          REQUIRE(s.is_null());
        }
      }
    }
  }
}

TEST_CASE("JsonConverter passes tombstones and refuses what its conversion would refuse", "[converters][json]") {
  auto c = configured();
  SchemaPtr schema = schemas::string();
  Value tombstone;
  REQUIRE(c.pass(schema, tombstone));
  REQUIRE(schema == nullptr);  // absent bytes read back as a null schema

  SchemaPtr row = SchemaBuilder::struct_().field("n", schemas::int32()).build();
  Value missing{Struct(row)};
  REQUIRE_FALSE(c.pass(row, missing));  // a required field without default is null
  SchemaPtr required = schemas::int32();
  Value wrong_type(std::int64_t{1});
  REQUIRE_FALSE(c.pass(required, wrong_type));
  SchemaPtr none;
  Value schemaless(std::int32_t{1});
  REQUIRE_FALSE(c.pass(none, schemaless));  // would read back as int64

  REQUIRE_FALSE(configured({{"schemas.enable", "false"}}).passes_records());
  REQUIRE_FALSE(configured({{"decimal.format", "NUMERIC"}}).passes_records());
}
