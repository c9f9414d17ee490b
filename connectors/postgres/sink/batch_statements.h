// BatchStatements: every SQL text one TableBatch shape needs (target table, column set, primary
// key, insert mode, guard and soft-delete columns), built once per connection and reused for each
// batch of that shape.
//
// A batch goes through a staging table: a temporary table with the target's types for the batch's
// columns (CREATE TEMP TABLE ... AS SELECT ... WITH NO DATA, so NOT NULL constraints stay behind
// and delete rows can carry keys only) plus three bookkeeping columns: the change kind
// (__sluice_op: u upsert, d delete, s soft delete), the guard (__sluice_guard) and the delete time
// (__sluice_deleted_at). The guard column of the target is always written from __sluice_guard, so
// upserts and deletes compare the same value.
//
// The staging table is emptied inside the transaction that filled it, so it is empty at every
// commit and a rollback restores it empty too. (ON COMMIT DELETE ROWS would do that for free, but
// PostgreSQL then truncates every such table of the session at each commit that touched any
// temporary table: with 20 staging tables that measured 25 ms per commit.)
//
// Plain value type; no thread ownership.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "sink_database.h"
#include "sql_names.h"

namespace sluice::jdbc {

struct BatchStatements {
  std::string target;           // quoted target table, for messages
  std::string create_staging;   // CREATE TEMP TABLE <staging> ... (run once per connection)
  std::string delete_staged;    // DELETE FROM <staging>: cheap for a few rows, leaves dead rows
  std::string truncate_staged;  // TRUNCATE <staging>: a new file; for large batches
  std::string copy;             // COPY <staging> (...) FROM STDIN
  // COPY <target> (<value columns>, <guard>) FROM STDIN: the columns insert_head names, for
  // upserts of keys the target does not hold yet (see TableBatchWriter). Empty in update mode.
  std::string copy_target;
  std::string truncate_target;
  std::string write_changes;    // upserts per mode; empty when the mode has nothing to write
  std::string hard_delete;      // empty without a primary key
  std::string soft_delete;      // empty without a primary key or soft-delete columns

  // Small batches skip the staging table (its COPY, statement and cleanup cost more round trips
  // than the rows): inserts and upserts as one INSERT <insert_head> VALUES (...), ... <conflict>
  // with one parameter per value column and the guard last; the other kinds one statement per row.
  std::string insert_head;      // INSERT INTO <target> (<value columns>, <guard>); not in update mode
  std::size_t insert_width = 0; // columns in insert_head: the value columns and the guard
  std::string conflict;         // ON CONFLICT ... for upserts, else empty
  std::string update_row;       // update mode; parameters: non-key values, key values, guard
  std::string delete_row;       // parameters: key values, guard
  std::string soft_delete_row;  // parameters: key values, deleted-at (if that column is set), guard
  // The table.columns indexes copied after the bookkeeping columns (the guard column excluded).
  std::vector<std::size_t> value_columns;
  // The value columns that are not part of the key, as table.columns indexes.
  std::vector<std::size_t> non_key_columns;
  // For each primary key column, its index in table.columns.
  std::vector<std::size_t> key_columns;
};

// Identifies a batch shape: equal keys share BatchStatements.
std::string batch_shape_key(const TableBatch& batch);

// Builds the statements of `batch`'s shape using `staging` as the staging table name. Throws
// ConnectError when a primary key column is not among the batch's columns.
BatchStatements build_batch_statements(const TableBatch& batch, const std::string& staging, const SqlNames& names);

}  // namespace sluice::jdbc
