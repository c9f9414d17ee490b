#include "table_batch_writer.h"

#include <algorithm>

#include "mysql_parameters.h"
#include "mysql_statements.h"
#include "sluice/errors.h"
#include "value_text.h"

namespace sluice::jdbc::mysql {

namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);
// A prepared statement takes at most 65535 parameters.
constexpr std::size_t kMaxParameters = 65535;

std::size_t index_of(const TableSpec& table, const std::string& column) {
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    if (table.columns[i].name == column) return i;
  }
  return kNone;
}

bool is_timestamp_kind(ColumnKind kind) {
  return kind == ColumnKind::kTimestampMillis || kind == ColumnKind::kTimestampMicros ||
         kind == ColumnKind::kTimestampNanos || kind == ColumnKind::kZonedTimestamp;
}

}  // namespace

TableBatchWriter::TableBatchWriter(MysqlSession& session, const TableBatch& batch)
    : session_(session),
      batch_(batch),
      guarded_(!batch.position_column.empty()),
      guard_index_(batch.position_column.empty() ? kNone : index_of(batch.table, batch.position_column)),
      deleted_at_index_(batch.deleted_at_column.empty() ? kNone : index_of(batch.table, batch.deleted_at_column)) {
  const auto& table = batch.table;
  for (const auto& c : table.columns) {
    column_types_.push_back(&c.type);
    is_key_.push_back(std::find(table.primary_key.begin(), table.primary_key.end(), c.name) != table.primary_key.end());
  }
  for (const auto& k : table.primary_key) {
    const std::size_t i = index_of(table, k);
    if (i == kNone) throw ConnectError("MySQL sink: " + table.id.to_string() + ": key column " + k + " is not a column");
    key_types_.push_back(column_types_[i]);
  }
}

void TableBatchWriter::write() {
  if (batch_.truncate_first) {
    session_.execute(truncate_sql(batch_), what("empty the table"));
  }
  std::vector<const RowOp*> upserts, deletes, soft_deletes;
  for (const auto& row : batch_.rows) {
    check_row(row);
    if (row.kind == RowOpKind::kUpsert) upserts.push_back(&row);
    if (row.kind == RowOpKind::kDelete) deletes.push_back(&row);
    if (row.kind == RowOpKind::kSoftDelete) soft_deletes.push_back(&row);
  }
  if (!upserts.empty() && guarded_ && guard_index_ == kNone) {
    throw ConnectError("MySQL sink: " + batch_.table.id.to_string() + ": the position column " +
                       batch_.position_column + " is not among the batch's columns");
  }
  if (batch_.mode == InsertMode::kUpdate) {
    write_updates(upserts);
  } else {
    write_multi_row(upserts);
  }
  write_deletes(deletes);
  write_soft_deletes(soft_deletes);
}

void TableBatchWriter::check_row(const RowOp& row) const {
  if (row.kind == RowOpKind::kUpsert && row.values.size() != batch_.table.columns.size()) {
    throw ConnectError("MySQL sink: " + batch_.table.id.to_string() + ": a row has " +
                       std::to_string(row.values.size()) + " values for " +
                       std::to_string(batch_.table.columns.size()) + " columns");
  }
  const bool needs_key = row.kind != RowOpKind::kUpsert || batch_.mode == InsertMode::kUpdate;
  if (needs_key && row.key.size() != batch_.table.primary_key.size()) {
    throw ConnectError("MySQL sink: " + batch_.table.id.to_string() + ": a change has " +
                       std::to_string(row.key.size()) + " key values for " +
                       std::to_string(batch_.table.primary_key.size()) + " key columns");
  }
  if (row.kind == RowOpKind::kSoftDelete && batch_.deleted_flag_column.empty()) {
    throw ConnectError("MySQL sink: " + batch_.table.id.to_string() + ": a soft delete without a deleted flag column");
  }
}

std::string TableBatchWriter::what(const char* action) const {
  return std::string(action) + " of " + batch_.table.id.to_string();
}

