// PostgreSQL column types -> Kafka Connect schemas and values, as Debezium's PostgreSQL connector
// (PostgresValueConverter) produces them.
//
// map_column() runs once per column when a table's schema is (re)built, from the column's type oid
// and atttypmod (pgoutput's Relation message carries both) and the TypeRegistry. It returns a
// ColumnMapping: the Connect schema for the column's field and a converter from the TEXT form
// pgoutput sends (what the type's output function prints) to a sluice::Value. convert() runs per
// row per column and allocates only what the value itself needs.
//
// What each type becomes (defaults in brackets; see TypeMappingOptions for the modes):
//   bool, bit(1), varbit(1)       boolean
//   int2 / int4 / int8, oid       int16 / int32 / int64 / int64
//   float4 / float8               float32 / float64 ("NaN", "Infinity", "-Infinity" as IEEE values)
//   numeric(p,s)                  [precise] Decimal, parameters scale=s, connect.decimal.precision=p
//   numeric (no typmod)           [precise] io.debezium.data.VariableScaleDecimal struct
//                                 {scale int32, value bytes}, trailing fraction zeros stripped
//                                 double: float64; string: Java BigDecimal.toString() text
//                                 NaN/+-Infinity: double -> IEEE value, string -> "NAN",
//                                 "POSITIVE_INFINITY", "NEGATIVE_INFINITY", precise -> DataError
//   money                         [precise] Decimal(scale=money.fraction.digits, no precision
//                                 parameter); double: float64; string: Java Double.toString text.
//                                 Text as printed with lc_monetary=C: "$1,234.56", "-$1,234.56"
//   text, varchar, bpchar, "char", name, citext, inet, cidr, macaddr, macaddr8, range types,
//   tsquery, pg_lsn, geometric types other than point, point   string (see "Differences")
//   bytea                         [bytes] bytes; base64 / base64-url-safe (padded) / hex (lower
//                                 case) as string. Both bytea_output formats are read.
//   date                          io.debezium.time.Date int32 days (connect: Connect Date)
//   time(p)                       adaptive: p<=3 io.debezium.time.Time int32 ms, else
//                                 io.debezium.time.MicroTime int64 µs (no typmod = p 6);
//                                 adaptive_time_microseconds / microseconds: MicroTime;
//                                 nanoseconds: io.debezium.time.NanoTime; connect: Connect Time ms
//   timestamp(p)                  the same split: io.debezium.time.Timestamp ms /
//                                 io.debezium.time.MicroTimestamp µs / NanoTimestamp / Connect
//                                 Timestamp; the wall clock is read as UTC
//   timetz                        io.debezium.time.ZonedTime string in UTC, "08:11:12.5Z"
//   timestamptz(p)                io.debezium.time.ZonedTimestamp string in UTC with exactly p
//                                 fraction digits (6 without typmod; none for p=0):
//                                 "2024-01-02T02:04:05.123456Z"
//   'infinity' / '-infinity'      date: -2147472692 / -2147472691 (Debezium's LocalDate sentinels);
//                                 timestamp: µs 9223372036825200000 / -9223372036832400000 (ms and
//                                 ns derived, ns saturated); timestamptz: "infinity" / "-infinity"
//   interval                      [numeric] io.debezium.time.MicroDuration int64 µs, a month being
//                                 365.25/12 days (Debezium's double arithmetic); string:
//                                 io.debezium.time.Interval "P1Y2M3DT4H5M6.78S". IntervalStyle
//                                 'postgres' (the server default) is read.
//   uuid / json, jsonb / xml      io.debezium.data.Uuid / io.debezium.data.Json / io.debezium.data.Xml
//   tsvector / ltree              io.debezium.data.Tsvector / io.debezium.data.Ltree string
//   bit(n), varbit(n), n > 1      io.debezium.data.Bits bytes, parameter length=n (2147483647
//                                 without typmod); little-endian: bit 0 is the rightmost character,
//                                 sized by the highest set bit as Debezium does (b'0000' -> 0 bytes)
//   enum                          io.debezium.data.Enum string, parameter allowed="a,b,c"
//   hstore                        [json] io.debezium.data.Json '{"k":"v","n":null}' (keys in text
//                                 order); map: map<string, optional string>
//   domain                        its base type, with the domain's typmod when the column has none
//   arrays of any of the above    array of the element mapping with optional elements (enum
//                                 elements required, as Debezium declares them); one dimension
//   anything else (extensions)    include.unknown.datatypes=false: the column is left out
//                                 (included() is false), as Debezium does; true: bytes of the text,
//                                 shaped by binary.handling.mode
//
// Differences from Debezium, on purpose: point, box, lseg, path, polygon, circle, line and PostGIS
// geometry/geography are plain strings (Debezium: io.debezium.data.geometry.* structs); pgvector
// types are unknown types; arrays of money, name, interval, varbit, xml, point and domains are
// mapped element-wise (Debezium drops those columns), bit[] is an array (Debezium declares it as
// Bits); hstore JSON keeps the text's key order (Debezium: HashMap order); money is parsed exactly
// (Debezium goes through a double); time.precision.mode isostring/structured are refused.
//
// Threading: TypeRegistry is filled on one thread, then shared read-only. ColumnMapping is immutable
// and may be shared and used from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sluice/config_def.h"
#include "sluice/schema.h"
#include "sluice/value.h"

