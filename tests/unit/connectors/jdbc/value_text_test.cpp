#include <catch2/catch.hpp>

#include "sluice/errors.h"
#include "value_text.h"

using namespace sluice;
using namespace sluice::jdbc;

TEST_CASE("decimal_text renders Connect decimals and VariableScaleDecimal", "[jdbc]") {
  ColumnType t;
  t.kind = ColumnKind::kDecimal;
  t.scale = 3;
  CHECK(decimal_text(Value(logical::decimal_from_unscaled(-12340)), t) == "-12.340");
  t.scale = 0;
  CHECK(decimal_text(Value(logical::decimal_from_unscaled(1234)), t) == "1234");
  auto vsd_schema = SchemaBuilder::struct_()
                        .name("io.debezium.data.VariableScaleDecimal")
                        .field("scale", schemas::int32())
                        .field("value", schemas::bytes())
                        .build();
  Struct vsd(vsd_schema);
  vsd.put("scale", std::int32_t{1}).put("value", logical::decimal_from_unscaled(5));
  ColumnType variable;
  variable.kind = ColumnKind::kDecimal;
  CHECK(decimal_text(Value(vsd), variable) == "0.5");
  CHECK_THROWS_AS(decimal_text(Value("1.5"), variable), DataError);
}

TEST_CASE("date_text renders proleptic Gregorian dates", "[jdbc]") {
  CHECK(date_text(0) == "1970-01-01");
  CHECK(date_text(19753) == "2024-01-31");
  CHECK(date_text(19782) == "2024-02-29");
  CHECK(date_text(-1) == "1969-12-31");
  CHECK(date_text(-719162) == "0001-01-01");
  CHECK(date_text(2932896) == "9999-12-31");
}

TEST_CASE("time_text drops trailing zero fraction digits", "[jdbc]") {
  CHECK(time_text(0) == "00:00:00");
  CHECK(time_text(47045123456LL) == "13:04:05.123456");
  CHECK(time_text(47045120000LL) == "13:04:05.12");
  CHECK(time_text(86399999999LL) == "23:59:59.999999");
  CHECK(time_text(86400000000LL) == "24:00:00");  // time '24:00:00' is a valid value
  CHECK(time_text(86400000001LL) == "00:00:00.000001");
}

TEST_CASE("timestamp_text renders UTC microseconds, also before the epoch", "[jdbc]") {
  CHECK(timestamp_text(0) == "1970-01-01 00:00:00");
  CHECK(timestamp_text(1706706245123456LL) == "2024-01-31 13:04:05.123456");
  CHECK(timestamp_text(-1) == "1969-12-31 23:59:59.999999");
}

TEST_CASE("to_micros scales each time unit", "[jdbc]") {
  CHECK(to_micros(ColumnKind::kTimeMillis, Value(std::int32_t{1500})) == 1500000);
  CHECK(to_micros(ColumnKind::kTimestampMillis, Value(std::int64_t{2})) == 2000);
  CHECK(to_micros(ColumnKind::kTimeMicros, Value(std::int64_t{7})) == 7);
  CHECK(to_micros(ColumnKind::kTimestampNanos, Value(std::int64_t{1999})) == 1);
  CHECK(to_micros(ColumnKind::kTimestampNanos, Value(std::int64_t{-1})) == -1);
  CHECK_THROWS_AS(to_micros(ColumnKind::kString, Value(std::int64_t{1})), DataError);
}

TEST_CASE("json_text renders structs as objects and decimals as numbers", "[jdbc]") {
  auto schema = SchemaBuilder::struct_()
                    .field("id", schemas::int32())
                    .field("price", logical::decimal(2).build())
                    .field("tags", SchemaBuilder::array(schemas::string()).build())
                    .build();
  Struct s(schema);
  s.put("id", std::int32_t{7})
      .put("price", logical::decimal_from_unscaled(1999))
      .put("tags", Array{Value("a"), Value("b")});
  CHECK(json_text(Value(s), schema.get()) == R"({"id":7,"price":19.99,"tags":["a","b"]})");
  CHECK(json_text(Value(Map{{Value("k"), Value(std::int64_t{1})}}), nullptr) == R"({"k":1})");
}
