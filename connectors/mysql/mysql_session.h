// MysqlSession: one mysql-connector-c++ connection with the sink's session settings, a cache of
// prepared statements keyed by their SQL text, and the one place where sql::SQLException becomes
// a sluice error.
//
// Error mapping (the server's or the client library's error number):
//   lost or unreachable connection (2002, 2003, 2006, 2013, 2055, 1053 shutdown, 1927 killed,
//   4031 idle timeout, 1040 too many connections, 1158-1161 network) -> RetriableError, and the
//   connection is dropped: the next open() makes a new one;
//   deadlock 1213, lock wait timeout 1205 -> RetriableError (the caller rolls back);
//   anything else -> ConnectError. Messages name what was being done and the server's reason.
//
// The session runs with autocommit on; a transaction is an explicit begin() ... commit(), so the
// reads and the DDL outside apply() never leave a transaction open.
//
// Owned by one task thread; not thread-safe.
#pragma once

#include <cppconn/connection.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "sink_database.h"

namespace sluice::jdbc::mysql {

class MysqlSession {
 public:
  explicit MysqlSession(ConnectionSettings settings);
  ~MysqlSession();
  MysqlSession(const MysqlSession&) = delete;
  MysqlSession& operator=(const MysqlSession&) = delete;

  // Drops any connection and opens a new one. RetriableError when the server cannot be reached,
  // ConnectError for bad credentials or an unknown database.
  void open();
  bool is_open() const { return connection_ != nullptr; }
  void close();

  // The server is MariaDB (not MySQL); its max_allowed_packet; the binary no-pad collation for
  // created tables. Valid after open().
  bool is_mariadb() const { return mariadb_; }
  std::size_t max_packet() const { return max_packet_; }
  const std::string& table_collation() const { return collation_; }

  // Runs a statement without parameters.
  void execute(const std::string& sql, const std::string& what);

  // A prepared statement for `sql`, prepared once per connection.
  sql::PreparedStatement& prepare(const std::string& sql, const std::string& what);
  // Runs a prepared statement whose parameters are bound; returns the affected rows.
  std::int64_t execute_prepared(sql::PreparedStatement& statement, const std::string& sql, const std::string& what);
  // Runs a query; the result set is the caller's.
  std::unique_ptr<sql::ResultSet> query(sql::PreparedStatement& statement, const std::string& sql,
                                        const std::string& what);

  void begin();
  void commit();
  // Best effort: a lost connection cannot roll back, and the server rolls back for it anyway.
  void rollback() noexcept;

  // Runs `body`, turning an sql::SQLException into the sluice error for it (see the header
  // comment); `what` and `sql` name the operation in the message.
  void guarded(const std::string& what, const std::string& sql, const std::function<void()>& body);

 private:
  void apply_session_settings();

  ConnectionSettings settings_;
  // Statements belong to the connection: declared after it, so they are destroyed first.
  std::unique_ptr<sql::Connection> connection_;
  std::unordered_map<std::string, std::unique_ptr<sql::PreparedStatement>> statements_;
  bool mariadb_ = true;
  std::size_t max_packet_ = 16 << 20;
  std::string collation_ = "utf8mb4_bin";
};

}  // namespace sluice::jdbc::mysql
