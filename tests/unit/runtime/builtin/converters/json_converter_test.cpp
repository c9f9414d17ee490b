#include <catch2/catch.hpp>

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
