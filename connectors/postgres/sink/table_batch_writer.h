// TableBatchWriter: writes one TableBatch inside the caller's transaction.
//
// A batch of at least `small_batch_rows` rows (kSmallUpsertBatchRows when it holds upserts only)
// goes through the staging table of its shape (see batch_statements.h): COPY, one set-based statement per change kind present, then the staging
// table is emptied (DELETE for a few rows, TRUNCATE once enough dead rows have piled up). A
// smaller batch uses parameterized statements instead: one multi-row INSERT ... VALUES for its
// inserts/upserts, one statement per row for updates and deletes. Both paths apply the same guard.
//
// Direct COPY: in such a batch, the upserts of likely new keys
// (RowOp::likely_new, or every upsert in insert mode) are first COPYed straight into the target,
// inside a savepoint. A key the target does not hold has no stored position for the guard to
// compare, so this stores exactly what the staging INSERT would. When a key exists after all
// (unique_violation, a redelivery), the savepoint is rolled back and those rows go through the
// staging path with the rest; after such a conflict the shape skips the direct COPY for the next
// 1, 2, 4 ... kMaxDirectSkips batches that could use it (reset by a success), so a stream of
// redeliveries does not pay COPY + rollback every batch. The other rows take the staging path,
// or the parameterized one when fewer than `small_batch_rows` remain. The order between the two
// does not matter: a batch holds each key at most once (the core's dedup).
//
// Keeps, per connection, the statements of each shape, whether its staging table exists and its
// direct COPY backoff; reset() forgets them when the connection is replaced. Owned by the task
// thread through PostgresSinkDatabase; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "batch_statements.h"
#include "copy_text_writer.h"
#include "sink_session.h"

namespace sluice::jdbc {

class TableBatchWriter {
 public:
  // Below this many rows the parameterized path is faster: COPY, the set-based statement and the
  // staging cleanup cost round trips that a few rows do not repay. Measured over a unix socket,
  // one transaction per batch, 3/4 upserts and 1/4 deletes: 1 row 140 vs 242 us, 8 rows 289 vs
  // 378 us, 16 rows 296 vs 348 us, 32 rows 486 vs 400 us, 256 rows 3131 vs 1288 us.
  static constexpr std::size_t kSmallBatchRows = 16;
  // A batch of upserts only (insert or upsert mode) has no per-row statements on the
  // parameterized path, which then stays faster for longer. Measured the same way, all upserts, us
  // per batch, parameterized vs direct COPY (new keys) / staging (existing keys): 16 rows 292 vs
  // 378 / 304 vs 458, 24 rows 345 vs 432 / 396 vs 549, 32 rows 413 vs 459 / 446 vs 683, 48 rows 567
  // vs 531 / 641 vs 886. (32 rows of PostgreSQL's 1,600 columns at most stay below the 65,535
  // parameters of one statement.)
  static constexpr std::size_t kSmallUpsertBatchRows = 32;
  // The direct COPY costs a savepoint and a COPY of its own (4 round trips): when other rows of
  // the batch go through staging anyway, fewer likely-new rows than this are staged with them.
  // (Measured: each row staged costs about 11 us, each row COPYed directly about 4 us, and the
  // direct COPY's own statements about 100 us.)
  static constexpr std::size_t kMinDirectRows = 16;
  // The longest run of batches a shape skips the direct COPY for after consecutive conflicts.
  static constexpr int kMaxDirectSkips = 64;

  explicit TableBatchWriter(SqlNames names, std::size_t small_batch_rows = kSmallBatchRows)
      : names_(names), small_batch_rows_(small_batch_rows) {}

  // Outside any transaction: creates the staging table the batch needs, if it does not exist yet
  // (a rolled-back transaction would otherwise take a new staging table with it).
  void prepare(SinkSession& session, const TableBatch& batch);

  // Inside the transaction, after prepare(): truncate if asked, then the rows.
  void write(SinkSession& session, const TableBatch& batch);

  void reset() { shapes_.clear(); }

 private:
  struct Shape {
    BatchStatements statements;
    bool staging_created = false;
    std::int64_t staged_since_truncate = 0;   // dead rows DELETE left in the staging table
    std::vector<std::string> values_upserts;  // by row count: INSERT ... VALUES (..), (..)
    int direct_skips_left = 0;                // batches to go before the direct COPY is tried again
    int direct_skips = 0;                     // the last skip run; doubles per consecutive conflict
  };
  using Rows = std::vector<const RowOp*>;
  enum class CopyInto { kStaging, kTarget };

  Shape& shape_for(const TableBatch& batch);
  bool small(const TableBatch& batch) const;
  void write_large(SinkSession& session, const TableBatch& batch, Shape& shape);
  bool try_direct(Shape& shape, std::size_t direct_rows, std::size_t other_rows);
  bool copy_direct(SinkSession& session, const TableBatch& batch, Shape& shape, const Rows& rows);
  void write_staged(SinkSession& session, const TableBatch& batch, Shape& shape, const Rows& rows);
  bool copy_rows(SinkSession& session, const TableBatch& batch, const BatchStatements& st, const Rows& rows,
                 CopyInto into);
  void stage_row(const TableBatch& batch, const BatchStatements& st, const RowOp& row);
  void target_row(const TableBatch& batch, const BatchStatements& st, const RowOp& row);
  void write_small(SinkSession& session, const TableBatch& batch, Shape& shape, const Rows& rows);
  void upsert_small(SinkSession& session, const TableBatch& batch, Shape& shape, const Rows& rows);
  const std::string& values_upsert(Shape& shape, std::size_t rows);

  SqlNames names_;
  std::size_t small_batch_rows_;
  std::unordered_map<std::string, Shape> shapes_;  // batch_shape_key -> statements and state
  CopyTextWriter copy_;
};

}  // namespace sluice::jdbc
