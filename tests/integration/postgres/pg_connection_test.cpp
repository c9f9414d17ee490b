#include <catch2/catch.hpp>

#include <sluice/errors.h>

#include "pg_connection.h"
#include "pg_test_support.h"

using namespace sluice::postgres;
using Catch::Matchers::Contains;
using sluice::testing::shared_postgres;

TEST_CASE("PgConnection runs parameterized queries and returns text rows with NULLs", "[postgres]") {
  PgConnection conn(shared_postgres().conninfo());
  REQUIRE(conn.server_version() / 10000 == 15);
  conn.exec("CREATE TABLE params_t(id int primary key, v text)");
  conn.query("INSERT INTO params_t VALUES ($1, $2), ($3, $4)", {"1", "it's", "2", std::nullopt});
  QueryResult r = conn.query("SELECT id, v FROM params_t WHERE id >= $1 ORDER BY id", {"1"});
  REQUIRE(r.columns == std::vector<std::string>{"id", "v"});
  REQUIRE(r.rows.size() == 2);
  REQUIRE(r.rows[0] == PgRow{"1", "it's"});
  REQUIRE(r.rows[1] == PgRow{"2", std::nullopt});
  REQUIRE(conn.query_value("SELECT " + quote_literal("a'b") + " || " + quote_identifier("x\"y")
                           + " FROM (SELECT 'c' AS \"x\"\"y\") s") == "a'bc");
}

TEST_CASE("Connection failures are retriable, refusals are not", "[postgres]") {
  auto& server = shared_postgres();

  SECTION("nothing listens on the port -> RetriableError") {
    auto port = sluice::testing::pg_detail::free_loopback_port();
    std::string conninfo = "host=127.0.0.1 port=" + std::to_string(port) + " user=postgres dbname=app connect_timeout=5";
    REQUIRE_THROWS_AS(PgConnection(conninfo), sluice::RetriableError);
    REQUIRE_THROWS_AS(ReplicationStream(conninfo), sluice::RetriableError);
  }
  SECTION("a missing database -> ConnectError with the server's message") {
    try {
      PgConnection conn(server.conninfo("no_such_db"));
      FAIL("connected to a missing database");
    } catch (const sluice::RetriableError& e) {
      FAIL("classified as retriable: " << e.what());
    } catch (const sluice::ConnectError& e) {
      REQUIRE_THAT(e.what(), Contains("database \"no_such_db\" does not exist"));
    }
  }
  SECTION("a missing role -> ConnectError") {
    std::string conninfo = server.conninfo() + " user=nobody_here";
    try {
      ReplicationStream stream(conninfo);
      FAIL("connected as a missing role");
    } catch (const sluice::RetriableError& e) {
      FAIL("classified as retriable: " << e.what());
    } catch (const sluice::ConnectError& e) {
      REQUIRE_THAT(e.what(), Contains("role \"nobody_here\" does not exist"));
    }
  }
  SECTION("a malformed conninfo -> ConfigError") {
    REQUIRE_THROWS_AS(PgConnection("host=x port"), sluice::ConfigError);
  }
}

TEST_CASE("Server errors carry SQLSTATE; a missing privilege reads clearly", "[postgres]") {
  auto& server = shared_postgres();
  server.exec("CREATE TABLE secret_t(id int); CREATE ROLE limited_user LOGIN");
  PgConnection conn(server.conninfo() + " user=limited_user");
  try {
    conn.query("SELECT * FROM secret_t");
    FAIL("query succeeded");
  } catch (const sluice::RetriableError& e) {
    FAIL("classified as retriable: " << e.what());
  } catch (const sluice::ConnectError& e) {
    REQUIRE_THAT(e.what(), Contains("permission denied for table secret_t") && Contains("SQLSTATE 42501") &&
                               Contains("lacks this privilege"));
  }
  REQUIRE_THAT(sluice::testing::message_if_thrown<sluice::ConnectError>([&] { conn.exec("SELEC 1"); }),
               Contains("SQLSTATE 42601"));
}
