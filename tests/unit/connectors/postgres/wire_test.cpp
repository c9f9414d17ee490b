#include <catch2/catch.hpp>

#include <sluice/errors.h>

#include <string>

#include "wire.h"

using namespace sluice::postgres;
using namespace std::string_literals;

TEST_CASE("wire: a message's size is known once its header is there", "[wire]") {
  const std::string copy_data = wire::copy_data_message("kabc");
  REQUIRE(copy_data == "d\0\0\0\x08kabc"s);
  REQUIRE_FALSE(wire::message_size(copy_data.data(), 4));
  REQUIRE(wire::message_size(copy_data.data(), 5) == 9u);
  REQUIRE(wire::message_body(copy_data.data(), 9) == "kabc");
  REQUIRE(wire::query_message("SELECT 1") == "Q\0\0\0\x0dSELECT 1\0"s);

  const std::string too_short = "d\0\0\0\x03"s;
  REQUIRE_THROWS_AS(wire::message_size(too_short.data(), too_short.size()), sluice::ConnectError);
  const std::string too_long = "d\x7f\0\0\0"s;
  REQUIRE_THROWS_AS(wire::message_size(too_long.data(), too_long.size()), sluice::ConnectError);
}

TEST_CASE("wire: an ErrorResponse's fields are read, unknown ones skipped", "[wire]") {
  const std::string body = "SERROR\0VERROR\0C42704\0Mpublication \"p\" does not exist\0Dsome detail\0Huse another\0"
                           "Fpgoutput.c\0\0"s;
  ServerError e = wire::parse_error(body);
  REQUIRE(e.sqlstate == "42704");
  REQUIRE(e.primary == "publication \"p\" does not exist");
  REQUIRE(e.detail == "some detail");
  REQUIRE(e.hint == "use another");

  ServerError bare = wire::parse_error("\0"s);
  REQUIRE(bare.sqlstate == "XX000");
  REQUIRE_FALSE(bare.primary.empty());
  ServerError cut = wire::parse_error("C57P01\0Mterminat"s);  // no terminator: what is there counts
  REQUIRE(cut.sqlstate == "57P01");
  REQUIRE(cut.primary == "terminat");
}
