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

inline jdbc::TableBatch batch_of(const jdbc::TableSpec& spec, std::vector<jdbc::RowOp> rows,
                                 jdbc::InsertMode mode = jdbc::InsertMode::kUpsert,
                                 const std::string& position_column = "__sluice_position") {
  jdbc::TableBatch b;
  b.table = spec;
  b.mode = mode;
  b.position_column = position_column;
  b.rows = std::move(rows);
  return b;
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

// what() of the exception `f` throws when its type is exactly E; otherwise text no test expects.
template <class E, class F>
std::string message_if_thrown(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    if (typeid(e) != typeid(E)) return std::string("<wrong exception type ") + typeid(e).name() + "> " + e.what();
    return e.what();
  }
  return "<nothing thrown>";
}

}  // namespace sluice::testing
