#include "batch_statements.h"

#include <sluice/errors.h>

namespace sluice::jdbc {
namespace {

constexpr char kSep = '\x1f';

std::string joined(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

// The names a shape's statements are made of, quoted.
struct ShapeNames {
  std::string target;
  std::string staging;
  std::vector<std::string> values;   // copied value columns, in staging order
  std::vector<std::string> non_key;  // value columns that are not part of the key
  std::vector<std::string> key;
  std::string guard;                 // empty: no guard
  std::string flag;
  std::string deleted_at;
};

// stored < incoming, a NULL (never guarded) row always loses, and a snapshot row (0) is replaced
// by a re-snapshot (0).
std::string guard_condition(const ShapeNames& n, const std::string& incoming) {
  if (n.guard.empty()) return "";
  const std::string stored = "t." + n.guard;
  return "(" + stored + " IS NULL OR " + stored + " < " + incoming + " OR (" + incoming + " = 0 AND " + stored +
         " = 0))";
}

std::string key_match(const ShapeNames& n) {
  std::vector<std::string> parts;
  for (const auto& k : n.key) parts.push_back("t." + k + " = s." + k);
  return joined(parts, " AND ");
}

// WHERE clause of the statements that join the staging rows of kind `op` to the target.
std::string joined_rows(const ShapeNames& n, char op) {
  std::string where = std::string("s.__sluice_op = '") + op + "' AND " + key_match(n);
  std::string guard = guard_condition(n, "s.__sluice_guard");
  if (!guard.empty()) where += " AND " + guard;
  return where;
}

// The columns an insert writes: the value columns, then the guard.
std::string inserted_columns(const ShapeNames& n) {
  std::vector<std::string> cols = n.values;
  if (!n.guard.empty()) cols.push_back(n.guard);
  return "(" + joined(cols, ", ") + ")";
}

std::string insert_head(const ShapeNames& n, const std::string& target_alias) {
  return "INSERT INTO " + n.target + target_alias + " " + inserted_columns(n);
}

std::string staged_upserts(const ShapeNames& n) {
  std::vector<std::string> select;
  for (const auto& c : n.values) select.push_back("s." + c);
  if (!n.guard.empty()) select.push_back("s.__sluice_guard");
  return " SELECT " + joined(select, ", ") + " FROM " + n.staging + " s WHERE s.__sluice_op = 'u'";
}

std::string conflict_clause(const ShapeNames& n) {
  std::string sql = " ON CONFLICT (" + joined(n.key, ", ") + ") DO ";
  std::vector<std::string> set;
  for (const auto& c : n.non_key) set.push_back(c + " = EXCLUDED." + c);
  if (!n.guard.empty()) set.push_back(n.guard + " = EXCLUDED." + n.guard);
  if (set.empty()) return sql + "NOTHING";
  sql += "UPDATE SET " + joined(set, ", ");
  std::string guard = guard_condition(n, "EXCLUDED." + n.guard);
  if (!guard.empty()) sql += " WHERE " + guard;
  return sql;
}

// $first, $first+1, ... for each name: "t.k = $3 AND t.j = $4".
std::string key_params(const ShapeNames& n, std::size_t first) {
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < n.key.size(); ++i) parts.push_back("t." + n.key[i] + " = $" + std::to_string(first + i));
  return joined(parts, " AND ");
}

std::string with_guard(std::string where, const ShapeNames& n, std::size_t guard_param) {
  std::string guard = guard_condition(n, "$" + std::to_string(guard_param));
  return guard.empty() ? where : where + " AND " + guard;
}

// Parameters: non-key values, key values, guard.
std::string update_row(const ShapeNames& n) {
  std::vector<std::string> set;
  std::size_t p = 1;
  for (const auto& c : n.non_key) set.push_back(c + " = $" + std::to_string(p++));
  const std::size_t guard_param = p + n.key.size();
  if (!n.guard.empty()) set.push_back(n.guard + " = $" + std::to_string(guard_param));
  if (set.empty() || n.key.empty()) return "";
  return "UPDATE " + n.target + " AS t SET " + joined(set, ", ") + " WHERE " +
         with_guard(key_params(n, p), n, guard_param);
}

// Parameters: key values, guard.
std::string delete_row(const ShapeNames& n) {
  if (n.key.empty()) return "";
  return "DELETE FROM " + n.target + " AS t WHERE " + with_guard(key_params(n, 1), n, n.key.size() + 1);
}

// Parameters: key values, deleted-at (when there is such a column), guard.
std::string soft_delete_row(const ShapeNames& n) {
  std::vector<std::string> set;
  std::size_t p = n.key.size() + 1;
  if (!n.flag.empty()) set.push_back(n.flag + " = true");
  if (!n.deleted_at.empty()) set.push_back(n.deleted_at + " = $" + std::to_string(p++));
  if (set.empty() || n.key.empty()) return "";
  if (!n.guard.empty()) set.push_back(n.guard + " = $" + std::to_string(p));
  return "UPDATE " + n.target + " AS t SET " + joined(set, ", ") + " WHERE " + with_guard(key_params(n, 1), n, p);
}

std::string update(const ShapeNames& n) {
  std::vector<std::string> set;
  for (const auto& c : n.non_key) set.push_back(c + " = s." + c);
  if (!n.guard.empty()) set.push_back(n.guard + " = s.__sluice_guard");
  if (set.empty()) return "";
  return "UPDATE " + n.target + " AS t SET " + joined(set, ", ") + " FROM " + n.staging + " s WHERE " +
         joined_rows(n, 'u');
}

std::string soft_delete(const ShapeNames& n) {
  std::vector<std::string> set;
  if (!n.flag.empty()) set.push_back(n.flag + " = true");
  if (!n.deleted_at.empty()) set.push_back(n.deleted_at + " = s.__sluice_deleted_at");
  if (set.empty() || n.key.empty()) return "";
  if (!n.guard.empty()) set.push_back(n.guard + " = s.__sluice_guard");
  return "UPDATE " + n.target + " AS t SET " + joined(set, ", ") + " FROM " + n.staging + " s WHERE " +
         joined_rows(n, 's');
}

std::string create_staging(const ShapeNames& n) {
  std::string sql = "CREATE TEMP TABLE " + n.staging +
                    " AS SELECT NULL::\"char\" AS __sluice_op, NULL::bigint AS __sluice_guard, "
                    "NULL::timestamp AS __sluice_deleted_at";
  for (const auto& c : n.values) sql += ", t." + c;
  return sql + " FROM " + n.target + " t WITH NO DATA";
}

std::string copy(const ShapeNames& n) {
  std::string sql = "COPY " + n.staging + " (__sluice_op, __sluice_guard, __sluice_deleted_at";
  for (const auto& c : n.values) sql += ", " + c;
  return sql + ") FROM STDIN";
}

}  // namespace

std::string batch_shape_key(const TableBatch& batch) {
  std::string key = batch.table.id.schema + kSep + batch.table.id.name + kSep;
  key += std::to_string(static_cast<int>(batch.mode)) + kSep + batch.position_column + kSep +
         batch.deleted_flag_column + kSep + batch.deleted_at_column + kSep;
  for (const auto& c : batch.table.columns) key += c.name + kSep;
  key += kSep;
  for (const auto& k : batch.table.primary_key) key += k + kSep;
  return key;
}

BatchStatements build_batch_statements(const TableBatch& batch, const std::string& staging, const SqlNames& names) {
  BatchStatements out;
  ShapeNames n;
  n.target = names.table(batch.table.id);
  n.staging = postgres::quote_identifier(staging);
  if (!batch.position_column.empty()) n.guard = names.column(batch.position_column);
  if (!batch.deleted_flag_column.empty()) n.flag = names.column(batch.deleted_flag_column);
  if (!batch.deleted_at_column.empty()) n.deleted_at = names.column(batch.deleted_at_column);

  const auto& columns = batch.table.columns;
  for (const auto& key : batch.table.primary_key) {
    std::size_t i = 0;
    while (i < columns.size() && names.stored(columns[i].name) != names.stored(key)) ++i;
    if (i == columns.size()) {
      throw ConnectError(batch.table.id.to_string() + ": primary key column " + key + " is not among the columns");
    }
    out.key_columns.push_back(i);
    n.key.push_back(names.column(key));
  }
  for (std::size_t i = 0; i < columns.size(); ++i) {
    std::string quoted = names.column(columns[i].name);
    if (quoted == n.guard) continue;
    out.value_columns.push_back(i);
    n.values.push_back(quoted);
    bool is_key = false;
    for (const auto& k : n.key) is_key = is_key || k == quoted;
    if (!is_key) {
      n.non_key.push_back(quoted);
      out.non_key_columns.push_back(i);
    }
  }

  out.target = n.target;
  out.create_staging = create_staging(n);
  out.delete_staged = "DELETE FROM " + n.staging;
  out.truncate_staged = "TRUNCATE " + n.staging;
  out.copy = copy(n);
  out.truncate_target = "TRUNCATE " + n.target;
  const bool upsert = batch.mode == InsertMode::kUpsert && !n.key.empty();
  if (batch.mode != InsertMode::kUpdate) {
    out.insert_head = insert_head(n, upsert ? " AS t" : "");
    out.insert_width = n.values.size() + (n.guard.empty() ? 0 : 1);
    out.conflict = upsert ? conflict_clause(n) : "";
    out.write_changes = out.insert_head + staged_upserts(n) + out.conflict;
    out.copy_target = "COPY " + n.target + " " + inserted_columns(n) + " FROM STDIN";
  } else if (!n.key.empty()) {
    out.write_changes = update(n);
    out.update_row = update_row(n);
  }
  out.delete_row = delete_row(n);
  out.soft_delete_row = soft_delete_row(n);
  if (!n.key.empty()) {
    out.hard_delete = "DELETE FROM " + n.target + " AS t USING " + n.staging + " s WHERE " + joined_rows(n, 'd');
  }
  out.soft_delete = soft_delete(n);
  return out;
}

}  // namespace sluice::jdbc
