// PgConnection: a plain (non-replication) libpq connection with errors mapped to the SDK's types.
//
// Error contract, used by every part of the PostgreSQL connector:
//  * the server is unreachable, starting up, shutting down, out of connection slots, or the
//    connection was lost (SQLSTATE class 08, 57P01-57P03, 53300, "could not connect")
//    -> sluice::RetriableError, so the runtime reconnects with backoff;
//  * authentication (class 28), a missing database (3D000), missing privileges (42501), and
//    every other server error -> sluice::ConnectError carrying the server's message and SQLSTATE;
//  * a malformed conninfo string -> sluice::ConfigError.
// Messages never contain the password.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::postgres {

using PgConnPtr = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using PgResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

inline PgResultPtr make_result(PGresult* res) { return PgResultPtr(res, &PQclear); }

// One row of a text-format result: a value per column, nullopt for SQL NULL.
using PgRow = std::vector<std::optional<std::string>>;

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<PgRow> rows;

  // Index of a column by name; throws ConnectError if absent.
  std::size_t column(std::string_view name) const;
};

// Opens a connection (blocking). `extra` keywords/values override the conninfo's (for example
// {"replication", "database"}); "sluice" is the fallback application_name. Throws per the error
// contract above.
PgConnPtr open_connection(const std::string& conninfo,
                          const std::vector<std::pair<std::string, std::string>>& extra = {});

// Throws the exception that fits a failed result (status other than COMMAND_OK / TUPLES_OK /
// COPY_*): "<context>: <server message> (SQLSTATE xxxxx)", plus DETAIL and HINT when present.
// `conn` (may be null) tells a lost connection apart from a failed statement.
[[noreturn]] void throw_result_error(const PGresult* res, const PGconn* conn, std::string_view context);

// The fields of a server's ErrorResponse that the messages use.
struct ServerError {
  std::string sqlstate;
  std::string primary;
  std::string detail;  // empty when absent
  std::string hint;
};

// Throws what fits a server error, worded as throw_result_error() words it. `connection_bad`:
// the connection is gone with it (a retriable failure whatever the SQLSTATE).
[[noreturn]] void throw_server_error(const ServerError& error, std::string_view context,
                                     bool connection_bad = false);

// Throws RetriableError when `conn` is broken, else ConnectError, with PQerrorMessage.
[[noreturn]] void throw_connection_error(const PGconn* conn, std::string_view context);

// True for SQLSTATEs that mean "try again later" (see the contract above).
bool is_retriable_sqlstate(std::string_view sqlstate);

// Owned by one thread at a time (libpq connections are not thread-safe); movable.
class PgConnection {
 public:
  // Connects; throws per the error contract.
  explicit PgConnection(const std::string& conninfo);
  explicit PgConnection(PgConnPtr conn) : conn_(std::move(conn)) {}

  // Runs one or more statements without parameters (simple query protocol).
  void exec(const std::string& sql);

  // Runs one statement with text-format parameters ($1, $2, ...; nullopt binds NULL) and returns
  // every row in text format.
  QueryResult query(const std::string& sql, const std::vector<std::optional<std::string>>& params = {});

  // First column of the first row, nullopt when NULL or when there is no row.
  std::optional<std::string> query_value(const std::string& sql,
                                         const std::vector<std::optional<std::string>>& params = {});

  // PQserverVersion: 150020 for 15.20.
  int server_version() const { return PQserverVersion(conn_.get()); }

  PGconn* raw() const { return conn_.get(); }

 private:
  PgConnPtr conn_;
};

// Converts a text-format result to rows.
QueryResult to_query_result(const PGresult* res);

// SQL-quotes a literal / identifier ("it''s" -> 'it''s', my"tab -> "my""tab").
std::string quote_literal(std::string_view text);
std::string quote_identifier(std::string_view text);

}  // namespace sluice::postgres
