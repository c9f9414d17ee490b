// End to end on the real worker: one PostgreSQL source feeding two JDBC sinks at once, into
// PostgreSQL and into MariaDB, with the worker killed (-9) several times under a mixed workload;
// both targets must end up equal to the source row by row.
#ifdef SLUICE_TEST_WITH_MARIADB
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "pipeline_support.h"
#include "support/mariadb_server.h"

using namespace sluice::testing;
using namespace std::chrono_literals;

namespace {

// The MariaDB table in kTableDump's format: "id|v|note|amount|ts|extra" per row, ordered by id.
std::string mariadb_dump(const MariadbServer& db) {
  const bool has_extra =
      db.query_value("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'app' "
                     "AND table_name = 't' AND column_name = 'extra'") == "1";
  auto rows = db.query_rows(
      "SELECT concat_ws('|', id, v, coalesce(note, '-'), coalesce(amount, '-'), "
      "coalesce(date_format(ts, '%Y-%m-%d %H:%i:%s.%f'), '-'), " +
      std::string(has_extra ? "coalesce(extra, '-')" : "'-'") + ") FROM t ORDER BY id");
  std::string out;
  for (const auto& r : rows) out += (out.empty() ? "" : "\n") + r;
  return out;
}

bool mariadb_table_exists(const MariadbServer& db) {
  return db.query_value("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'app' AND table_name = 't'") == "1";
}

}  // namespace

TEST_CASE("pipeline: PostgreSQL -> JDBC sinks -> PostgreSQL and MariaDB survive kill -9 and converge row by row",
          "[jdbc][postgres][mariadb]") {
  auto& pg = shared_postgres();
  MariadbServer maria;
  create_database(pg, "pm_src", kSourceSchema + std::string(
      "INSERT INTO t SELECT g, g % 100, 'row ' || g, g * 1.25, now() FROM generate_series(1, 3000) g;"));
  create_database(pg, "pm_dst");
  SlotCleanup cleanup_slot(pg, "pm_slot");

  WorkerFixture w(std::map<std::string, std::string>{{"offset.flush.interval.ms", "100"}});
  w.start();
  const std::string maria_url = "jdbc:mariadb://127.0.0.1:" + std::to_string(maria.port()) + "/" + MariadbServer::kDatabase;
  REQUIRE(w.request("POST", "/connectors", jdbc_sink_json("pg-sink", postgres_jdbc_url(pg, "pm_dst"), "postgres", "")).status == 201);
  REQUIRE(w.request("POST", "/connectors", jdbc_sink_json("maria-sink", maria_url, MariadbServer::kUser, MariadbServer::kPassword)).status == 201);
  REQUIRE(w.request("POST", "/connectors", source_json(pg, "pm_src", "pm_slot")).status == 201);

  std::atomic<bool> writing{true}, killing{true};
  std::thread writer([&] {
    run_mixed_workload(pg, "pm_src", 120, /*seed=*/11, &killing);
    writing = false;
  });
  const int kills_mid_stream = kill_worker_repeatedly(w, writing, 3, &killing);
  writer.join();
  CHECK(kills_mid_stream >= 2);

  const std::string expected = pg.query_value(kTableDump, "pm_src");
  REQUIRE(std::count(expected.begin(), expected.end(), '\n') > 1000);
  bool pg_converged = eventually([&] { return pg.query_value(kTableDump, "pm_dst") == expected; }, 90s);
  bool maria_converged = eventually([&] { return mariadb_table_exists(maria) && mariadb_dump(maria) == expected; }, 90s);
  if (!pg_converged || !maria_converged) {
    INFO("PostgreSQL target: " << first_difference(expected, pg.query_value(kTableDump, "pm_dst")));
    INFO("MariaDB target: " << (mariadb_table_exists(maria) ? first_difference(expected, mariadb_dump(maria)) : "no table"));
    INFO(w.process().log());
    CHECK(pg_converged);
    REQUIRE(maria_converged);
  }
  CHECK(std::stol(maria.query_value("SELECT count(*) FROM __sluice_sink_checkpoints WHERE connector = 'maria-sink'")) >= 1);
}
#endif
