// MysqlSinkDatabase DDL and value round trips: every ColumnKind gets its MySQL type, every value
// bound to a prepared statement reads back as MariaDB prints it, and describe() reports what
// exists.
#include <catch2/catch.hpp>

#include <sluice/errors.h>

#include <sstream>

#include "mysql_sink_test_support.h"

using namespace sluice;
using namespace sluice::jdbc;
using namespace sluice::testing;

namespace {

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

ColumnType array_of(ColumnType element) {
  ColumnType t = kind_type(ColumnKind::kArray);
  t.element = std::make_shared<const ColumnType>(std::move(element));
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
                    column("c_numeric_scale", decimal_type(std::nullopt, 3)),
                    column("c_numeric_free", decimal_type(std::nullopt, std::nullopt)),
                    column("c_date", ColumnKind::kDate), column("c_time_ms", ColumnKind::kTimeMillis),
                    column("c_time_us", ColumnKind::kTimeMicros), column("c_time_ns", ColumnKind::kTimeNanos),
                    column("c_timetz", ColumnKind::kZonedTime), column("c_ts_ms", ColumnKind::kTimestampMillis),
                    column("c_ts_us", ColumnKind::kTimestampMicros), column("c_ts_ns", ColumnKind::kTimestampNanos),
                    column("c_tstz", ColumnKind::kZonedTimestamp), column("c_uuid", ColumnKind::kUuid),
                    column("c_json", ColumnKind::kJson), column("c_json_map", ColumnKind::kJson),
                    column("c_text_array", array_of(kind_type(ColumnKind::kString))),
                    column("c_int_array", array_of(kind_type(ColumnKind::kInt32)))},
                   {"id"}};
}

const std::string kAwkwardText = "tab\there\nnew \\ back 'q' \"d\" \xc3\xa9 \xf0\x9f\x98\x80";

std::vector<Value> full_row() {
  return {Value(std::int32_t{1}),
          Value(true),
          Value(std::int8_t{-128}),
          Value(std::int16_t{32767}),
          Value(std::int32_t{-2147483647 - 1}),
          Value(std::int64_t{9223372036854775807}),
          Value(0.5f),
          Value(0.1),
          Value(kAwkwardText),
          Value("varchar"),
          Value(Bytes{0x00, 0xff, 0x5c, 0x0a}),
          Value(logical::decimal_from_unscaled(-1234)),
          Value(logical::decimal_from_unscaled(1234567)),
          Value(logical::decimal_from_unscaled(42)),
          Value(std::int32_t{19753}),                          // 2024-01-31
          Value(std::int32_t{47045123}),                       // 13:04:05.123
          Value(std::int64_t{47045123456}),                    // 13:04:05.123456
          Value(std::int64_t{47045123456789}),                 // 13:04:05.123456789
          Value("13:04:05.5+02:00"),                           // 11:04:05.5 UTC
          Value(std::int64_t{1706706245123}),                  // 2024-01-31 13:04:05.123
          Value(std::int64_t{-1}),                             // 1969-12-31 23:59:59.999999
          Value(std::int64_t{1706706245123456789}),            // .123456 (nanos truncated)
          Value("2024-01-31T15:04:05.123456+02:00"),           // 13:04:05.123456 UTC
          Value("f47ac10b-58cc-4372-a567-0e02b2c3d479"),
          Value("{\"a\": [1, 2]}"),
          Value(string_map({{"k", Value(std::int32_t{1})}})),
          Value(Array{Value("a"), Value("b\"c")}),
          Value(Array{Value(std::int32_t{1}), Value(), Value(std::int32_t{3})})};
}

std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  for (std::string field; std::getline(in, field, '\t');) out.push_back(field);
  return out;
}

}  // namespace

