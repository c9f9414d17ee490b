// ChangeExtractor: turns one sink record into the row changes it stands for.
//
// Accepted shapes:
//   Debezium envelope  value struct with op/before/after/source: c, u, r -> upsert of `after`;
//                      d -> delete by key; t -> truncate of the table. An update whose key
//                      columns differ between `before` and `after` is a delete of the old key and
//                      an upsert of the new one.
//   flattened          a plain value struct (ExtractNewRecordState): upsert; with delete.enabled,
//                      a `__deleted` field of "true"/true makes it a delete (otherwise the field
//                      is kept as a column). An `__op` field or header (add.fields / add.headers
//                      op) only marks creates and snapshot reads as likely new keys.
//   tombstone          null value: a delete by key. Dropped when the previous record of the
//                      partition deleted the same key (the delete did it already); otherwise a
//                      bare delete without guard, at the source position of the partition's
//                      previous record (for the checkpoint skip). A tombstone has no source block: when
//                      table.name.format needs ${source.*}, it goes to the table the topic's
//                      previous records went to (DataError if there was none).
// Deletes and tombstones are skipped unless delete.enabled, truncates unless truncate.enabled.
//
// The primary key follows primary.key.mode: record_key (the key struct's fields, all or those in
// primary.key.fields; a primitive key is the column primary.key.fields names), record_value (the
// listed value fields), kafka (__connect_topic, __connect_partition, __connect_offset) or none.
// Value fields pass field.include.list / field.exclude.list; fields named like the guard column
// (and, with delete.mode=soft, the soft delete columns) are left out, the sink writes those.
//
// Guard and position (docs/jdbc-sink-design.md): PostgreSQL source.lsn and source.sequence;
// MySQL/MariaDB ((file seq << 40) | pos, row); snapshot records guard 0 and no position. A record
// without a source block is written without a guard (guarded = false; `guard` holds its Kafka
// offset for messages only): Kafka offsets are no order across partitions, and on the embedded
// bus they restart at 0 after a worker restart, so a stored offset would block every later change
// of the row. An in-order replay needs no guard. Flattened records carry the same facts as fields
// or headers __source_lsn / __lsn, __source_sequence, __source_file + __source_pos (+
// __source_row), __source_snapshot, __source_ts_ms, __source_db / __source_schema /
// __source_table. The header __debezium_unchanged_columns lists value columns whose stored value
// must stay (TOAST values the source did not send).
//
// Poison input (no key where one is needed, wrong shapes, unknown op) throws DataError whose
// message names topic, partition and offset.
//
// Column lists are derived once per (value schema, topic) and shared by every change. The caches
// are keyed by schema address (converters reuse decoded schemas); each holds at most
// kMaxCachedSchemas entries and starts over when full, so a converter that builds a new schema
// per record costs time, not memory.
// Owned by the task thread; not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "jdbc_sink_config.h"
#include "sink_database.h"
#include "sluice/record.h"
#include "source_facts.h"

namespace sluice::jdbc {

using ColumnList = std::shared_ptr<const std::vector<ColumnSpec>>;

struct RowChange {
  enum class Kind { kUpsert, kDelete, kTruncate };

  Kind kind = Kind::kUpsert;
  TableId table;
  TopicPartition partition;
  std::int64_t offset = 0;
  // Primary key columns and this change's values of them (empty with primary.key.mode=none).
  ColumnList key_columns;
  std::vector<Value> key;
  // kUpsert: the non-key columns, and one value per column.
  ColumnList columns;
  std::vector<Value> values;
  // Names in `columns` whose stored value must be kept (not written).
  std::vector<std::string> unchanged;
  std::int64_t guard = 0;
  // false for a bare tombstone (it deletes whatever is stored) and for records without a source
  // position (see the top).
  bool guarded = true;
  bool snapshot = false;
  std::optional<SourcePosition> position;  // streamed changes with a source position only
  std::int64_t deleted_at_ms = 0;
  // kUpsert from a create or snapshot read (envelope op c / r; flattened: an __op field or
  // header of c / r): the key is probably new to the target (RowOp::likely_new).
  bool likely_new = false;
};

class ChangeExtractor {
 public:
  static constexpr std::size_t kMaxCachedSchemas = 1024;

  explicit ChangeExtractor(const JdbcSinkConfig& config);

  // Appends the changes of `record` to `out` (none when it is skipped).
  void extract(const SinkRecord& record, std::vector<RowChange>& out);

 private:
  struct ValueColumns {
    SchemaPtr schema;                 // keeps the cache key alive
    ColumnList key;                   // likewise (its address is part of the cache key)
    ColumnList columns;
    std::vector<std::size_t> fields;  // struct field index of each column
  };
  struct KeyColumns {
    SchemaPtr schema;
    ColumnList columns;
  };
  void extract_checked(const SinkRecord& record, std::vector<RowChange>& out);
  void extract_envelope(const SinkRecord& record, const Struct& envelope, std::vector<RowChange>& out);
  void extract_flattened(const SinkRecord& record, const Struct& value, std::vector<RowChange>& out);
  void extract_tombstone(const SinkRecord& record, std::vector<RowChange>& out);

  RowChange base_change(const SinkRecord& record, const SourceFacts& facts);
  void fill_key_from_record(const SinkRecord& record, const Struct* row, RowChange& change);
  bool key_from_row(const Struct& row, const RowChange& change, std::vector<Value>& key) const;
  void fill_values(const SinkRecord& record, const Struct& row, RowChange& change);
  const ValueColumns& value_columns(const std::string& topic, const SchemaPtr& schema,
                                    const ColumnList& key);
  const KeyColumns& key_columns(const SchemaPtr& key_schema);
  ColumnList record_value_key_columns(const SchemaPtr& value_schema);
  bool follows_delete_of_same_key(const SinkRecord& record) const;
  void remember(const SinkRecord& record, const std::vector<RowChange>& out, std::size_t first);

  JdbcSinkConfig config_;
  // Keyed by value schema, topic (field rules) and key column list (cached, so stable).
  std::map<std::tuple<const Schema*, std::string, const void*>, ValueColumns> value_columns_;
  std::map<const Schema*, KeyColumns> key_columns_;
  std::map<const Schema*, std::pair<SchemaPtr, ColumnList>> record_value_keys_;
  ColumnList kafka_key_columns_;
  ColumnList no_key_columns_;
  // Per partition: the offset and record key of the last delete seen, for tombstone dropping.
  std::map<TopicPartition, std::pair<std::int64_t, Value>> last_delete_;
  // Per partition: the source position of the last record that had one (for bare tombstones).
  std::map<TopicPartition, SourcePosition> last_position_;
  // The table each topic's last record went to (for tombstones with a source-based format).
  std::map<std::string, TableId> topic_tables_;
};

}  // namespace sluice::jdbc
