// End to end on the real worker: a PostgreSQL table with a column of every common type of the
// PostgreSQL source's mapping (docs/postgres.md, connectors/postgres/type_mapping.h) goes through
// the embedded bus into a JDBC sink with schema.evolution=basic, which creates the target table,
// in PostgreSQL and in MariaDB. Every column of every row is compared with what the target must
// hold, once after the snapshot and once after streamed inserts, updates (one of them changing
// the primary key) and deletes. The target's column types are checked against docs/jdbc-sink.md.
//
// An expectation is the target's text of the value, computed from the source row: the same text
// where the target keeps the type, and the documented representation where the mapping changes it
// (zoned values in UTC, interval as Debezium's MicroDuration microseconds, bits as Debezium's
// little-endian bytes, MariaDB arrays as JSON, ...). A check that fails because the pipeline
// writes a wrong value is listed in the target's known bugs and runs as CHECK_NOFAIL, so it stays
// visible in the output without failing the suite.
#include <catch2/catch.hpp>

#include <array>
#include <cstdlib>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline_support.h"
#ifdef SLUICE_TEST_WITH_MARIADB
#include "support/mariadb_server.h"
#endif

using namespace sluice::testing;
using namespace std::chrono_literals;

namespace {

// One source column and the SQL literals of its four value variants. Variant 0 is an ordinary
// value, 1 and 2 the low and high edges of the type, 3 unicode or an otherwise odd value.
struct TypedColumn {
  const char* name;
  const char* sql_type;
  std::array<const char*, 4> variants;
};

const std::vector<TypedColumn>& typed_columns() {
  static const std::vector<TypedColumn> columns = {
      {"c_smallint", "smallint", {"1", "-32768", "32767", "0"}},
      {"c_integer", "integer", {"42", "-2147483648", "2147483647", "0"}},
      {"c_bigint", "bigint", {"1234567890123", "-9223372036854775808", "9223372036854775807", "0"}},
      {"c_numeric", "numeric(12,3)", {"3.140", "-123456789.123", "999999999.999", "0.001"}},
      {"c_numeric_any", "numeric", {"1.500", "-0.000000000001", "12345678901234567890.123456789", "100"}},
      {"c_real", "real", {"3.14159", "-1.5e-30", "3.4028235e+38", "0"}},
      {"c_double", "double precision",
       {"0.1", "-2.2250738585072014e-308", "1.7976931348623157e+308", "-0.5"}},
      {"c_boolean", "boolean", {"true", "false", "true", "false"}},
      {"c_text", "text",
       {"'plain text'", "''", R"(E'tab\there\nnewline \\ backslash ''single'' "double"')",
        "'héllo wörld ✓ 日本語 🚀'"}},
      {"c_varchar", "varchar(20)", {"'ünïcødé'", "''", "' padded  '", "'x'"}},
      {"c_char", "char(5)", {"'ab'", "''", "'abcde'", "'é'"}},
      {"c_bytea", "bytea",
       {R"('\x00ff10')", "''", "decode('000102037f80feff', 'hex')", "convert_to('ü', 'UTF8')"}},
      {"c_date", "date", {"'2024-02-29'", "'0001-01-01'", "'9999-12-31'", "'1969-12-31'"}},
      {"c_time", "time", {"'12:34:56.789012'", "'00:00:00'", "'23:59:59.999999'", "'24:00:00'"}},
      {"c_time3", "time(3)", {"'13:14:15.678'", "'00:00:00.001'", "'23:59:59.999'", "'00:00:00'"}},
      {"c_timetz", "timetz",
       {"'10:11:12.345678+05:30'", "'00:00:00+00'", "'23:30:00-08'", "'12:00:00.5-03:30'"}},
      {"c_timestamp", "timestamp",
       {"'2024-02-29 12:00:00.5'", "'0001-01-01 00:00:00'", "'9999-12-31 23:59:59.999999'",
        "'1969-12-31 23:59:59.999999'"}},
      {"c_timestamp3", "timestamp(3)",
       {"'2024-01-02 03:04:05.678'", "'1000-01-01 00:00:00.001'", "'9999-12-31 23:59:59.999'",
        "'1969-12-31 23:59:59.999'"}},
      {"c_timestamptz", "timestamptz",
       {"'2024-01-02 03:04:05.123456+05'", "'0001-01-01 00:00:00+00'", "'9999-12-31 23:59:59.999999+00'",
        "'1969-07-20 20:17:40.5-04'"}},
      {"c_interval", "interval",
       {"'1 year 2 months 3 days 04:05:06.5'", "'-1 days -00:00:01.25'", "'1000000 hours'", "'00:00:00'"}},
      {"c_uuid", "uuid",
       {"'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "'00000000-0000-0000-0000-000000000000'",
        "'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF'", "'123e4567-e89b-12d3-a456-426614174000'"}},
      {"c_json", "json",
       {R"('{"b": 1, "a": [1, 2.50, "x"], "a": null}')", "'null'", "'[]'",
        R"('{"ü": "日本", "esc": "\u00e9\n"}')"}},
      {"c_jsonb", "jsonb",
       {R"('{"b": 1, "a": [1, 2.50, "x"]}')", "'{}'", R"('"just a string"')",
        R"('{"nested": {"deep": [true, false, null]}, "n": -1.5e10}')"}},
      {"c_xml", "xml", {R"('<a x="1">t &amp; u</a>')", "'<empty/>'", "'text only'", "'<r>日本 ✓</r>'"}},
      {"c_int_array", "integer[]", {"'{1,NULL,-3}'", "'{}'", "'{2147483647,-2147483648}'", "'{0}'"}},
      {"c_text_array", "text[]",
       {R"('{"a","b c",NULL,""}')", "'{}'", R"('{"q\"uote","back\\slash","comma,here"}')",
        R"('{"ü","日本語","  spaced  "}')"}},
      {"c_enum", "mood", {"'happy'", "'sad'", "'ok'", "'happy'"}},
      {"c_domain", "price", {"12.5", "0", "999999.99", "0.01"}},
      {"c_money", "money", {"'1234.56'", "'-92233720368547758.08'", "'92233720368547758.07'", "'0'"}},
      {"c_inet", "inet", {"'192.168.0.1/24'", "'10.0.0.1'", "'::1'", "'2001:db8::ff00:42:8329/64'"}},
      {"c_cidr", "cidr", {"'10.0.0.0/8'", "'0.0.0.0/0'", "'2001:db8::/32'", "'192.168.1.128/25'"}},
      {"c_macaddr", "macaddr",
       {"'08:00:2b:01:02:03'", "'00:00:00:00:00:00'", "'ff:ff:ff:ff:ff:ff'", "'0800.2b01.0203'"}},
      {"c_bit", "bit(12)", {"B'101000000001'", "B'000000000000'", "B'111111111111'", "B'100000000000'"}},
      {"c_varbit", "varbit(16)", {"B'1101'", "B''", "B'1111111111111111'", "B'0000000010000000'"}},
      {"c_hstore", "hstore",
       {R"('"a"=>"1", "b"=>NULL')", "''", R"('"ünï"=>"x y", "quote\""=>"back\\slash"')", R"('"k"=>""')"}},
  };
  return columns;
}

std::string source_schema() {
  std::string sql =
      "CREATE EXTENSION hstore;"
      "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');"
      "CREATE DOMAIN price AS numeric(8,2) CHECK (VALUE >= 0);"
      "CREATE TABLE t (id int PRIMARY KEY";
  for (const auto& c : typed_columns()) sql += std::string(", ") + c.name + " " + c.sql_type;
  return sql + ");";
}

std::string insert_row(int id, int variant) {
  std::string names = "id", values = std::to_string(id);
  for (const auto& c : typed_columns()) {
    names += std::string(", ") + c.name;
    values += std::string(", ") + c.variants[variant];
  }
  return "INSERT INTO t (" + names + ") VALUES (" + values + ");";
}

std::string insert_null_row(int id) { return "INSERT INTO t (id) VALUES (" + std::to_string(id) + ");"; }

// variant -1: every column NULL.
std::string update_row(int id, int variant) {
  std::string sets;
  for (const auto& c : typed_columns()) {
    sets += std::string(sets.empty() ? "" : ", ") + c.name + " = " + (variant < 0 ? "NULL" : c.variants[variant]);
  }
  return "UPDATE t SET " + sets + " WHERE id = " + std::to_string(id) + ";";
}

// Snapshot rows: ids 1..5 with variants 0, 1, all NULL, 2, 3.
std::string snapshot_rows() {
  return insert_row(1, 0) + insert_row(2, 1) + insert_null_row(3) + insert_row(4, 2) + insert_row(5, 3);
}

// The source database, in a time zone whose offset has minutes (and, in year 1, seconds: local
// mean time), so the source's parsing of the zoned values PostgreSQL prints is exercised.
void create_source_database(const PostgresServer& pg, const std::string& db) {
  create_database(pg, db, source_schema() + snapshot_rows());
  pg.exec("ALTER DATABASE " + db + " SET timezone TO 'Asia/Kolkata'", "postgres");
}

// Streamed after the snapshot. The last change deletes a row that every earlier state has, so the
// final state shows up in the target only once everything before it is applied.
void run_streamed_changes(const PostgresServer& pg, const std::string& db) {
  pg.exec("BEGIN;" + insert_row(10, 3) + insert_row(11, 0) + insert_null_row(12) + insert_row(13, 1) + "COMMIT;", db);
  pg.exec("BEGIN;" + update_row(1, 2) + update_row(3, 0) + update_row(4, -1) + "COMMIT;", db);
  pg.exec("UPDATE t SET c_integer = 7 WHERE id = 10", db);
  pg.exec("UPDATE t SET id = 20 WHERE id = 5", db);
  pg.exec("DELETE FROM t WHERE id = 2", db);
  pg.exec("DELETE FROM t WHERE id = 11", db);
}

constexpr const char* kNull = "<NULL>";

// Debezium's io.debezium.data.Bits of a bit string, as lower-case hex: little-endian (bit 0 is
// the rightmost character), as many bytes as the highest set bit needs.
std::string debezium_bits_hex(const std::string& bits) {
  std::vector<unsigned> bytes;
  for (std::size_t i = 0; i < bits.size(); ++i) {
    if (bits[bits.size() - 1 - i] != '1') continue;
    if (bytes.size() <= i / 8) bytes.resize(i / 8 + 1, 0);
    bytes[i / 8] |= 1u << (i % 8);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned b : bytes) out += std::string{kHex[b >> 4], kHex[b & 0xf]};
  return out;
}

enum class Compare {
  kText,    // the same text
  kDouble,  // the same double (MariaDB prints floating point its own way)
  kJson,    // the same JSON value (a JSON text whose spacing and key order the sink chooses)
};

// What one target column must hold. source_sql runs on the source row and gives the target's text
// of the value (then `transform`, when set); target_sql runs on the target row. Both see NULL as
// NULL: the reader turns it into kNull.
struct Expectation {
  std::string column;
  std::string target_type;  // as the target prints the created column's type
  std::string source_sql;
  std::string target_sql;
  Compare compare = Compare::kText;
  std::string (*transform)(const std::string&) = nullptr;
};

// A check known to fail because the pipeline writes a wrong value: the column and the expected
// text of the affected rows ("" = every row).
struct KnownBug {
  std::string column;
  std::string expected;
  std::string what;
};

const KnownBug* known_bug(const std::vector<KnownBug>& bugs, const std::string& column, const std::string& expected) {
  for (const auto& b : bugs) {
    if (b.column == column && (b.expected.empty() || b.expected == expected)) return &b;
  }
  return nullptr;
}

bool matches(Compare compare, const std::string& expected, const std::string& actual) {
  if (expected == kNull || actual == kNull || compare == Compare::kText) return expected == actual;
  if (compare == Compare::kDouble) {
    char* e_end = nullptr;
    char* a_end = nullptr;
    const double e = std::strtod(expected.c_str(), &e_end);
    const double a = std::strtod(actual.c_str(), &a_end);
    return *e_end == '\0' && *a_end == '\0' && !expected.empty() && !actual.empty() && e == a;
  }
  const auto e = nlohmann::json::parse(expected, nullptr, false);
  const auto a = nlohmann::json::parse(actual, nullptr, false);
  return !e.is_discarded() && !a.is_discarded() && e == a;
}

using ColumnValues = std::map<int, std::string>;  // id -> text, kNull for NULL
using Reader = std::function<ColumnValues(const std::string& expression)>;

std::string null_marked(const std::string& column, const std::string& expression) {
  return "CASE WHEN " + column + " IS NULL THEN '" + kNull + "' ELSE " + expression + " END";
}

// `expression` over every row of table t in a PostgreSQL database, by id.
ColumnValues postgres_values(const PostgresServer& pg, const std::string& db, const std::string& expression) {
  const std::string all = pg.query_value(
      "SELECT coalesce(string_agg(id::text || chr(31) || (" + expression + "), chr(30) ORDER BY id), '') FROM t", db);
  ColumnValues values;
  std::size_t start = 0;
  while (start < all.size()) {
    std::size_t end = all.find('\x1e', start);
    if (end == std::string::npos) end = all.size();
    const std::string row = all.substr(start, end - start);
    const std::size_t sep = row.find('\x1f');
    values[std::stoi(row.substr(0, sep))] = row.substr(sep + 1);
    start = end + 1;
  }
  return values;
}

std::map<std::string, std::string> postgres_column_types(const PostgresServer& pg, const std::string& db) {
  std::map<std::string, std::string> types;
  const std::string all = pg.query_value(
      "SELECT string_agg(attname || chr(31) || format_type(atttypid, atttypmod), chr(30)) FROM pg_attribute "
      "WHERE attrelid = 'public.t'::regclass AND attnum > 0 AND NOT attisdropped", db);
  std::size_t start = 0;
  while (start < all.size()) {
    std::size_t end = all.find('\x1e', start);
    if (end == std::string::npos) end = all.size();
    const std::string row = all.substr(start, end - start);
    types[row.substr(0, row.find('\x1f'))] = row.substr(row.find('\x1f') + 1);
    start = end + 1;
  }
  return types;
}

// io.debezium.time.MicroDuration of c_interval: a month is 365.25 / 12 days (2629800 s).
constexpr const char* kIntervalMicros =
    "((extract(year from c_interval) * 12 + extract(month from c_interval)) * 2629800000000 + "
    "extract(day from c_interval) * 86400000000 + extract(hour from c_interval) * 3600000000 + "
    "extract(minute from c_interval) * 60000000 + extract(second from c_interval) * 1000000)::bigint::text";

// Every typed column, as the PostgreSQL target must hold it.
std::vector<Expectation> postgres_target_expectations() {
  auto same = [](const std::string& column, const std::string& type) {
    return Expectation{column, type, "concat(" + column + ")", "concat(" + column + ")"};
  };
  return {
      same("c_smallint", "smallint"),
      same("c_integer", "integer"),
      same("c_bigint", "bigint"),
      same("c_numeric", "numeric(12,3)"),
      // VariableScaleDecimal drops trailing fraction zeros (Java's stripTrailingZeros).
      {"c_numeric_any", "numeric", "concat(trim_scale(c_numeric_any))", "concat(c_numeric_any)"},
      same("c_real", "real"),
      same("c_double", "double precision"),
      same("c_boolean", "boolean"),
      same("c_text", "text"),
      same("c_varchar", "text"),  // no length without column.propagate.source.type
      same("c_char", "text"),     // with its padding, as the source sends it
      {"c_bytea", "bytea", "encode(c_bytea, 'hex')", "encode(c_bytea, 'hex')"},
      same("c_date", "date"),
      same("c_time", "time(6) without time zone"),
      same("c_time3", "time(3) without time zone"),
      {"c_timetz", "time with time zone", "concat(c_timetz AT TIME ZONE 'UTC')", "concat(c_timetz)"},
      same("c_timestamp", "timestamp(6) without time zone"),
      same("c_timestamp3", "timestamp(3) without time zone"),
      {"c_timestamptz", "timestamp with time zone", "concat(c_timestamptz AT TIME ZONE 'UTC')",
       "concat(c_timestamptz AT TIME ZONE 'UTC')"},
      {"c_interval", "bigint", kIntervalMicros, "concat(c_interval)"},
      same("c_uuid", "uuid"),
      {"c_json", "jsonb", "concat(c_json::jsonb)", "concat(c_json)"},
      same("c_jsonb", "jsonb"),
      same("c_xml", "text"),
      same("c_int_array", "integer[]"),
      same("c_text_array", "text[]"),
      same("c_enum", "text"),
      same("c_domain", "numeric(8,2)"),
      // Decimal with money.fraction.digits = 2 and no precision.
      {"c_money", "numeric", "concat(c_money::numeric)", "concat(c_money)"},
      same("c_inet", "text"),
      same("c_cidr", "text"),
      same("c_macaddr", "text"),
      {"c_bit", "bytea", "concat(c_bit)", "encode(c_bit, 'hex')", Compare::kText, debezium_bits_hex},
      {"c_varbit", "bytea", "concat(c_varbit)", "encode(c_varbit, 'hex')", Compare::kText, debezium_bits_hex},
      // hstore.handling.mode=json: a JSON object of strings and nulls.
      {"c_hstore", "jsonb", "concat(hstore_to_jsonb(c_hstore))", "concat(c_hstore)"},
  };
}

// Compares every expectation for every row of source and target, and the target's column types.
void check_target(const std::string& phase, const Reader& source, const Reader& target,
                  const std::map<std::string, std::string>& target_types, const std::vector<Expectation>& expectations,
                  const std::vector<KnownBug>& bugs) {
  const ColumnValues source_ids = source("''");
  const ColumnValues target_ids = target("''");
  std::set<int> want_ids, got_ids;
  for (const auto& [id, _] : source_ids) want_ids.insert(id);
  for (const auto& [id, _] : target_ids) got_ids.insert(id);
  INFO(phase);
  REQUIRE(got_ids == want_ids);
  for (const auto& e : expectations) {
    {
      auto type = target_types.find(e.column);
      INFO(phase << ": type of target column " << e.column);
      CHECK((type == target_types.end() ? std::string("<missing>") : type->second) == e.target_type);
    }
    ColumnValues expected = source(null_marked(e.column, e.source_sql));
    const ColumnValues actual = target(null_marked(e.column, e.target_sql));
    for (auto& [id, want] : expected) {
      if (e.transform != nullptr && want != kNull) want = e.transform(want);
      auto got = actual.find(id);
      const std::string got_text = got == actual.end() ? "<no row>" : got->second;
      const KnownBug* bug = known_bug(bugs, e.column, want);
      INFO(phase << ": column " << e.column << ", id " << id << "\n  expected: " << want << "\n  target:   "
                 << got_text << (bug ? "\n  KNOWN BUG: " + bug->what : ""));
      const bool ok = matches(e.compare, want, got_text);
      if (bug == nullptr) {
        CHECK(ok);
        continue;
      }
      // The console reporter hides a CHECK_NOFAIL that fails: the warning keeps the bug in sight.
      CHECK_NOFAIL(ok);
      if (!ok) WARN("KNOWN BUG still there: " << bug->what << " (" << phase << ", " << e.column << ", id " << id
                                                 << ": expected '" << want << "', target '" << got_text << "')");
      if (ok) WARN("known bug no longer reproduces, drop it from the list: " << bug->what);
    }
  }
}

// Waits until the target holds the same ids and c_integer values as the source.
bool await_converged(const Reader& source, const Reader& target, const Expectation& probe) {
  return eventually([&] {
    try {
      return target(null_marked(probe.column, probe.target_sql)) == source(null_marked(probe.column, probe.source_sql));
    } catch (const std::exception&) {
      return false;  // the sink has not created the table yet
    }
  }, 60s);
}

// Snapshot, check, streamed changes, check: the pipeline of one source and one sink.
void run_pipeline(WorkerFixture& w, const PostgresServer& pg, const std::string& source_db, const Reader& target,
                  const std::function<std::map<std::string, std::string>()>& target_types,
                  const std::vector<Expectation>& expectations, const std::vector<KnownBug>& bugs) {
  const Reader source = [&](const std::string& expression) { return postgres_values(pg, source_db, expression); };
  const Expectation& probe = expectations.at(1);  // c_integer
  REQUIRE(probe.column == "c_integer");
  const bool snapshot_arrived = await_converged(source, target, probe);
  if (!snapshot_arrived) {
    INFO(w.request("GET", "/connectors/pg-sink/status").body);
    INFO(w.process().log());
    REQUIRE(snapshot_arrived);
  }
  check_target("after the snapshot", source, target, target_types(), expectations, bugs);

  run_streamed_changes(pg, source_db);
  const bool stream_arrived = await_converged(source, target, probe);
  if (!stream_arrived) {
    INFO(w.request("GET", "/connectors/pg-sink/status").body);
    INFO(w.process().log());
    REQUIRE(stream_arrived);
  }
  check_target("after streamed changes", source, target, target_types(), expectations, bugs);
  CHECK(w.get_json("/connectors/pg-sink/status")["tasks"][0]["state"] == "RUNNING");
}

}  // namespace

TEST_CASE("pipeline types: every PostgreSQL source type reaches a PostgreSQL target as the mapping says",
          "[jdbc][postgres]") {
  auto& pg = shared_postgres();
  create_source_database(pg, "ty_pg_src");
  create_database(pg, "ty_pg_dst");
  SlotCleanup cleanup_slot(pg, "ty_pg_slot");

  WorkerFixture w;
  w.start();
  REQUIRE(w.request("POST", "/connectors", jdbc_sink_json("pg-sink", postgres_jdbc_url(pg, "ty_pg_dst"), "postgres", "")).status == 201);
  REQUIRE(w.request("POST", "/connectors", source_json(pg, "ty_pg_src", "ty_pg_slot")).status == 201);

  const Reader target = [&](const std::string& expression) { return postgres_values(pg, "ty_pg_dst", expression); };
  const std::vector<KnownBug> bugs = {};
  run_pipeline(w, pg, "ty_pg_src", target, [&] { return postgres_column_types(pg, "ty_pg_dst"); },
               postgres_target_expectations(), bugs);
}

#ifdef SLUICE_TEST_WITH_MARIADB
namespace {

// The mariadb client's --batch escapes (\t, \n, \\, \0) undone.
std::string unescape_batch(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    const char c = text[++i];
    out += c == 't' ? '\t' : c == 'n' ? '\n' : c == '0' ? '\0' : c;
  }
  return out;
}

ColumnValues mariadb_values(const MariadbServer& db, const std::string& expression) {
  ColumnValues values;
  // SET NAMES: the client's default character set shows 4-byte characters as '?'.
  for (const auto& row : db.query_rows("SET NAMES utf8mb4; SELECT id, " + expression + " FROM t ORDER BY id")) {
    const std::size_t tab = row.find('\t');
    values[std::stoi(row.substr(0, tab))] = unescape_batch(row.substr(tab + 1));
  }
  return values;
}

std::map<std::string, std::string> mariadb_column_types(const MariadbServer& db) {
  std::map<std::string, std::string> types;
  for (const auto& row : db.query_rows("SELECT column_name, column_type FROM information_schema.columns "
                                       "WHERE table_schema = 'app' AND table_name = 't'")) {
    types[row.substr(0, row.find('\t'))] = row.substr(row.find('\t') + 1);
  }
  return types;
}

// Every typed column, as the MariaDB target must hold it (source_sql on PostgreSQL, target_sql on
// MariaDB).
std::vector<Expectation> mariadb_target_expectations() {
  auto text = [](const std::string& column, const std::string& type) {
    return Expectation{column, type, "concat(" + column + ")", column};
  };
  auto cast = [](const std::string& column, const std::string& type, const std::string& source_sql) {
    return Expectation{column, type, source_sql, "CAST(" + column + " AS CHAR)"};
  };
  return {
      cast("c_smallint", "smallint(6)", "concat(c_smallint)"),
      cast("c_integer", "int(11)", "concat(c_integer)"),
      cast("c_bigint", "bigint(20)", "concat(c_bigint)"),
      cast("c_numeric", "decimal(12,3)", "concat(c_numeric)"),
      // VariableScaleDecimal goes into DECIMAL(65,30).
      cast("c_numeric_any", "decimal(65,30)", "concat(round(c_numeric_any, 30))"),
      {"c_real", "float", "concat(c_real::float8)", "CAST(c_real AS DOUBLE)", Compare::kDouble},
      {"c_double", "double", "concat(c_double)", "CAST(c_double AS DOUBLE)", Compare::kDouble},
      cast("c_boolean", "tinyint(1)", "CASE WHEN c_boolean THEN '1' ELSE '0' END"),
      text("c_text", "longtext"),
      text("c_varchar", "longtext"),
      text("c_char", "longtext"),
      {"c_bytea", "longblob", "encode(c_bytea, 'hex')", "LOWER(HEX(c_bytea))"},
      cast("c_date", "date", "to_char(c_date, 'YYYY-MM-DD')"),
      cast("c_time", "time(6)", "to_char(c_time, 'HH24:MI:SS.US')"),
      cast("c_time3", "time(3)", "to_char(c_time3, 'HH24:MI:SS.MS')"),
      cast("c_timetz", "time(6)", "to_char((c_timetz AT TIME ZONE 'UTC')::time, 'HH24:MI:SS.US')"),
      cast("c_timestamp", "datetime(6)", "to_char(c_timestamp, 'YYYY-MM-DD HH24:MI:SS.US')"),
      cast("c_timestamp3", "datetime(3)", "to_char(c_timestamp3, 'YYYY-MM-DD HH24:MI:SS.MS')"),
      cast("c_timestamptz", "datetime(6)", "to_char(c_timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"),
      cast("c_interval", "bigint(20)", kIntervalMicros),
      text("c_uuid", "char(36)"),
      // MariaDB's JSON is LONGTEXT with a check: the document's text as the source printed it.
      text("c_json", "longtext"),
      text("c_jsonb", "longtext"),
      text("c_xml", "longtext"),
      // No arrays: a JSON array.
      {"c_int_array", "longtext", "array_to_json(c_int_array)::text", "c_int_array", Compare::kJson},
      {"c_text_array", "longtext", "array_to_json(c_text_array)::text", "c_text_array", Compare::kJson},
      text("c_enum", "longtext"),
      cast("c_domain", "decimal(8,2)", "concat(c_domain)"),
      cast("c_money", "decimal(65,2)", "concat(c_money::numeric)"),
      text("c_inet", "longtext"),
      text("c_cidr", "longtext"),
      text("c_macaddr", "longtext"),
      {"c_bit", "longblob", "concat(c_bit)", "LOWER(HEX(c_bit))", Compare::kText, debezium_bits_hex},
      {"c_varbit", "longblob", "concat(c_varbit)", "LOWER(HEX(c_varbit))", Compare::kText, debezium_bits_hex},
      {"c_hstore", "longtext", "hstore_to_json(c_hstore)::text", "c_hstore", Compare::kJson},
  };
}

}  // namespace

TEST_CASE("pipeline types: every PostgreSQL source type reaches a MariaDB target as the mapping says",
          "[jdbc][postgres][mariadb]") {
  auto& pg = shared_postgres();
  MariadbServer maria;
  create_source_database(pg, "ty_my_src");
  SlotCleanup cleanup_slot(pg, "ty_my_slot");

  WorkerFixture w;
  w.start();
  const std::string maria_url = "jdbc:mariadb://127.0.0.1:" + std::to_string(maria.port()) + "/" + MariadbServer::kDatabase;
  REQUIRE(w.request("POST", "/connectors", jdbc_sink_json("pg-sink", maria_url, MariadbServer::kUser, MariadbServer::kPassword)).status == 201);
  REQUIRE(w.request("POST", "/connectors", source_json(pg, "ty_my_src", "ty_my_slot")).status == 201);

  const Reader target = [&](const std::string& expression) { return mariadb_values(maria, expression); };
  const std::vector<KnownBug> bugs = {};
  run_pipeline(w, pg, "ty_my_src", target, [&] { return mariadb_column_types(maria); },
               mariadb_target_expectations(), bugs);
}
#endif
