// SinkDatabase: what the generic JDBC sink task needs from one target database.
//
// The core (JdbcSinkTask) turns records into RowOps, keeps only the last change per key within a
// batch, skips changes its checkpoint says were applied already, plans schema evolution, and then
// hands each batch to apply(). The database side owns everything SQL: types, quoting, statements,
// transactions, the checkpoint table. One implementation per database (PostgresSinkDatabase in
// connectors/postgres/sink, MysqlSinkDatabase in connectors/mysql), chosen by the connection URL.
//
// The ordering guard lives in the statements: every row stores the source position of the change
// that wrote it in TableBatch::position_column, and a change whose position is <= the stored one
// changes nothing (upsert, update, soft delete and hard delete alike). Together with the
// checkpoint written in the same transaction, redelivered and reordered changes are harmless.
//
// Errors: a lost connection, a server restarting, a deadlock or serialization failure throws
// sluice::RetriableError (the task retries the same batch after reconnecting; apply() is atomic, so
// nothing was half-applied). Anything else throws sluice::ConnectError whose message names the
// table, the statement (without row values) and the server's reason.
//
// Owned by one task thread; not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sluice/record.h"
#include "sluice/value.h"
#include "table_model.h"

namespace sluice::jdbc {

// Where a change sits in its source's stream, ordered lexicographically as (major, minor), used by
// the checkpoint to skip redelivered changes. PostgreSQL: source.sequence ["<previous commit LSN>",
// "<change LSN>"] -> (previous commit LSN, change LSN); MySQL/MariaDB binlog: ((file sequence << 40)
// | pos, row); a record without a source block: (0, Kafka offset).
struct SourcePosition {
  std::int64_t major = 0;
  std::int64_t minor = 0;

  bool operator<(const SourcePosition& o) const {
    return major < o.major || (major == o.major && minor < o.minor);
  }
  bool operator<=(const SourcePosition& o) const { return !(o < *this); }
  bool operator==(const SourcePosition& o) const { return major == o.major && minor == o.minor; }
};

enum class RowOpKind {
  kUpsert,      // insert or update per TableBatch::mode
  kDelete,      // hard delete by key, guarded
  kSoftDelete,  // UPDATE ... SET <deleted flag> = true, <deleted at> = deleted_at_ms, guard column;
                // a key that has no row is left alone (nothing to mark)
};

struct RowOp {
  RowOpKind kind = RowOpKind::kUpsert;
  // Primary key values, aligned with TableBatch::table.primary_key.
  std::vector<Value> key;
  // kUpsert: one value per TableBatch::columns entry (key columns and the guard column included).
  // Empty for deletes.
  std::vector<Value> values;
  // The value stored in / compared with the guard column (a BIGINT): the change LSN, the binlog
  // ((file sequence << 40) | pos), or the Kafka offset.
  std::int64_t guard = 0;
  // kSoftDelete: the time of the delete (source ts_ms, else the record timestamp).
  std::int64_t deleted_at_ms = 0;
  // kUpsert: the key is probably not in the target yet (the first change of the key in the batch
  // was a Debezium create or snapshot read). A hint only: a database may try a plain insert
  // first and must fall back to the guarded upsert when the key exists after all.
  bool likely_new = false;
};

enum class InsertMode { kInsert, kUpsert, kUpdate };

// The changes of one batch for one table, at most one per key, in source order.
struct TableBatch {
  // The table's spec as the records of this batch describe it, after evolution: every name in
  // `columns` exists in the table. primary_key is never empty when rows hold deletes or when mode
  // is kUpsert/kUpdate (the core refuses such configs).
  TableSpec table;
  InsertMode mode = InsertMode::kUpsert;
  // Empty: no guard (the target row never stores a position; every change applies).
  std::string position_column;
  // Soft delete columns (kSoftDelete rows only; both exist in the table when set).
  std::string deleted_flag_column;
  std::string deleted_at_column;
  // A TRUNCATE event came first: empty the table, then apply `rows`.
  bool truncate_first = false;
  std::vector<RowOp> rows;
};

// What the sink has applied, per topic partition: stored in the target, in the transaction of the
// rows it covers.
struct Checkpoint {
  TopicPartition partition;
  std::int64_t next_offset = 0;    // the offset of the next record to consume
  SourcePosition last_position;    // the highest source position applied from this partition
  bool has_position = false;
};

// Where to connect, from connection.url (jdbc:postgresql://host:5432/db?k=v) and the
// connection.username / connection.password keys.
struct ConnectionSettings {
  std::string host = "localhost";
  int port = 0;  // 0 = the database's default (5432, 3306)
  std::string database;
  std::string user;
  std::string password;
  std::vector<std::pair<std::string, std::string>> properties;  // URL query parameters, in order
};

struct DatabaseOptions {
  bool quote_identifiers = false;     // quote.identifiers: quote every table/column name as given
  std::string checkpoint_table;       // e.g. "__sluice_sink_checkpoints"
  std::string connector_name;         // rows of the checkpoint table are keyed by it
};

class SinkDatabase {
 public:
  virtual ~SinkDatabase() = default;

  // Connects (or reconnects after a lost connection) and creates the checkpoint table if it is
  // missing. RetriableError when the server cannot be reached; ConnectError for bad credentials
  // or a missing database.
  virtual void connect() = 0;

  // The table as it exists, or nullopt. Names match the way the database would resolve them:
  // case-insensitively unless quote_identifiers.
  virtual std::optional<ExistingTable> describe(const TableId& table) = 0;

  // CREATE TABLE with the columns and primary key of `spec` (auto.create / schema.evolution=basic).
  virtual void create_table(const TableSpec& spec) = 0;

  // ALTER TABLE ... ADD COLUMN for each (all nullable, whatever ColumnSpec::optional says: old
  // rows have no value).
  virtual void add_columns(const TableId& table, const std::vector<ColumnSpec>& columns) = 0;

  // This connector's checkpoints (DatabaseOptions::connector_name), empty on first start.
  virtual std::vector<Checkpoint> load_checkpoints() = 0;

  // Applies the batches in order and upserts the checkpoints, all in one transaction. On any
  // error the transaction is rolled back before the exception leaves.
  virtual void apply(const std::vector<TableBatch>& batches, const std::vector<Checkpoint>& checkpoints) = 0;

  // The SQL type this database uses for a column type (for create/alter and error messages).
  virtual std::string sql_type(const ColumnType& type) const = 0;
};

}  // namespace sluice::jdbc
