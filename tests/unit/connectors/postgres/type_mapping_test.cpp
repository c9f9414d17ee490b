// PostgreSQL text values -> Connect schemas and values, compared with what Debezium's PostgreSQL
// connector documents and emits for the same column types.
#include "type_mapping.h"

#include <catch2/catch.hpp>

#include <cmath>

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

constexpr Oid kMoodOid = 16400, kMoodArrayOid = 16401, kPriceDomainOid = 16500, kHstoreOid = 16600,
              kVectorOid = 16700, kPriceArrayOid = 16501;

TypeRegistry test_registry() {
  TypeRegistry r;
  TypeInfo mood;
  mood.oid = kMoodOid, mood.namespace_name = "public", mood.name = "mood", mood.type_kind = 'e',
  mood.category = 'E', mood.enum_labels = {"sad", "ok", "happy"};
  r.add(mood);
  TypeInfo moods;
  moods.oid = kMoodArrayOid, moods.name = "_mood", moods.category = 'A', moods.element_oid = kMoodOid;
  r.add(moods);
  TypeInfo price;  // CREATE DOMAIN price AS numeric(8,3)
  price.oid = kPriceDomainOid, price.name = "price", price.type_kind = 'd', price.base_oid = 1700,
  price.base_typmod = (8 << 16 | 3) + 4;
  r.add(price);
  TypeInfo prices;
  prices.oid = kPriceArrayOid, prices.name = "_price", prices.category = 'A', prices.element_oid = kPriceDomainOid;
  r.add(prices);
  TypeInfo hstore;
  hstore.oid = kHstoreOid, hstore.namespace_name = "public", hstore.name = "hstore";
  r.add(hstore);
  TypeInfo vector;
  vector.oid = kVectorOid, vector.name = "vector";
  r.add(vector);
  return r;
}

TypeMappingOptions options(ConfigMap config = {}) { return TypeMappingOptions::from_config(config); }

ColumnMapping mapping(Oid oid, std::int32_t typmod = -1, const TypeMappingOptions& opts = options(),
                      bool optional = true) {
  static const TypeRegistry registry = test_registry();
  return map_column({"col", oid, typmod, optional}, registry, opts);
}

// Converts and checks that the value is valid for the column's schema.
Value convert(const ColumnMapping& m, std::string_view text) {
  Value v = m.convert(text);
  validate_value(m.schema(), v);
  return v;
}

constexpr std::int32_t numeric_typmod(int precision, int scale) { return (precision << 16 | scale) + 4; }

std::string param(const ColumnMapping& m, std::string_view key) {
  const std::string* p = m.schema()->parameter(key);
  return p ? *p : "<none>";
}

}  // namespace

TEST_CASE("Mapping options parse Debezium's keys and report every bad value", "[postgres][type_mapping]") {
  auto defaults = options();
  CHECK(defaults.decimal_mode == DecimalHandlingMode::kPrecise);
  CHECK(defaults.time_precision_mode == TimePrecisionMode::kAdaptive);
  CHECK(defaults.binary_mode == BinaryHandlingMode::kBytes);
  CHECK(defaults.hstore_mode == HstoreHandlingMode::kJson);
  CHECK(defaults.interval_mode == IntervalHandlingMode::kNumeric);
  CHECK(defaults.money_fraction_digits == 2);
  CHECK_FALSE(defaults.include_unknown_datatypes);

  auto o = options({{"decimal.handling.mode", "STRING"}, {"time.precision.mode", "connect"},
                    {"binary.handling.mode", "base64-url-safe"}, {"hstore.handling.mode", "map"},
                    {"interval.handling.mode", "string"}, {"money.fraction.digits", "4"},
                    {"include.unknown.datatypes", "true"}});
  CHECK(o.decimal_mode == DecimalHandlingMode::kString);
  CHECK(o.time_precision_mode == TimePrecisionMode::kConnect);
  CHECK(o.binary_mode == BinaryHandlingMode::kBase64UrlSafe);
  CHECK(o.hstore_mode == HstoreHandlingMode::kMap);
  CHECK(o.interval_mode == IntervalHandlingMode::kString);
  CHECK(o.money_fraction_digits == 4);
  CHECK(o.include_unknown_datatypes);

  try {
    options({{"decimal.handling.mode", "exact"}, {"money.fraction.digits", "two"}, {"time.precision.mode", "isostring"}});
    FAIL("expected ConfigError");
  } catch (const ConfigError& e) {
    REQUIRE(e.problems().size() == 3);
    CHECK(e.problems()[0].key == "decimal.handling.mode");
  }
}

