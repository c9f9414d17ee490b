// End to end on the real worker: PostgreSQL source -> embedded bus -> JDBC sink into a second
// PostgreSQL database, with the worker killed (-9) several times while a mixed workload runs, then
// a row-by-row comparison of source and target.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "pipeline_support.h"

using namespace sluice::testing;
using namespace std::chrono_literals;

TEST_CASE("pipeline: PostgreSQL -> JDBC sink -> PostgreSQL survives kill -9 and converges row by row",
          "[jdbc][postgres]") {
  auto& pg = shared_postgres();
  create_database(pg, "pp_src", kSourceSchema + std::string(
      "INSERT INTO t SELECT g, g % 100, 'row ' || g, g * 1.25, now() FROM generate_series(1, 3000) g;"));
  create_database(pg, "pp_dst");
  SlotCleanup cleanup_slot(pg, "pp_slot");

  WorkerFixture w(std::map<std::string, std::string>{{"offset.flush.interval.ms", "100"}});
  w.start();
  REQUIRE(w.request("POST", "/connectors", jdbc_sink_json("pg-sink", postgres_jdbc_url(pg, "pp_dst"), "postgres", "")).status == 201);
  REQUIRE(w.request("POST", "/connectors", source_json(pg, "pp_src", "pp_slot")).status == 201);

  std::atomic<bool> writing{true}, killing{true};
  std::thread writer([&] {
    run_mixed_workload(pg, "pp_src", 120, /*seed=*/7, &killing);
    writing = false;
  });
  const int kills_mid_stream = kill_worker_repeatedly(w, writing, 3, &killing);
  writer.join();
  CHECK(kills_mid_stream >= 2);

  const std::string expected = pg.query_value(kTableDump, "pp_src");
  REQUIRE(std::count(expected.begin(), expected.end(), '\n') > 1000);
  bool converged = eventually([&] { return pg.query_value(kTableDump, "pp_dst") == expected; }, 90s);
  if (!converged) {
    INFO(first_difference(expected, pg.query_value(kTableDump, "pp_dst")));
    INFO(w.process().log());
    REQUIRE(converged);
  }
  // The column added mid-workload reached the target (schema.evolution=basic).
  CHECK(pg.query_value("SELECT count(*) FROM t WHERE extra IS NOT NULL", "pp_dst") ==
        pg.query_value("SELECT count(*) FROM t WHERE extra IS NOT NULL", "pp_src"));
  // The sink's checkpoint lives in the target database.
  CHECK(std::stol(pg.query_value("SELECT count(*) FROM __sluice_sink_checkpoints WHERE connector = 'pg-sink'", "pp_dst")) >= 1);
}
