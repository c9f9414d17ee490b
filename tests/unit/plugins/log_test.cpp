#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>

#include "sluice/log.h"
#include "support/temp_dir.h"

using namespace sluice::log;

namespace {
// Runs `f` with stderr (where log lines go) redirected to a file; returns what was written.
template <class F>
std::string capture_stderr(F&& f) {
  sluice::testing::TempDir dir;
  auto path = dir / "stderr.txt";
  std::fflush(stderr);
  int saved = ::dup(2);
  std::FILE* file = std::fopen(path.c_str(), "w");
  ::dup2(::fileno(file), 2);
  f();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  std::fclose(file);
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
}  // namespace

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

TEST_CASE("A redacted secret is masked in every log line, whoever logs it", "[log]") {
  redact("hunter2-password");
  redact("abc");  // too short to mask
  Logger logger("sluice.test.redact");
  auto out = capture_stderr([&] { logger.info("connecting with hunter2-password and abc, twice: hunter2-password"); });
  REQUIRE_THAT(out, Catch::Contains("connecting with [hidden] and abc, twice: [hidden]"));
  REQUIRE_THAT(out, !Catch::Contains("hunter2"));
}
