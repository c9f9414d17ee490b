#include <catch2/catch.hpp>

#include "record_transforms.h"
#include "sluice/errors.h"

using namespace sluice;
using sluice::test::key_record;
using sluice::test::transform;
using sluice::test::value_record;

namespace {
// 2021-03-04T05:06:07.089Z
constexpr std::int64_t kInstant = 1614834367089;
constexpr std::int32_t kDays = 18690;
constexpr std::int32_t kMillisOfDay = 18367089;
const char* kFormat = "yyyy-MM-dd'T'HH:mm:ss.SSSX";
const char* kFormatted = "2021-03-04T05:06:07.089Z";

std::unique_ptr<Transform> converter(const std::string& target, ConfigMap extra = {}, const char* variant = "Value") {
  extra["target.type"] = target;
  return transform(std::string("TimestampConverter$") + variant, extra);
}

const SchemaPtr& timestamp_schema() {
  static const SchemaPtr s = logical::timestamp().build();
  return s;
}
}  // namespace

TEST_CASE("TimestampConverter turns a schema'd Timestamp value into each target type", "[transforms][timestamp_converter]") {
  auto to_string = converter("string", {{"format", kFormat}})->apply(value_record(timestamp_schema(), kInstant));
  CHECK(*to_string->value_schema == *schemas::string());
  CHECK(to_string->value == Value(kFormatted));

  auto to_unix = converter("unix")->apply(value_record(timestamp_schema(), kInstant));
  CHECK(*to_unix->value_schema == *schemas::int64());
  CHECK(to_unix->value == Value(kInstant));

  auto to_date = converter("Date")->apply(value_record(timestamp_schema(), kInstant));
  CHECK(to_date->value_schema->name() == logical::kDateName);
  CHECK(to_date->value == Value(kDays));

  auto to_time = converter("Time")->apply(value_record(timestamp_schema(), kInstant));
  CHECK(to_time->value_schema->name() == logical::kTimeName);
  CHECK(to_time->value == Value(kMillisOfDay));
}

TEST_CASE("TimestampConverter reads strings, unix numbers, Dates and Times by their schema", "[transforms][timestamp_converter]") {
  auto t = converter("Timestamp", {{"format", kFormat}});
  auto from_string = t->apply(value_record(schemas::string(), kFormatted));
  CHECK(from_string->value_schema->name() == logical::kTimestampName);
  CHECK(from_string->value == Value(kInstant));
  CHECK(t->apply(value_record(schemas::int64(), kInstant))->value == Value(kInstant));
  CHECK(t->apply(value_record(logical::date().build(), kDays))->value == Value(std::int64_t{kDays} * 86'400'000));
  CHECK(t->apply(value_record(logical::time().build(), kMillisOfDay))->value == Value(std::int64_t{kMillisOfDay}));
}

