#pragma once

// Shared pieces of the [mysql] JDBC sink tests: one MariaDB 10.11 server for the whole suite
// (each test uses its own tables and connector name), SinkDatabases connected to it as the
// `sink` user, builders for table specs and row changes, and queries through the `mariadb` client
// whose rows come back as tab-separated text (NULL spelled NULL).
#include <memory>
#include <string>
#include <typeinfo>
#include <vector>

#include "mysql_sink_database.h"
#include "support/mariadb_server.h"
#include "support/exception_message.h"

namespace sluice::testing {

inline MariadbServer& sink_mariadb() {
  static MariadbServer server;
  return server;
}

inline jdbc::ConnectionSettings sink_connection(const MariadbServer& server = sink_mariadb(),
                                                const std::string& database = MariadbServer::kDatabase) {
  jdbc::ConnectionSettings c;
  c.host = "127.0.0.1";
  c.port = server.port();
  c.database = database;
  c.user = MariadbServer::kUser;
  c.password = MariadbServer::kPassword;
  return c;
}

inline jdbc::DatabaseOptions sink_options(const std::string& connector) {
  return jdbc::DatabaseOptions{false, "__sluice_sink_checkpoints", connector};
}

inline std::unique_ptr<jdbc::SinkDatabase> open_sink(const std::string& connector,
                                                     const jdbc::ConnectionSettings& connection = sink_connection()) {
  auto db = jdbc::make_mysql_sink_database(connection, sink_options(connector));
  db->connect();
  return db;
}

inline std::vector<std::string> rows_of(const std::string& sql) { return sink_mariadb().query_rows(sql); }
inline std::string value_of(const std::string& sql) { return sink_mariadb().query_value(sql); }

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

inline constexpr const char* kGuard = "__sluice_position";

// id BIGINT key, name text, the guard column.
inline jdbc::TableSpec keyed_table(const std::string& name) {
  return jdbc::TableSpec{{"", name},
                         {column("id", jdbc::ColumnKind::kInt64, false), column("name", jdbc::ColumnKind::kString),
                          column(kGuard, jdbc::ColumnKind::kInt64)},
                         {"id"}};
}

// keyed_table plus the soft delete columns.
inline jdbc::TableSpec soft_delete_table(const std::string& name) {
  auto spec = keyed_table(name);
  spec.columns.push_back(column("__deleted", jdbc::ColumnKind::kBoolean));
  spec.columns.push_back(column("__deleted_at", jdbc::ColumnKind::kTimestampMillis));
  return spec;
}

inline jdbc::RowOp upsert_row(std::int64_t id, const std::string& name, std::int64_t guard) {
  return jdbc::RowOp{jdbc::RowOpKind::kUpsert, {Value(id)}, {Value(id), Value(name), Value(guard)}, guard, 0};
}

// An upsert for soft_delete_table: not deleted.
inline jdbc::RowOp live_row(std::int64_t id, const std::string& name, std::int64_t guard) {
  auto row = upsert_row(id, name, guard);
  row.values.push_back(Value(false));
  row.values.push_back(Value());
  return row;
}

inline jdbc::RowOp delete_row(std::int64_t id, std::int64_t guard) {
  return jdbc::RowOp{jdbc::RowOpKind::kDelete, {Value(id)}, {}, guard, 0};
}

inline jdbc::RowOp soft_delete_row(std::int64_t id, std::int64_t guard, std::int64_t deleted_at_ms) {
  return jdbc::RowOp{jdbc::RowOpKind::kSoftDelete, {Value(id)}, {}, guard, deleted_at_ms};
}

inline jdbc::TableBatch batch_of(const jdbc::TableSpec& spec, std::vector<jdbc::RowOp> rows,
                                 jdbc::InsertMode mode = jdbc::InsertMode::kUpsert,
                                 const std::string& position_column = kGuard) {
  jdbc::TableBatch b;
  b.table = spec;
  b.mode = mode;
  b.position_column = position_column;
  b.rows = std::move(rows);
  return b;
}

inline jdbc::Checkpoint checkpoint(const std::string& topic, std::int32_t partition, std::int64_t next_offset,
                                   jdbc::SourcePosition position = {}, bool has_position = false) {
  return jdbc::Checkpoint{TopicPartition{topic, partition}, next_offset, position, has_position};
}


}  // namespace sluice::testing
