#include <catch2/catch.hpp>

#include "runtime/builtin/converters/byte_array_converter.h"
#include "sluice/errors.h"
#include "sluice/schema.h"

using namespace sluice;
using sluice::builtin::ByteArrayConverter;

TEST_CASE("ByteArrayConverter passes bytes through unchanged", "[converters][bytes]") {
  ByteArrayConverter c;
  c.configure({}, false);
  Bytes data{0, 1, 0xff, '"'};
  REQUIRE(c.from_connect_data("t", {}, schemas::bytes(), Value(data)) == data);
  REQUIRE(c.from_connect_data("t", {}, nullptr, Value(data)) == data);
  auto back = c.to_connect_data("t", {}, &data);
  REQUIRE(back.schema == schemas::optional_bytes());
  REQUIRE(back.value == Value(data));
  REQUIRE_FALSE(c.from_connect_data("t", {}, schemas::optional_bytes(), Value()).has_value());
  REQUIRE(c.to_connect_data("t", {}, nullptr).value.is_null());
}

TEST_CASE("ByteArrayConverter refuses anything but bytes", "[converters][bytes]") {
  ByteArrayConverter c;
  c.configure({}, false);
  REQUIRE_THROWS_WITH(c.from_connect_data("t", {}, schemas::string(), Value("x")),
                      Catch::Contains("Invalid schema type for ByteArrayConverter: string"));
  REQUIRE_THROWS_WITH(c.from_connect_data("t", {}, nullptr, Value("x")),
                      Catch::Contains("not compatible with objects of type string"));
}