TEST_CASE("MysqlSinkDatabase creates a column of its MySQL type for every ColumnKind", "[mysql]") {
  auto db = open_sink("types-ddl");
  db->create_table(every_kind_table("every_kind"));
  auto rows = rows_of(
      "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS"
      " WHERE TABLE_SCHEMA = 'app' AND TABLE_NAME = 'every_kind' ORDER BY ORDINAL_POSITION");
  CHECK(rows == std::vector<std::string>{
                    "id\tint(11)\tNO",           "c_bool\ttinyint(1)\tYES",
                    "c_int8\ttinyint(4)\tYES",   "c_int16\tsmallint(6)\tYES",
                    "c_int32\tint(11)\tYES",     "c_int64\tbigint(20)\tYES",
                    "c_float32\tfloat\tYES",     "c_float64\tdouble\tYES",
                    "c_text\tlongtext\tYES",     "c_varchar\tvarchar(20)\tYES",
                    "c_bytes\tlongblob\tYES",    "c_numeric\tdecimal(10,2)\tYES",
                    "c_numeric_scale\tdecimal(65,3)\tYES", "c_numeric_free\tdecimal(65,30)\tYES",
                    "c_date\tdate\tYES",         "c_time_ms\ttime(3)\tYES",
                    "c_time_us\ttime(6)\tYES",   "c_time_ns\ttime(6)\tYES",
                    "c_timetz\ttime(6)\tYES",    "c_ts_ms\tdatetime(3)\tYES",
                    "c_ts_us\tdatetime(6)\tYES", "c_ts_ns\tdatetime(6)\tYES",
                    "c_tstz\tdatetime(6)\tYES",  "c_uuid\tchar(36)\tYES",
                    "c_json\tlongtext\tYES",     "c_json_map\tlongtext\tYES",
                    "c_text_array\tlongtext\tYES", "c_int_array\tlongtext\tYES"});
  // MariaDB's JSON is LONGTEXT with a json_valid check.
  CHECK(value_of("SELECT COUNT(*) FROM information_schema.CHECK_CONSTRAINTS WHERE TABLE_NAME = 'every_kind'") == "4");
  CHECK(value_of("SELECT TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_NAME = 'every_kind'") ==
        "utf8mb4_nopad_bin");
  CHECK(value_of("SELECT ENGINE FROM information_schema.TABLES WHERE TABLE_NAME = 'every_kind'") == "InnoDB");
}

TEST_CASE("MysqlSinkDatabase gives key columns a bounded type", "[mysql]") {
  auto db = open_sink("types-keys");
  db->create_table(TableSpec{{"", "string_keys"},
                             {column("s", ColumnKind::kString, false), column("b", ColumnKind::kBytes, false),
                              column("j", ColumnKind::kJson, false), column("v", ColumnKind::kString)},
                             {"s", "b", "j"}});
  CHECK(rows_of("SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_NAME = 'string_keys'"
                " ORDER BY ORDINAL_POSITION") ==
        std::vector<std::string>{"s\tvarchar(255)", "b\tvarbinary(255)", "j\tvarchar(255)", "v\tlongtext"});
  CHECK(db->sql_type(kind_type(ColumnKind::kString)) == "LONGTEXT");
  CHECK(db->sql_type(varchar_type(40)) == "VARCHAR(40)");
  CHECK(db->sql_type(varchar_type(100000)) == "LONGTEXT");
  CHECK(db->sql_type(decimal_type(80, 40)) == "DECIMAL(65,30)");
}

