#include "mysql_sink_database.h"

#include <utility>

#include "mysql_parameters.h"
#include "mysql_session.h"
#include "mysql_statements.h"
#include "sluice/errors.h"
#include "table_batch_writer.h"

namespace sluice::jdbc {

namespace {

using mysql::MysqlSession;

// Owned by one task thread; not thread-safe (see sink_database.h).
class MysqlSinkDatabase final : public SinkDatabase {
 public:
  MysqlSinkDatabase(ConnectionSettings connection, DatabaseOptions options)
      : options_(std::move(options)),
        checkpoint_table_(mysql::parse_table_name(options_.checkpoint_table)),
        session_(std::move(connection)) {}

  void connect() override {
    session_.open();
    session_.execute(mysql::create_checkpoint_table_sql(checkpoint_table_, session_.table_collation()),
                     "create the checkpoint table " + checkpoint_table_.to_string());
  }

  std::optional<ExistingTable> describe(const TableId& table) override;

  void create_table(const TableSpec& spec) override {
    ensure_open();
    try {
      session_.execute(mysql::create_table_sql(spec, session_.table_collation()), "create table " + spec.id.to_string());
    } catch (const RetriableError&) {
      throw;
    } catch (const ConnectError& e) {
      // Another task created it between describe() and here: retrying finds it.
      if (describe(spec.id)) throw RetriableError(e.what());
      throw;
    }
  }

  void add_columns(const TableId& table, const std::vector<ColumnSpec>& columns) override {
    if (columns.empty()) return;
    ensure_open();
    session_.execute(mysql::add_columns_sql(table, columns), "add columns to " + table.to_string());
  }

  std::vector<Checkpoint> load_checkpoints() override;

  void apply(const std::vector<TableBatch>& batches, const std::vector<Checkpoint>& checkpoints) override;

  std::string sql_type(const ColumnType& type) const override { return mysql::column_type(type, false); }

 private:
  void ensure_open() {
    if (!session_.is_open()) connect();
  }
  void write_checkpoints(const std::vector<Checkpoint>& checkpoints);

  DatabaseOptions options_;
  TableId checkpoint_table_;
  MysqlSession session_;
};

// information_schema compares names the way the server resolves them: TABLE_NAME as the file
// system does (lower_case_table_names), COLUMN_NAME case-insensitively.
std::optional<ExistingTable> MysqlSinkDatabase::describe(const TableId& table) {
  ensure_open();
  const std::string what = "describe " + table.to_string();
  const std::string columns_sql =
      "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS"
      " WHERE TABLE_SCHEMA = COALESCE(NULLIF(?, ''), DATABASE()) AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION";
  const std::string key_sql =
      "SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE"
      " WHERE TABLE_SCHEMA = COALESCE(NULLIF(?, ''), DATABASE()) AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY'"
      " ORDER BY ORDINAL_POSITION";
  ExistingTable existing{table, {}, {}};
  for (const std::string* sql : {&columns_sql, &key_sql}) {
    auto& statement = session_.prepare(*sql, what);
    session_.guarded(what, *sql, [&] {
      statement.setString(1, table.schema);
      statement.setString(2, table.name);
    });
    auto rows = session_.query(statement, *sql, what);
    session_.guarded(what, *sql, [&] {
      while (rows->next()) {
        if (sql == &columns_sql) {
          existing.columns.push_back({rows->getString(1), rows->getString(2), rows->getString(3) == "YES"});
        } else {
          existing.primary_key.push_back(rows->getString(1));
        }
      }
    });
  }
  if (existing.columns.empty()) return std::nullopt;
  return existing;
}

std::vector<Checkpoint> MysqlSinkDatabase::load_checkpoints() {
  ensure_open();
  const std::string sql = mysql::select_checkpoints_sql(checkpoint_table_);
  const std::string what = "load checkpoints from " + checkpoint_table_.to_string();
  auto& statement = session_.prepare(sql, what);
  session_.guarded(what, sql, [&] { statement.setString(1, options_.connector_name); });
  auto rows = session_.query(statement, sql, what);
  std::vector<Checkpoint> checkpoints;
  session_.guarded(what, sql, [&] {
    while (rows->next()) {
      Checkpoint c;
      c.partition.topic = rows->getString(1);
      c.partition.partition = rows->getInt(2);
      c.next_offset = rows->getInt64(3);
      c.last_position = SourcePosition{rows->getInt64(4), rows->getInt64(5)};
      c.has_position = rows->getBoolean(6);
      checkpoints.push_back(std::move(c));
    }
  });
  return checkpoints;
}

void MysqlSinkDatabase::apply(const std::vector<TableBatch>& batches, const std::vector<Checkpoint>& checkpoints) {
  ensure_open();
  session_.begin();
  try {
    // Statements are guarded one by one; this catches what binding their parameters may throw.
    session_.guarded("apply a batch", "", [&] {
      for (const auto& batch : batches) mysql::TableBatchWriter(session_, batch).write();
      write_checkpoints(checkpoints);
    });
    session_.commit();
  } catch (...) {
    session_.rollback();
    throw;
  }
}

void MysqlSinkDatabase::write_checkpoints(const std::vector<Checkpoint>& checkpoints) {
  if (checkpoints.empty()) return;
  const std::string sql = mysql::upsert_checkpoints_sql(checkpoint_table_, checkpoints.size());
  const std::string what = "store checkpoints in " + checkpoint_table_.to_string();
  auto& statement = session_.prepare(sql, what);
  mysql::ParameterBinder binder(statement);
  session_.guarded(what, sql, [&] {
    for (const auto& c : checkpoints) {
      binder.bind_string(options_.connector_name);
      binder.bind_string(c.partition.topic);
      binder.bind_int64(c.partition.partition);
      binder.bind_int64(c.next_offset);
      binder.bind_int64(c.last_position.major);
      binder.bind_int64(c.last_position.minor);
      binder.bind_bool(c.has_position);
    }
  });
  session_.execute_prepared(statement, sql, what);
}

}  // namespace

std::unique_ptr<SinkDatabase> make_mysql_sink_database(const ConnectionSettings& connection,
                                                       const DatabaseOptions& options) {
  return std::make_unique<MysqlSinkDatabase>(connection, options);
}

}  // namespace sluice::jdbc
