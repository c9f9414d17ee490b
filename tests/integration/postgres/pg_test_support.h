#pragma once

// Shared pieces of the [postgres] integration tests: one server for the tests that do not stop
// or reconfigure it, and small readers for the replication stream.
#include <chrono>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <typeinfo>

#include "replication_stream.h"
#include "support/postgres_server.h"
#include "support/exception_message.h"

namespace sluice::testing {

// Started on first use, stopped at exit. Has publication pub_all FOR ALL TABLES in `app`.
// logical_decoding_work_mem is at its minimum, so any transaction over 64 kB of changes is
// streamed while in progress under pgoutput protocol 2.
inline PostgresServer& shared_postgres() {
  static PostgresServer& server = []() -> PostgresServer& {
    static PostgresServer s(PostgresServer::Settings{{"logical_decoding_work_mem", "64kB"}});
    s.exec("CREATE PUBLICATION pub_all FOR ALL TABLES");
    return s;
  }();
  return server;
}


inline std::uint64_t be64_at(std::string_view bytes, std::size_t offset) {
  std::uint64_t v;
  std::memcpy(&v, bytes.data() + offset, sizeof v);
  return __builtin_bswap64(v);
}

struct ReceivedMessage {
  char type;
  postgres::Lsn wal_start;
  std::string payload;
};

// Reads messages until `stop` holds for one (included) or `timeout` passes.
inline std::vector<ReceivedMessage> read_until(postgres::ReplicationStream& stream,
                                               const std::function<bool(const ReceivedMessage&)>& stop,
                                               std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  std::vector<ReceivedMessage> out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto data = stream.read(100);
    if (!data) continue;
    out.push_back({data->payload.empty() ? '\0' : data->payload[0], data->wal_start, std::string(data->payload)});
    if (stop(out.back())) break;
  }
  return out;
}

inline bool is_commit(const ReceivedMessage& m) { return m.type == 'C'; }

// pgoutput Commit: 'C', flags (1), commit LSN (8), end LSN (8), timestamp (8).
inline postgres::Lsn commit_end_lsn(const ReceivedMessage& m) { return postgres::Lsn{be64_at(m.payload, 10)}; }

}  // namespace sluice::testing
