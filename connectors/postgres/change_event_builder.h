// ChangeEventBuilder: turns decoded PostgreSQL changes (pgoutput tuples, snapshot rows, logical
// decoding messages, transaction boundaries) into SourceRecords shaped exactly like Debezium's
// PostgreSQL connector (io.debezium.connector.postgresql.PostgresConnector) emits them.
//
// Topics, keys and envelopes (Debezium 3.x):
//   data     "<prefix>.<schema>.<table>"; key struct "<prefix>.<schema>.<table>.Key" (null key and
//            key schema for a table without one); value struct "<prefix>.<schema>.<table>.Envelope"
//            (version 2), fields in Debezium's order:
//              before, after  optional struct "<prefix>.<schema>.<table>.Value"
//              source         struct "io.debezium.connector.postgresql.Source" version 1: version,
//                             connector, name, ts_ms, snapshot (optional io.debezium.data.Enum,
//                             default "false"), db, sequence, ts_us, ts_ns, schema, table,
//                             txId, lsn, xmin (the last three optional int64)
//              op             string: c, u, d, r, t
//              ts_ms, ts_us, ts_ns  optional int64: when the event was built (processing time)
//              transaction    optional struct "event.block" v1 {id, total_order,
//                             data_collection_order}; set only inside a transaction with
//                             provide.transaction.metadata
//            `sequence` is always set: "[\"<last commit lsn>\",\"<lsn>\"]" with decimal LSNs, a JSON
//            null for an unset one, as Debezium's SourceInfo prints it.
//   deletes  a `d` event, then (tombstones.on.delete) a tombstone: same key and headers, null value
//            and value schema.
//   PK change an update whose key changed is a `d` event for the old key (header
//            "__debezium.newkey" = the new key), its tombstone, and a `c` event for the new key
//            (header "__debezium.oldkey" = the old key), as Debezium does.
//   truncate null key (the table's key schema), the table's Envelope with before/after null, op `t`.
//   message  "<prefix>.message": key "io.debezium.connector.postgresql.MessageKey" v1 {prefix},
//            value "io.debezium.connector.postgresql.MessageValue" v1 {op "m", ts_ms (processing
//            time), source (schema "" and table ""), message "io.debezium.connector.postgresql.
//            Message" v1 {prefix, content}}; content is bytes, or a string per binary.handling.mode
//            (base64, base64-url-safe, hex). No transaction block (Debezium's schema has none), but
//            a transactional message counts in the transaction as "LOGICAL_DECODING_MESSAGE".
//   tx       (provide.transaction.metadata) "<prefix>.transaction": key
//            "io.debezium.connector.common.TransactionMetadataKey" v1 {id}, value
//            "io.debezium.connector.common.TransactionMetadataValue" v1 {status BEGIN|END, id,
//            event_count, data_collections [event.collection {data_collection, event_count}],
//            ts_ms}. The id is "<txId>:<LSN>" (decimal; the LSN of the SourceInfo given to
//            begin_transaction), as Debezium documents it for PostgreSQL; END repeats BEGIN's id.
//
// `before` per replica identity (what pgoutput sends, as Debezium maps it):
//   FULL     the whole old row on update and delete.
//   DEFAULT / INDEX  delete: the identity columns; the other fields null, or, where NOT NULL made
//            the field required, the column's fallback (ColumnMapping::fallback(): 0, false, "",
//            empty bytes/arrays, Decimal 0, the epoch, ...), as Debezium fills them. update: null,
//            unless the key changed (then the old key row goes into the `d` event of the PK change).
//   NOTHING  null on update; a delete has no old row at all (pgoutput sends none) and the caller
//            should not call remove() for it (Debezium emits nothing useful either).
//
// Unchanged TOAST values (ColumnKind::kUnchangedToast, only in update `after` and DEFAULT/INDEX
// `before`): when the old row (FULL identity) carries the value, it is copied into `after`.
// Otherwise, with unavailable.value.handling=placeholder (default, Debezium's behaviour), the field
// gets unavailable.value.placeholder in the column's shape: string -> the text; bytes -> its UTF-8
// bytes; array of string -> [text]; array of bytes -> [bytes]; map (hstore map mode) ->
// {text: text}; any other shape (int arrays, numeric, ...) -> null when the field is optional (and
// a DataError when not, except in a key-only old row, where it gets the column's fallback). With
// unavailable.value.handling=omit (sluice extension) the field is null (every non-key field of the
// Value schema is then optional) and the record carries one header "__debezium_unchanged_columns",
// an optional string schema, with the comma-separated names of the fields that were unchanged
// TOAST in `after`.
//
// The Debezium version string in source.version is kDebeziumVersion: consumers that branch on it
// see the 3.0 event shape.
//
// Performance: per Relation version the builder builds the column mappings, topic, Key/Value/
// Envelope schemas and filters once (a TableSchema) and finds it by oid on each event; an event
// costs the values themselves and one clock read. Threading: not thread-safe; owned by the thread
// that decodes the replication stream (or runs the snapshot). Records it returned are independent.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lsn.h"
#include "pgoutput_decoder.h"
#include "sluice/config_def.h"
#include "sluice/record.h"
#include "sluice/schema.h"
#include "type_mapping.h"