TEST_CASE("TimestampConverter honours unix.precision in both directions", "[transforms][timestamp_converter]") {
  CHECK(converter("unix", {{"unix.precision", "seconds"}})->apply(value_record(timestamp_schema(), kInstant))->value ==
        Value(std::int64_t{1614834367}));
  CHECK(converter("unix", {{"unix.precision", "microseconds"}})->apply(value_record(timestamp_schema(), kInstant))->value ==
        Value(kInstant * 1000));
  CHECK(converter("unix", {{"unix.precision", "nanoseconds"}})->apply(value_record(timestamp_schema(), kInstant))->value ==
        Value(kInstant * 1'000'000));
  CHECK(converter("Timestamp", {{"unix.precision", "seconds"}})->apply(value_record(schemas::int64(), std::int64_t{1614834367}))->value ==
        Value(kInstant - 89));
  CHECK(converter("Timestamp", {{"unix.precision", "nanoseconds"}})
            ->apply(value_record(schemas::int64(), kInstant * 1'000'000 + 999'999))
            ->value == Value(kInstant));
}

TEST_CASE("TimestampConverter keeps optional schemas optional and nulls null", "[transforms][timestamp_converter]") {
  auto out = converter("unix")->apply(value_record(logical::timestamp().optional().build(), Value()));
  CHECK(out->value_schema->optional());
  CHECK(out->value_schema->type() == Type::kInt64);
  CHECK(out->value.is_null());
}

TEST_CASE("TimestampConverter converts one struct field and leaves the others", "[transforms][timestamp_converter]") {
  auto schema = SchemaBuilder::struct_().name("order").version(3)
                    .field("id", schemas::int32())
                    .field("ts", schemas::string())
                    .build();
  Struct value(schema);
  value.put("id", std::int32_t{7}).put("ts", kFormatted);
  auto t = converter("Timestamp", {{"field", "ts"}, {"format", kFormat}});
  auto out = t->apply(value_record(schema, value));
  REQUIRE(out->value_schema->name() == "order");
  CHECK(out->value_schema->version() == 3);
  CHECK(out->value_schema->field("ts")->schema->name() == logical::kTimestampName);
  const auto& s = out->value.as<Struct>();
  CHECK(s.get("id") == Value(std::int32_t{7}));
  CHECK(s.get("ts") == Value(kInstant));
  CHECK_NOTHROW(s.validate());

  SECTION("the derived schema is built once per input schema") {
    auto again = t->apply(value_record(schema, value));
    CHECK(again->value_schema == out->value_schema);
  }
}

TEST_CASE("TimestampConverter substitutes a null field's default unless told not to", "[transforms][timestamp_converter]") {
  auto field_schema = logical::timestamp().optional().default_value(std::int64_t{0}).build();
  auto schema = SchemaBuilder::struct_().field("ts", field_schema).build();
  Struct value(schema);
  CHECK(converter("unix", {{"field", "ts"}})->apply(value_record(schema, value))->value.as<Struct>().get("ts") ==
        Value(std::int64_t{0}));
  CHECK(converter("unix", {{"field", "ts"}, {"replace.null.with.default", "false"}})
            ->apply(value_record(schema, value))
            ->value.as<Struct>()
            .get("ts")
            .is_null());
}

TEST_CASE("TimestampConverter reaches nested fields with field.syntax.version=V2", "[transforms][timestamp_converter]") {
  auto inner = SchemaBuilder::struct_().field("at", timestamp_schema()).build();
  auto schema = SchemaBuilder::struct_().field("meta.data", inner).field("at", timestamp_schema()).build();
  Struct in(inner);
  in.put("at", kInstant);
  Struct value(schema);
  value.put("meta.data", in).put("at", kInstant);
  auto out = converter("Date", {{"field", "`meta.data`.at"}, {"field.syntax.version", "V2"}})->apply(value_record(schema, value));
  const auto& s = out->value.as<Struct>();
  CHECK(s.get("meta.data").as<Struct>().get("at") == Value(kDays));
  CHECK(s.get("at") == Value(kInstant));
  CHECK_NOTHROW(s.validate());

  Map nested = string_map({{"a", Value(string_map({{"b", kInstant}}))}});
  auto schemaless = converter("Date", {{"field", "a.b"}, {"field.syntax.version", "V2"}})->apply(value_record(nullptr, nested));
  CHECK(*map_find(map_find(schemaless->value.as<Map>(), "a")->as<Map>(), "b") == Value(kDays));
}

TEST_CASE("TimestampConverter without a schema infers strings and unix longs", "[transforms][timestamp_converter]") {
  auto whole = converter("string", {{"format", "yyyyMMdd"}})->apply(value_record(nullptr, kInstant));
  CHECK(whole->value_schema == nullptr);
  CHECK(whole->value == Value("20210304"));

  Map value = string_map({{"id", 1}, {"ts", kFormatted}});
  auto field = converter("unix", {{"field", "ts"}, {"format", kFormat}})->apply(value_record(nullptr, value));
  CHECK(*map_find(field->value.as<Map>(), "ts") == Value(kInstant));
  CHECK(*map_find(field->value.as<Map>(), "id") == Value(1));
}

TEST_CASE("TimestampConverter$Key converts the key and leaves the value", "[transforms][timestamp_converter]") {
  auto r = key_record(timestamp_schema(), kInstant);
  r.value = Value(kInstant);
  auto out = converter("Date", {}, "Key")->apply(std::move(r));
  CHECK(out->key == Value(kDays));
  CHECK(out->key_schema->name() == logical::kDateName);
  CHECK(out->value == Value(kInstant));
}

TEST_CASE("TimestampConverter rejects bad configuration", "[transforms][timestamp_converter]") {
  CHECK_THROWS_AS(transform("TimestampConverter$Value", {}), ConfigError);
  CHECK_THROWS_AS(converter("date"), ConfigError);
  CHECK_THROWS_AS(converter("string"), ConfigError);  // string needs a format
  CHECK_THROWS_AS(converter("string", {{"format", "yyyy-ww"}}), ConfigError);
  CHECK_THROWS_AS(converter("unix", {{"unix.precision", "minutes"}}), ConfigError);
  CHECK_THROWS_AS(converter("unix", {{"field.syntax.version", "V3"}}), ConfigError);
}

TEST_CASE("TimestampConverter reports data it cannot convert", "[transforms][timestamp_converter]") {
  CHECK_THROWS_AS(converter("Timestamp", {{"format", kFormat}})->apply(value_record(schemas::string(), "yesterday")),
                  DataError);
  CHECK_THROWS_AS(converter("Timestamp")->apply(value_record(schemas::string(), kFormatted)), DataError);  // no format
  CHECK_THROWS_AS(converter("Timestamp")->apply(value_record(schemas::boolean(), true)), DataError);
  CHECK_THROWS_AS(converter("Timestamp")->apply(value_record(nullptr, std::int32_t{5})), DataError);
  CHECK_THROWS_AS(converter("Timestamp", {{"field", "ts"}})->apply(value_record(nullptr, "not a map")), DataError);
  CHECK_THROWS_AS(converter("Timestamp", {{"field", "ts"}})->apply(value_record(schemas::int64(), kInstant)), DataError);
}