TEST_CASE("Booleans, integers and floating point", "[postgres][type_mapping]") {
  CHECK(convert(mapping(16), "t") == Value(true));
  CHECK(convert(mapping(16), "f") == Value(false));
  CHECK(mapping(16).schema()->type() == Type::kBoolean);
  CHECK(convert(mapping(21), "-32768") == Value(std::int16_t{-32768}));
  CHECK(convert(mapping(23), "2147483647") == Value(std::int32_t{2147483647}));
  CHECK(convert(mapping(20), "-9223372036854775808") == Value(std::numeric_limits<std::int64_t>::min()));
  CHECK(convert(mapping(26), "4294967295") == Value(std::int64_t{4294967295}));
  CHECK(convert(mapping(700), "1.5") == Value(1.5f));
  CHECK(convert(mapping(701), "-1.25e-05") == Value(-1.25e-05));
  CHECK(std::isnan(convert(mapping(701), "NaN").as<double>()));
  CHECK(convert(mapping(701), "-Infinity") == Value(-std::numeric_limits<double>::infinity()));
  CHECK(convert(mapping(700), "Infinity") == Value(std::numeric_limits<float>::infinity()));
}

TEST_CASE("Nullable columns get optional schemas; NOT NULL columns required ones", "[postgres][type_mapping]") {
  auto nullable = mapping(23);
  CHECK(nullable.schema()->optional());
  CHECK(nullable.convert(std::nullopt).is_null());
  auto required = mapping(23, -1, options(), false);
  CHECK_FALSE(required.schema()->optional());
  CHECK(*required.schema() == *schemas::int32());
  auto ts = mapping(1184, -1, options(), false);
  CHECK(ts.schema()->name() == "io.debezium.time.ZonedTimestamp");
  CHECK_FALSE(ts.schema()->optional());
}

TEST_CASE("Bad text names the column and the value", "[postgres][type_mapping]") {
  auto check_bad = [](const ColumnMapping& m, std::string_view text) {
    try {
      (void)m.convert(text);
      FAIL("expected DataError for " << text);
    } catch (const DataError& e) {
      std::string what = e.what();
      CHECK(what.find("'col'") != std::string::npos);
      CHECK_THAT(what, Catch::Contains(std::string(text)));
    }
  };
  check_bad(mapping(23), "12x");
  check_bad(mapping(23), "99999999999");
  check_bad(mapping(16), "yes");
  check_bad(mapping(1700, numeric_typmod(10, 2)), "1.2.3");
  check_bad(mapping(1082), "2024-13-01");
  check_bad(mapping(1083), "25:00:00");
  check_bad(mapping(1184), "2024-01-02 03:04:05");
  check_bad(mapping(17), "\\x0g");
  CHECK_THROWS_WITH(mapping(1007).convert("{1,two}"), Catch::Contains("'col'") && Catch::Contains("'two'"));
  check_bad(mapping(1007), "{1,2");
  check_bad(mapping(1186), "3 fortnights");
}

TEST_CASE("numeric(p,s) is a Decimal with scale and precision parameters", "[postgres][type_mapping]") {
  auto m = mapping(1700, numeric_typmod(10, 2));
  CHECK(m.schema()->type() == Type::kBytes);
  CHECK(m.schema()->name() == "org.apache.kafka.connect.data.Decimal");
  CHECK(m.schema()->version() == 1);
  CHECK(param(m, "scale") == "2");
  CHECK(param(m, "connect.decimal.precision") == "10");
  CHECK(convert(m, "12.34") == Value(logical::decimal_from_unscaled(1234)));
  CHECK(convert(m, "-0.05") == Value(logical::decimal_from_unscaled(-5)));
  CHECK(convert(mapping(1700, numeric_typmod(5, 0)), "12345") == Value(logical::decimal_from_unscaled(12345)));
  CHECK_THROWS_AS(m.convert("NaN"), DataError);
}