namespace sluice::postgres {

using Oid = std::uint32_t;

// One row of pg_type as the connector needs it (user-defined types, extension types, their arrays).
struct TypeInfo {
  Oid oid = 0;
  std::string namespace_name;
  std::string name;
  char type_kind = 'b';     // pg_type.typtype: b base, c composite, d domain, e enum, r range, ...
  char category = 'U';      // pg_type.typcategory: A array, E enum, S string, U user-defined, ...
  Oid element_oid = 0;      // arrays: pg_type.typelem
  Oid base_oid = 0;         // domains: pg_type.typbasetype
  std::int32_t base_typmod = -1;  // domains: pg_type.typtypmod
  char delimiter = ',';     // pg_type.typdelim of the element type, for array text
  std::vector<std::string> enum_labels;  // enums, in pg_enum.enumsortorder

  bool is_array() const { return category == 'A' && element_oid != 0; }
  bool is_domain() const { return type_kind == 'd'; }
  bool is_enum() const { return type_kind == 'e'; }
};

// Non-builtin types by oid. Builtin types (oid < 16384) are known without it.
class TypeRegistry {
 public:
  // The one query that fills the registry: every type created after initdb (user types, extension
  // types such as hstore/citext, and their arrays), with enum labels in sort order. Columns, all
  // as text, in this order: oid, nspname, typname, typtype, typcategory, typelem, typbasetype,
  // typtypmod, typdelim, enum_labels (a text[] literal, NULL unless an enum). Feed each row to
  // add_row(). Run it on a regular (non-replication) connection; rerun after a Relation message
  // names an oid the registry does not know.
  static constexpr std::string_view kLoadQuery =
      "SELECT t.oid, n.nspname, t.typname, t.typtype, t.typcategory, t.typelem, t.typbasetype, "
      "t.typtypmod, t.typdelim, "
      "(SELECT array_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e "
      "WHERE e.enumtypid = t.oid) AS enum_labels "
      "FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
      "WHERE t.oid >= 16384";

  // Replaces any earlier entry for the same oid.
  void add(TypeInfo info);
  // One row of kLoadQuery (text values, nullopt for SQL NULL). Throws ConnectError when malformed.
  void add_row(std::span<const std::optional<std::string_view>> row);
  // nullptr when unknown.
  const TypeInfo* find(Oid oid) const;
  std::size_t size() const { return types_.size(); }

 private:
  std::unordered_map<Oid, TypeInfo> types_;
};

enum class DecimalHandlingMode { kPrecise, kDouble, kString };
enum class TimePrecisionMode { kAdaptive, kAdaptiveTimeMicroseconds, kConnect, kMicroseconds, kNanoseconds };
enum class BinaryHandlingMode { kBytes, kBase64, kBase64UrlSafe, kHex };
enum class HstoreHandlingMode { kJson, kMap };
enum class IntervalHandlingMode { kNumeric, kString };

struct TypeMappingOptions {
  static constexpr std::string_view kDecimalHandlingModeKey = "decimal.handling.mode";
  static constexpr std::string_view kTimePrecisionModeKey = "time.precision.mode";
  static constexpr std::string_view kBinaryHandlingModeKey = "binary.handling.mode";
  static constexpr std::string_view kHstoreHandlingModeKey = "hstore.handling.mode";
  static constexpr std::string_view kIntervalHandlingModeKey = "interval.handling.mode";
  static constexpr std::string_view kMoneyFractionDigitsKey = "money.fraction.digits";
  static constexpr std::string_view kIncludeUnknownDatatypesKey = "include.unknown.datatypes";

