#include "postgres_column_types.h"

#include <sluice/errors.h>

namespace sluice::jdbc {
namespace {

// PostgreSQL's limit for numeric(p, s); a wider decimal is stored as unconstrained numeric.
constexpr std::int32_t kMaxNumericPrecision = 1000;

std::string numeric_type(const ColumnType& type) {
  // A precision without a scale, or a scale without a precision (numeric(s) would mean a
  // precision), cannot be written as a constraint: unconstrained numeric keeps every value.
  if (!type.precision || !type.scale) return "numeric";
  if (*type.precision < 1 || *type.precision > kMaxNumericPrecision) return "numeric";
  return "numeric(" + std::to_string(*type.precision) + "," + std::to_string(*type.scale) + ")";
}

}  // namespace

std::string postgres_sql_type(const ColumnType& type) {
  switch (type.kind) {
    case ColumnKind::kBoolean: return "boolean";
    case ColumnKind::kInt8:
    case ColumnKind::kInt16: return "smallint";
    case ColumnKind::kInt32: return "integer";
    case ColumnKind::kInt64: return "bigint";
    case ColumnKind::kFloat32: return "real";
    case ColumnKind::kFloat64: return "double precision";
    case ColumnKind::kString:
      if (type.length && *type.length > 0 && *type.length <= 10485760) {
        return "varchar(" + std::to_string(*type.length) + ")";
      }
      return "text";
    case ColumnKind::kBytes: return "bytea";
    case ColumnKind::kDecimal: return numeric_type(type);
    case ColumnKind::kDate: return "date";
    case ColumnKind::kTimeMillis: return "time(3)";
    case ColumnKind::kTimeMicros:
    case ColumnKind::kTimeNanos: return "time(6)";
    case ColumnKind::kZonedTime: return "timetz";
    case ColumnKind::kTimestampMillis: return "timestamp(3)";
    case ColumnKind::kTimestampMicros:
    case ColumnKind::kTimestampNanos: return "timestamp(6)";
    case ColumnKind::kZonedTimestamp: return "timestamptz";
    case ColumnKind::kUuid: return "uuid";
    case ColumnKind::kJson: return "jsonb";
    case ColumnKind::kArray:
      if (!type.element) throw ConnectError("array column type without an element type");
      // PostgreSQL arrays of any dimension share one type: int[] holds int[][] values too.
      if (type.element->kind == ColumnKind::kArray) return postgres_sql_type(*type.element);
      return postgres_sql_type(*type.element) + "[]";
  }
  throw ConnectError("unknown column kind");
}

}  // namespace sluice::jdbc