TEST_CASE("MysqlSinkDatabase writes every kind of value and reads it back", "[mysql]") {
  auto db = open_sink("types-values");
  auto spec = every_kind_table("every_value");
  db->create_table(spec);
  std::vector<Value> nulls(spec.columns.size());
  nulls[0] = Value(std::int32_t{2});
  db->apply({batch_of(spec,
                      {RowOp{RowOpKind::kUpsert, {Value(std::int32_t{1})}, full_row(), 1, 0},
                       RowOp{RowOpKind::kUpsert, {Value(std::int32_t{2})}, nulls, 1, 0}},
                      InsertMode::kInsert, "")},
            {});
  const std::string select =
      "SELECT c_bool, c_int8, c_int16, c_int32, c_int64, c_float32, c_float64, HEX(c_text), c_varchar, HEX(c_bytes),"
      " c_numeric, c_numeric_scale, c_numeric_free, c_date, c_time_ms, c_time_us, c_time_ns, c_timetz, c_ts_ms,"
      " c_ts_us, c_ts_ns, c_tstz, c_uuid, c_json, c_json_map, c_text_array, c_int_array FROM every_value WHERE id = ";
  CHECK(split_tabs(rows_of(select + "1").at(0)) ==
        std::vector<std::string>{"1",
                                 "-128",
                                 "32767",
                                 "-2147483648",
                                 "9223372036854775807",
                                 "0.5",
                                 "0.1",
                                 hex(kAwkwardText),
                                 "varchar",
                                 "00FF5C0A",
                                 "-12.34",
                                 "1234.567",
                                 "42.000000000000000000000000000000",
                                 "2024-01-31",
                                 "13:04:05.123",
                                 "13:04:05.123456",
                                 "13:04:05.123456",
                                 "11:04:05.500000",
                                 "2024-01-31 13:04:05.123",
                                 "1969-12-31 23:59:59.999999",
                                 "2024-01-31 13:04:05.123456",
                                 "2024-01-31 13:04:05.123456",
                                 "f47ac10b-58cc-4372-a567-0e02b2c3d479",
                                 "{\"a\": [1, 2]}",
                                 "{\"k\":1}",
                                 "[\"a\",\"b\\\\\"c\"]",
                                 "[1,null,3]"});
  CHECK(split_tabs(rows_of(select + "2").at(0)) == std::vector<std::string>(27, "NULL"));
}

TEST_CASE("MysqlSinkDatabase refuses values MySQL cannot store and names the column", "[mysql]") {
  auto db = open_sink("types-refuse");
  TableSpec spec{{"", "refused"}, {column("id", ColumnKind::kInt64, false), column("f", ColumnKind::kFloat64)}, {"id"}};
  db->create_table(spec);
  auto nan = RowOp{RowOpKind::kUpsert, {Value(std::int64_t{1})}, {Value(std::int64_t{1}), Value(std::nan(""))}, 1, 0};
  CHECK_THAT(message_if_thrown<DataError>([&] { db->apply({batch_of(spec, {nan}, InsertMode::kUpsert, "")}, {}); }),
             Catch::Contains("column f"));
  auto wrong = RowOp{RowOpKind::kUpsert, {Value(std::int64_t{1})}, {Value(std::int64_t{1}), Value("x")}, 1, 0};
  CHECK_THAT(message_if_thrown<DataError>([&] { db->apply({batch_of(spec, {wrong}, InsertMode::kUpsert, "")}, {}); }),
             Catch::Contains("column f"));
  // A zoned timestamp that is no timestamp.
  TableSpec zoned{{"", "refused_zoned"}, {column("id", ColumnKind::kInt64, false), column("t", ColumnKind::kZonedTimestamp)}, {"id"}};
  db->create_table(zoned);
  auto bad = RowOp{RowOpKind::kUpsert, {Value(std::int64_t{1})}, {Value(std::int64_t{1}), Value("yesterday")}, 1, 0};
  CHECK_THAT(message_if_thrown<DataError>([&] { db->apply({batch_of(zoned, {bad}, InsertMode::kUpsert, "")}, {}); }),
             Catch::Contains("yesterday"));
  CHECK(value_of("SELECT COUNT(*) FROM refused") == "0");
  // The session is still usable after those.
  auto good = RowOp{RowOpKind::kUpsert, {Value(std::int64_t{1})}, {Value(std::int64_t{1}), Value(2.5)}, 1, 0};
  db->apply({batch_of(spec, {good}, InsertMode::kUpsert, "")}, {});
  CHECK(value_of("SELECT f FROM refused") == "2.5");
}

