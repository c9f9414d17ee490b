#include "pg_connection.h"

#include <sluice/errors.h>

#include <fmt/format.h>

namespace sluice::postgres {
namespace {

std::string trimmed(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  return std::string(text);
}

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

// libpq reports no SQLSTATE for a failed connection attempt, only text: the server's FATAL
// message when it answered, libpq's own when it could not reach it. The server's messages are
// matched in English (lc_messages=C is the usual server setting; a translated refusal falls back
// to ConnectError, which is the safe side: it is reported instead of retried forever).
[[noreturn]] void throw_connect_failure(const std::string& message) {
  const bool server_answered = contains(message, "FATAL:");
  const bool transient = contains(message, "the database system is starting up") ||
                         contains(message, "the database system is shutting down") ||
                         contains(message, "the database system is in recovery mode") ||
                         contains(message, "the database system is not yet accepting connections") ||
                         contains(message, "too many clients") ||
                         contains(message, "remaining connection slots are reserved");
  if (transient || !server_answered) {
    throw RetriableError(fmt::format("cannot connect to PostgreSQL: {}", message));
  }
  // Authentication (28xxx), a missing database (3D000) or role, pg_hba.conf refusals: the
  // server's message says which.
  throw ConnectError(fmt::format("PostgreSQL refused the connection: {}", message));
}

}  // namespace

std::size_t QueryResult::column(std::string_view name) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return i;
  }
  throw ConnectError(fmt::format("query result has no column '{}'", name));
}

bool is_retriable_sqlstate(std::string_view sqlstate) {
  return sqlstate.starts_with("08") ||                                     // connection exception
         sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03" ||  // shutdown / crash / starting
         sqlstate == "53300" ||                                            // too many connections
         sqlstate == "40001" || sqlstate == "40P01" ||                     // serialization / deadlock
         sqlstate == "55P03";                                              // lock not available
}

void throw_result_error(const PGresult* res, const PGconn* conn, std::string_view context) {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = res != nullptr ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  if (state == nullptr || primary == nullptr) {
    // libpq's own failure (lost connection, out of memory): there is no server message.
    std::string message = res != nullptr ? trimmed(PQresultErrorMessage(res)) : "";
    if (message.empty() && conn != nullptr) message = trimmed(PQerrorMessage(conn));
    if (conn == nullptr || PQstatus(conn) == CONNECTION_BAD) {
      throw RetriableError(fmt::format("{}: connection to PostgreSQL lost: {}", context, message));
    }
    throw ConnectError(fmt::format("{}: {}", context, message));
  }
  ServerError error{state, primary, "", ""};
  if (const char* detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL)) error.detail = detail;
  if (const char* hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT)) error.hint = hint;
  throw_server_error(error, context, conn != nullptr && PQstatus(conn) == CONNECTION_BAD);
}

void throw_server_error(const ServerError& error, std::string_view context, bool connection_bad) {
  std::string message = fmt::format("{}: {} (SQLSTATE {})", context, error.primary, error.sqlstate);
  if (!error.detail.empty()) message += fmt::format("; DETAIL: {}", error.detail);
  if (!error.hint.empty()) message += fmt::format("; HINT: {}", error.hint);
  if (error.sqlstate == "42501") message += "; the connector's database user lacks this privilege";
  if (is_retriable_sqlstate(error.sqlstate) || connection_bad) throw RetriableError(message);
  throw ConnectError(message);
}

void throw_connection_error(const PGconn* conn, std::string_view context) {
  std::string message = conn != nullptr ? trimmed(PQerrorMessage(conn)) : "out of memory";
  if (conn == nullptr || PQstatus(conn) == CONNECTION_BAD) {
    throw RetriableError(fmt::format("{}: connection to PostgreSQL lost: {}", context, message));
  }
  throw ConnectError(fmt::format("{}: {}", context, message));
}

PgConnPtr open_connection(const std::string& conninfo,
                          const std::vector<std::pair<std::string, std::string>>& extra) {
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &parse_error);
  if (parsed == nullptr) {
    std::string message = parse_error != nullptr ? trimmed(parse_error) : "out of memory";
    PQfreemem(parse_error);
    throw ConfigError(fmt::format("invalid PostgreSQL connection string: {}", message));
  }
  PQconninfoFree(parsed);

  // dbname is expanded as a whole conninfo string; keywords after it override its settings.
  std::vector<const char*> keys{"dbname", "fallback_application_name"};
  std::vector<const char*> values{conninfo.c_str(), "sluice"};
  for (const auto& [k, v] : extra) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PgConnPtr conn(PQconnectdbParams(keys.data(), values.data(), 1), &PQfinish);
  if (!conn) throw RetriableError("cannot connect to PostgreSQL: out of memory");
  if (PQstatus(conn.get()) != CONNECTION_OK) throw_connect_failure(trimmed(PQerrorMessage(conn.get())));
  return conn;
}

QueryResult to_query_result(const PGresult* res) {
  QueryResult out;
  const int ncols = PQnfields(res);
  const int nrows = PQntuples(res);
  out.columns.reserve(static_cast<std::size_t>(ncols));
  for (int c = 0; c < ncols; ++c) out.columns.emplace_back(PQfname(res, c));
  out.rows.reserve(static_cast<std::size_t>(nrows));
  for (int r = 0; r < nrows; ++r) {
    PgRow& row = out.rows.emplace_back();
    row.reserve(static_cast<std::size_t>(ncols));
    for (int c = 0; c < ncols; ++c) {
      if (PQgetisnull(res, r, c)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(PQgetvalue(res, r, c), static_cast<std::size_t>(PQgetlength(res, r, c))));
      }
    }
  }
  return out;
}

PgConnection::PgConnection(const std::string& conninfo) : conn_(open_connection(conninfo)) {}

void PgConnection::exec(const std::string& sql) {
  PgResultPtr res = make_result(PQexec(conn_.get(), sql.c_str()));
  // PQexec with several statements returns the last result; an error stops at the failing one.
  auto status = PQresultStatus(res.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) throw_result_error(res.get(), conn_.get(), sql);
}

QueryResult PgConnection::query(const std::string& sql, const std::vector<std::optional<std::string>>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  PgResultPtr res = make_result(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                                             values.data(), nullptr, nullptr, 0));
  auto status = PQresultStatus(res.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) throw_result_error(res.get(), conn_.get(), sql);
  return to_query_result(res.get());
}

std::optional<std::string> PgConnection::query_value(const std::string& sql,
                                                     const std::vector<std::optional<std::string>>& params) {
  QueryResult result = query(sql, params);
  if (result.rows.empty() || result.rows[0].empty()) return std::nullopt;
  return std::move(result.rows[0][0]);
}

std::string quote_literal(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '\'';
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  // standard_conforming_strings is on (the default since 9.1): backslashes are not escapes.
  return out;
}

std::string quote_identifier(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace sluice::postgres
