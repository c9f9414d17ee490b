#include "table_batch_writer.h"

#include <algorithm>

#include <sluice/errors.h>

#include "value_text.h"

namespace sluice::jdbc {
namespace {

// COPY data is sent in pieces of about this size, so a large batch is never held twice and the
// server parses and inserts the first rows while the rest are rendered (64 KiB instead of 1 MiB:
// 1M inserts in 5,000-row batches, four alternating runs each, 3.28-3.74 s vs 3.56-4.10 s).
constexpr std::size_t kCopyChunkBytes = 1 << 16;
// DELETE leaves dead rows that only VACUUM (never run on temporary tables) would reclaim: after
// this many the staging table is truncated instead, which starts a fresh file.
constexpr std::int64_t kTruncateStagingAfterRows = 20000;

using Params = std::vector<std::optional<std::string>>;

void check_row(const TableBatch& batch, const BatchStatements& st, const RowOp& row) {
  if (row.kind == RowOpKind::kUpsert && row.values.size() != batch.table.columns.size()) {
    throw DataError(batch.table.id.to_string() + ": a change has " + std::to_string(row.values.size()) +
                    " values for " + std::to_string(batch.table.columns.size()) + " columns");
  }
  if (row.kind != RowOpKind::kUpsert && row.key.size() != st.key_columns.size()) {
    throw DataError(batch.table.id.to_string() + ": a delete has " + std::to_string(row.key.size()) +
                    " key values for " + std::to_string(st.key_columns.size()) + " key columns");
  }
}

void add_param(Params& params, const Value& value, const ColumnSpec& column) {
  if (value.is_null()) {
    params.emplace_back(std::nullopt);
  } else {
    params.emplace_back(postgres_value_text(value, column));
  }
}

std::string deleted_at_text(const RowOp& row) { return timestamp_text(row.deleted_at_ms * 1000); }

constexpr const char* kUniqueViolation = "23505";

// An upsert the target gets by plain COPY when its key is new (see the header).
bool direct_candidate(const TableBatch& batch, const RowOp& row) {
  return row.kind == RowOpKind::kUpsert && (row.likely_new || batch.mode == InsertMode::kInsert);
}

}  // namespace

TableBatchWriter::Shape& TableBatchWriter::shape_for(const TableBatch& batch) {
  std::string key = batch_shape_key(batch);
  auto it = shapes_.find(key);
  if (it != shapes_.end()) return it->second;
  std::string staging = "__sluice_stage_" + std::to_string(shapes_.size() + 1);
  Shape shape;
  shape.statements = build_batch_statements(batch, staging, names_);
  return shapes_.emplace(std::move(key), std::move(shape)).first->second;
}

bool TableBatchWriter::small(const TableBatch& batch) const {
  if (batch.rows.size() < small_batch_rows_) return true;
  if (batch.mode == InsertMode::kUpdate || batch.rows.size() >= std::max(small_batch_rows_, kSmallUpsertBatchRows)) {
    return false;
  }
  for (const auto& row : batch.rows) {
    if (row.kind != RowOpKind::kUpsert) return false;
  }
  return true;
}

void TableBatchWriter::prepare(SinkSession& session, const TableBatch& batch) {
  Shape& shape = shape_for(batch);
  if (small(batch) || shape.staging_created) return;
  session.exec(shape.statements.create_staging, batch.table.id.to_string());
  shape.staging_created = true;
}

void TableBatchWriter::write(SinkSession& session, const TableBatch& batch) {
  Shape& shape = shape_for(batch);
  if (batch.truncate_first) session.exec(shape.statements.truncate_target, batch.table.id.to_string());
  if (batch.rows.empty()) return;
  bool deletes = false, soft_deletes = false;
  for (const auto& row : batch.rows) {
    check_row(batch, shape.statements, row);
    deletes = deletes || row.kind == RowOpKind::kDelete;
    soft_deletes = soft_deletes || row.kind == RowOpKind::kSoftDelete;
  }
  if ((deletes && shape.statements.hard_delete.empty()) || (soft_deletes && shape.statements.soft_delete.empty())) {
    throw ConnectError(batch.table.id.to_string() + ": deletes need a primary key (and soft deletes their columns)");
  }
  if (small(batch)) {
    Rows rows;
    for (const auto& row : batch.rows) rows.push_back(&row);
    write_small(session, batch, shape, rows);
  } else {
    write_large(session, batch, shape);
  }
}

void TableBatchWriter::write_large(SinkSession& session, const TableBatch& batch, Shape& shape) {
  Rows direct, rest;
  for (const auto& row : batch.rows) (direct_candidate(batch, row) ? direct : rest).push_back(&row);
  if (!direct.empty() && !(try_direct(shape, direct.size(), rest.size()) && copy_direct(session, batch, shape, direct))) {
    rest.clear();
    for (const auto& row : batch.rows) rest.push_back(&row);
  }
  if (rest.empty()) return;
  if (rest.size() < small_batch_rows_) {
    write_small(session, batch, shape, rest);
  } else {
    write_staged(session, batch, shape, rest);
  }
}

bool TableBatchWriter::try_direct(Shape& shape, std::size_t direct_rows, std::size_t other_rows) {
  if (shape.statements.copy_target.empty()) return false;
  if (other_rows > 0 && direct_rows < kMinDirectRows) return false;
  if (shape.direct_skips_left > 0) {
    --shape.direct_skips_left;
    return false;
  }
  return true;
}

bool TableBatchWriter::copy_direct(SinkSession& session, const TableBatch& batch, Shape& shape, const Rows& rows) {
  const std::string table = batch.table.id.to_string();
  session.exec("SAVEPOINT __sluice_direct", table);
  if (copy_rows(session, batch, shape.statements, rows, CopyInto::kTarget)) {
    session.exec("RELEASE SAVEPOINT __sluice_direct", table);
    shape.direct_skips = 0;
    return true;
  }
  // A key was there after all (a redelivery): the guarded staging path decides for these rows.
  session.exec("ROLLBACK TO SAVEPOINT __sluice_direct; RELEASE SAVEPOINT __sluice_direct", table);
  shape.direct_skips = std::min(kMaxDirectSkips, std::max(1, shape.direct_skips * 2));
  shape.direct_skips_left = shape.direct_skips;
  return false;
}

void TableBatchWriter::write_staged(SinkSession& session, const TableBatch& batch, Shape& shape, const Rows& rows) {
  const BatchStatements& st = shape.statements;
  const std::string table = batch.table.id.to_string();
  copy_rows(session, batch, st, rows, CopyInto::kStaging);
  bool upserts = false, deletes = false, soft_deletes = false;
  for (const RowOp* row : rows) {
    upserts = upserts || row->kind == RowOpKind::kUpsert;
    deletes = deletes || row->kind == RowOpKind::kDelete;
    soft_deletes = soft_deletes || row->kind == RowOpKind::kSoftDelete;
  }
  if (upserts && !st.write_changes.empty()) session.exec_prepared(st.write_changes, table);
  if (deletes) session.exec_prepared(st.hard_delete, table);
  if (soft_deletes) session.exec_prepared(st.soft_delete, table);
  // Empty at commit, so a later rollback also leaves it empty.
  shape.staged_since_truncate += static_cast<std::int64_t>(rows.size());
  if (shape.staged_since_truncate >= kTruncateStagingAfterRows) {
    session.exec_prepared(st.truncate_staged, table);
    shape.staged_since_truncate = 0;
  } else {
    session.exec_prepared(st.delete_staged, table);
  }
}

// False only when copying into the target hit a unique violation (the COPY is then aborted).
bool TableBatchWriter::copy_rows(SinkSession& session, const TableBatch& batch, const BatchStatements& st,
                                 const Rows& rows, CopyInto into) {
  const std::string table = batch.table.id.to_string();
  session.copy_begin(into == CopyInto::kTarget ? st.copy_target : st.copy, table);
  copy_.clear();
  try {
    for (const RowOp* row : rows) {
      if (into == CopyInto::kTarget) {
        target_row(batch, st, *row);
      } else {
        stage_row(batch, st, *row);
      }
      if (copy_.size() >= kCopyChunkBytes) {
        session.copy_send(copy_.data(), table);
        copy_.clear();
      }
    }
    session.copy_send(copy_.data(), table);
    copy_.clear();
  } catch (const RetriableError&) {
    throw;
  } catch (const std::exception& e) {
    session.copy_abort(e.what());
    throw;
  }
  if (into == CopyInto::kTarget) return session.copy_end_unless(kUniqueViolation, table);
  session.copy_end(table);
  return true;
}

void TableBatchWriter::stage_row(const TableBatch& batch, const BatchStatements& st, const RowOp& row) {
  const auto& columns = batch.table.columns;
  static const char* const kOps[] = {"u", "d", "s"};
  copy_.add_plain(kOps[static_cast<int>(row.kind)]);
  copy_.add_plain(std::to_string(row.guard));
  if (row.kind == RowOpKind::kSoftDelete) {
    copy_.add_plain(deleted_at_text(row));
  } else {
    copy_.add_null();
  }
  for (std::size_t i : st.value_columns) {
    if (row.kind == RowOpKind::kUpsert) {
      copy_.add(row.values[i], columns[i]);
      continue;
    }
    std::size_t k = 0;
    while (k < st.key_columns.size() && st.key_columns[k] != i) ++k;
    if (k < st.key_columns.size()) {
      copy_.add(row.key[k], columns[i]);
    } else {
      copy_.add_null();
    }
  }
  copy_.end_row();
}

// What the staging INSERT would store for a new key: the value columns (soft delete flag false,
// deleted-at null, as the core sets them for upserts), then the guard from row.guard.
void TableBatchWriter::target_row(const TableBatch& batch, const BatchStatements& st, const RowOp& row) {
  const auto& columns = batch.table.columns;
  for (std::size_t i : st.value_columns) copy_.add(row.values[i], columns[i]);
  if (!batch.position_column.empty()) copy_.add_plain(std::to_string(row.guard));
  copy_.end_row();
}

void TableBatchWriter::write_small(SinkSession& session, const TableBatch& batch, Shape& shape, const Rows& rows) {
  const BatchStatements& st = shape.statements;
  const auto& columns = batch.table.columns;
  const std::string table = batch.table.id.to_string();
  const bool guarded = !batch.position_column.empty();
  Rows upserts;
  for (const RowOp* row : rows) {
    if (row->kind == RowOpKind::kUpsert) {
      upserts.push_back(row);
      continue;
    }
    Params params;
    for (std::size_t k = 0; k < st.key_columns.size(); ++k) add_param(params, row->key[k], columns[st.key_columns[k]]);
    if (row->kind == RowOpKind::kSoftDelete && !batch.deleted_at_column.empty()) params.emplace_back(deleted_at_text(*row));
    if (guarded) params.emplace_back(std::to_string(row->guard));
    session.exec_prepared(row->kind == RowOpKind::kDelete ? st.delete_row : st.soft_delete_row, table, params);
  }
  if (!upserts.empty()) upsert_small(session, batch, shape, upserts);
}

void TableBatchWriter::upsert_small(SinkSession& session, const TableBatch& batch, Shape& shape, const Rows& rows) {
  const BatchStatements& st = shape.statements;
  const auto& columns = batch.table.columns;
  const std::string table = batch.table.id.to_string();
  const bool guarded = !batch.position_column.empty();
  if (batch.mode == InsertMode::kUpdate) {
    if (st.update_row.empty()) return;
    for (const RowOp* row : rows) {
      Params params;
      for (std::size_t i : st.non_key_columns) add_param(params, row->values[i], columns[i]);
      for (std::size_t i : st.key_columns) add_param(params, row->values[i], columns[i]);
      if (guarded) params.emplace_back(std::to_string(row->guard));
      session.exec_prepared(st.update_row, table, params);
    }
    return;
  }
  Params params;
  for (const RowOp* row : rows) {
    for (std::size_t i : st.value_columns) add_param(params, row->values[i], columns[i]);
    if (guarded) params.emplace_back(std::to_string(row->guard));
  }
  session.exec_prepared(values_upsert(shape, rows.size()), table, params);
}

const std::string& TableBatchWriter::values_upsert(Shape& shape, std::size_t rows) {
  if (shape.values_upserts.size() <= rows) shape.values_upserts.resize(rows + 1);
  std::string& sql = shape.values_upserts[rows];
  if (!sql.empty()) return sql;
  const BatchStatements& st = shape.statements;
  sql = st.insert_head + " VALUES ";
  std::size_t p = 1;
  for (std::size_t r = 0; r < rows; ++r) {
    sql += r > 0 ? ", (" : "(";
    for (std::size_t c = 0; c < st.insert_width; ++c) sql += (c > 0 ? ", $" : "$") + std::to_string(p++);
    sql += ")";
  }
  sql += st.conflict;
  return sql;
}

}  // namespace sluice::jdbc