namespace sluice::postgres {

// source.version: a Debezium release whose event shape this builder reproduces.
inline constexpr std::string_view kDebeziumVersion = "3.0.0.Final";
inline constexpr std::string_view kConnectorName = "postgresql";
inline constexpr std::string_view kSourceSchemaName = "io.debezium.connector.postgresql.Source";
// Header names.
inline constexpr std::string_view kNewKeyHeader = "__debezium.newkey";
inline constexpr std::string_view kOldKeyHeader = "__debezium.oldkey";
inline constexpr std::string_view kUnchangedColumnsHeader = "__debezium_unchanged_columns";

struct EventOptions {
  static constexpr std::string_view kTopicPrefixKey = "topic.prefix";
  static constexpr std::string_view kTombstonesOnDeleteKey = "tombstones.on.delete";
  static constexpr std::string_view kProvideTransactionMetadataKey = "provide.transaction.metadata";
  static constexpr std::string_view kUnavailableValuePlaceholderKey = "unavailable.value.placeholder";
  static constexpr std::string_view kUnavailableValueHandlingKey = "unavailable.value.handling";  // sluice
  static constexpr std::string_view kMessageKeyColumnsKey = "message.key.columns";
  static constexpr std::string_view kColumnIncludeListKey = "column.include.list";
  static constexpr std::string_view kColumnExcludeListKey = "column.exclude.list";
  static constexpr std::string_view kSkippedOperationsKey = "skipped.operations";

  std::string topic_prefix;  // required, non-empty
  bool tombstones_on_delete = true;
  bool provide_transaction_metadata = false;
  // Debezium's "hex:" prefix is honoured for bytes: "hex:DEADBEEF" gives those bytes.
  std::string unavailable_value_placeholder = "__debezium_unavailable_value";
  // unavailable.value.handling: "placeholder" (false, default) or "omit" (true); see the top.
  bool toast_omit_with_header = false;
  // message.key.columns "<table regex>:<col>,<col>;<table regex>:<col>": the regex (full match,
  // case-insensitive as Debezium's table selectors) against "schema.table" -> the key columns, in
  // the order given. Rules are tried in key order; the first match wins. Unknown column names in
  // a matching rule are skipped.
  std::map<std::string, std::vector<std::string>> message_key_columns;
  // Regexes (ECMAScript, full match, case-insensitive, against "schema.table.column"); at most
  // one of the two lists may be set. Filtered columns are left out of before/after; key columns
  // stay in the key.
  std::vector<std::string> column_include_list;
  std::vector<std::string> column_exclude_list;
  // skipped.operations: any of 'c', 'u', 'd', 't' ("none" = empty; default "t"). A skipped
  // operation produces no records at all (for 'd' no tombstone either).
  std::set<char> skipped_operations = {'t'};
  TypeMappingOptions types;

