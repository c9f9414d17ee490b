#include "snapshotter.h"

#include <algorithm>
#include <tuple>

#include "postgres_source_connector.h"
#include "sluice/errors.h"
#include "sluice/log.h"

namespace sluice::postgres {
namespace {

const log::Logger kLog("sluice.connector.postgres.snapshot");

constexpr const char* kCursor = "sluice_snapshot";

// Columns in pgoutput's order and selection: attnum order, without dropped and generated columns.
// pk_pos is the column's position in the primary key (NULL when not part of it); ri tells whether
// it belongs to the REPLICA IDENTITY USING INDEX index.
constexpr const char* kColumnsSql =
    "SELECT c.oid, c.relreplident, n.nspname, c.relname, a.attname, a.atttypid, a.atttypmod, "
    "a.attnotnull, "
    "(SELECT array_position(i.indkey::int2[], a.attnum) FROM pg_catalog.pg_index i "
    " WHERE i.indrelid = c.oid AND i.indisprimary) AS pk_pos, "
    "EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisreplident "
    " AND a.attnum = ANY(i.indkey)) AS ri, pg_catalog.format_type(a.atttypid, a.atttypmod) "
    "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid "
    "WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' AND ";

bool is_true(const std::optional<std::string>& v) { return v && (*v == "t" || *v == "true"); }

// Rows of kColumnsSql -> the Relation and metadata; nullopt when there are no rows.
std::optional<CatalogTable> to_catalog_table(const QueryResult& r) {
  if (r.rows.empty()) return std::nullopt;
  CatalogTable out;
  Relation& rel = out.relation;
  const PgRow& first = r.rows.front();
  rel.oid = static_cast<std::uint32_t>(std::stoul(first[0].value_or("0")));
  rel.replica_identity = first[1].value_or("d").empty() ? 'd' : (*first[1])[0];
  rel.schema = first[2].value_or("");
  rel.name = first[3].value_or("");
  rel.version = 0;
  std::vector<std::tuple<int, std::string, std::string>> pk;
  for (const PgRow& row : r.rows) {
    RelationColumn col;
    col.name = row[4].value_or("");
    col.type_oid = static_cast<std::uint32_t>(std::stoul(row[5].value_or("0")));
    col.type_modifier = std::stoi(row[6].value_or("-1"));
    bool in_pk = row[8].has_value();
    if (in_pk) pk.emplace_back(std::stoi(*row[8]), col.name, row[10].value_or("text"));
    if (is_true(row[7])) out.metadata.not_null.insert(col.name);
    // pgoutput flags the replica identity: every column for FULL, the index's for INDEX, the
    // primary key's for DEFAULT, none for NOTHING.
    switch (rel.replica_identity) {
      case 'f': col.is_key = true; break;
      case 'i': col.is_key = is_true(row[9]); break;
      case 'd': col.is_key = in_pk; break;
      default: col.is_key = false;
    }
    rel.columns.push_back(std::move(col));
  }
  std::sort(pk.begin(), pk.end());
  for (auto& [pos, name, type] : pk) {
    out.metadata.primary_key.push_back(std::move(name));
    out.key_types.push_back(std::move(type));
  }
  return out;
}

}  // namespace

std::vector<TableId> list_captured_tables(PgConnection& conn, const TableFilter& filter) {
  // Leaf tables only: pgoutput publishes a partition's changes under the partition itself.
  QueryResult r = conn.query(
      "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c "
      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind = 'r' AND c.relpersistence = 'p' ORDER BY 1, 2");
  std::vector<TableId> out;
  for (const auto& row : r.rows) {
    TableId id{row[0].value_or(""), row[1].value_or("")};
    if (filter.includes(id.schema, id.table)) out.push_back(std::move(id));
  }
  return out;
}

CatalogTable load_catalog_table(PgConnection& conn, const TableId& table) {
  auto t = to_catalog_table(conn.query(std::string(kColumnsSql) +
                                           "n.nspname = $1 AND c.relname = $2 ORDER BY a.attnum",
                                       {table.schema, table.table}));
  if (!t) {
    // A table without columns still exists; look it up without the column join.
    auto oid = conn.query_value(
        "SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
        "ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
        {table.schema, table.table});
    if (!oid) throw ConnectError("table " + table.to_string() + " does not exist");
    CatalogTable empty;
    empty.relation.oid = static_cast<std::uint32_t>(std::stoul(*oid));
    empty.relation.schema = table.schema;
    empty.relation.name = table.table;
    return empty;
  }
  return std::move(*t);
}

std::optional<TableMetadata> load_table_metadata(PgConnection& conn, std::uint32_t oid) {
  auto t = to_catalog_table(conn.query(std::string(kColumnsSql) + "c.oid = $1::oid ORDER BY a.attnum",
                                       {std::to_string(oid)}));
  if (!t) return std::nullopt;
  return std::move(t->metadata);
}

Snapshotter::Snapshotter(const std::string& conninfo, const std::string& snapshot_name,
                         std::vector<TableId> tables, int fetch_size,
                         const std::optional<SnapshotResume>& resume)
    : conn_(std::make_unique<PgConnection>(conninfo)), fetch_size_(fetch_size) {
  conn_->exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (!snapshot_name.empty()) conn_->exec("SET TRANSACTION SNAPSHOT " + quote_literal(snapshot_name));
  // A read-only transaction has no xid of its own; the snapshot's xmin identifies it.
  txid_ = std::stoll(conn_->query_value("SELECT txid_snapshot_xmin(txid_current_snapshot())").value_or("0"));
  for (const auto& t : tables) tables_.push_back(load_catalog_table(*conn_, t));
  if (resume) {
    for (std::size_t i = 0; i < tables_.size(); ++i) {
      const Relation& rel = tables_[i].relation;
      if (rel.schema + "." + rel.name != resume->table) continue;
      current_ = i;
      resume_key_ = tables_[i].key_types.empty() ? "" : resume->key;
      kLog.info("snapshot resumes at {} after key {}", resume->table, resume_key_);
    }
  }
  kLog.info("snapshot {} of {} table(s) started", snapshot_name.empty() ? "(current)" : snapshot_name, tables_.size());
}

Snapshotter::~Snapshotter() = default;

bool Snapshotter::open_cursor() {
  if (current_ >= tables_.size()) return false;
  const CatalogTable& t = tables_[current_];
  const Relation& rel = t.relation;
  std::string cols, keys, bound;
  for (const auto& c : rel.columns) cols += (cols.empty() ? "" : ", ") + quote_identifier(c.name);
  const auto& pk = t.metadata.primary_key;
  for (std::size_t i = 0; i < pk.size(); ++i) {
    keys += (i ? ", " : "") + quote_identifier(pk[i]);
    if (!resume_key_.empty()) {
      bound += (i ? ", " : "") + std::string("(") + quote_literal(resume_key_) + "::text[])[" +
               std::to_string(i + 1) + "]::" + t.key_types[i];
    }
  }
  std::string sql = std::string("DECLARE ") + kCursor + " NO SCROLL CURSOR FOR SELECT " + cols;
  if (!pk.empty()) {
    std::string key_text;
    for (const auto& k : pk) key_text += (key_text.empty() ? "" : ", ") + quote_identifier(k) + "::text";
    sql += std::string(cols.empty() ? "" : ", ") + "ARRAY[" + key_text + "]::text";
  }
  sql += " FROM " + TableId{rel.schema, rel.name}.quoted();
  if (!bound.empty()) sql += " WHERE (" + keys + ") > (" + bound + ")";
  if (!pk.empty()) sql += " ORDER BY " + keys;
  conn_->exec(sql);
  resume_key_.clear();
  cursor_open_ = true;
  kLog.info("snapshot of {}.{} started", rel.schema, rel.name);
  return true;
}

bool Snapshotter::next(std::size_t max_rows, const RowSink& sink) {
  std::size_t emitted = 0;
  while (emitted < max_rows) {
    if (!cursor_open_ && !open_cursor()) return emitted > 0;
    std::size_t want = std::min<std::size_t>(static_cast<std::size_t>(fetch_size_), max_rows - emitted);
    std::size_t got = emit_fetch(sink, want);
    emitted += got;
    if (got < want) {  // the table is done
      conn_->exec(std::string("CLOSE ") + kCursor);
      cursor_open_ = false;
      ++current_;
    }
  }
  return true;
}

std::size_t Snapshotter::emit_fetch(const RowSink& sink, std::size_t rows) {
  std::string sql = "FETCH FORWARD " + std::to_string(rows) + " FROM " + kCursor;
  PgResultPtr res = make_result(PQexec(conn_->raw(), sql.c_str()));
  if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) throw_result_error(res.get(), conn_->raw(), sql);
  const Relation& rel = tables_[current_].relation;
  const int n = PQntuples(res.get());
  const int width = static_cast<int>(rel.columns.size());
  const bool keyed = !tables_[current_].metadata.primary_key.empty();
  row_.resize(static_cast<std::size_t>(width));
  for (int i = 0; i < n; ++i) {
    for (int c = 0; c < width; ++c) {
      auto& v = row_[static_cast<std::size_t>(c)];
      if (PQgetisnull(res.get(), i, c)) {
        v = ColumnValue{ColumnKind::kNull, {}};
      } else {
        v = ColumnValue{ColumnKind::kText,
                        std::string_view(PQgetvalue(res.get(), i, c),
                                         static_cast<std::size_t>(PQgetlength(res.get(), i, c)))};
      }
    }
    std::string_view key;
    if (keyed) key = std::string_view(PQgetvalue(res.get(), i, width), static_cast<std::size_t>(PQgetlength(res.get(), i, width)));
    sink(rel, TupleView(row_), key);
  }
  return static_cast<std::size_t>(n);
}

void Snapshotter::finish() {
  if (!conn_) return;
  conn_->exec("COMMIT");
  conn_.reset();
  kLog.info("snapshot finished");
}

}  // namespace sluice::postgres
