#include <catch2/catch.hpp>

#include "runtime/builtin/converters/primitive_converter.h"
#include "sluice/errors.h"
#include "sluice/schema.h"

using namespace sluice;
using sluice::builtin::PrimitiveConverter;

namespace {
Bytes write(Type type, const Value& value) {
  PrimitiveConverter c(type);
  c.configure({}, false);
  return *c.from_connect_data("t", {}, nullptr, value);
}

SchemaAndValue read(Type type, const Bytes& data) {
  PrimitiveConverter c(type);
  c.configure({}, false);
  return c.to_connect_data("t", {}, &data);
}
}  // namespace

TEST_CASE("primitive converters write Kafka's big-endian serde bytes", "[converters][primitive]") {
  REQUIRE(write(Type::kInt16, std::int16_t{258}) == Bytes{0x01, 0x02});
  REQUIRE(write(Type::kInt32, std::int32_t{-1}) == Bytes{0xff, 0xff, 0xff, 0xff});
  REQUIRE(write(Type::kInt64, std::int64_t{1}) == Bytes{0, 0, 0, 0, 0, 0, 0, 1});
  REQUIRE(write(Type::kFloat32, 1.5f) == Bytes{0x3f, 0xc0, 0, 0});
  REQUIRE(write(Type::kFloat64, 1.5) == Bytes{0x3f, 0xf8, 0, 0, 0, 0, 0, 0});
  REQUIRE(write(Type::kBoolean, true) == Bytes{1});
  REQUIRE(write(Type::kBoolean, false) == Bytes{0});
}

TEST_CASE("primitive converters read back what they write, under the optional schema", "[converters][primitive]") {
  auto int64 = read(Type::kInt64, write(Type::kInt64, std::int64_t{-1234567890123}));
  REQUIRE(int64.schema == schemas::optional_int64());
  REQUIRE(int64.value == Value(std::int64_t{-1234567890123}));
  REQUIRE(read(Type::kInt16, Bytes{0xff, 0xfe}).value == Value(std::int16_t{-2}));
  REQUIRE(read(Type::kFloat64, write(Type::kFloat64, -0.1)).value == Value(-0.1));
  REQUIRE(read(Type::kFloat32, write(Type::kFloat32, 3.25f)).value == Value(3.25f));
  REQUIRE(read(Type::kBoolean, Bytes{1}).value == Value(true));
  PrimitiveConverter c(Type::kInt32);
  REQUIRE(c.to_connect_data("t", {}, nullptr).schema == schemas::optional_int32());
  REQUIRE_FALSE(c.from_connect_data("t", {}, nullptr, Value()).has_value());
}

TEST_CASE("primitive converters refuse other types and wrong lengths", "[converters][primitive]") {
  REQUIRE_THROWS_WITH(write(Type::kInt32, std::int64_t{1}), Catch::Contains("Failed to serialize to INT32"));
  REQUIRE_THROWS_AS(write(Type::kFloat64, 1.5f), DataError);
  REQUIRE_THROWS_WITH(read(Type::kInt32, Bytes{1, 2}), Catch::Contains("expected 4 bytes but got 2"));
  REQUIRE_THROWS_AS(read(Type::kBoolean, Bytes{2}), DataError);
}
