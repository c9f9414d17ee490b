#pragma once

// Shared pieces of the [jdbc_postgres] tests: one PostgreSQL 15 server for the whole suite (each
// test uses its own tables and connector name), a SinkDatabase connected to it, builders for
// table specs and row changes, and a reader that returns query results as text.
#include <libpq-fe.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <vector>

#include "postgres_sink_database.h"
#include "support/postgres_server.h"
#include "support/exception_message.h"

namespace sluice::testing {

inline PostgresServer& sink_postgres() {
  static PostgresServer server;
  return server;
}

inline jdbc::ConnectionSettings sink_connection(const std::string& application_name = "sluice-jdbc-test") {
  jdbc::ConnectionSettings c;
  c.host = sink_postgres().socket_dir().string();
  c.port = sink_postgres().port();
  c.database = "app";
  c.user = "postgres";
  c.properties = {{"application_name", application_name}};
  return c;
}

inline std::unique_ptr<jdbc::SinkDatabase> open_sink(const std::string& connector, bool quote_identifiers = false,
                                                     const std::string& application_name = "sluice-jdbc-test") {
  jdbc::DatabaseOptions options{quote_identifiers, "__sluice_sink_checkpoints", connector};
  auto db = jdbc::make_postgres_sink_database(sink_connection(application_name), options);
  db->connect();
  return db;
}

inline jdbc::ColumnType kind_type(jdbc::ColumnKind kind) {
  jdbc::ColumnType t;
  t.kind = kind;
  return t;
}

inline jdbc::ColumnSpec column(std::string name, jdbc::ColumnKind kind, bool optional = true) {
  return jdbc::ColumnSpec{std::move(name), kind_type(kind), optional};
}

inline jdbc::ColumnSpec column(std::string name, jdbc::ColumnType type, bool optional = true) {
  return jdbc::ColumnSpec{std::move(name), std::move(type), optional};
}

inline jdbc::ColumnType array_of(jdbc::ColumnType element) {
  jdbc::ColumnType t = kind_type(jdbc::ColumnKind::kArray);
  t.element = std::make_shared<const jdbc::ColumnType>(std::move(element));
  return t;
}

// The spec most tests use: id bigint key, name text, the guard column.
inline jdbc::TableSpec keyed_table(const std::string& name) {
  return jdbc::TableSpec{{"", name},
                         {column("id", jdbc::ColumnKind::kInt64, false), column("name", jdbc::ColumnKind::kString),
                          column("__sluice_position", jdbc::ColumnKind::kInt64)},
                         {"id"}};
}

inline jdbc::RowOp upsert_row(std::int64_t id, const std::string& name, std::int64_t guard) {
  return jdbc::RowOp{jdbc::RowOpKind::kUpsert, {Value(id)}, {Value(id), Value(name), Value(guard)}, guard, 0};
}

inline jdbc::RowOp delete_row(std::int64_t id, std::int64_t guard) {
  return jdbc::RowOp{jdbc::RowOpKind::kDelete, {Value(id)}, {}, guard, 0};
}

inline jdbc::RowOp soft_delete_row(std::int64_t id, std::int64_t guard, std::int64_t deleted_at_ms) {
  return jdbc::RowOp{jdbc::RowOpKind::kSoftDelete, {Value(id)}, {}, guard, deleted_at_ms};
}

// Batches under 16 rows (under 32 when they hold upserts only) take the parameterized path, larger
// ones COPY into the staging table. While a StagedPath(true) is alive, batch_of() pads every
// non-empty batch with filler upserts up to kStagedRows rows, so the same test runs through the
// staging path; filler keys are >= kFillerKey (strings start with "~filler") and every query
// filters them out.
constexpr std::int64_t kFillerKey = 900000000;
constexpr std::size_t kStagedRows = 40;

inline bool& staged_path_flag() {
  static bool on = false;
  return on;
}

class StagedPath {
 public:
  explicit StagedPath(bool on) : before_(staged_path_flag()) { staged_path_flag() = on; }
  ~StagedPath() { staged_path_flag() = before_; }
  StagedPath(const StagedPath&) = delete;
  StagedPath& operator=(const StagedPath&) = delete;

 private:
  bool before_;
};

inline Value filler_value(jdbc::ColumnKind kind, std::int64_t n) {
  switch (kind) {
    case jdbc::ColumnKind::kInt32: return Value(static_cast<std::int32_t>(n));
    case jdbc::ColumnKind::kInt64: return Value(n);
    default: return Value("~filler-" + std::to_string(n));
  }
}

// An upsert with fresh key values, NULL elsewhere, guard 1.
inline jdbc::RowOp filler_row(const jdbc::TableSpec& spec, const std::string& position_column) {
  static std::int64_t next = kFillerKey;
  const std::int64_t n = next++;
  jdbc::RowOp row{jdbc::RowOpKind::kUpsert, {}, std::vector<Value>(spec.columns.size()), 1, 0};
  for (std::size_t i = 0; i < spec.columns.size(); ++i) {
    const auto& c = spec.columns[i];
    bool is_key = false;
    for (const auto& k : spec.primary_key) is_key = is_key || k == c.name;
    if (is_key) {
      row.values[i] = filler_value(c.type.kind, n);
      row.key.push_back(row.values[i]);
    } else if (c.name == position_column) {
      row.values[i] = Value(std::int64_t{1});
    }
  }
  return row;
}

inline jdbc::TableBatch batch_of(const jdbc::TableSpec& spec, std::vector<jdbc::RowOp> rows,
                                 jdbc::InsertMode mode = jdbc::InsertMode::kUpsert,
                                 const std::string& position_column = "__sluice_position") {
  jdbc::TableBatch b;
  b.table = spec;
  b.mode = mode;
  b.position_column = position_column;
  b.rows = std::move(rows);
  if (staged_path_flag() && !b.rows.empty()) {
    while (b.rows.size() < kStagedRows) b.rows.push_back(filler_row(spec, position_column));
  }
  return b;
}

// Runs `sql` as the superuser, without printing the server's notices.
inline void exec_sql(const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(sink_postgres().conninfo().c_str()), &PQfinish);
  PQsetNoticeProcessor(conn.get(), [](void*, const char*) {}, nullptr);
  std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), sql.c_str()), &PQclear);
  auto status = PQresultStatus(res.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw std::runtime_error("SQL failed: " + sql + ": " + PQresultErrorMessage(res.get()));
  }
}

// A test that runs once per write path starts from empty tables.
inline void drop_tables(const std::vector<std::string>& tables) {
  for (const auto& t : tables) exec_sql("DROP TABLE IF EXISTS " + t);
}

// Every row of `sql` as "v1|v2|..." with NULL spelled <null>, in result order.
inline std::vector<std::string> query_rows(const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(sink_postgres().conninfo().c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn.get()));
  PQexec(conn.get(), "SET TimeZone = 'UTC'");
  std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), sql.c_str()), &PQclear);
  if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) {
    throw std::runtime_error("SQL failed: " + sql + ": " + PQresultErrorMessage(res.get()));
  }
  std::vector<std::string> out;
  for (int r = 0; r < PQntuples(res.get()); ++r) {
    std::string line;
    for (int c = 0; c < PQnfields(res.get()); ++c) {
      if (c > 0) line += '|';
      line += PQgetisnull(res.get(), r, c) ? "<null>" : PQgetvalue(res.get(), r, c);
    }
    out.push_back(std::move(line));
  }
  return out;
}


}  // namespace sluice::testing
