#include <catch2/catch.hpp>

#include "sluice/log.h"

using namespace sluice::log;

TEST_CASE("Logger levels follow the nearest ancestor and PUT sets a subtree", "[log]") {
  Logger parent("test.levels");
  Logger child("test.levels.child");
  Logger other("test.other");
  REQUIRE(child.enabled(Level::kInfo));
  REQUIRE_FALSE(child.enabled(Level::kDebug));
  auto affected = set_level("test.levels", Level::kDebug);
  REQUIRE(affected == std::vector<std::string>{"test.levels", "test.levels.child"});
  REQUIRE(child.enabled(Level::kDebug));
  REQUIRE(parent.enabled(Level::kDebug));
  REQUIRE_FALSE(other.enabled(Level::kDebug));
  REQUIRE(explicit_levels().at("test.levels").last_modified_ms.has_value());
  REQUIRE(effective_level("test.levels.child.grandchild").level == Level::kDebug);
  set_level("test.levels", Level::kOff);
  REQUIRE_FALSE(child.enabled(Level::kError));
  REQUIRE(known("test.levels"));
  REQUIRE_FALSE(known("no.such.logger"));
  REQUIRE(parse_level("fatal") == Level::kError);
  REQUIRE_FALSE(parse_level("LOUD"));
}