TEST_CASE("Unconstrained numeric is a VariableScaleDecimal struct", "[postgres][type_mapping]") {
  auto m = mapping(1700);
  const auto& s = *m.schema();
  CHECK(s.type() == Type::kStruct);
  CHECK(s.name() == "io.debezium.data.VariableScaleDecimal");
  CHECK(s.version() == 1);
  REQUIRE(s.fields().size() == 2);
  CHECK(s.fields()[0].name == "scale");
  CHECK(*s.fields()[0].schema == *schemas::int32());
  CHECK(s.fields()[1].name == "value");
  CHECK(*s.fields()[1].schema == *schemas::bytes());
  auto check = [&](std::string_view text, std::int32_t scale, std::int64_t unscaled) {
    Value v = convert(m, text);
    CHECK(v.as<Struct>().get("scale") == Value(scale));
    CHECK(v.as<Struct>().get("value") == Value(logical::decimal_from_unscaled(unscaled)));
  };
  check("12.340", 2, 1234);
  check("1200", 0, 1200);
  check("0.00", 0, 0);
  check("-3.14159", 5, -314159);
  CHECK_THROWS_AS(m.convert("NaN"), DataError);
}

TEST_CASE("decimal.handling.mode double and string", "[postgres][type_mapping]") {
  auto as_double = options({{"decimal.handling.mode", "double"}});
  auto d = mapping(1700, numeric_typmod(10, 2), as_double);
  CHECK(*d.schema() == *schemas::optional_float64());
  CHECK(convert(d, "12.34") == Value(12.34));
  CHECK(std::isnan(convert(mapping(1700, -1, as_double), "NaN").as<double>()));

  auto as_string = options({{"decimal.handling.mode", "string"}});
  auto s = mapping(1700, numeric_typmod(10, 2), as_string);
  CHECK(*s.schema() == *schemas::optional_string());
  CHECK(convert(s, "12.34") == Value("12.34"));
  CHECK(convert(mapping(1700, -1, as_string), "NaN") == Value("NAN"));
  CHECK(convert(mapping(1700, -1, as_string), "0.0000001") == Value("1E-7"));  // BigDecimal.toString
  CHECK(convert(mapping(1700, -1, as_string), "0.000001") == Value("0.000001"));
}

TEST_CASE("money is a Decimal scaled by money.fraction.digits", "[postgres][type_mapping]") {
  auto m = mapping(790);
  CHECK(m.schema()->name() == "org.apache.kafka.connect.data.Decimal");
  CHECK(param(m, "scale") == "2");
  CHECK(param(m, "connect.decimal.precision") == "<none>");
  CHECK(convert(m, "$1,234.56") == Value(logical::decimal_from_unscaled(123456)));
  CHECK(convert(m, "-$1,234.56") == Value(logical::decimal_from_unscaled(-123456)));
  CHECK(convert(m, "$0.00") == Value(logical::decimal_from_unscaled(0)));
  auto three = mapping(790, -1, options({{"money.fraction.digits", "3"}}));
  CHECK(param(three, "scale") == "3");
  CHECK(convert(three, "$1,234.56") == Value(logical::decimal_from_unscaled(1234560)));
  CHECK(convert(mapping(790, -1, options({{"decimal.handling.mode", "double"}})), "-$12.50") == Value(-12.5));
  auto s = mapping(790, -1, options({{"decimal.handling.mode", "string"}}));
  CHECK(convert(s, "$1,234.56") == Value("1234.56"));
  CHECK(convert(s, "$92,233,720.00") == Value("9.223372E7"));  // Double.toString
}

TEST_CASE("Character, network, range and other text types are strings", "[postgres][type_mapping]") {
  for (Oid oid : {25u, 1043u, 1042u, 18u, 19u, 869u, 650u, 829u, 774u, 3904u, 3910u, 600u, 3615u}) {
    auto m = mapping(oid);
    CHECK(*m.schema() == *schemas::optional_string());
  }
  CHECK(convert(mapping(1042), "ab  ") == Value("ab  "));
  CHECK(convert(mapping(869), "192.168.0.1/24") == Value("192.168.0.1/24"));
  CHECK(convert(mapping(600), "(1,2)") == Value("(1,2)"));
}

