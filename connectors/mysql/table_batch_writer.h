// TableBatchWriter: writes one TableBatch inside the caller's open transaction.
//
// The batch holds at most one change per key, so the order between keys does not matter: the
// writer empties the table first if asked, then writes the upserts (or inserts, or updates), then
// the hard deletes, then the soft deletes. Upserts and inserts go as multi-row statements of up
// to kMaxRowsPerStatement rows (fewer when the placeholders would pass 65535 or the values
// max_allowed_packet); every full chunk reuses one prepared statement, the remainder another.
// Hard deletes go as an OR-list of key lookups, kMaxDeletesPerStatement rows per statement.
// Updates and soft deletes are one prepared statement executed per row (each row sets its own
// values; a multi-table UPDATE would not promise the assignment order the guard relies on).
//
// Borrows the session and the batch for one write(); owned by the task thread.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "mysql_session.h"
#include "sink_database.h"

namespace sluice::jdbc::mysql {

class TableBatchWriter {
 public:
  static constexpr std::size_t kMaxRowsPerStatement = 1000;
  static constexpr std::size_t kMaxDeletesPerStatement = 500;

  TableBatchWriter(MysqlSession& session, const TableBatch& batch);

  void write();

 private:
  void write_multi_row(const std::vector<const RowOp*>& rows);
  void write_chunk(const std::vector<const RowOp*>& chunk);
  void write_updates(const std::vector<const RowOp*>& rows);
  void write_deletes(const std::vector<const RowOp*>& rows);
  void write_soft_deletes(const std::vector<const RowOp*>& rows);
  void bind_key_and_guard(class ParameterBinder& binder, const RowOp& row) const;
  void check_row(const RowOp& row) const;
  std::string what(const char* action) const;

  MysqlSession& session_;
  const TableBatch& batch_;
  std::vector<const ColumnType*> column_types_;  // per TableSpec column
  std::vector<const ColumnType*> key_types_;     // per primary key column
  std::vector<bool> is_key_;                     // per TableSpec column
  bool guarded_;                                 // the batch has a position column
  std::size_t guard_index_;                      // the guard column's index, or npos
  std::size_t deleted_at_index_;                 // the deleted-at column's index, or npos
};

}  // namespace sluice::jdbc::mysql
