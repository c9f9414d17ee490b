#include "sink_session.h"

#include <sluice/errors.h>

namespace sluice::jdbc {
namespace {

bool succeeded(const PGresult* res) {
  auto status = PQresultStatus(res);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

// Long statements (a wide table's upsert) are cut in messages; the start says which one it was.
std::string statement_for_message(const std::string& sql) {
  constexpr std::size_t kMax = 300;
  return sql.size() <= kMax ? sql : sql.substr(0, kMax) + "...";
}

void ignore_notice(void*, const char*) {}

}  // namespace

SinkSession::SinkSession(postgres::PgConnPtr conn) : conn_(std::move(conn)) {
  PQsetNoticeProcessor(conn_.get(), &ignore_notice, nullptr);
}

void SinkSession::fail(const PGresult* res, const std::string& sql, std::string_view table) {
  std::string context = table.empty() ? statement_for_message(sql)
                                      : std::string(table) + ": " + statement_for_message(sql);
  postgres::throw_result_error(res, conn_.get(), context);
}

void SinkSession::exec(const std::string& sql, std::string_view table) {
  auto res = postgres::make_result(PQexec(conn_.get(), sql.c_str()));
  if (!succeeded(res.get())) fail(res.get(), sql, table);
}

void SinkSession::exec_prepared(const std::string& sql, std::string_view table,
                                const std::vector<std::optional<std::string>>& params) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "sluice_sink_" + std::to_string(prepared_.size() + 1);
    auto res = postgres::make_result(PQprepare(conn_.get(), name.c_str(), sql.c_str(), 0, nullptr));
    if (!succeeded(res.get())) fail(res.get(), sql, table);
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  auto res = postgres::make_result(PQexecPrepared(conn_.get(), it->second.c_str(), static_cast<int>(values.size()),
                                                  values.data(), nullptr, nullptr, 0));
  if (!succeeded(res.get())) fail(res.get(), sql, table);
}

postgres::QueryResult SinkSession::query(const std::string& sql, std::string_view table,
                                         const std::vector<std::optional<std::string>>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  auto res = postgres::make_result(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                                                values.data(), nullptr, nullptr, 0));
  if (!succeeded(res.get())) fail(res.get(), sql, table);
  return postgres::to_query_result(res.get());
}

void SinkSession::copy_begin(const std::string& sql, std::string_view table) {
  auto res = postgres::make_result(PQexec(conn_.get(), sql.c_str()));
  if (PQresultStatus(res.get()) != PGRES_COPY_IN) fail(res.get(), sql, table);
}

void SinkSession::copy_send(std::string_view data, std::string_view table) {
  if (data.empty()) return;
  if (PQputCopyData(conn_.get(), data.data(), static_cast<int>(data.size())) != 1) {
    postgres::throw_connection_error(conn_.get(), std::string(table) + ": COPY data");
  }
}

void SinkSession::copy_end(std::string_view table) { copy_end_unless("", table); }

bool SinkSession::copy_end_unless(std::string_view tolerated, std::string_view table) {
  if (PQputCopyEnd(conn_.get(), nullptr) != 1) {
    postgres::throw_connection_error(conn_.get(), std::string(table) + ": COPY end");
  }
  auto res = postgres::make_result(PQgetResult(conn_.get()));
  if (!succeeded(res.get())) {
    drain();
    const char* state = PQresultErrorField(res.get(), PG_DIAG_SQLSTATE);
    if (!tolerated.empty() && state != nullptr && tolerated == state && !broken()) return false;
    fail(res.get(), "COPY", table);
  }
  drain();
  return true;
}

void SinkSession::copy_abort(const std::string& reason) noexcept {
  if (PQputCopyEnd(conn_.get(), reason.c_str()) == 1) drain();
}

void SinkSession::rollback() noexcept {
  if (broken()) return;
  if (PQtransactionStatus(conn_.get()) == PQTRANS_IDLE) return;
  postgres::make_result(PQexec(conn_.get(), "ROLLBACK"));
}

void SinkSession::drain() noexcept {
  while (PGresult* res = PQgetResult(conn_.get())) {
    // A COPY_IN result here means the server still waits for data: end it so the loop ends.
    if (PQresultStatus(res) == PGRES_COPY_IN) PQputCopyEnd(conn_.get(), "aborted");
    PQclear(res);
    if (broken()) break;
  }
}

}  // namespace sluice::jdbc
