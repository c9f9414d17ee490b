// Snapshotter: reads every captured table as of the replication slot's exported snapshot, so the
// snapshot and the change stream meet at the slot's consistent point: a transaction committed
// before it is in the snapshot, one committed after it is in the stream, none in both or neither.
//
// It opens its own connection, runs BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET
// TRANSACTION SNAPSHOT '<name>' (import it while the replication connection that exported it stays
// idle), then reads each table through a cursor, fetch_size rows per round trip, so a table is
// never held in memory whole. Rows come back in text format -- the same text the types' output
// functions give pgoutput -- and are handed out as TupleViews over a Relation built from the
// catalog in pgoutput's shape (column order, type oids and typmods, identity flags), so snapshot
// rows and streamed changes go through the same ChangeEventBuilder path.
//
// Threads: owned by the task thread. Errors follow pg_connection.h (RetriableError when the
// connection is lost; the snapshot must then be started over from a new slot).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "change_event_builder.h"
#include "pg_connection.h"
#include "pgoutput_decoder.h"

namespace sluice::postgres {

class TableFilter;

struct TableId {
  std::string schema;
  std::string table;

  bool operator==(const TableId&) const = default;
  // "schema.table" (unquoted), as filters and data collections name it.
  std::string to_string() const { return schema + "." + table; }
  // "schema"."table", for SQL.
  std::string quoted() const { return quote_identifier(schema) + "." + quote_identifier(table); }
};

// The ordinary and partitioned tables the filter captures, sorted by schema and name.
std::vector<TableId> list_captured_tables(PgConnection& conn, const TableFilter& filter);

// A table as pgoutput would announce it (version 0: never a pgoutput version), and what the
// catalog adds (primary key, NOT NULL columns). Throws ConnectError when the table is missing.
struct CatalogTable {
  Relation relation;
  TableMetadata metadata;
  std::vector<std::string> key_types;  // format_type() of each primary-key column, in key order
};

// Where an interrupted snapshot stopped: the table ("schema.table") and, for a table with a
// primary key, the last key read (a text[] literal of the key columns' text).
struct SnapshotResume {
  std::string table;
  std::string key;
};
CatalogTable load_catalog_table(PgConnection& conn, const TableId& table);
// The same for a table known by oid (after a Relation message); nullopt when it is gone.
std::optional<TableMetadata> load_table_metadata(PgConnection& conn, std::uint32_t oid);

class Snapshotter {
 public:
  // Called per row with the row's primary key as a text[] literal ("" for a table without one);
  // the Relation, TupleView and key are valid during the call only.
  using RowSink = std::function<void(const Relation&, TupleView, std::string_view key)>;

  // Connects, imports `snapshot_name` (empty: reads the current state, for a slot that already
  // exists), and loads the catalog of `tables`. Throws per pg_connection.h.
  // With `resume`, tables before resume->table are left out and that table starts after
  // resume->key (tables are read in primary-key order, so what is left is exactly the rest).
  Snapshotter(const std::string& conninfo, const std::string& snapshot_name,
              std::vector<TableId> tables, int fetch_size,
              const std::optional<SnapshotResume>& resume = std::nullopt);
  ~Snapshotter();

  // Hands up to about `max_rows` rows to `sink` (whole fetches; at least one row unless done).
  // Returns false once every table has been read (then nothing was handed out).
  bool next(std::size_t max_rows, const RowSink& sink);

  // Ends the snapshot transaction (the rows were all read) and closes the connection.
  void finish();

  // The transaction id of the snapshot transaction (Debezium's txId for snapshot records).
  std::int64_t txid() const { return txid_; }
  const std::vector<CatalogTable>& tables() const { return tables_; }
  // Index into tables() of the table being read; tables().size() when done.
  std::size_t current_table() const { return current_; }

 private:
  bool open_cursor();
  std::size_t emit_fetch(const RowSink& sink, std::size_t rows);

  std::unique_ptr<PgConnection> conn_;
  std::vector<CatalogTable> tables_;
  std::size_t current_ = 0;
  bool cursor_open_ = false;
  int fetch_size_;
  std::string resume_key_;  // for the first table opened
  std::int64_t txid_ = 0;
  std::vector<ColumnValue> row_;  // reused per row
};

}  // namespace sluice::postgres