  // Reads the keys above and TypeMappingOptions' keys from the connector config; absent keys keep
  // the defaults. Throws ConfigError listing every bad key (topic.prefix missing, bad booleans,
  // bad regexes, both column lists, malformed message.key.columns, unknown skipped.operations).
  static EventOptions from_config(const ConfigMap& config);
  // The keys above (without TypeMappingOptions'), for the connector's ConfigDef.
  static const ConfigDef& config_def();
};

// One event's `source` block (the fields that vary per event).
struct SourceInfo {
  // "true", "first", "first_in_data_collection", "last_in_data_collection", "last", "false",
  // "incremental" (Debezium's SnapshotRecord values, lower case).
  std::string snapshot = "false";
  std::int64_t ts_us = 0;  // commit (or snapshot read) time, µs since the Unix epoch
  std::optional<std::int64_t> txid;
  std::optional<Lsn> lsn;
  // `sequence` = "[\"<last_commit_lsn>\",\"<lsn>\"]" (decimal; a JSON null for an unset one).
  std::optional<Lsn> last_commit_lsn;
  std::optional<std::int64_t> xmin;
  std::string db;  // database.dbname
};

// What the catalog says about a table beyond pgoutput's Relation message. Without it the key is the
// replica identity columns (Relation::is_key) for DEFAULT/INDEX tables and absent for FULL and
// NOTHING tables (pgoutput flags every column of a FULL table as identity), and only key columns
// are NOT NULL.
struct TableMetadata {
  std::vector<std::string> primary_key;  // in key order; empty = no primary key
  std::set<std::string> not_null;        // attnotnull columns
};

class TableSchema;  // per Relation version: mappings, topic, schemas; defined in the .cpp

// Where a data collection's event count lives in the open transaction (internal).
struct TxCounter {
  std::uint64_t generation = 0;
  std::size_t slot = 0;
};

class ChangeEventBuilder {
 public:
  // Nanoseconds since the Unix epoch; the processing time of ts_ms/ts_us/ts_ns.
  using Clock = std::function<std::int64_t()>;

  // `registry` must outlive the builder. Throws ConfigError when the options' regexes do not compile.
  ChangeEventBuilder(EventOptions options, const TypeRegistry& registry);
  ~ChangeEventBuilder();
  ChangeEventBuilder(const ChangeEventBuilder&) = delete;
  ChangeEventBuilder& operator=(const ChangeEventBuilder&) = delete;

  // For tests; the default is the system clock.
  void set_clock(Clock clock) { clock_ = std::move(clock); }
  // Catalog facts for "schema"."table"; applies to TableSchemas built afterwards (call it before
  // the first event of the table, and again with a new Relation version).
  void set_table_metadata(const std::string& schema, const std::string& table, TableMetadata metadata);

  // Each appends the table's records to `out`, with `p` and `o` copied into every record, topic
  // "<prefix>.<schema>.<table>". Tuples are index-aligned with rel.columns (TupleView's contract).
  // Throws DataError when a value does not convert (naming table and column) and ConnectError when
  // a column's type cannot be mapped (unknown domain/array base type). Nothing is appended when
  // the table is not included() or the operation is skipped.
  void read(const Relation& rel, TupleView row, const SourceInfo& src, const SourcePartition& p,
            const SourceOffset& o, std::vector<SourceRecord>& out);  // op "r"
  void insert(const Relation& rel, TupleView after, const SourceInfo& src, const SourcePartition& p,
              const SourceOffset& o, std::vector<SourceRecord>& out);  // op "c"
  // op "u". `old_or_key`: the old tuple when pgoutput sent one ('K' key-only or 'O' full, the
  // latter with old_is_full_tuple). A changed key gives d (+ tombstone) + c instead.
  void update(const Relation& rel, std::optional<TupleView> old_or_key, bool old_is_full_tuple,
              TupleView after, const SourceInfo& src, const SourcePartition& p,
              const SourceOffset& o, std::vector<SourceRecord>& out);
  // op "d", then a tombstone when tombstones_on_delete (and the table has a key or not: Debezium
  // emits it either way).
  void remove(const Relation& rel, TupleView old_or_key, bool old_is_full_tuple,
              const SourceInfo& src, const SourcePartition& p, const SourceOffset& o,
              std::vector<SourceRecord>& out);
  // op "t" (no key), unless 't' is in skipped.operations (the default).
  void truncate(const Relation& rel, const SourceInfo& src, const SourcePartition& p,
                const SourceOffset& o, std::vector<SourceRecord>& out);
  // A pg_logical_emit_message message: op "m" on "<prefix>.message". A non-transactional message
  // has no txid in its source block and no transaction block (pass src without txid).
  void message(bool transactional, std::string_view prefix, std::string_view content,
               const SourceInfo& src, const SourcePartition& p, const SourceOffset& o,
               std::vector<SourceRecord>& out);

