#include <catch2/catch.hpp>

#include "runtime/builtin/converters/simple_header_converter.h"
#include "sluice/errors.h"
#include "sluice/schema.h"
#include "tests/unit/runtime/builtin/converters/converter_test_support.h"

using namespace sluice;
using sluice::builtin::header_value_to_string;
using sluice::builtin::parse_header_string;
using sluice::builtin::SimpleHeaderConverter;

namespace {
void require_parsed(std::string_view text, const SchemaPtr& schema, const Value& value) {
  INFO(text);
  auto parsed = parse_header_string(text);
  REQUIRE(schemas_equal(parsed.schema, schema));
  REQUIRE(parsed.value == value);
}
}  // namespace

TEST_CASE("SimpleHeaderConverter infers booleans and the smallest integer type", "[converters][headers]") {
  require_parsed("true", schemas::boolean(), true);
  require_parsed("FALSE", schemas::boolean(), false);
  require_parsed("42", schemas::int8(), std::int8_t{42});
  require_parsed("-129", schemas::int16(), std::int16_t{-129});
  require_parsed("70000", schemas::int32(), std::int32_t{70000});
  require_parsed("5000000000", schemas::int64(), std::int64_t{5000000000});
  require_parsed("99999999999999999999", logical::decimal(0).build(),
                 logical::decimal_from_string("99999999999999999999", 0));
  require_parsed("1.5", schemas::float64(), 1.5);
  require_parsed("-2e3", schemas::float64(), -2000.0);
}

TEST_CASE("SimpleHeaderConverter infers dates, times and timestamps from Kafka's ISO forms", "[converters][headers]") {
  require_parsed("2024-01-31", logical::date().build(), std::int32_t{19753});
  require_parsed("00:00:01.500Z", logical::time().build(), std::int32_t{1500});
  require_parsed("2023-11-14T22:13:20.123Z", logical::timestamp().build(), std::int64_t{1700000000123});
  require_parsed("2024-02-30", schemas::string(), "2024-02-30");
  REQUIRE(header_value_to_string(logical::date().build(), std::int32_t{-1}) == "1969-12-31");
  REQUIRE(header_value_to_string(logical::time().build(), std::int32_t{45296789}) == "12:34:56.789Z");
  REQUIRE(header_value_to_string(logical::timestamp().build(), std::int64_t{-1}) == "1969-12-31T23:59:59.999Z");
}

TEST_CASE("SimpleHeaderConverter infers arrays and maps with a common element schema", "[converters][headers]") {
  require_parsed("[1,2,300]", SchemaBuilder::array(schemas::int16()).build(),
                 Array{Value(std::int16_t{1}), Value(std::int16_t{2}), Value(std::int16_t{300})});
  require_parsed(R"({"a":1,"b":null})",
                 SchemaBuilder::map(schemas::string(), schemas::optional_int8()).build(),
                 Map{{Value("a"), Value(std::int8_t{1})}, {Value("b"), Value()}});
  auto mixed = parse_header_string(R"([1,"a"])");
  REQUIRE(mixed.schema == nullptr);
  REQUIRE(mixed.value == Value(Array{Value(std::int64_t{1}), Value("a")}));
}

TEST_CASE("SimpleHeaderConverter keeps anything else as a string", "[converters][headers]") {
  require_parsed("hello world", schemas::string(), "hello world");
  require_parsed("", schemas::string(), "");
  require_parsed("[not json", schemas::string(), "[not json");
  require_parsed("12abc", schemas::string(), "12abc");
  require_parsed(" 7 ", schemas::int8(), std::int8_t{7});
  auto null = parse_header_string("null");
  REQUIRE(null.schema == nullptr);
  REQUIRE(null.value.is_null());
}

TEST_CASE("SimpleHeaderConverter round-trips typed header values through their text", "[converters][headers]") {
  SimpleHeaderConverter c;
  c.configure({});
  auto round_trip = [&](const SchemaPtr& schema, const Value& value) {
    auto data = c.from_connect_header("t", "h", schema, value);
    REQUIRE(data.has_value());
    return c.to_connect_header("t", "h", &*data);
  };
  REQUIRE(round_trip(schemas::int32(), std::int32_t{300}).value == Value(std::int16_t{300}));
  REQUIRE(round_trip(schemas::string(), "x y").value == Value("x y"));
  REQUIRE(round_trip(schemas::float64(), 0.25).value == Value(0.25));
  auto ts = round_trip(logical::timestamp().build(), std::int64_t{1700000000123});
  REQUIRE(ts.schema->name() == logical::kTimestampName);
  REQUIRE(ts.value == Value(std::int64_t{1700000000123}));
  auto list = SchemaBuilder::array(schemas::string()).build();
  REQUIRE(sluice::test::text_of(c.from_connect_header("t", "h", list, Array{Value("a"), Value("b")})) ==
          R"(["a","b"])");
  REQUIRE(round_trip(list, Array{Value("a"), Value("b")}).value == Value(Array{Value("a"), Value("b")}));
  REQUIRE_FALSE(c.from_connect_header("t", "h", nullptr, Value()).has_value());
  REQUIRE(c.to_connect_header("t", "h", nullptr).value.is_null());
}
