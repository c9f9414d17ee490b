#include <catch2/catch.hpp>

#include "jdbc_url.h"
#include "sluice/errors.h"

using namespace sluice;
using namespace sluice::jdbc;

namespace {
std::string error_of(const std::string& url) {
  try {
    parse_jdbc_url(url);
  } catch (const ConfigError& e) {
    REQUIRE(e.problems().size() == 1);
    CHECK(e.problems()[0].key == "connection.url");
    return e.problems()[0].message;
  }
  return "";
}
}  // namespace

TEST_CASE("parse_jdbc_url reads a PostgreSQL URL with credentials", "[jdbc]") {
  auto u = parse_jdbc_url("jdbc:postgresql://db.example:5433/inventory?user=app&password=p%40ss&sslmode=disable");
  CHECK(u.scheme == "postgresql");
  CHECK(u.connection.host == "db.example");
  CHECK(u.connection.port == 5433);
  CHECK(u.connection.database == "inventory");
  CHECK(u.connection.user == "app");
  CHECK(u.connection.password == "p@ss");
  REQUIRE(u.connection.properties.size() == 1);
  CHECK(u.connection.properties[0] == std::pair<std::string, std::string>{"sslmode", "disable"});
}

TEST_CASE("parse_jdbc_url reads MySQL and MariaDB URLs", "[jdbc]") {
  auto m = parse_jdbc_url("jdbc:mysql://127.0.0.1:3306/shop");
  CHECK(m.scheme == "mysql");
  CHECK(m.connection.host == "127.0.0.1");
  CHECK(m.connection.port == 3306);
  CHECK(m.connection.database == "shop");
  auto r = parse_jdbc_url("jdbc:mariadb://maria/shop");
  CHECK(r.scheme == "mariadb");
  CHECK(r.connection.port == 0);
}

TEST_CASE("parse_jdbc_url reads IPv6 hosts and missing parts", "[jdbc]") {
  auto v6 = parse_jdbc_url("jdbc:postgresql://[::1]:5432/db");
  CHECK(v6.connection.host == "::1");
  CHECK(v6.connection.port == 5432);
  auto v6_no_port = parse_jdbc_url("jdbc:postgresql://[fe80::1]/db");
  CHECK(v6_no_port.connection.host == "fe80::1");
  CHECK(v6_no_port.connection.port == 0);
  auto bare = parse_jdbc_url("jdbc:postgresql://localhost");
  CHECK(bare.connection.database.empty());
  CHECK(bare.connection.port == 0);
  auto slash = parse_jdbc_url("jdbc:postgresql://localhost/");
  CHECK(slash.connection.database.empty());
}

TEST_CASE("parse_jdbc_url explains bad URLs", "[jdbc]") {
  CHECK_THAT(error_of("postgresql://h/db"), Catch::Contains("jdbc:"));
  CHECK_THAT(error_of("jdbc:oracle://h/db"), Catch::Contains("unknown database 'oracle'"));
  CHECK_THAT(error_of("jdbc:postgresql:h/db"), Catch::Contains("host"));
  CHECK_THAT(error_of("jdbc:postgresql:///db"), Catch::Contains("no host"));
  CHECK_THAT(error_of("jdbc:postgresql://h:99999/db"), Catch::Contains("port '99999'"));
  CHECK_THAT(error_of("jdbc:postgresql://h:x/db"), Catch::Contains("port 'x'"));
  CHECK_THAT(error_of("jdbc:postgresql://h:/db"), Catch::Contains("empty port"));
  CHECK_THAT(error_of("jdbc:postgresql://[::1/db"), Catch::Contains("unclosed"));
  CHECK_THAT(error_of("jdbc:postgresql://h/db?password=%4"), Catch::Contains("escape"));
  CHECK_THAT(error_of("jdbc:postgresql://h/db?password=%zz"), Catch::Contains("escape"));
}