TEST_CASE("uuid, json, jsonb, xml, tsvector carry Debezium's semantic names", "[postgres][type_mapping]") {
  auto check = [](Oid oid, std::string_view name, std::string_view text) {
    auto m = mapping(oid);
    CHECK(m.schema()->type() == Type::kString);
    CHECK(m.schema()->name() == name);
    CHECK(m.schema()->version() == 1);
    CHECK(convert(m, text) == Value(text));
  };
  check(2950, "io.debezium.data.Uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  check(114, "io.debezium.data.Json", "{\"a\": [1, 2]}");
  check(3802, "io.debezium.data.Json", "{\"a\": [1, 2]}");
  check(142, "io.debezium.data.Xml", "<a>b</a>");
  check(3614, "io.debezium.data.Tsvector", "'cat':1 'fat':2");
}

TEST_CASE("bytea follows binary.handling.mode", "[postgres][type_mapping]") {
  auto bytes = mapping(17);
  CHECK(*bytes.schema() == *schemas::optional_bytes());
  CHECK(convert(bytes, "\\x0102ff") == Value(Bytes{1, 2, 255}));
  CHECK(convert(bytes, "\\x") == Value(Bytes{}));
  CHECK(convert(bytes, "a\\\\\\001") == Value(Bytes{'a', '\\', 1}));  // bytea_output=escape
  auto b64 = mapping(17, -1, options({{"binary.handling.mode", "base64"}}));
  CHECK(*b64.schema() == *schemas::optional_string());
  CHECK(convert(b64, "\\x0102ff") == Value("AQL/"));
  CHECK(convert(b64, "\\x01") == Value("AQ=="));
  CHECK(convert(mapping(17, -1, options({{"binary.handling.mode", "base64-url-safe"}})), "\\x0102ff") == Value("AQL_"));
  CHECK(convert(mapping(17, -1, options({{"binary.handling.mode", "hex"}})), "\\x0102FF") == Value("0102ff"));
}

TEST_CASE("date is io.debezium.time.Date days, or Connect Date", "[postgres][type_mapping]") {
  auto m = mapping(1082);
  CHECK(m.schema()->name() == "io.debezium.time.Date");
  CHECK(m.schema()->type() == Type::kInt32);
  CHECK(convert(m, "2024-01-02") == Value(std::int32_t{19724}));
  CHECK(convert(m, "1969-12-31") == Value(std::int32_t{-1}));
  CHECK(convert(m, "0001-01-01 BC") == Value(std::int32_t{-719528}));
  // Debezium's infinity dates are LocalDate -5877611-06-21 / -22, i.e. 5877612 BC.
  CHECK(convert(m, "infinity") == convert(m, "5877612-06-21 BC"));
  CHECK(convert(m, "-infinity") == convert(m, "5877612-06-22 BC"));
  auto connect = mapping(1082, -1, options({{"time.precision.mode", "connect"}}));
  CHECK(connect.schema()->name() == "org.apache.kafka.connect.data.Date");
  CHECK(convert(connect, "2024-01-02") == Value(std::int32_t{19724}));
}

TEST_CASE("time precision decides Time vs MicroTime", "[postgres][type_mapping]") {
  auto micro = mapping(1083, 6);
  CHECK(micro.schema()->name() == "io.debezium.time.MicroTime");
  CHECK(micro.schema()->type() == Type::kInt64);
  CHECK(convert(micro, "10:11:12.5") == Value(std::int64_t{36672500000}));
  CHECK(convert(micro, "24:00:00") == Value(std::int64_t{86400000000}));
  CHECK(mapping(1083).schema()->name() == "io.debezium.time.MicroTime");
  auto milli = mapping(1083, 3);
  CHECK(milli.schema()->name() == "io.debezium.time.Time");
  CHECK(milli.schema()->type() == Type::kInt32);
  CHECK(convert(milli, "10:11:12.5") == Value(std::int32_t{36672500}));
  auto always_micro = mapping(1083, 3, options({{"time.precision.mode", "adaptive_time_microseconds"}}));
  CHECK(always_micro.schema()->name() == "io.debezium.time.MicroTime");
  CHECK(convert(always_micro, "00:00:01.001") == Value(std::int64_t{1001000}));
  auto connect = mapping(1083, 6, options({{"time.precision.mode", "connect"}}));
  CHECK(connect.schema()->name() == "org.apache.kafka.connect.data.Time");
  CHECK(convert(connect, "10:11:12.123456") == Value(std::int32_t{36672123}));
  auto nano = mapping(1083, 6, options({{"time.precision.mode", "nanoseconds"}}));
  CHECK(nano.schema()->name() == "io.debezium.time.NanoTime");
  CHECK(convert(nano, "00:00:00.000001") == Value(std::int64_t{1000}));
}

TEST_CASE("timestamp is Timestamp, MicroTimestamp or NanoTimestamp", "[postgres][type_mapping]") {
  constexpr std::int64_t kMicros = 1704164645123456;  // 2024-01-02 03:04:05.123456 UTC
  auto micro = mapping(1114);
  CHECK(micro.schema()->name() == "io.debezium.time.MicroTimestamp");
  CHECK(convert(micro, "2024-01-02 03:04:05.123456") == Value(kMicros));
  CHECK(convert(micro, "1969-12-31 23:59:59.999999") == Value(std::int64_t{-1}));
  CHECK(convert(micro, "infinity") == Value(std::int64_t{9223372036825200000}));
  CHECK(convert(micro, "-infinity") == Value(std::int64_t{-9223372036832400000}));
  auto milli = mapping(1114, 3);
  CHECK(milli.schema()->name() == "io.debezium.time.Timestamp");
  CHECK(convert(milli, "2024-01-02 03:04:05.123") == Value(std::int64_t{1704164645123}));
  auto connect = mapping(1114, 6, options({{"time.precision.mode", "connect"}}));
  CHECK(connect.schema()->name() == "org.apache.kafka.connect.data.Timestamp");
  CHECK(convert(connect, "2024-01-02 03:04:05.123456") == Value(std::int64_t{1704164645123}));
  CHECK(convert(connect, "1969-12-31 23:59:59.9995") == Value(std::int64_t{-1}));  // floors
  auto nano = mapping(1114, 6, options({{"time.precision.mode", "nanoseconds"}}));
  CHECK(nano.schema()->name() == "io.debezium.time.NanoTimestamp");
  CHECK(convert(nano, "2024-01-02 03:04:05.123456") == Value(kMicros * 1000));
  CHECK(convert(micro, "0001-01-01 00:00:00 BC") == Value(std::int64_t{-719528} * 86400000000));
}

TEST_CASE("timestamptz is a ZonedTimestamp string in UTC", "[postgres][type_mapping]") {
  auto m = mapping(1184);
  CHECK(m.schema()->name() == "io.debezium.time.ZonedTimestamp");
  CHECK(m.schema()->version() == 1);
  CHECK(convert(m, "2024-01-02 03:04:05.123456+01") == Value("2024-01-02T02:04:05.123456Z"));
  CHECK(convert(m, "2024-01-02 03:04:05+00") == Value("2024-01-02T03:04:05.000000Z"));
  CHECK(convert(m, "2024-01-01 00:10:00+05:30") == Value("2023-12-31T18:40:00.000000Z"));
  CHECK(convert(m, "1900-01-01 00:00:00+00:19:32") == Value("1899-12-31T23:40:28.000000Z"));
  CHECK(convert(m, "0044-03-15 12:00:00+00 BC") == Value("-0043-03-15T12:00:00.000000Z"));
  CHECK(convert(m, "infinity") == Value("infinity"));
  CHECK(convert(m, "-infinity") == Value("-infinity"));
  CHECK(convert(mapping(1184, 3), "2024-01-02 03:04:05.1-02") == Value("2024-01-02T05:04:05.100Z"));
  CHECK(convert(mapping(1184, 0), "2024-01-02 03:04:05+00") == Value("2024-01-02T03:04:05Z"));
}

TEST_CASE("timetz is a ZonedTime string in UTC", "[postgres][type_mapping]") {
  auto m = mapping(1266);
  CHECK(m.schema()->name() == "io.debezium.time.ZonedTime");
  CHECK(convert(m, "10:11:12.5+02") == Value("08:11:12.5Z"));
  CHECK(convert(m, "01:00:00-03:30") == Value("04:30:00Z"));
  CHECK(convert(m, "01:00:00.123456+02") == Value("23:00:00.123456Z"));
}

TEST_CASE("interval is MicroDuration or an ISO-8601 Interval string", "[postgres][type_mapping]") {
  auto m = mapping(1186);
  CHECK(m.schema()->name() == "io.debezium.time.MicroDuration");
  CHECK(m.schema()->type() == Type::kInt64);
  CHECK(convert(m, "1 year 2 mons 3 days 04:05:06.78") == Value(std::int64_t{37091106780000}));
  CHECK(convert(m, "1 mon") == Value(std::int64_t{2629800000000}));  // 365.25 / 12 days
  CHECK(convert(m, "-1 days +02:00:00") == Value(std::int64_t{-79200000000}));
  CHECK(convert(m, "00:00:00") == Value(std::int64_t{0}));
  auto s = mapping(1186, -1, options({{"interval.handling.mode", "string"}}));
  CHECK(s.schema()->name() == "io.debezium.time.Interval");
  CHECK(convert(s, "1 year 2 mons 3 days 04:05:06.78") == Value("P1Y2M3DT4H5M6.78S"));
  CHECK(convert(s, "00:00:00") == Value("P0Y0M0DT0H0M0S"));
  CHECK(convert(s, "-04:05:06.5") == Value("P0Y0M0DT-4H-5M-6.5S"));
  CHECK(convert(s, "-2 years 100:00:00") == Value("P-2Y0M0DT100H0M0S"));
}

TEST_CASE("bit(1) is boolean; bit(n) and varbit are little-endian Bits", "[postgres][type_mapping]") {
  auto one = mapping(1560, 1);
  CHECK(*one.schema() == *schemas::optional_boolean());
  CHECK(convert(one, "1") == Value(true));
  CHECK(convert(one, "0") == Value(false));
  auto three = mapping(1560, 3);
  CHECK(three.schema()->name() == "io.debezium.data.Bits");
  CHECK(three.schema()->type() == Type::kBytes);
  CHECK(param(three, "length") == "3");
  CHECK(convert(three, "101") == Value(Bytes{0x05}));
  CHECK(convert(three, "000") == Value(Bytes{}));
  CHECK(convert(mapping(1560, 16), "0000000100000010") == Value(Bytes{0x02, 0x01}));
  auto varbit = mapping(1562);
  CHECK(param(varbit, "length") == "2147483647");
  CHECK(convert(varbit, "100000000") == Value(Bytes{0x00, 0x01}));
}

TEST_CASE("Enums carry their labels in the allowed parameter", "[postgres][type_mapping]") {
  auto m = mapping(kMoodOid);
  CHECK(m.schema()->name() == "io.debezium.data.Enum");
  CHECK(m.schema()->version() == 1);
  CHECK(param(m, "allowed") == "sad,ok,happy");
  CHECK(convert(m, "ok") == Value("ok"));
  auto array = mapping(kMoodArrayOid);
  CHECK(array.schema()->type() == Type::kArray);
  CHECK(array.schema()->value_schema()->name() == "io.debezium.data.Enum");
  CHECK_FALSE(array.schema()->value_schema()->optional());  // as Debezium declares enum elements
  CHECK(convert(array, "{sad,happy}") == Value(Array{Value("sad"), Value("happy")}));
}

TEST_CASE("Domains map as their base type with the domain's typmod", "[postgres][type_mapping]") {
  auto m = mapping(kPriceDomainOid);
  CHECK(m.schema()->name() == "org.apache.kafka.connect.data.Decimal");
  CHECK(param(m, "scale") == "3");
  CHECK(param(m, "connect.decimal.precision") == "8");
  CHECK(convert(m, "1.500") == Value(logical::decimal_from_unscaled(1500)));
  auto array = mapping(kPriceArrayOid);
  CHECK(convert(array, "{1.500,NULL}") == Value(Array{Value(logical::decimal_from_unscaled(1500)), Value()}));
}

TEST_CASE("Arrays map element-wise with optional elements", "[postgres][type_mapping]") {
  auto ints = mapping(1007);
  CHECK(ints.schema()->type() == Type::kArray);
  CHECK(*ints.schema()->value_schema() == *schemas::optional_int32());
  CHECK(convert(ints, "{1,NULL,3}") == Value(Array{Value(std::int32_t{1}), Value(), Value(std::int32_t{3})}));
  CHECK(convert(ints, "{}") == Value(Array{}));
  CHECK(convert(ints, "[0:1]={5,6}") == Value(Array{Value(std::int32_t{5}), Value(std::int32_t{6})}));
  CHECK_THROWS_AS(ints.convert("{{1,2},{3,4}}"), DataError);
  CHECK_THROWS_AS(ints.convert("{1,2"), DataError);

  auto texts = mapping(1009);
  CHECK(convert(texts, R"({"a b","c\"d",NULL,"NULL",plain,"x\\y"})") ==
        Value(Array{Value("a b"), Value("c\"d"), Value(), Value("NULL"), Value("plain"), Value("x\\y")}));

  auto numerics = mapping(1231, numeric_typmod(10, 2));
  CHECK(numerics.schema()->value_schema()->name() == "org.apache.kafka.connect.data.Decimal");
  CHECK(convert(numerics, "{1.50,-2.25}") ==
        Value(Array{Value(logical::decimal_from_unscaled(150)), Value(logical::decimal_from_unscaled(-225))}));
  auto variable = mapping(1231);
  Value v = convert(variable, "{1.5}");
  CHECK(v.as<Array>()[0].as<Struct>().get("scale") == Value(std::int32_t{1}));

  CHECK(convert(mapping(1185), R"({"2024-01-02 03:04:05+00"})") == Value(Array{Value("2024-01-02T03:04:05.000000Z")}));
  CHECK(convert(mapping(1001), R"({"\\x01ff"})") == Value(Array{Value(Bytes{1, 255})}));
  CHECK(convert(mapping(1020), "{(1,1),(0,0);(2,2),(1,1)}") == Value(Array{Value("(1,1),(0,0)"), Value("(2,2),(1,1)")}));
}

