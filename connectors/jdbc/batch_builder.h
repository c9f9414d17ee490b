// BatchBuilder: turns the row changes of one transaction's records into TableBatches.
//
// Per table, only the last change per key survives (insert then delete -> delete; delete then
// insert -> upsert), in source order of the surviving changes. An upsert that leaves unchanged
// TOAST columns out takes their values from an earlier upsert of the same key in the batch; the
// columns still unknown are left out of its TableBatch, so the stored values stay. A truncate
// drops the table's earlier changes and sets truncate_first. Changes are split into one
// TableBatch per (column set, guarded): unguarded bare tombstones go to a batch without
// position_column. Each TableSpec lists the key columns, the value columns, the guard column and,
// with delete.mode=soft, the soft delete columns; upsert rows carry a value for each (the guard,
// false, null for the last three). An upsert is likely_new when the first change of its key in the
// batch was (a create or snapshot read), or when a truncate of its table came before it.
//
// Stateless apart from the config; build() may be called from any one thread at a time.
#pragma once

#include <vector>

#include "change_extractor.h"
#include "jdbc_sink_config.h"
#include "sink_database.h"

namespace sluice::jdbc {

class BatchBuilder {
 public:
  explicit BatchBuilder(const JdbcSinkConfig& config);

  // `changes` must outlive the call only (values are copied into the RowOps).
  std::vector<TableBatch> build(const std::vector<const RowChange*>& changes) const;
  std::vector<TableBatch> build(const std::vector<RowChange>& changes) const;

 private:
  struct TableChanges;

  void emit_table(const TableId& id, const TableChanges& changes, std::vector<TableBatch>& out) const;
  TableBatch make_batch(const TableId& table, const RowChange& sample, bool guarded,
                        const std::vector<std::size_t>& kept) const;
  RowOp make_op(const RowChange& change, const std::vector<std::size_t>& kept, bool guarded) const;

  JdbcSinkConfig config_;
};

}  // namespace sluice::jdbc
