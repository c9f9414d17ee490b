#include <catch2/catch.hpp>

#include "sluice/errors.h"
#include "table_model.h"

using namespace sluice;
using sluice::jdbc::column_type_for;
using sluice::jdbc::ColumnKind;

namespace {
SchemaPtr named(SchemaBuilder b, std::string name) { return b.name(std::move(name)).build(); }
ColumnKind kind_of(const SchemaPtr& s) { return column_type_for(*s, "f").kind; }
}  // namespace

TEST_CASE("column_type_for maps Connect primitive types", "[jdbc]") {
  CHECK(kind_of(schemas::boolean()) == ColumnKind::kBoolean);
  CHECK(kind_of(schemas::int8()) == ColumnKind::kInt8);
  CHECK(kind_of(schemas::int16()) == ColumnKind::kInt16);
  CHECK(kind_of(schemas::optional_int32()) == ColumnKind::kInt32);
  CHECK(kind_of(schemas::int64()) == ColumnKind::kInt64);
  CHECK(kind_of(schemas::float32()) == ColumnKind::kFloat32);
  CHECK(kind_of(schemas::float64()) == ColumnKind::kFloat64);
  CHECK(kind_of(schemas::string()) == ColumnKind::kString);
  CHECK(kind_of(schemas::bytes()) == ColumnKind::kBytes);
}

TEST_CASE("column_type_for maps Connect logical types", "[jdbc]") {
  auto dec = logical::decimal(3).parameter(std::string(logical::kPrecisionParameter), "10").build();
  auto t = column_type_for(*dec, "price");
  CHECK(t.kind == ColumnKind::kDecimal);
  CHECK(t.scale == 3);
  CHECK(t.precision == 10);
  CHECK(kind_of(logical::date().build()) == ColumnKind::kDate);
  CHECK(kind_of(logical::time().build()) == ColumnKind::kTimeMillis);
  CHECK(kind_of(logical::timestamp().build()) == ColumnKind::kTimestampMillis);
}

TEST_CASE("column_type_for maps Debezium time types", "[jdbc]") {
  CHECK(kind_of(named(SchemaBuilder::int32(), "io.debezium.time.Date")) == ColumnKind::kDate);
  CHECK(kind_of(named(SchemaBuilder::int32(), "io.debezium.time.Time")) == ColumnKind::kTimeMillis);
  CHECK(kind_of(named(SchemaBuilder::int64(), "io.debezium.time.MicroTime")) == ColumnKind::kTimeMicros);
  CHECK(kind_of(named(SchemaBuilder::int64(), "io.debezium.time.NanoTime")) == ColumnKind::kTimeNanos);
  CHECK(kind_of(named(SchemaBuilder::string(), "io.debezium.time.ZonedTime")) == ColumnKind::kZonedTime);
  CHECK(kind_of(named(SchemaBuilder::int64(), "io.debezium.time.Timestamp")) ==
        ColumnKind::kTimestampMillis);
  CHECK(kind_of(named(SchemaBuilder::int64(), "io.debezium.time.MicroTimestamp")) ==
        ColumnKind::kTimestampMicros);
  CHECK(kind_of(named(SchemaBuilder::int64(), "io.debezium.time.NanoTimestamp")) ==
        ColumnKind::kTimestampNanos);
  CHECK(kind_of(named(SchemaBuilder::string(), "io.debezium.time.ZonedTimestamp")) ==
        ColumnKind::kZonedTimestamp);
  CHECK(kind_of(named(SchemaBuilder::int32(), "io.debezium.time.Year")) == ColumnKind::kInt32);
  CHECK(kind_of(named(SchemaBuilder::int64(), "io.debezium.time.MicroDuration")) == ColumnKind::kInt64);
}

TEST_CASE("column_type_for maps Debezium data types", "[jdbc]") {
  CHECK(kind_of(named(SchemaBuilder::string(), "io.debezium.data.Json")) == ColumnKind::kJson);
  CHECK(kind_of(named(SchemaBuilder::string(), "io.debezium.data.Uuid")) == ColumnKind::kUuid);
  CHECK(kind_of(named(SchemaBuilder::string(), "io.debezium.data.Enum")) == ColumnKind::kString);
  CHECK(kind_of(named(SchemaBuilder::string(), "io.debezium.data.EnumSet")) == ColumnKind::kString);
  CHECK(kind_of(named(SchemaBuilder::string(), "io.debezium.data.Xml")) == ColumnKind::kString);
  CHECK(kind_of(named(SchemaBuilder::bytes(), "io.debezium.data.Bits")) == ColumnKind::kBytes);
  auto vsd = SchemaBuilder::struct_()
                 .name("io.debezium.data.VariableScaleDecimal")
                 .field("scale", schemas::int32())
                 .field("value", schemas::bytes())
                 .build();
  auto t = column_type_for(*vsd, "amount");
  CHECK(t.kind == ColumnKind::kDecimal);
  CHECK_FALSE(t.scale.has_value());
}

TEST_CASE("column_type_for keeps a source column length on strings", "[jdbc]") {
  auto s = SchemaBuilder::string().parameter("__debezium.source.column.length", "64").build();
  CHECK(column_type_for(*s, "name").length == 64);
  CHECK_FALSE(column_type_for(*schemas::string(), "name").length.has_value());
}

TEST_CASE("column_type_for maps arrays, structs and maps", "[jdbc]") {
  auto arr = SchemaBuilder::array(logical::date().build()).build();
  auto t = column_type_for(*arr, "days");
  REQUIRE(t.kind == ColumnKind::kArray);
  REQUIRE(t.element);
  CHECK(t.element->kind == ColumnKind::kDate);
  auto st = SchemaBuilder::struct_().field("x", schemas::int32()).build();
  CHECK(kind_of(st) == ColumnKind::kJson);
  CHECK(kind_of(SchemaBuilder::map(schemas::string(), schemas::int32()).build()) == ColumnKind::kJson);
}

TEST_CASE("column_type_for refuses a semantic name on the wrong physical type", "[jdbc]") {
  auto bad = named(SchemaBuilder::string(), "io.debezium.time.MicroTimestamp");
  CHECK_THROWS_AS(column_type_for(*bad, "ts"), DataError);
}

TEST_CASE("ColumnType equality compares array elements deeply", "[jdbc]") {
  auto a = column_type_for(*SchemaBuilder::array(schemas::int32()).build(), "a");
  auto b = column_type_for(*SchemaBuilder::array(schemas::int32()).build(), "b");
  auto c = column_type_for(*SchemaBuilder::array(schemas::int64()).build(), "c");
  CHECK(a == b);
  CHECK_FALSE(a == c);
}
