#include "mysql_statements.h"

#include <algorithm>

#include "sluice/errors.h"

namespace sluice::jdbc::mysql {

namespace {

// InnoDB indexes at most 3072 bytes per key part: 768 utf8mb4 characters.
constexpr std::int32_t kMaxKeyChars = 768;
// A VARCHAR holds at most 65535 bytes: 16383 utf8mb4 characters; longer strings are LONGTEXT.
constexpr std::int32_t kMaxVarcharChars = 16383;
// MySQL's DECIMAL limits.
constexpr std::int32_t kMaxPrecision = 65;
constexpr std::int32_t kMaxScale = 30;

std::string decimal_type(const ColumnType& type) {
  if (!type.scale) return "DECIMAL(65,30)";
  const std::int32_t scale = std::clamp(*type.scale, 0, kMaxScale);
  const std::int32_t precision = std::clamp(type.precision.value_or(kMaxPrecision), std::max(scale, 1), kMaxPrecision);
  return "DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
}

std::string string_type(const ColumnType& type, bool in_key) {
  if (in_key) return "VARCHAR(" + std::to_string(std::clamp(type.length.value_or(255), 1, kMaxKeyChars)) + ")";
  if (type.length && *type.length > 0 && *type.length <= kMaxVarcharChars) {
    return "VARCHAR(" + std::to_string(*type.length) + ")";
  }
  return "LONGTEXT";
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

bool is_key(const TableSpec& table, const std::string& column) {
  return std::find(table.primary_key.begin(), table.primary_key.end(), column) != table.primary_key.end();
}

// `applies` with the incoming guard taken from VALUES() (upsert) or from two parameters.
std::string guard_applies(const std::string& guard, const std::string& incoming_first,
                          const std::string& incoming_second) {
  return "(" + guard + " IS NULL OR " + guard + " < " + incoming_first + " OR (" + incoming_second + " = 0 AND " +
         guard + " = 0))";
}

std::string placeholders_row(std::size_t columns) {
  std::string row = "(";
  for (std::size_t i = 0; i < columns; ++i) row += i == 0 ? "?" : ",?";
  return row + ")";
}

std::string insert_prefix(const TableBatch& batch, std::size_t rows) {
  std::vector<std::string> names;
  for (const auto& c : batch.table.columns) names.push_back(quote(c.name));
  std::string sql = "INSERT INTO " + quote(batch.table.id) + " (" + join(names, ",") + ") VALUES ";
  const std::string row = placeholders_row(batch.table.columns.size());
  sql.reserve(sql.size() + rows * (row.size() + 1));
  for (std::size_t i = 0; i < rows; ++i) {
    if (i > 0) sql += ',';
    sql += row;
  }
  return sql;
}

// " WHERE k1 = ? AND k2 = ?" plus the guard condition on two parameters.
std::string key_and_guard_condition(const TableBatch& batch) {
  std::vector<std::string> parts;
  for (const auto& k : batch.table.primary_key) parts.push_back(quote(k) + " = ?");
  if (!batch.position_column.empty()) parts.push_back(guard_applies(quote(batch.position_column), "?", "?"));
  return " WHERE " + join(parts, " AND ");
}

}  // namespace

std::string quote(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    out += c;
    if (c == '`') out += '`';
  }
  return out + "`";
}

std::string quote(const TableId& table) {
  return table.schema.empty() ? quote(table.name) : quote(table.schema) + "." + quote(table.name);
}

TableId parse_table_name(std::string_view dotted) {
  auto dot = dotted.find('.');
  if (dot == std::string_view::npos) return TableId{"", std::string(dotted)};
  return TableId{std::string(dotted.substr(0, dot)), std::string(dotted.substr(dot + 1))};
}

std::string column_type(const ColumnType& type, bool in_key) {
  switch (type.kind) {
    case ColumnKind::kBoolean: return "BOOLEAN";
    case ColumnKind::kInt8: return "TINYINT";
    case ColumnKind::kInt16: return "SMALLINT";
    case ColumnKind::kInt32: return "INT";
    case ColumnKind::kInt64: return "BIGINT";
    case ColumnKind::kFloat32: return "FLOAT";
    case ColumnKind::kFloat64: return "DOUBLE";
    case ColumnKind::kString: return string_type(type, in_key);
    case ColumnKind::kBytes: return in_key ? "VARBINARY(255)" : "LONGBLOB";
    case ColumnKind::kDecimal: return decimal_type(type);
    case ColumnKind::kDate: return "DATE";
    case ColumnKind::kTimeMillis: return "TIME(3)";
    case ColumnKind::kTimeMicros:
    case ColumnKind::kTimeNanos:
    case ColumnKind::kZonedTime: return "TIME(6)";
    case ColumnKind::kTimestampMillis: return "DATETIME(3)";
    case ColumnKind::kTimestampMicros:
    case ColumnKind::kTimestampNanos:
    case ColumnKind::kZonedTimestamp: return "DATETIME(6)";
    case ColumnKind::kUuid: return "CHAR(36)";
    // A JSON document cannot be part of a key; as text it can.
    case ColumnKind::kJson:
    case ColumnKind::kArray: return in_key ? string_type(ColumnType{}, true) : "JSON";
  }
  throw ConnectError("MySQL sink: unknown column kind");
}

std::string create_table_sql(const TableSpec& spec, const std::string& collation) {
  std::vector<std::string> defs;
  for (const auto& c : spec.columns) {
    const bool key = is_key(spec, c.name);
    defs.push_back(quote(c.name) + " " + column_type(c.type, key) + (key || !c.optional ? " NOT NULL" : " NULL"));
  }
  if (!spec.primary_key.empty()) {
    std::vector<std::string> keys;
    for (const auto& k : spec.primary_key) keys.push_back(quote(k));
    defs.push_back("PRIMARY KEY (" + join(keys, ",") + ")");
  }
  return "CREATE TABLE " + quote(spec.id) + " (" + join(defs, ", ") +
         ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=" + collation;
}

std::string add_columns_sql(const TableId& table, const std::vector<ColumnSpec>& columns) {
  std::vector<std::string> adds;
  for (const auto& c : columns) adds.push_back("ADD COLUMN " + quote(c.name) + " " + column_type(c.type, false) + " NULL");
  return "ALTER TABLE " + quote(table) + " " + join(adds, ", ");
}

std::string create_checkpoint_table_sql(const TableId& table, const std::string& collation) {
  return "CREATE TABLE IF NOT EXISTS " + quote(table) +
         " (`connector` VARCHAR(255) NOT NULL, `topic` VARCHAR(255) NOT NULL, `kafka_partition` INT NOT NULL,"
         " `next_offset` BIGINT NOT NULL, `position_major` BIGINT NOT NULL, `position_minor` BIGINT NOT NULL,"
         " `has_position` BOOLEAN NOT NULL, `updated_at` DATETIME(6) NOT NULL,"
         " PRIMARY KEY (`connector`, `topic`, `kafka_partition`))"
         " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=" +
         collation;
}

std::string upsert_checkpoints_sql(const TableId& table, std::size_t rows) {
  std::string sql = "INSERT INTO " + quote(table) +
                    " (`connector`, `topic`, `kafka_partition`, `next_offset`, `position_major`, `position_minor`,"
                    " `has_position`, `updated_at`) VALUES ";
  for (std::size_t i = 0; i < rows; ++i) sql += std::string(i == 0 ? "" : ",") + "(?,?,?,?,?,?,?,UTC_TIMESTAMP(6))";
  return sql +
         " ON DUPLICATE KEY UPDATE `next_offset` = VALUES(`next_offset`), `position_major` = VALUES(`position_major`),"
         " `position_minor` = VALUES(`position_minor`), `has_position` = VALUES(`has_position`),"
         " `updated_at` = VALUES(`updated_at`)";
}

std::string select_checkpoints_sql(const TableId& table) {
  return "SELECT `topic`, `kafka_partition`, `next_offset`, `position_major`, `position_minor`, `has_position` FROM " +
         quote(table) + " WHERE `connector` = ? ORDER BY `topic`, `kafka_partition`";
}

std::string insert_sql(const TableBatch& batch, std::size_t rows) { return insert_prefix(batch, rows); }

std::string upsert_sql(const TableBatch& batch, std::size_t rows) {
  const bool guarded = !batch.position_column.empty();
  const std::string guard = guarded ? quote(batch.position_column) : "";
  const std::string applies =
      guarded ? guard_applies(guard, "VALUES(" + guard + ")", "VALUES(" + guard + ")") : "";
  std::vector<std::string> sets;
  for (const auto& c : batch.table.columns) {
    if (is_key(batch.table, c.name) || c.name == batch.position_column) continue;
    const std::string col = quote(c.name);
    sets.push_back(col + " = " + (guarded ? "IF(" + applies + ", VALUES(" + col + "), " + col + ")" : "VALUES(" + col + ")"));
  }
  if (guarded) sets.push_back(guard + " = IF(" + applies + ", VALUES(" + guard + "), " + guard + ")");
  // Only key columns: a duplicate changes nothing, but the statement needs an assignment.
  if (sets.empty()) sets.push_back(quote(batch.table.primary_key.front()) + " = " + quote(batch.table.primary_key.front()));
  return insert_prefix(batch, rows) + " ON DUPLICATE KEY UPDATE " + join(sets, ", ");
}

std::string update_sql(const TableBatch& batch) {
  std::vector<std::string> sets;
  for (const auto& c : batch.table.columns) {
    if (is_key(batch.table, c.name) || c.name == batch.position_column) continue;
    sets.push_back(quote(c.name) + " = ?");
  }
  if (!batch.position_column.empty()) sets.push_back(quote(batch.position_column) + " = ?");
  if (sets.empty()) return "";
  return "UPDATE " + quote(batch.table.id) + " SET " + join(sets, ", ") + key_and_guard_condition(batch);
}

// One disjunct per row, each a primary key lookup: the range optimizer turns the OR-list into
// point ranges on the key, so this costs a key lookup per row and one round trip per chunk.
std::string delete_sql(const TableBatch& batch, std::size_t rows) {
  const std::string one = "(" + key_and_guard_condition(batch).substr(7) + ")";  // without " WHERE "
  std::string sql = "DELETE FROM " + quote(batch.table.id) + " WHERE ";
  sql.reserve(sql.size() + rows * (one.size() + 4));
  for (std::size_t i = 0; i < rows; ++i) {
    if (i > 0) sql += " OR ";
    sql += one;
  }
  return sql;
}

std::string soft_delete_sql(const TableBatch& batch) {
  std::string sets = quote(batch.deleted_flag_column) + " = TRUE";
  if (!batch.deleted_at_column.empty()) sets += ", " + quote(batch.deleted_at_column) + " = ?";
  if (!batch.position_column.empty()) sets += ", " + quote(batch.position_column) + " = ?";
  return "UPDATE " + quote(batch.table.id) + " SET " + sets + key_and_guard_condition(batch);
}

// DELETE, not TRUNCATE: TRUNCATE commits the open transaction, and the batch must stay atomic.
std::string truncate_sql(const TableBatch& batch) { return "DELETE FROM " + quote(batch.table.id); }

std::string statement_summary(const std::string& sql) {
  constexpr std::size_t kMax = 300;
  auto values = sql.find(") VALUES (");
  std::string out = sql;
  if (values != std::string::npos) {
    auto rest = sql.find(" ON DUPLICATE KEY UPDATE", values);
    out = sql.substr(0, values + 9) + "(?,...),..." + (rest == std::string::npos ? "" : sql.substr(rest));
  }
  return out.size() <= kMax ? out : out.substr(0, kMax) + "...";
}

}  // namespace sluice::jdbc::mysql
