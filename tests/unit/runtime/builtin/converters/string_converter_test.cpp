#include <catch2/catch.hpp>

#include "runtime/builtin/converters/string_converter.h"
#include "sluice/errors.h"
#include "sluice/schema.h"
#include "tests/unit/runtime/builtin/converters/converter_test_support.h"

using namespace sluice;
using sluice::builtin::StringConverter;
using sluice::test::bytes_of;
using sluice::test::text_of;

namespace {
std::string write(const SchemaPtr& schema, const Value& value) {
  StringConverter c;
  c.configure({}, false);
  return text_of(c.from_connect_data("t", {}, schema, value));
}
}  // namespace

TEST_CASE("StringConverter writes strings as they are and other values as Java prints them", "[converters][string]") {
  REQUIRE(write(schemas::string(), "h\xc3\xa9 \"q\"") == "h\xc3\xa9 \"q\"");
  REQUIRE(write(schemas::int32(), std::int32_t{-42}) == "-42");
  REQUIRE(write(nullptr, true) == "true");
  REQUIRE(write(schemas::float64(), 1.5) == "1.5");
  REQUIRE(write(schemas::float64(), 1e10) == "1.0E10");
  REQUIRE(write(schemas::float32(), 2.0f) == "2.0");
  REQUIRE(write(logical::decimal(4).build(), logical::decimal_from_string("10.2345", 4)) == "10.2345");
  REQUIRE(write(schemas::bytes(), Bytes{'h', 'i'}) == "aGk=");
  REQUIRE(write(nullptr, Array{Value(std::int64_t{1}), Value("a")}) == "[1, a]");
  REQUIRE(write(nullptr, string_map({{"k", std::int64_t{1}}, {"j", "v"}})) == "{k=1, j=v}");
  auto schema = SchemaBuilder::struct_()
                    .field("id", schemas::int32())
                    .field("skipped", schemas::optional_string())
                    .field("name", schemas::string())
                    .build();
  Struct s(schema);
  s.put("id", std::int32_t{1}).put("name", "x");
  REQUIRE(write(schema, s) == "Struct{id=1,name=x}");
}

TEST_CASE("StringConverter reads every payload as an optional string", "[converters][string]") {
  StringConverter c;
  c.configure({{"converter.encoding", "utf-8"}}, true);
  Bytes data = bytes_of("{\"not\":\"parsed\"}");
  auto back = c.to_connect_data("t", {}, &data);
  REQUIRE(back.schema == schemas::optional_string());
  REQUIRE(back.value == Value("{\"not\":\"parsed\"}"));
  auto tombstone = c.to_connect_data("t", {}, nullptr);
  REQUIRE(tombstone.schema == schemas::optional_string());
  REQUIRE(tombstone.value.is_null());
  REQUIRE_FALSE(c.from_connect_data("t", {}, schemas::optional_string(), Value()).has_value());
  auto header = c.from_connect_header("t", "h", nullptr, Value(std::int64_t{5}));
  REQUIRE(text_of(header) == "5");
  REQUIRE(c.to_connect_header("t", "h", &*header).value == Value("5"));
}

TEST_CASE("StringConverter accepts UTF-8 only", "[converters][string]") {
  StringConverter c;
  c.configure({{"converter.encoding", "UTF8"}}, false);
  REQUIRE_THROWS_AS(c.configure({{"converter.encoding", "ISO-8859-1"}}, false), ConfigError);
  REQUIRE_FALSE(StringConverter::definition().find("converter.encoding")->documentation.empty());
}
