// PostgresSinkDatabase DDL and value round trips: every ColumnKind gets its PostgreSQL type, and
// every value written through COPY reads back as PostgreSQL prints it.
#include <catch2/catch.hpp>

#include <sluice/errors.h>

#include <cmath>
#include <limits>

#include "sink_test_support.h"

using namespace sluice;
using namespace sluice::jdbc;
using namespace sluice::testing;

namespace {

// Connect Decimal bytes: big-endian two's complement of the unscaled value, minimal length.
Bytes unscaled(std::int64_t v) {
  Bytes out;
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
  while (out.size() > 1 && ((out[0] == 0x00 && !(out[1] & 0x80)) || (out[0] == 0xff && (out[1] & 0x80)))) {
    out.erase(out.begin());
  }
  return out;
}

ColumnType decimal_type(std::optional<int> precision, std::optional<int> scale) {
  ColumnType t = kind_type(ColumnKind::kDecimal);
  t.precision = precision;
  t.scale = scale;
  return t;
}

ColumnType varchar_type(int length) {
  ColumnType t = kind_type(ColumnKind::kString);
  t.length = length;
  return t;
}

TableSpec every_kind_table(const std::string& name) {
  return TableSpec{{"", name},
                   {column("id", ColumnKind::kInt32, false), column("c_bool", ColumnKind::kBoolean),
                    column("c_int8", ColumnKind::kInt8), column("c_int16", ColumnKind::kInt16),
                    column("c_int32", ColumnKind::kInt32), column("c_int64", ColumnKind::kInt64),
                    column("c_float32", ColumnKind::kFloat32), column("c_float64", ColumnKind::kFloat64),
                    column("c_text", ColumnKind::kString), column("c_varchar", varchar_type(20)),
                    column("c_bytes", ColumnKind::kBytes), column("c_numeric", decimal_type(10, 2)),
                    column("c_numeric_free", decimal_type(std::nullopt, 3)), column("c_date", ColumnKind::kDate),
                    column("c_time_ms", ColumnKind::kTimeMillis), column("c_time_us", ColumnKind::kTimeMicros),
                    column("c_time_ns", ColumnKind::kTimeNanos), column("c_timetz", ColumnKind::kZonedTime),
                    column("c_ts_ms", ColumnKind::kTimestampMillis), column("c_ts_us", ColumnKind::kTimestampMicros),
                    column("c_ts_ns", ColumnKind::kTimestampNanos), column("c_tstz", ColumnKind::kZonedTimestamp),
                    column("c_uuid", ColumnKind::kUuid), column("c_json", ColumnKind::kJson),
                    column("c_text_array", array_of(kind_type(ColumnKind::kString))),
                    column("c_int_array", array_of(kind_type(ColumnKind::kInt32))),
                    column("c_int_matrix", array_of(array_of(kind_type(ColumnKind::kInt32)))),
                    column("c_bytes_array", array_of(kind_type(ColumnKind::kBytes))),
                    column("c_ts_array", array_of(kind_type(ColumnKind::kTimestampMicros)))},
                   {"id"}};
}

std::vector<Value> full_row() {
  return {Value(std::int32_t{1}),
          Value(true),
          Value(std::int8_t{-128}),
          Value(std::int16_t{32767}),
          Value(std::int32_t{-2147483647 - 1}),
          Value(std::int64_t{9223372036854775807}),
          Value(0.1f),
          Value(0.1),
          Value("tab\there\nnew \\ back 'q' \"d\"\r"),
          Value("varchar"),
          Value(Bytes{0x00, 0xff, 0x5c, 0x0a}),
          Value(unscaled(-1234)),
          Value(unscaled(1234567)),
          Value(std::int32_t{19753}),
          Value(std::int32_t{47045123}),
          Value(std::int64_t{47045123456}),
          Value(std::int64_t{47045123456789}),
          Value("13:04:05.123Z"),
          Value(std::int64_t{1706706245123}),
          Value(std::int64_t{1706706245123456}),
          Value(std::int64_t{1706706245123456789}),
          Value("2024-01-31T13:04:05.123456+02:00"),
          Value("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
          Value("{\"a\": [1, 2], \"b\": \"x\\ty\"}"),
          Value(Array{Value("a,b"), Value("q\"x"), Value(nullptr), Value("back\\slash"), Value("sp ace")}),
          Value(Array{Value(std::int32_t{1}), Value(std::int32_t{2}), Value(std::int32_t{3})}),
          Value(Array{Value(Array{Value(std::int32_t{1}), Value(std::int32_t{2})}),
                      Value(Array{Value(std::int32_t{3}), Value(std::int32_t{4})})}),
          Value(Array{Value(Bytes{0x01, 0xab})}),
          Value(Array{Value(std::int64_t{1706706245123456})})};
}

std::string select_all_as_text(const std::string& table, int id) {
  const TableSpec spec = every_kind_table(table);
  std::string sql = "SELECT ";
  for (std::size_t i = 1; i < spec.columns.size(); ++i) sql += (i > 1 ? ", " : "") + spec.columns[i].name + "::text";
  return sql + " FROM " + table + " WHERE id = " + std::to_string(id);
}

}  // namespace

TEST_CASE("create_table gives every column kind its PostgreSQL type, key and nullability", "[jdbc_postgres]") {
  auto db = open_sink("types-ddl");
  const TableSpec spec = every_kind_table("every_kind_ddl");
  REQUIRE_FALSE(db->describe(spec.id).has_value());
  db->create_table(spec);

  auto existing = db->describe(spec.id);
  REQUIRE(existing.has_value());
  REQUIRE(existing->primary_key == std::vector<std::string>{"id"});
  std::vector<std::string> types;
  for (const auto& c : existing->columns) types.push_back(c.name + " " + c.sql_type + (c.nullable ? "" : " NOT NULL"));
  REQUIRE(types == std::vector<std::string>{
                       "id integer NOT NULL", "c_bool boolean", "c_int8 smallint", "c_int16 smallint",
                       "c_int32 integer", "c_int64 bigint", "c_float32 real", "c_float64 double precision",
                       "c_text text", "c_varchar character varying(20)", "c_bytes bytea",
                       "c_numeric numeric(10,2)", "c_numeric_free numeric", "c_date date",
                       "c_time_ms time(3) without time zone", "c_time_us time(6) without time zone",
                       "c_time_ns time(6) without time zone", "c_timetz time with time zone",
                       "c_ts_ms timestamp(3) without time zone", "c_ts_us timestamp(6) without time zone",
                       "c_ts_ns timestamp(6) without time zone", "c_tstz timestamp with time zone",
                       "c_uuid uuid", "c_json jsonb", "c_text_array text[]", "c_int_array integer[]",
                       "c_int_matrix integer[]", "c_bytes_array bytea[]",
                       "c_ts_array timestamp(6) without time zone[]"});
  REQUIRE(db->sql_type(decimal_type(2000, 2)) == "numeric");
}

TEST_CASE("Every column kind round-trips through COPY and through parameters", "[jdbc_postgres]") {
  const StagedPath path(GENERATE(false, true));
  drop_tables({"every_kind_values"});
  auto db = open_sink("types-roundtrip");
  const TableSpec spec = every_kind_table("every_kind_values");
  db->create_table(spec);
  std::vector<Value> nulls(spec.columns.size());
  nulls[0] = Value(std::int32_t{2});
  db->apply({batch_of(spec, {RowOp{RowOpKind::kUpsert, {Value(std::int32_t{1})}, full_row(), 0, 0},
                              RowOp{RowOpKind::kUpsert, {Value(std::int32_t{2})}, nulls, 0, 0}},
                      InsertMode::kUpsert, "")},
            {});

  REQUIRE(query_rows(select_all_as_text("every_kind_values", 1)) ==
          std::vector<std::string>{
              "true|-128|32767|-2147483648|9223372036854775807|0.1|0.1|tab\there\nnew \\ back 'q' \"d\"\r|varchar|"
              "\\x00ff5c0a|-12.34|1234.567|2024-01-31|13:04:05.123|13:04:05.123456|13:04:05.123456|13:04:05.123+00|"
              "2024-01-31 13:04:05.123|2024-01-31 13:04:05.123456|2024-01-31 13:04:05.123456|"
              "2024-01-31 11:04:05.123456+00|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|{\"a\": [1, 2], \"b\": \"x\\ty\"}|"
              "{\"a,b\",\"q\\\"x\",NULL,\"back\\\\slash\",\"sp ace\"}|{1,2,3}|{{1,2},{3,4}}|{\"\\\\x01ab\"}|"
              "{\"2024-01-31 13:04:05.123456\"}"});
  std::string all_null;
  for (std::size_t i = 1; i < spec.columns.size(); ++i) all_null += (i > 1 ? "|" : "") + std::string("<null>");
  REQUIRE(query_rows(select_all_as_text("every_kind_values", 2)) == std::vector<std::string>{all_null});
}

TEST_CASE("Floats keep full precision and PostgreSQL's special values", "[jdbc_postgres]") {
  const StagedPath path(GENERATE(false, true));
  drop_tables({"float_values"});
  auto db = open_sink("types-floats");
  TableSpec spec{{"", "float_values"},
                 {column("id", ColumnKind::kInt32, false), column("f4", ColumnKind::kFloat32),
                  column("f8", ColumnKind::kFloat64)},
                 {"id"}};
  db->create_table(spec);
  auto row = [](int id, float f4, double f8) {
    return RowOp{RowOpKind::kUpsert, {Value(std::int32_t{id})}, {Value(std::int32_t{id}), Value(f4), Value(f8)}, 0, 0};
  };
  const float inf_f = std::numeric_limits<float>::infinity();
  const double inf_d = std::numeric_limits<double>::infinity();
  db->apply({batch_of(spec,
                      {row(1, 3.4028235e38f, 1.7976931348623157e308), row(2, -inf_f, inf_d),
                       row(3, std::nanf(""), std::nan("")), row(4, 1.17549435e-38f, 4.9406564584124654e-324),
                       row(5, 0.333333343f, 0.1 + 0.2)},
                      InsertMode::kUpsert, "")},
            {});
  REQUIRE(query_rows("SELECT id, f4, f8 FROM float_values WHERE id < 900000000 ORDER BY id") ==
          std::vector<std::string>{"1|3.4028235e+38|1.7976931348623157e+308", "2|-Infinity|Infinity", "3|NaN|NaN",
                                   "4|1.1754944e-38|5e-324", "5|0.33333334|0.30000000000000004"});
}

TEST_CASE("A text value with a NUL character is a DataError and writes nothing", "[jdbc_postgres]") {
  const StagedPath path(GENERATE(false, true));
  drop_tables({"nul_values"});
  auto db = open_sink("types-nul");
  TableSpec spec = keyed_table("nul_values");
  db->create_table(spec);
  auto bad = upsert_row(1, std::string("a\0b", 3), 1);
  REQUIRE_THROWS_AS(db->apply({batch_of(spec, {upsert_row(2, "fine", 1), bad})}, {}), DataError);
  REQUIRE(query_rows("SELECT count(*) FROM nul_values WHERE id < 900000000") == std::vector<std::string>{"0"});
  db->apply({batch_of(spec, {upsert_row(2, "fine", 1)})}, {});
  REQUIRE(query_rows("SELECT id, name FROM nul_values WHERE id < 900000000") == std::vector<std::string>{"2|fine"});
}

TEST_CASE("Unquoted names fold to lower case; quote.identifiers keeps them as given", "[jdbc_postgres]") {
  const StagedPath path(GENERATE(false, true));
  drop_tables({"\"order\"", "\"MixedCase\""});
  SECTION("folded") {
    auto db = open_sink("names-folded");
    TableSpec spec{{"", "Order"}, {column("ID", ColumnKind::kInt64, false), column("User", ColumnKind::kString)}, {"ID"}};
    db->create_table(spec);
    auto existing = db->describe(TableId{"", "ORDER"});
    REQUIRE(existing.has_value());
    REQUIRE(existing->columns.at(0).name == "id");
    REQUIRE(existing->columns.at(1).name == "user");
    REQUIRE(db->describe(TableId{"public", "order"}).has_value());
    db->apply({batch_of(spec, {RowOp{RowOpKind::kUpsert, {Value(std::int64_t{1})}, {Value(std::int64_t{1}), Value("x")}}},
                        InsertMode::kUpsert, "")},
              {});
    REQUIRE(query_rows("SELECT id, \"user\" FROM \"order\" WHERE id < 900000000") == std::vector<std::string>{"1|x"});
  }
  SECTION("quoted as given") {
    auto db = open_sink("names-quoted", true);
    TableSpec spec{{"", "MixedCase"}, {column("Id", ColumnKind::kInt64, false), column("Name", ColumnKind::kString)}, {"Id"}};
    db->create_table(spec);
    REQUIRE_FALSE(db->describe(TableId{"", "mixedcase"}).has_value());
    auto existing = db->describe(spec.id);
    REQUIRE(existing.has_value());
    REQUIRE(existing->primary_key == std::vector<std::string>{"Id"});
    db->apply({batch_of(spec, {RowOp{RowOpKind::kUpsert, {Value(std::int64_t{7})}, {Value(std::int64_t{7}), Value("y")}}},
                        InsertMode::kUpsert, "")},
              {});
    REQUIRE(query_rows("SELECT \"Id\", \"Name\" FROM \"MixedCase\" WHERE \"Id\" < 900000000") == std::vector<std::string>{"7|y"});
  }
}

TEST_CASE("add_columns adds nullable columns that later rows fill", "[jdbc_postgres]") {
  const StagedPath path(GENERATE(false, true));
  drop_tables({"evolving"});
  auto db = open_sink("evolution");
  TableSpec spec = keyed_table("evolving");
  db->create_table(spec);
  db->apply({batch_of(spec, {upsert_row(1, "old", 10)})}, {});

  ColumnSpec added = column("score", ColumnKind::kInt32, false);
  db->add_columns(spec.id, {added, column("tags", array_of(kind_type(ColumnKind::kString)))});
  db->add_columns(spec.id, {added});  // already there: nothing happens
  auto existing = db->describe(spec.id);
  REQUIRE(existing->columns.size() == 5);
  REQUIRE(existing->column("score")->nullable);

  spec.columns.push_back(added);
  spec.columns.push_back(column("tags", array_of(kind_type(ColumnKind::kString))));
  RowOp row{RowOpKind::kUpsert, {Value(std::int64_t{2})},
            {Value(std::int64_t{2}), Value("new"), Value(std::int64_t{11}), Value(std::int32_t{5}),
             Value(Array{Value("x")})}, 11, 0};
  db->apply({batch_of(spec, {row})}, {});
  REQUIRE(query_rows("SELECT id, name, score, tags FROM evolving WHERE id < 900000000 ORDER BY id") ==
          std::vector<std::string>{"1|old|<null>|<null>", "2|new|5|{x}"});
}
