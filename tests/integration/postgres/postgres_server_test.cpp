#include <catch2/catch.hpp>

#include <sluice/errors.h>

#include "pg_connection.h"
#include "replication_stream.h"
#include "pg_test_support.h"
#include "support/postgres_server.h"

using sluice::postgres::PgConnection;
using sluice::postgres::ReplicationStream;
using sluice::testing::PostgresServer;

TEST_CASE("PostgresServer starts, keeps data across a restart, and reconfigures", "[postgres]") {
  PostgresServer server;
  REQUIRE(server.query_value("SELECT current_database()") == "app");
  REQUIRE(server.query_value("SHOW wal_level") == "logical");
  REQUIRE(std::stoi(server.query_value("SHOW server_version_num")) / 10000 == 15);
  server.exec("CREATE TABLE kept(id int primary key); INSERT INTO kept VALUES (7)");

  PgConnection over_tcp(server.conninfo("app", false));
  REQUIRE(over_tcp.query_value("SELECT inet_server_addr()::text") == "127.0.0.1/32");

  server.restart();
  REQUIRE(server.query_value("SELECT id FROM kept") == "7");

  SECTION("wal_level=replica is refused with a message naming the setting") {
    server.set({{"wal_level", "replica"}});
    REQUIRE(server.query_value("SHOW wal_level") == "replica");
    ReplicationStream stream(server.conninfo());
    REQUIRE_THAT(sluice::testing::message_if_thrown<sluice::ConnectError>([&] { stream.check_wal_level(); }),
                 Catch::Matchers::Contains("wal_level must be 'logical' (it is 'replica')"));
  }
}
