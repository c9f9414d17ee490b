#include <catch2/catch.hpp>

#include "sluice/errors.h"
#include "sluice/record.h"
#include "sluice/schema.h"

using namespace sluice;

namespace {
SchemaPtr customer() {
  static SchemaPtr s = SchemaBuilder::struct_()
                           .name("customer")
                           .field("id", schemas::int32())
                           .field("name", schemas::optional_string())
                           .field("tags", SchemaBuilder::array(schemas::string()).optional().build())
                           .build();
  return s;
}
}  // namespace

TEST_CASE("Struct.put checks values against the field schema", "[value]") {
  Struct s(customer());
  s.put("id", Value(std::int32_t{7})).put("name", Value("Ann")).put("tags", Value(Array{Value("a")}));
  REQUIRE(s.get("id") == Value(7));
  REQUIRE(s.get("name").as<std::string>() == "Ann");
  REQUIRE_THROWS_AS(s.put("id", Value("seven")), DataError);
  REQUIRE_THROWS_AS(s.put("id", Value(std::int64_t{7})), DataError);
  REQUIRE_THROWS_AS(s.put("tags", Value(Array{Value(1)})), DataError);
  REQUIRE_THROWS_AS(s.put("nope", Value(1)), DataError);
  REQUIRE_THROWS_AS(s.get("nope"), DataError);
}

TEST_CASE("Struct.validate rejects a missing required field", "[value]") {
  Struct s(customer());
  REQUIRE_THROWS_AS(s.validate(), DataError);
  s.put("id", Value(1));
  REQUIRE_NOTHROW(s.validate());
}

TEST_CASE("Values know their types and compare by content", "[value]") {
  Value v("text");
  REQUIRE(v.is<std::string>());
  REQUIRE(v.type_name() == std::string("string"));
  REQUIRE_THROWS_WITH(v.as<std::int32_t>(), Catch::Contains("expected a value of type int32, got string"));
  REQUIRE(Value(std::int16_t{3}).as_int64() == 3);
  REQUIRE(Value(2.5f).as_double() == 2.5);
  REQUIRE(Value() == Value(nullptr));
  REQUIRE(Value(Map{{Value("k"), Value(1)}}) == Value(string_map({{"k", Value(1)}})));
  REQUIRE(map_find(string_map({{"a", Value(1)}}), "a")->as<std::int32_t>() == 1);
  REQUIRE(map_find(string_map({{"a", Value(1)}}), "b") == nullptr);
}

TEST_CASE("Headers keep order and duplicates", "[value]") {
  Headers h;
  h.add("a", Value("1"));
  h.add("b", Value("2"));
  h.add("a", Value("3"));
  REQUIRE(h.size() == 3);
  REQUIRE(h.last("a")->value == Value("3"));
  REQUIRE(h.remove("a") == 2);
  REQUIRE(h.size() == 1);
  REQUIRE(h.last("a") == nullptr);
}

TEST_CASE("Source partitions compare by content and copy cheaply", "[value]") {
  SourcePartition a{{"file", Value("x")}};
  SourcePartition b{{"file", Value("x")}};
  SourcePartition c{{"file", Value("y")}};
  REQUIRE(a == b);
  REQUIRE(a < c);
  REQUIRE_FALSE(c < a);
  SourcePartition copy = a;
  REQUIRE(&copy.map() == &a.map());
}
