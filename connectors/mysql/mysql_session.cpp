#include "mysql_session.h"

#include <cppconn/driver.h>
#include <cppconn/exception.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "mysql_statements.h"
#include "sluice/errors.h"

namespace sluice::jdbc::mysql {

namespace {

constexpr int kDefaultPort = 3306;
constexpr int kDefaultConnectTimeoutSeconds = 10;
// Prepared statements are server objects (max_prepared_stmt_count is server-wide): keep few.
constexpr std::size_t kMaxCachedStatements = 64;

enum class Failure { kConnectionLost, kTransient, kPermanent };

Failure classify(const sql::SQLException& e) {
  switch (e.getErrorCode()) {
    case 2002:  // CR_CONNECTION_ERROR (socket or TCP with libmariadb)
    case 2003:  // CR_CONN_HOST_ERROR
    case 2006:  // CR_SERVER_GONE_ERROR
    case 2013:  // CR_SERVER_LOST
    case 2055:  // CR_SERVER_LOST_EXTENDED
    case 1040:  // ER_CON_COUNT_ERROR: too many connections
    case 1053:  // ER_SERVER_SHUTDOWN
    case 1158:  // ER_NET_READ_ERROR
    case 1159:  // ER_NET_READ_INTERRUPTED
    case 1160:  // ER_NET_ERROR_ON_WRITE
    case 1161:  // ER_NET_WRITE_INTERRUPTED
    case 1927:  // ER_CONNECTION_KILLED (MariaDB)
    case 4031:  // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8)
      return Failure::kConnectionLost;
    case 1205:  // ER_LOCK_WAIT_TIMEOUT
    case 1213:  // ER_LOCK_DEADLOCK
      return Failure::kTransient;
    case 0: {
      // The connector's own "connection closed" checks carry no server error number.
      std::string message = e.what();
      return message.find("closed") != std::string::npos ? Failure::kConnectionLost : Failure::kPermanent;
    }
    default:
      return Failure::kPermanent;
  }
}

std::string describe_failure(const sql::SQLException& e, const std::string& what, const std::string& sql) {
  std::string message = "MySQL sink: " + what + ": " + e.what() + " (error " + std::to_string(e.getErrorCode());
  if (!e.getSQLState().empty()) message += ", SQLSTATE " + e.getSQLState();
  message += ")";
  if (!sql.empty()) message += "; statement: " + statement_summary(sql);
  return message;
}

// get_mysql_driver_instance() initialises the client library on its first call, which is not
// thread-safe; a function-local static makes that first call once.
sql::mysql::MySQL_Driver& driver() {
  static sql::mysql::MySQL_Driver* instance = sql::mysql::get_mysql_driver_instance();
  return *instance;
}

// A URL property in milliseconds (as JDBC spells connectTimeout / socketTimeout) in whole
// seconds, at least 1; `fallback` when absent or not positive.
int property_seconds(const ConnectionSettings& settings, const std::string& name, int fallback) {
  for (const auto& [key, value] : settings.properties) {
    if (key == name) {
      const long ms = std::strtol(value.c_str(), nullptr, 10);
      if (ms > 0) return static_cast<int>(std::max(1L, ms / 1000));
    }
  }
  return fallback;
}

}  // namespace

MysqlSession::MysqlSession(ConnectionSettings settings) : settings_(std::move(settings)) {}

MysqlSession::~MysqlSession() { close(); }

void MysqlSession::close() {
  statements_.clear();
  connection_.reset();
}

void MysqlSession::open() {
  close();
  const int port = settings_.port == 0 ? kDefaultPort : settings_.port;
  sql::ConnectOptionsMap options;
  options["hostName"] = sql::SQLString("tcp://" + settings_.host + ":" + std::to_string(port));
  options["userName"] = sql::SQLString(settings_.user);
  options["password"] = sql::SQLString(settings_.password);
  if (!settings_.database.empty()) options["schema"] = sql::SQLString(settings_.database);
  options["OPT_CONNECT_TIMEOUT"] = property_seconds(settings_, "connectTimeout", kDefaultConnectTimeoutSeconds);
  // No socketTimeout: wait for a statement as long as it takes (a lock wait ends by itself).
  if (const int socket_timeout = property_seconds(settings_, "socketTimeout", 0); socket_timeout > 0) {
    options["OPT_READ_TIMEOUT"] = socket_timeout;
    options["OPT_WRITE_TIMEOUT"] = socket_timeout;
  }
  options["OPT_RECONNECT"] = false;  // a silent reconnect would lose the open transaction
  options["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
  const std::string where = "connect to " + settings_.host + ":" + std::to_string(port) + "/" + settings_.database;
  guarded(where, "", [&] { connection_.reset(driver().connect(options)); });
  apply_session_settings();
}

void MysqlSession::apply_session_settings() {
  // Backtick quoting, so no ANSI_QUOTES. Strict: a value that does not fit is an error, not a
  // silently truncated row. UTC, so DATETIME values are stored as the UTC text we send.
  execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,NO_AUTO_VALUE_ON_ZERO,"
          "ERROR_FOR_DIVISION_BY_ZERO', time_zone = '+00:00', NAMES utf8mb4",
          "set session variables");
  // Upserts under REPEATABLE READ take gap locks that make concurrent tasks deadlock more often.
  execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", "set the isolation level");
  const std::string sql = "SELECT VERSION(), @@max_allowed_packet";
  auto& statement = prepare(sql, "read the server version");
  auto rows = query(statement, sql, "read the server version");
  guarded("read the server version", sql, [&] {
    if (!rows->next()) return;
    const std::string version = rows->getString(1);
    max_packet_ = static_cast<std::size_t>(rows->getUInt64(2));
    mariadb_ = version.find("MariaDB") != std::string::npos;
    const int major = std::atoi(version.c_str());
    collation_ = mariadb_ ? "utf8mb4_nopad_bin" : major >= 8 ? "utf8mb4_0900_bin" : "utf8mb4_bin";
  });
}

void MysqlSession::guarded(const std::string& what, const std::string& sql, const std::function<void()>& body) {
  try {
    body();
  } catch (const sql::SQLException& e) {
    const Failure failure = classify(e);
    const std::string message = describe_failure(e, what, sql);
    if (failure == Failure::kConnectionLost) close();
    if (failure == Failure::kPermanent) throw ConnectError(message);
    throw RetriableError(message);
  }
}

void MysqlSession::execute(const std::string& sql, const std::string& what) {
  if (!connection_) throw RetriableError("MySQL sink: " + what + ": not connected");
  guarded(what, sql, [&] {
    std::unique_ptr<sql::Statement> statement(connection_->createStatement());
    statement->execute(sql);
  });
}

sql::PreparedStatement& MysqlSession::prepare(const std::string& sql, const std::string& what) {
  if (!connection_) throw RetriableError("MySQL sink: " + what + ": not connected");
  auto it = statements_.find(sql);
  if (it != statements_.end()) return *it->second;
  if (statements_.size() >= kMaxCachedStatements) statements_.clear();
  std::unique_ptr<sql::PreparedStatement> statement;
  guarded(what, sql, [&] { statement.reset(connection_->prepareStatement(sql)); });
  return *statements_.emplace(sql, std::move(statement)).first->second;
}

std::int64_t MysqlSession::execute_prepared(sql::PreparedStatement& statement, const std::string& sql,
                                            const std::string& what) {
  std::int64_t affected = 0;
  guarded(what, sql, [&] { affected = statement.executeUpdate(); });
  return affected;
}

std::unique_ptr<sql::ResultSet> MysqlSession::query(sql::PreparedStatement& statement, const std::string& sql,
                                                    const std::string& what) {
  std::unique_ptr<sql::ResultSet> rows;
  guarded(what, sql, [&] { rows.reset(statement.executeQuery()); });
  return rows;
}

void MysqlSession::begin() { execute("START TRANSACTION", "begin a transaction"); }

void MysqlSession::commit() { execute("COMMIT", "commit"); }

void MysqlSession::rollback() noexcept {
  if (!connection_) return;
  try {
    std::unique_ptr<sql::Statement> statement(connection_->createStatement());
    statement->execute("ROLLBACK");
  } catch (const sql::SQLException& e) {
    if (classify(e) == Failure::kConnectionLost) close();
  } catch (...) {
  }
}

}  // namespace sluice::jdbc::mysql
