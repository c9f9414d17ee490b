// SchemaEvolver: makes sure the target tables can take a batch before it is applied.
//
// For each TableBatch: the table must exist with every column of its TableSpec. With
// schema.evolution=basic a missing table is created (CREATE TABLE with the spec's columns and
// primary key) and missing columns are added (nullable); nothing is ever dropped or retyped.
// With none, a missing table or column is a ConnectError naming the table and the columns. A
// batch with no upserts on a table that does not exist is dropped (nothing to delete or
// truncate) instead of creating the table.
//
// What was seen is cached per table (the column names it has), so a steady stream describes each
// table once; forget() clears the cache (after a reconnect: the table may have changed).
// Names compare case-insensitively unless quote.identifiers.
//
// Owned by the task thread; not thread-safe.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "jdbc_sink_config.h"
#include "sink_database.h"

namespace sluice::jdbc {

class SchemaEvolver {
 public:
  SchemaEvolver(SchemaEvolution evolution, bool quote_identifiers);

  // Evolves `database` for `batches`; removes the batches that need no table. RetriableError from
  // the database passes through.
  void prepare(SinkDatabase& database, std::vector<TableBatch>& batches);

  void forget() { known_.clear(); }

  // How many times describe() was called (for tests of the cache).
  int describes() const { return describes_; }

 private:
  // false: drop the batch.
  bool prepare_one(SinkDatabase& database, const TableBatch& batch);
  std::string fold(const std::string& name) const;

  SchemaEvolution evolution_;
  bool quote_identifiers_;
  std::map<TableId, std::set<std::string>> known_;  // folded column names of existing tables
  int describes_ = 0;
};

}  // namespace sluice::jdbc