  // Transaction metadata. With provide.transaction.metadata, begin_transaction() emits the BEGIN
  // record (id = the decimal src.txid, ts_ms = src.ts_us / 1000) and starts counting; each data
  // event until end_transaction() carries the `transaction` block; end_transaction() emits END with
  // the per-table counts (data_collection "schema.table", in order of first appearance) and resets.
  // Without the option both do nothing. An end without begin is ignored; a begin while a
  // transaction is open ends nothing and starts over (the old counts are dropped).
  void begin_transaction(const SourceInfo& src, const SourcePartition& p, const SourceOffset& o,
                         std::vector<SourceRecord>& out);
  void end_transaction(const SourceInfo& src, const SourcePartition& p, const SourceOffset& o,
                       std::vector<SourceRecord>& out);
  bool in_transaction() const { return tx_open_; }

  // False when the table produces no events: no column survives the column filters or the type
  // mapping (unknown types with include.unknown.datatypes=false). Builds the TableSchema.
  bool included(const Relation& rel);
  // "<prefix>.<schema>.<table>".
  std::string topic(const Relation& rel) const;
  // The TableSchema's schemas (built on first use); key is nullptr for a keyless table.
  SchemaPtr key_schema(const Relation& rel);
  SchemaPtr envelope_schema(const Relation& rel);

  const EventOptions& options() const { return options_; }

 private:
  struct Compiled;  // compiled regexes of the options

  TableSchema& table(const Relation& rel);
  std::int64_t now_ns() const;
  Value source_struct(const TableSchema* t, const SourceInfo& src) const;
  Value transaction_block(TableSchema* t);
  void emit(TableSchema& t, char op, Value key, Value before, Value after, std::string unchanged,
            const SourceInfo& src, const SourcePartition& p, const SourceOffset& o,
            std::vector<SourceRecord>& out, const Header* extra = nullptr);
  void tombstone(TableSchema& t, const SourceRecord& deleted, std::vector<SourceRecord>& out) const;
  void emit_transaction(Struct value, const SourcePartition& p, const SourceOffset& o,
                        std::vector<SourceRecord>& out) const;

  EventOptions options_;
  const TypeRegistry& registry_;
  std::unique_ptr<Compiled> compiled_;
  Clock clock_;
  std::map<std::pair<std::string, std::string>, TableMetadata> metadata_;
  std::unordered_map<std::uint32_t, std::unique_ptr<TableSchema>> tables_;  // by relation oid
  TableSchema* last_ = nullptr;                                             // one-entry memo
  SchemaPtr source_schema_, block_schema_, message_key_schema_, message_value_schema_,
      message_schema_, tx_key_schema_, tx_value_schema_, tx_collection_schema_;
  std::string message_topic_, transaction_topic_;
  // The open transaction (provide.transaction.metadata). Each TableSchema (and message_tx_ for
  // logical decoding messages) remembers its slot in tx_counts_ for the current generation.
  bool tx_open_ = false;
  std::string tx_id_;
  std::int64_t tx_total_ = 0;
  std::uint64_t tx_generation_ = 0;  // bumps per transaction, which invalidates every slot
  TxCounter message_tx_;
  std::vector<std::pair<std::string, std::int64_t>> tx_counts_;  // data collection, events; first-seen order
};

}  // namespace sluice::postgres
