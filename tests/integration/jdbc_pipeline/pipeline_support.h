#pragma once

// Shared pieces of the end-to-end pipeline tests: the source table, its workload, connector JSON
// for the PostgreSQL source and the JDBC sink, and a table dump both databases print alike.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "integration/postgres/pg_task_harness.h"
#include "integration/worker_fixture.h"

namespace sluice::testing {

inline constexpr const char* kSourceSchema =
    "CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL, note text, amount numeric(10,2), ts timestamptz);";

// One line per row, "id|v|note|amount|ts|extra", ordered by id; NULL prints as "-".
inline constexpr const char* kTableDump =
    "SELECT coalesce(string_agg(concat_ws('|', id, v, coalesce(note, '-'), coalesce(amount::text, '-'), "
    "coalesce(to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), '-'), "
    "coalesce((to_jsonb(t) ->> 'extra'), '-')), E'\\n' ORDER BY id), '') FROM t";

inline std::string source_json(const PostgresServer& pg, const std::string& db, const std::string& slot) {
  nlohmann::json config{{"connector.class", "io.debezium.connector.postgresql.PostgresConnector"},
                        {"database.hostname", pg.socket_dir().string()},
                        {"database.port", std::to_string(pg.port())},
                        {"database.user", "postgres"},
                        {"database.dbname", db},
                        {"topic.prefix", "pg"},
                        {"slot.name", slot},
                        {"plugin.name", "pgoutput"},
                        {"table.include.list", "public.t"},
                        {"key.converter", "org.apache.kafka.connect.json.JsonConverter"},
                        {"value.converter", "org.apache.kafka.connect.json.JsonConverter"},
                        {"key.converter.schemas.enable", "true"},
                        {"value.converter.schemas.enable", "true"}};
  return nlohmann::json{{"name", "pg-source"}, {"config", config}}.dump();
}

inline std::string postgres_jdbc_url(const PostgresServer& pg, const std::string& db) {
  return "jdbc:postgresql://127.0.0.1:" + std::to_string(pg.port()) + "/" + db;
}

// A Debezium JDBC sink connector reading pg.public.t into table "t", upserting by record key,
// deleting on delete events, adding new columns.
inline std::string jdbc_sink_json(const std::string& name, const std::string& url, const std::string& user,
                                  const std::string& password, std::map<std::string, std::string> extra = {}) {
  nlohmann::json config{{"connector.class", "io.debezium.connector.jdbc.JdbcSinkConnector"},
                        {"topics", "pg.public.t"},
                        {"connection.url", url},
                        {"connection.username", user},
                        {"connection.password", password},
                        {"insert.mode", "upsert"},
                        {"primary.key.mode", "record_key"},
                        {"delete.enabled", "true"},
                        {"schema.evolution", "basic"},
                        {"table.name.format", "t"},
                        {"key.converter", "org.apache.kafka.connect.json.JsonConverter"},
                        {"value.converter", "org.apache.kafka.connect.json.JsonConverter"},
                        {"key.converter.schemas.enable", "true"},
                        {"value.converter.schemas.enable", "true"}};
  for (auto& [k, v] : extra) config[k] = v;
  return nlohmann::json{{"name", name}, {"config", config}}.dump();
}

// `rounds` transactions of upserts, deletes and updates over ids 1..4000; halfway through, a
// column `extra` is added and later updates fill it.
// With `more`, writing goes on past `rounds` while *more is true (up to four times `rounds` in
// all), so that kills meant to land mid-stream do however fast the machine writes.
inline void run_mixed_workload(const PostgresServer& pg, const std::string& db, int rounds, unsigned seed,
                               const std::atomic<bool>* more = nullptr) {
  std::mt19937 rng(seed);
  for (int round = 0; round < rounds || (more && *more && round < 4 * rounds); ++round) {
    if (round == rounds / 2) pg.exec("ALTER TABLE t ADD COLUMN extra text", db);
    const std::string extra = round > rounds / 2 ? ", extra = 'x' || t.v" : "";
    const int base = std::uniform_int_distribution<int>(1, 3900)(rng);
    const std::string r = std::to_string(round), b = std::to_string(base);
    pg.exec("BEGIN;"
            "INSERT INTO t SELECT g, " + r + ", 'round " + r + "', g * 0.5 + " + r + ", now() "
            "FROM generate_series(" + b + ", " + b + " + 25) g "
            "ON CONFLICT (id) DO UPDATE SET v = t.v + 1, note = EXCLUDED.note" + extra + ";"
            "DELETE FROM t WHERE id % 5 = " + std::to_string(round % 5) + " AND id BETWEEN " + b + " AND " + b + " + 60;"
            "UPDATE t SET v = v + 1000, amount = NULL" + extra + " WHERE id BETWEEN " + b + " + 70 AND " + b + " + 90;"
            "COMMIT;", db);
    std::this_thread::sleep_for(std::chrono::milliseconds(15));
  }
}

// Kills the worker with SIGKILL `crashes` times at random moments (400-1500 ms apart) and starts
// it again each time; returns how many kills happened while `writing` was still true. The seed is
// printed, so a failing run can be told apart. Clears *killing (when given) after the last restart.
inline int kill_worker_repeatedly(WorkerFixture& w, const std::atomic<bool>& writing, int crashes,
                                  std::atomic<bool>* killing = nullptr) {
  const unsigned seed = std::random_device{}();
  UNSCOPED_INFO("kill timing seed " << seed);
  std::mt19937 rng(seed);
  int kills_mid_stream = 0;
  for (int crash = 0; crash < crashes; ++crash) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(400, 1500)(rng)));
    if (writing) ++kills_mid_stream;
    w.process().kill_hard();
    w.start();
  }
  if (killing) *killing = false;
  return kills_mid_stream;
}

// The first line where two dumps differ, for the failure message.
inline std::string first_difference(const std::string& expected, const std::string& actual) {
  std::istringstream e(expected), a(actual);
  std::string le, la;
  for (int line = 1;; ++line) {
    bool more_e = static_cast<bool>(std::getline(e, le)), more_a = static_cast<bool>(std::getline(a, la));
    if (!more_e && !more_a) return "no difference";
    if (le != la || more_e != more_a)
      return "line " + std::to_string(line) + ": source '" + (more_e ? le : "<end>") + "' target '" +
             (more_a ? la : "<end>") + "'";
  }
}

}  // namespace sluice::testing