TEST_CASE("MysqlSinkDatabase describes an existing table and misses an absent one", "[mysql]") {
  auto db = open_sink("types-describe");
  CHECK_FALSE(db->describe(TableId{"", "not_there"}).has_value());
  sink_mariadb().exec("CREATE TABLE described (a INT NOT NULL, `Mixed Case` VARCHAR(10), b BIGINT NOT NULL,"
                      " PRIMARY KEY (b, a))");
  auto t = db->describe(TableId{"", "described"});
  REQUIRE(t.has_value());
  REQUIRE(t->columns.size() == 3);
  CHECK(t->columns[0].name == "a");
  CHECK(t->columns[0].sql_type == "int(11)");
  CHECK_FALSE(t->columns[0].nullable);
  CHECK(t->columns[1].name == "Mixed Case");
  CHECK(t->columns[1].nullable);
  CHECK(t->primary_key == std::vector<std::string>{"b", "a"});
  // The schema is the database; an explicit one works too.
  sink_mariadb().exec("CREATE DATABASE other; CREATE TABLE other.elsewhere (x INT)");
  auto other = db->describe(TableId{"other", "elsewhere"});
  REQUIRE(other.has_value());
  CHECK(other->primary_key.empty());
  CHECK_FALSE(db->describe(TableId{"", "elsewhere"}).has_value());
}

TEST_CASE("MysqlSinkDatabase adds nullable columns to an existing table", "[mysql]") {
  auto db = open_sink("types-add");
  auto spec = keyed_table("grows");
  db->create_table(spec);
  db->apply({batch_of(spec, {upsert_row(1, "one", 10)})}, {});
  db->add_columns(spec.id, {column("extra", ColumnKind::kInt32, false), column("note", varchar_type(30))});
  auto t = db->describe(spec.id);
  REQUIRE(t.has_value());
  REQUIRE(t->columns.size() == 5);
  CHECK(t->columns[3].name == "extra");
  CHECK(t->columns[3].nullable);
  CHECK(t->columns[4].sql_type == "varchar(30)");
  spec.columns.push_back(column("extra", ColumnKind::kInt32));
  spec.columns.push_back(column("note", varchar_type(30)));
  auto row = upsert_row(2, "two", 11);
  row.values.push_back(Value(std::int32_t{7}));
  row.values.push_back(Value("hi"));
  db->apply({batch_of(spec, {row})}, {});
  CHECK(rows_of("SELECT id, name, extra, note FROM grows ORDER BY id") ==
        std::vector<std::string>{"1\tone\tNULL\tNULL", "2\ttwo\t7\thi"});
}

TEST_CASE("MysqlSinkDatabase keeps string keys exact: case and trailing spaces make different rows", "[mysql]") {
  auto db = open_sink("types-exact-keys");
  TableSpec spec{{"", "exact_keys"}, {column("k", ColumnKind::kString, false), column("v", ColumnKind::kInt32)}, {"k"}};
  db->create_table(spec);
  auto row = [](const char* k, std::int32_t v) {
    return RowOp{RowOpKind::kUpsert, {Value(k)}, {Value(k), Value(v)}, 1, 0};
  };
  db->apply({batch_of(spec, {row("a", 1), row("A", 2), row("a ", 3)}, InsertMode::kUpsert, "")}, {});
  CHECK(value_of("SELECT COUNT(*) FROM exact_keys") == "3");
}

TEST_CASE("MysqlSinkDatabase quotes reserved words and backticks in names", "[mysql]") {
  auto db = open_sink("types-quoting");
  TableSpec spec{{"", "order"},
                 {column("select", ColumnKind::kInt64, false), column("we`ird name", ColumnKind::kString),
                  column(kGuard, ColumnKind::kInt64)},
                 {"select"}};
  db->create_table(spec);
  auto row = [](std::int64_t k, const char* v, std::int64_t guard) {
    return RowOp{RowOpKind::kUpsert, {Value(k)}, {Value(k), Value(v), Value(guard)}, guard, 0};
  };
  db->apply({batch_of(spec, {row(1, "a", 1), row(2, "b", 1)})}, {});
  db->apply({batch_of(spec, {row(1, "a2", 2), delete_row(2, 2)})}, {});
  CHECK(rows_of("SELECT `select`, `we``ird name` FROM `order`") == std::vector<std::string>{"1\ta2"});
  auto t = db->describe(spec.id);
  REQUIRE(t.has_value());
  CHECK(t->columns[1].name == "we`ird name");
  CHECK(t->primary_key == std::vector<std::string>{"select"});
}