TEST_CASE("hstore is a Json string or a map", "[postgres][type_mapping]") {
  auto json = mapping(kHstoreOid);
  CHECK(json.schema()->name() == "io.debezium.data.Json");
  CHECK(convert(json, R"("a"=>"1", "b"=>NULL, "q\"k"=>"x\\y")") == Value(R"({"a":"1","b":null,"q\"k":"x\\y"})"));
  CHECK(convert(json, "") == Value("{}"));
  auto map = mapping(kHstoreOid, -1, options({{"hstore.handling.mode", "map"}}));
  CHECK(map.schema()->type() == Type::kMap);
  CHECK(*map.schema()->key_schema() == *schemas::string());
  CHECK(*map.schema()->value_schema() == *schemas::optional_string());
  CHECK(convert(map, R"("a"=>"1", "b"=>NULL)") == Value(Map{{Value("a"), Value("1")}, {Value("b"), Value()}}));
}

TEST_CASE("Unknown types are left out unless include.unknown.datatypes", "[postgres][type_mapping]") {
  auto dropped = mapping(kVectorOid);
  CHECK_FALSE(dropped.included());
  CHECK(dropped.schema() == nullptr);
  CHECK_FALSE(mapping(99999).included());
  auto kept = mapping(kVectorOid, -1, options({{"include.unknown.datatypes", "true"}}));
  REQUIRE(kept.included());
  CHECK(*kept.schema() == *schemas::optional_bytes());
  CHECK(convert(kept, "[1,2]") == Value(Bytes{'[', '1', ',', '2', ']'}));
}

TEST_CASE("TypeRegistry reads rows of its load query", "[postgres][type_mapping]") {
  TypeRegistry r;
  using Cell = std::optional<std::string_view>;
  std::vector<Cell> mood{"16400", "public", "mood", "e", "E", "0", "0", "-1", ",", R"({sad,ok,"very happy"})"};
  std::vector<Cell> domain{"16500", "public", "price", "d", "N", "0", "1700", "524295", ",", std::nullopt};
  r.add_row(mood);
  r.add_row(domain);
  REQUIRE(r.find(16400) != nullptr);
  CHECK(r.find(16400)->is_enum());
  CHECK(r.find(16400)->enum_labels == std::vector<std::string>{"sad", "ok", "very happy"});
  CHECK(r.find(16500)->is_domain());
  CHECK(r.find(16500)->base_typmod == 524295);
  CHECK(r.find(1) == nullptr);
  std::vector<Cell> bad{"x16", "public", "t", "b", "U", "0", "0", "-1", ",", std::nullopt};
  CHECK_THROWS_AS(r.add_row(bad), ConnectError);
  CHECK(TypeRegistry::kLoadQuery.find("pg_enum") != std::string_view::npos);
}

TEST_CASE("parse_array_text handles quoting, escapes and NULL", "[postgres][type_mapping]") {
  auto items = parse_array_text(R"({ a , "b,c" ,null,"",\"q})");
  REQUIRE(items.size() == 5);
  CHECK(items[0] == "a");
  CHECK(items[1] == "b,c");
  CHECK_FALSE(items[2].has_value());
  CHECK(items[3] == "");
  CHECK(items[4] == "\"q");
  CHECK_THROWS_AS(parse_array_text("1,2"), DataError);
  CHECK_THROWS_AS(parse_array_text("{1,2}x"), DataError);
}
