// The SQL the MySQL sink sends: names, column types, DDL and the guarded DML texts. Pure functions
// of the table spec, so a text built once for a table + column set + row count is the key of its
// prepared statement.
//
// The guard: a change applies to a row only if `stored IS NULL OR stored < incoming OR
// (incoming = 0 AND stored = 0)` (docs/jdbc-sink-design.md). In INSERT ... ON DUPLICATE KEY
// UPDATE every non-key column becomes `c = IF(<applies>, VALUES(c), c)` and the guard column is
// assigned last: MySQL evaluates the assignments left to right and a later one sees the values
// of the earlier ones, so the guard has to keep its old value until every other column decided.
//
// Parameter order, which mysql_parameters / table_batch_writer follow:
//   insert / upsert: per row, every TableSpec column in order (the guard column's value is
//                    RowOp::guard).
//   update:          the non-key columns (guard last), then the key columns, then guard, guard.
//   delete:          per row, the key columns, then guard, guard.
//   soft delete:     deleted-at, guard, then the key columns, then guard, guard.
// Without a guard column the trailing "guard, guard" and the guard assignment are left out.
//
// Plain functions; no state.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sink_database.h"
#include "table_model.h"

namespace sluice::jdbc::mysql {

// `name` with backticks, inner backticks doubled.
std::string quote(std::string_view name);
// `schema`.`name`, or `name` when the schema is empty.
std::string quote(const TableId& table);
// "name" or "schema.name" (a configured table name that may carry a database).
TableId parse_table_name(std::string_view dotted);

// The column type for `type`. Key columns need a bounded length: strings become VARCHAR(255)
// unless the source gave a length, bytes VARBINARY(255).
std::string column_type(const ColumnType& type, bool in_key);

// CREATE TABLE with every column of `spec` (NOT NULL for required and key columns) and its
// primary key, InnoDB, utf8mb4 with `collation`.
std::string create_table_sql(const TableSpec& spec, const std::string& collation);
// One ALTER TABLE adding every column as NULL.
std::string add_columns_sql(const TableId& table, const std::vector<ColumnSpec>& columns);

// The checkpoint table (connector, topic, kafka_partition) -> next offset, position.
std::string create_checkpoint_table_sql(const TableId& table, const std::string& collation);
// Upserts `rows` checkpoint rows: per row connector, topic, partition, next_offset,
// position_major, position_minor, has_position.
std::string upsert_checkpoints_sql(const TableId& table, std::size_t rows);
std::string select_checkpoints_sql(const TableId& table);

// The DML texts for one TableBatch (its table spec, position and soft delete columns).
std::string insert_sql(const TableBatch& batch, std::size_t rows);
std::string upsert_sql(const TableBatch& batch, std::size_t rows);
std::string update_sql(const TableBatch& batch);
// `rows` deletes in one statement: (key = ? AND guard) OR (key = ? AND guard) ...
std::string delete_sql(const TableBatch& batch, std::size_t rows);
std::string soft_delete_sql(const TableBatch& batch);
std::string truncate_sql(const TableBatch& batch);

// The statement with its VALUES rows elided, for error messages: row values never appear there
// anyway (they are parameters), but a 1000-row text is no help either.
std::string statement_summary(const std::string& sql);

}  // namespace sluice::jdbc::mysql
