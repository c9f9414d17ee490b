#include "postgres_sink_database.h"

#include <sluice/errors.h>

#include <unordered_set>

#include "postgres_column_types.h"
#include "sink_session.h"
#include "sql_names.h"
#include "table_batch_writer.h"

namespace sluice::jdbc {
namespace {

constexpr const char* kDefaultCheckpointTable = "__sluice_sink_checkpoints";

// A conninfo value in single quotes, with backslash escapes for ' and \.
std::string conninfo_value(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

bool is_libpq_keyword(const std::string& key) {
  static const std::unordered_set<std::string> keywords = [] {
    std::unordered_set<std::string> out;
    PQconninfoOption* defaults = PQconndefaults();
    for (PQconninfoOption* o = defaults; o != nullptr && o->keyword != nullptr; ++o) out.insert(o->keyword);
    PQconninfoFree(defaults);
    return out;
  }();
  return keywords.count(key) > 0;
}

class PostgresSinkDatabase final : public SinkDatabase {
 public:
  PostgresSinkDatabase(ConnectionSettings connection, DatabaseOptions options)
      : connection_(std::move(connection)), options_(std::move(options)), names_(options_.quote_identifiers), writer_(names_) {
    checkpoint_table_ = names_.dotted_table(options_.checkpoint_table.empty() ? kDefaultCheckpointTable
                                                                                : options_.checkpoint_table);
    upsert_checkpoint_sql_ =
        "INSERT INTO " + checkpoint_table_ +
        " (connector, topic, kafka_partition, next_offset, position_major, position_minor, has_position, "
        "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, now()) ON CONFLICT (connector, topic, kafka_partition) "
        "DO UPDATE SET next_offset = EXCLUDED.next_offset, position_major = EXCLUDED.position_major, "
        "position_minor = EXCLUDED.position_minor, has_position = EXCLUDED.has_position, "
        "updated_at = EXCLUDED.updated_at";
  }

  void connect() override;
  std::optional<ExistingTable> describe(const TableId& table) override;
  void create_table(const TableSpec& spec) override;
  void add_columns(const TableId& table, const std::vector<ColumnSpec>& columns) override;
  std::vector<Checkpoint> load_checkpoints() override;
  void apply(const std::vector<TableBatch>& batches, const std::vector<Checkpoint>& checkpoints) override;
  std::string sql_type(const ColumnType& type) const override { return postgres_sql_type(type); }

 private:
  SinkSession& session();
  // Runs `f`; a RetriableError drops the connection (the next call reconnects: the session may
  // be broken, and its temporary staging tables and prepared statements go with it).
  template <class F>
  auto guarded(F&& f) {
    try {
      return f();
    } catch (const RetriableError&) {
      session_.reset();
      writer_.reset();
      throw;
    }
  }
  void exec_ddl(const std::string& sql, std::string_view table);
  std::string conninfo() const;
  std::vector<std::pair<std::string, std::string>> connection_keywords() const;

  void write_checkpoints(const std::vector<Checkpoint>& checkpoints);

  ConnectionSettings connection_;
  DatabaseOptions options_;
  SqlNames names_;
  std::string checkpoint_table_;
  std::string upsert_checkpoint_sql_;
  std::unique_ptr<SinkSession> session_;
  TableBatchWriter writer_;  // its statements and staging tables belong to session_
};

std::string PostgresSinkDatabase::conninfo() const {
  std::string out = "host=" + conninfo_value(connection_.host);
  if (connection_.port != 0) out += " port=" + std::to_string(connection_.port);
  if (!connection_.database.empty()) out += " dbname=" + conninfo_value(connection_.database);
  if (!connection_.user.empty()) out += " user=" + conninfo_value(connection_.user);
  if (!connection_.password.empty()) out += " password=" + conninfo_value(connection_.password);
  return out;
}

// URL properties libpq understands go through as they are (sslmode, sslrootcert, connect_timeout,
// options, user, password, ...). Of the JDBC driver's own, currentSchema becomes the search_path and
// ssl=true without an sslmode means verify-full, as it does for the driver; the others
// (reWriteBatchedInserts, stringtype, ...) mean nothing to libpq and are left out.
std::vector<std::pair<std::string, std::string>> PostgresSinkDatabase::connection_keywords() const {
  std::vector<std::pair<std::string, std::string>> out{{"application_name", "sluice-jdbc-sink"}};
  std::string options;
  bool ssl = false, sslmode = false;
  for (const auto& [key, value] : connection_.properties) {
    if (key == "currentSchema") {
      options += " -c search_path=";
      for (char c : value) options += c == ' ' ? std::string("\\ ") : std::string(1, c);
    } else if (key == "options") {
      options += " " + value;
    } else if (key == "ssl") {
      ssl = value == "true";
    } else if (is_libpq_keyword(key) && key != "dbname") {
      sslmode = sslmode || key == "sslmode";
      out.emplace_back(key, value);
    }
  }
  if (ssl && !sslmode) out.emplace_back("sslmode", "verify-full");
  if (!options.empty()) out.emplace_back("options", options.substr(1));
  return out;
}

void PostgresSinkDatabase::connect() {
  session_.reset();
  writer_.reset();
  auto session = std::make_unique<SinkSession>(postgres::open_connection(conninfo(), connection_keywords()));
  // Timestamps without a zone are written and read as UTC; timestamptz values carry their offset.
  session->exec("SET TimeZone = 'UTC'", "");
  session_ = std::move(session);
  guarded([&] {
    exec_ddl("CREATE TABLE IF NOT EXISTS " + checkpoint_table_ +
                 " (connector text NOT NULL, topic text NOT NULL, kafka_partition integer NOT NULL, "
                 "next_offset bigint NOT NULL, position_major bigint, position_minor bigint, "
                 "has_position boolean NOT NULL DEFAULT false, updated_at timestamptz NOT NULL DEFAULT now(), "
                 "PRIMARY KEY (connector, topic, kafka_partition))",
             checkpoint_table_);
  });
}

SinkSession& PostgresSinkDatabase::session() {
  if (!session_) connect();
  return *session_;
}

// Two tasks creating the same table at once: the loser of CREATE ... IF NOT EXISTS can still see
// a duplicate catalog row (23505) or relation (42P07); the table exists then, which is the point.
void PostgresSinkDatabase::exec_ddl(const std::string& sql, std::string_view table) {
  try {
    session().exec(sql, table);
  } catch (const RetriableError&) {
    throw;
  } catch (const ConnectError& e) {
    std::string_view what = e.what();
    if (what.find("(SQLSTATE 23505)") == std::string_view::npos &&
        what.find("(SQLSTATE 42P07)") == std::string_view::npos) {
      throw;
    }
  }
}

std::optional<ExistingTable> PostgresSinkDatabase::describe(const TableId& table) {
  return guarded([&]() -> std::optional<ExistingTable> {
    const std::string name = names_.table(table);
    auto oid = session().query("SELECT to_regclass($1)::oid", name, {name});
    if (oid.rows.empty() || !oid.rows[0][0]) return std::nullopt;
    ExistingTable out{table, {}, {}};
    auto columns = session().query(
        "SELECT attname, format_type(atttypid, atttypmod), NOT attnotnull FROM pg_attribute "
        "WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        name, {oid.rows[0][0]});
    for (const auto& row : columns.rows) out.columns.push_back({*row[0], *row[1], *row[2] == "t"});
    auto key = session().query(
        "SELECT a.attname FROM pg_index i, unnest(i.indkey) WITH ORDINALITY k(attnum, ord), pg_attribute a "
        "WHERE i.indrelid = $1::oid AND i.indisprimary AND a.attrelid = i.indrelid AND a.attnum = k.attnum "
        "ORDER BY k.ord",
        name, {oid.rows[0][0]});
    for (const auto& row : key.rows) out.primary_key.push_back(*row[0]);
    return out;
  });
}

void PostgresSinkDatabase::create_table(const TableSpec& spec) {
  std::string sql = "CREATE TABLE IF NOT EXISTS " + names_.table(spec.id) + " (";
  for (std::size_t i = 0; i < spec.columns.size(); ++i) {
    const auto& c = spec.columns[i];
    if (i > 0) sql += ", ";
    sql += names_.column(c.name) + " " + sql_type(c.type) + (c.optional ? "" : " NOT NULL");
  }
  if (!spec.primary_key.empty()) {
    sql += ", PRIMARY KEY (";
    for (std::size_t i = 0; i < spec.primary_key.size(); ++i) {
      sql += (i > 0 ? ", " : "") + names_.column(spec.primary_key[i]);
    }
    sql += ")";
  }
  sql += ")";
  guarded([&] { exec_ddl(sql, spec.id.to_string()); });
}

void PostgresSinkDatabase::add_columns(const TableId& table, const std::vector<ColumnSpec>& columns) {
  if (columns.empty()) return;
  std::string sql = "ALTER TABLE " + names_.table(table);
  for (std::size_t i = 0; i < columns.size(); ++i) {
    sql += (i > 0 ? ", " : " ") + std::string("ADD COLUMN IF NOT EXISTS ") + names_.column(columns[i].name) + " " +
           sql_type(columns[i].type);
  }
  guarded([&] { session().exec(sql, table.to_string()); });
}

std::vector<Checkpoint> PostgresSinkDatabase::load_checkpoints() {
  return guarded([&] {
    auto result = session().query(
        "SELECT topic, kafka_partition, next_offset, position_major, position_minor, has_position FROM " +
            checkpoint_table_ + " WHERE connector = $1 ORDER BY topic, kafka_partition",
        checkpoint_table_, {options_.connector_name});
    std::vector<Checkpoint> out;
    for (const auto& row : result.rows) {
      Checkpoint c;
      c.partition = TopicPartition{*row[0], std::stoi(*row[1])};
      c.next_offset = std::stoll(*row[2]);
      c.has_position = *row[5] == "t";
      if (c.has_position) c.last_position = SourcePosition{std::stoll(row[3].value_or("0")), std::stoll(row[4].value_or("0"))};
      out.push_back(std::move(c));
    }
    return out;
  });
}

void PostgresSinkDatabase::apply(const std::vector<TableBatch>& batches, const std::vector<Checkpoint>& checkpoints) {
  guarded([&] {
    SinkSession& s = session();
    for (const auto& batch : batches) writer_.prepare(s, batch);
    try {
      s.exec("BEGIN", "");
      for (const auto& batch : batches) writer_.write(s, batch);
      write_checkpoints(checkpoints);
      s.exec("COMMIT", "");
    } catch (...) {
      s.rollback();
      throw;
    }
  });
}

void PostgresSinkDatabase::write_checkpoints(const std::vector<Checkpoint>& checkpoints) {
  for (const auto& c : checkpoints) {
    session().exec_prepared(upsert_checkpoint_sql_, checkpoint_table_,
                            {options_.connector_name, c.partition.topic, std::to_string(c.partition.partition),
                             std::to_string(c.next_offset), std::to_string(c.last_position.major),
                             std::to_string(c.last_position.minor), c.has_position ? "t" : "f"});
  }
}

}  // namespace

std::unique_ptr<SinkDatabase> make_postgres_sink_database(const ConnectionSettings& connection,
                                                          const DatabaseOptions& options) {
  return std::make_unique<PostgresSinkDatabase>(connection, options);
}

}  // namespace sluice::jdbc
