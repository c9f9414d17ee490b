// The JDBC sink's view of a target table: columns typed by what the records carry, independent of
// the target database. The core derives it from record schemas (column_type_for()); each
// SinkDatabase turns a ColumnType into its own SQL type and renders values of that type.
//
// Plain value types; no thread ownership.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sluice/schema.h"

namespace sluice::jdbc {

// What a column holds. The comment says the Connect physical value the sink receives for it
// (see sluice/value.h) and the logical / Debezium semantic schema names that select the kind.
enum class ColumnKind {
  kBoolean,          // bool
  kInt8,             // int8
  kInt16,            // int16
  kInt32,            // int32
  kInt64,            // int64
  kFloat32,          // float
  kFloat64,          // double
  kString,           // string (also io.debezium.data.Enum / EnumSet, Xml, Ltree, Interval...)
  kBytes,            // Bytes (also io.debezium.data.Bits, whose physical form is bytes)
  kDecimal,          // Bytes, Connect Decimal (scale in ColumnType::scale);
                     // io.debezium.data.VariableScaleDecimal (struct {scale, value}) too
  kDate,             // int32 days since epoch: Connect Date, io.debezium.time.Date
  kTimeMillis,       // int32 ms of day: Connect Time, io.debezium.time.Time
  kTimeMicros,       // int64 µs of day: io.debezium.time.MicroTime
  kTimeNanos,        // int64 ns of day: io.debezium.time.NanoTime
  kZonedTime,        // string "HH:MM:SS[.f]Z": io.debezium.time.ZonedTime
  kTimestampMillis,  // int64 ms since epoch, no zone: Connect Timestamp, io.debezium.time.Timestamp
  kTimestampMicros,  // int64 µs since epoch, no zone: io.debezium.time.MicroTimestamp
  kTimestampNanos,   // int64 ns since epoch, no zone: io.debezium.time.NanoTimestamp
  kZonedTimestamp,   // string ISO-8601 with offset: io.debezium.time.ZonedTimestamp
  kUuid,             // string: io.debezium.data.Uuid
  kJson,             // string: io.debezium.data.Json; also Connect maps and structs, as JSON text
  kArray,            // Array of ColumnType::element (PostgreSQL arrays; JSON text on MySQL)
};

struct ColumnType {
  ColumnKind kind = ColumnKind::kString;
  // kDecimal: the scale from the schema (nullopt for VariableScaleDecimal: numeric without scale).
  std::optional<std::int32_t> scale;
  // kDecimal: precision when the schema names one (connect.decimal.precision).
  std::optional<std::int32_t> precision;
  // kString: a length when the source says one (__debezium.source.column.length), else unbounded.
  std::optional<std::int32_t> length;
  // kArray: the element type.
  std::shared_ptr<const ColumnType> element;

  bool operator==(const ColumnType& o) const;
};

struct ColumnSpec {
  std::string name;
  ColumnType type;
  bool optional = true;  // NULL allowed
};

// A table name as configured/derived; `schema` empty = the connection's default schema/database.
struct TableId {
  std::string schema;
  std::string name;

  bool operator==(const TableId& o) const { return schema == o.schema && name == o.name; }
  bool operator<(const TableId& o) const {
    return schema < o.schema || (schema == o.schema && name < o.name);
  }
  // "schema.name" or "name", unquoted, for messages.
  std::string to_string() const { return schema.empty() ? name : schema + "." + name; }
};

// The table the records describe: every column the sink writes, in a stable order, and the
// primary key columns (a subset of `columns`, in key order).
struct TableSpec {
  TableId id;
  std::vector<ColumnSpec> columns;
  std::vector<std::string> primary_key;

  const ColumnSpec* column(const std::string& name) const;
};

// What the target database reports about a table that exists.
struct ExistingColumn {
  std::string name;
  std::string sql_type;  // as the database prints it, for messages
  bool nullable = true;
};
struct ExistingTable {
  TableId id;
  std::vector<ExistingColumn> columns;
  std::vector<std::string> primary_key;

  const ExistingColumn* column(const std::string& name) const;
};

// Maps a Connect field schema to a column type (logical and Debezium semantic names first, then
// the physical type). Throws DataError naming `field_name` for a schema with no column form.
ColumnType column_type_for(const Schema& schema, const std::string& field_name);

}  // namespace sluice::jdbc