// Chunks end at kMaxRowsPerStatement rows, at the parameter limit, or before the values pass
// half of max_allowed_packet (the rest of the packet is the statement's framing and slack).
void TableBatchWriter::write_multi_row(const std::vector<const RowOp*>& rows) {
  const std::size_t columns = std::max<std::size_t>(1, batch_.table.columns.size());
  const std::size_t max_rows = std::min(kMaxRowsPerStatement, kMaxParameters / columns);
  const std::size_t byte_budget = std::max<std::size_t>(64 << 10, session_.max_packet() / 2);
  std::vector<const RowOp*> chunk;
  std::size_t bytes = 0;
  for (const RowOp* row : rows) {
    std::size_t row_bytes = 0;
    for (const auto& v : row->values) row_bytes += estimated_size(v);
    // The server answers an oversized packet by dropping the connection, which would look like a
    // transient failure and be retried forever.
    if (row_bytes >= session_.max_packet()) {
      throw ConnectError("MySQL sink: " + batch_.table.id.to_string() + ": a row of about " +
                         std::to_string(row_bytes) + " bytes does not fit max_allowed_packet (" +
                         std::to_string(session_.max_packet()) + ")");
    }
    if (!chunk.empty() && (chunk.size() == max_rows || bytes + row_bytes > byte_budget)) {
      write_chunk(chunk);
      chunk.clear();
      bytes = 0;
    }
    chunk.push_back(row);
    bytes += row_bytes;
  }
  if (!chunk.empty()) write_chunk(chunk);
}

void TableBatchWriter::write_chunk(const std::vector<const RowOp*>& chunk) {
  const bool plain_insert = batch_.mode == InsertMode::kInsert;
  const std::string sql = plain_insert ? insert_sql(batch_, chunk.size()) : upsert_sql(batch_, chunk.size());
  const std::string action = what(plain_insert ? "insert into" : "upsert into");
  auto& statement = session_.prepare(sql, action);
  ParameterBinder binder(statement);
  const auto& columns = batch_.table.columns;
  for (const RowOp* row : chunk) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (i == guard_index_) {
        binder.bind_int64(row->guard);
      } else {
        binder.bind(row->values[i], *column_types_[i], columns[i].name);
      }
    }
  }
  session_.execute_prepared(statement, sql, action);
}

void TableBatchWriter::bind_key_and_guard(ParameterBinder& binder, const RowOp& row) const {
  for (std::size_t k = 0; k < row.key.size(); ++k) binder.bind(row.key[k], *key_types_[k], batch_.table.primary_key[k]);
  if (guarded_) {
    binder.bind_int64(row.guard);
    binder.bind_int64(row.guard);
  }
}

void TableBatchWriter::write_updates(const std::vector<const RowOp*>& rows) {
  const std::string sql = update_sql(batch_);
  if (rows.empty() || sql.empty()) return;  // only key columns: an update changes nothing
  const std::string action = what("update");
  auto& statement = session_.prepare(sql, action);
  const auto& columns = batch_.table.columns;
  for (const RowOp* row : rows) {
    ParameterBinder binder(statement);
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (!is_key_[i] && i != guard_index_) binder.bind(row->values[i], *column_types_[i], columns[i].name);
    }
    if (guard_index_ != kNone) binder.bind_int64(row->guard);
    bind_key_and_guard(binder, *row);
    session_.execute_prepared(statement, sql, action);
  }
}

void TableBatchWriter::write_deletes(const std::vector<const RowOp*>& rows) {
  const std::size_t per_row = batch_.table.primary_key.size() + (guarded_ ? 2 : 0);
  const std::size_t max_rows = std::min(kMaxDeletesPerStatement, kMaxParameters / std::max<std::size_t>(1, per_row));
  const std::string action = what("delete from");
  for (std::size_t begin = 0; begin < rows.size(); begin += max_rows) {
    const std::size_t count = std::min(max_rows, rows.size() - begin);
    const std::string sql = delete_sql(batch_, count);
    auto& statement = session_.prepare(sql, action);
    ParameterBinder binder(statement);
    for (std::size_t i = begin; i < begin + count; ++i) bind_key_and_guard(binder, *rows[i]);
    session_.execute_prepared(statement, sql, action);
  }
}

// The deleted-at column takes the delete's time in its own type: a DATETIME (the default for a
// column the spec does not describe) as UTC text, a number as epoch milliseconds.
void TableBatchWriter::write_soft_deletes(const std::vector<const RowOp*>& rows) {
  if (rows.empty()) return;
  const std::string sql = soft_delete_sql(batch_);
  const std::string action = what("soft delete in");
  auto& statement = session_.prepare(sql, action);
  const ColumnType* at_type = deleted_at_index_ == kNone ? nullptr : column_types_[deleted_at_index_];
  const bool as_millis = at_type != nullptr && !is_timestamp_kind(at_type->kind) && at_type->kind != ColumnKind::kString;
  for (const RowOp* row : rows) {
    ParameterBinder binder(statement);
    if (!batch_.deleted_at_column.empty()) {
      if (as_millis) {
        binder.bind_int64(row->deleted_at_ms);
      } else {
        binder.bind_string(timestamp_text(row->deleted_at_ms * 1000));
      }
    }
    if (guarded_) binder.bind_int64(row->guard);
    bind_key_and_guard(binder, *row);
    session_.execute_prepared(statement, sql, action);
  }
}

}  // namespace sluice::jdbc::mysql
