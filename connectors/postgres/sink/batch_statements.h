// BatchStatements: every SQL text one TableBatch shape needs (target table, column set, primary
// key, insert mode, guard and soft-delete columns), built once per connection and reused for each
// batch of that shape.
//
// A batch goes through a staging table: a temporary table with the target's types for the batch's
// columns (CREATE TEMP TABLE ... AS SELECT ... WITH NO DATA, so NOT NULL constraints stay behind
// and delete rows can carry keys only) plus three bookkeeping columns: the change kind
// (__sluice_op: u upsert, d delete, s soft delete), the guard (__sluice_guard) and the delete time
// (__sluice_deleted_at). ON COMMIT DELETE ROWS empties it at each commit. The guard column of the
// target is always written from __sluice_guard, so upserts and deletes compare the same value.
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
  std::string clear_staging;    // a second batch of this shape in the same transaction
  std::string copy;             // COPY <staging> (...) FROM STDIN
  std::string truncate_target;
  std::string write_changes;    // upserts per mode; empty when the mode has nothing to write
  std::string hard_delete;      // empty without a primary key
  std::string soft_delete;      // empty without a primary key or soft-delete columns
  // The table.columns indexes copied after the bookkeeping columns (the guard column excluded).
  std::vector<std::size_t> value_columns;
  // For each primary key column, its index in table.columns.
  std::vector<std::size_t> key_columns;
};

// Identifies a batch shape: equal keys share BatchStatements.
std::string batch_shape_key(const TableBatch& batch);

// Builds the statements of `batch`'s shape using `staging` as the staging table name. Throws
// ConnectError when a primary key column is not among the batch's columns.
BatchStatements build_batch_statements(const TableBatch& batch, const std::string& staging, const SqlNames& names);

}  // namespace sluice::jdbc