  DecimalHandlingMode decimal_mode = DecimalHandlingMode::kPrecise;
  TimePrecisionMode time_precision_mode = TimePrecisionMode::kAdaptive;
  BinaryHandlingMode binary_mode = BinaryHandlingMode::kBytes;
  HstoreHandlingMode hstore_mode = HstoreHandlingMode::kJson;
  IntervalHandlingMode interval_mode = IntervalHandlingMode::kNumeric;
  std::int32_t money_fraction_digits = 2;
  bool include_unknown_datatypes = false;

  // Reads the keys above (absent keys keep the defaults; values are case-insensitive as in
  // Debezium). Throws ConfigError listing every bad key.
  static TypeMappingOptions from_config(const ConfigMap& config);
};

// A column as pgoutput's Relation message (or the snapshot's catalog query) describes it.
struct ColumnDescriptor {
  std::string name;
  Oid type_oid = 0;
  std::int32_t type_modifier = -1;  // atttypmod; -1 = none
  bool optional = true;             // not attnotnull
};

struct ValueConverter;  // the per-type conversion plan, defined in type_mapping.cpp

class ColumnMapping {
 public:
  const std::string& column_name() const { return column_name_; }
  // False when the column is left out of the row (unknown type, include.unknown.datatypes=false).
  bool included() const { return schema_ != nullptr; }
  // The field schema: optional when the column is nullable. nullptr when !included().
  const SchemaPtr& schema() const { return schema_; }

  // The column's text value as PostgreSQL printed it -> a Value valid for schema(). nullopt (SQL
  // NULL) -> null Value. Throws DataError naming the column and the value when the text is not a
  // valid value of the type, or the value cannot be represented (NaN in precise mode).
  Value convert(std::optional<std::string_view> text) const;
  Value convert(std::string_view text) const;
  Value convert(const char* text) const { return convert(std::string_view(text)); }

  // What a required field of this column gets when the server sent no value for it (the non-key
  // columns of a key-only old row under REPLICA IDENTITY DEFAULT/INDEX): fallback_value() of
  // schema(), except that numeric and money in decimal.handling.mode=string give their zero as
  // this mapping prints it ("0", "0.0"). A null Value when !included().
  const Value& fallback() const { return fallback_; }

 private:
  friend ColumnMapping map_column(const ColumnDescriptor&, const TypeRegistry&,
                                  const TypeMappingOptions&);
  std::string column_name_;
  SchemaPtr schema_;
  std::shared_ptr<const ValueConverter> converter_;
  Value fallback_;
};

// Builds the schema and converter for one column. Call once per column per relation, not per row.
// Throws ConnectError for a domain or array whose base/element type the registry does not know.
ColumnMapping map_column(const ColumnDescriptor& column, const TypeRegistry& registry,
                         const TypeMappingOptions& options);

// Debezium's fallback value for a required field of `schema`, by type and logical name: 0 for
// integers and floats (so the epoch, or midnight, for every int32/int64 date, time, timestamp
// and duration type), false, "" for strings, "{}" for io.debezium.data.Json,
// "1970-01-01T00:00:00Z" / "00:00:00Z" for ZonedTimestamp / ZonedTime, empty bytes, Decimal 0 at
// the schema's scale, VariableScaleDecimal {scale 0, value 0}, empty arrays and maps, and for other
// structs each required field's fallback (optional fields null). The result validates against
// `schema`.
Value fallback_value(const SchemaPtr& schema);

// Helpers exposed for the connector and tests.
// PostgreSQL array text ("{1,NULL,\"a b\"}", optional "[1:3]=" prefix) -> elements, nullopt for
// NULL. Throws DataError on malformed text or more than one dimension.
std::vector<std::optional<std::string>> parse_array_text(std::string_view text, char delimiter = ',');

}  // namespace sluice::postgres
