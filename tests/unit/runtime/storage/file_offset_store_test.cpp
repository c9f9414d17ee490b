#include <catch2/catch.hpp>

#include <fstream>

#include "runtime/offset_codec.h"
#include "runtime/storage/file_offset_store.h"
#include "sluice/errors.h"
#include "support/temp_dir.h"

using namespace sluice;
using namespace sluice::runtime;
using sluice::testing::TempDir;

TEST_CASE("FileOffsetStore keeps committed offsets across restarts", "[storage]") {
  TempDir dir;
  std::string key = encode_offset_key("local-file-source", {{"filename", Value("test.txt")}});
  {
    FileOffsetStore store(dir / "offsets");
    store.set({{key, encode_offset_value({{"position", Value(std::int64_t{30})}})}});
  }
  FileOffsetStore reopened(dir / "offsets");
  REQUIRE(reopened.get(key) == std::optional<std::string>("{\"position\":30}"));
}

TEST_CASE("Offset keys use Kafka Connect's byte format", "[storage]") {
  REQUIRE(encode_offset_key("local-file-source", {{"filename", Value("test.txt")}}) ==
          "[\"local-file-source\",{\"filename\":\"test.txt\"}]");
  auto decoded = decode_offset_key("[\"inventory\",{\"server\":\"dbserver1\"}]");
  REQUIRE(decoded);
  REQUIRE(decoded->connector == "inventory");
  REQUIRE(decoded->partition.at("server") == Value("dbserver1"));
  REQUIRE_FALSE(decode_offset_key("not json"));
  REQUIRE_THROWS_AS(encode_offset_value({{"nested", Value(Array{Value(1)})}}), DataError);
}

TEST_CASE("A null value deletes an offset", "[storage]") {
  TempDir dir;
  FileOffsetStore store(dir / "offsets");
  store.set({{"[\"c\",{}]", "{\"a\":1}"}});
  store.set({{"[\"c\",{}]", std::nullopt}});
  REQUIRE_FALSE(store.get("[\"c\",{}]"));
  FileOffsetStore reopened(dir / "offsets");
  REQUIRE(reopened.all().empty());
}

TEST_CASE("A corrupt offsets file is an error, not silently empty", "[storage]") {
  TempDir dir;
  std::ofstream(dir / "offsets") << "{garbage";
  REQUIRE_THROWS_WITH(FileOffsetStore(dir / "offsets"), Catch::Contains("corrupt"));
}
