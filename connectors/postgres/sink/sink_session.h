// SinkSession: the JDBC sink's libpq connection. Runs statements (prepared once per text and
// reused), streams COPY data, and maps failures to the SDK's errors per pg_connection.h: a lost
// connection, a server shutting down or restarting, a serialization failure or a deadlock is a
// RetriableError, everything else a ConnectError "<table>: <statement>: <server message>".
// Statements carry no row values (those travel as COPY data or parameters), so messages do not.
//
// Owned by one task thread (through PostgresSinkDatabase); not thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pg_connection.h"

namespace sluice::jdbc {

class SinkSession {
 public:
  // Server notices ("relation ... already exists, skipping") are dropped: libpq would print them
  // to stderr.
  explicit SinkSession(postgres::PgConnPtr conn);

  // Simple query protocol: one or more statements without parameters. `table` names what the
  // statement is about in error messages ("" for none).
  void exec(const std::string& sql, std::string_view table);

  // Runs one statement with text parameters through the extended protocol; the statement is
  // prepared the first time its text is seen on this connection.
  void exec_prepared(const std::string& sql, std::string_view table,
                     const std::vector<std::optional<std::string>>& params = {});

  postgres::QueryResult query(const std::string& sql, std::string_view table,
                              const std::vector<std::optional<std::string>>& params = {});

  // COPY ... FROM STDIN: begin, send data in any number of pieces, end (waits for the result).
  void copy_begin(const std::string& sql, std::string_view table);
  void copy_send(std::string_view data, std::string_view table);
  void copy_end(std::string_view table);
  // Like copy_end, but when the COPY failed with SQLSTATE `tolerated` returns false instead of
  // throwing (the transaction, or the savepoint the caller set, is then aborted).
  bool copy_end_unless(std::string_view tolerated, std::string_view table);
  // Ends a started COPY with an error (the transaction is then aborted); never throws.
  void copy_abort(const std::string& reason) noexcept;

  // Ends the transaction in progress, if any; never throws (a broken connection stays broken).
  void rollback() noexcept;

  bool broken() const { return PQstatus(conn_.get()) == CONNECTION_BAD; }

 private:
  [[noreturn]] void fail(const PGresult* res, const std::string& sql, std::string_view table);
  // Takes every remaining result so the connection is ready for the next command.
  void drain() noexcept;

  postgres::PgConnPtr conn_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
};

}  // namespace sluice::jdbc
