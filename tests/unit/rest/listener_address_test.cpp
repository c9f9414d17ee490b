#include <catch2/catch.hpp>

#include "rest/listener_address.h"
#include "sluice/errors.h"

using sluice::rest::parse_listener;

TEST_CASE("Listeners are read in Kafka's proto://host:port form", "[rest]") {
  auto a = parse_listener("http://127.0.0.1:8083");
  REQUIRE(a.host == "127.0.0.1");
  REQUIRE(a.port == 8083);
  auto all = parse_listener("http://:8083");
  REQUIRE(all.host.empty());
  REQUIRE(all.port == 8083);
  auto v6 = parse_listener("http://[::1]:9000");
  REQUIRE(v6.host == "::1");
  REQUIRE(v6.port == 9000);
  REQUIRE(parse_listener("HTTP://localhost:0").port == 0);
  REQUIRE(parse_listener("http://0.0.0.0:0/").host == "0.0.0.0");
}

TEST_CASE("Malformed and https listeners are refused with a message naming them", "[rest]") {
  REQUIRE_THROWS_WITH(parse_listener("https://:8443"), Catch::Contains("https://:8443") && Catch::Contains("HTTPS"));
  REQUIRE_THROWS_AS(parse_listener("https://:8443"), sluice::ConfigError);
  REQUIRE_THROWS_AS(parse_listener("127.0.0.1:8083"), sluice::ConfigError);
  REQUIRE_THROWS_AS(parse_listener("http://127.0.0.1"), sluice::ConfigError);
  REQUIRE_THROWS_AS(parse_listener("http://127.0.0.1:70000"), sluice::ConfigError);
  REQUIRE_THROWS_AS(parse_listener("http://127.0.0.1:80a"), sluice::ConfigError);
  REQUIRE_THROWS_AS(parse_listener("http://::1:8083"), sluice::ConfigError);
  REQUIRE_THROWS_AS(parse_listener("ftp://host:21"), sluice::ConfigError);
}
