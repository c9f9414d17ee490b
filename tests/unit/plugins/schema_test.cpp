#include <catch2/catch.hpp>

#include "sluice/errors.h"
#include "sluice/schema.h"

using namespace sluice;

TEST_CASE("SchemaBuilder builds struct schemas with every attribute", "[schema]") {
  auto schema = SchemaBuilder::struct_()
                    .name("inventory.customers.Value")
                    .version(2)
                    .doc("a customer")
                    .parameter("p", "v")
                    .field("id", schemas::int32())
                    .field("email", schemas::optional_string())
                    .optional()
                    .build();
  REQUIRE(schema->type() == Type::kStruct);
  REQUIRE(schema->name() == "inventory.customers.Value");
  REQUIRE(schema->version() == 2);
  REQUIRE(schema->doc() == "a customer");
  REQUIRE(*schema->parameter("p") == "v");
  REQUIRE(schema->optional());
  REQUIRE(schema->fields().size() == 2);
  REQUIRE(schema->field("email")->index == 1);
  REQUIRE(schema->field("missing") == nullptr);
  REQUIRE_THROWS_AS(SchemaBuilder::struct_().field("a", schemas::int8()).field("a", schemas::int8()), DataError);
  REQUIRE_THROWS_AS(schemas::int32()->fields(), DataError);
}

TEST_CASE("Schemas compare deeply", "[schema]") {
  auto a = SchemaBuilder::struct_().name("x").field("f", schemas::int64()).build();
  auto b = SchemaBuilder::struct_().name("x").field("f", schemas::int64()).build();
  auto c = SchemaBuilder::struct_().name("x").field("f", schemas::optional_int64()).build();
  REQUIRE(*a == *b);
  REQUIRE(*a != *c);
  REQUIRE(schemas_equal(nullptr, nullptr));
  REQUIRE_FALSE(schemas_equal(a, nullptr));
  auto arr = SchemaBuilder::array(schemas::string()).build();
  auto map = SchemaBuilder::map(schemas::string(), schemas::int32()).build();
  REQUIRE(arr->value_schema() == schemas::string());
  REQUIRE(map->key_schema() == schemas::string());
  REQUIRE_THROWS_AS(arr->key_schema(), DataError);
}

TEST_CASE("Defaults must match the schema", "[schema]") {
  REQUIRE(SchemaBuilder::int32().default_value(Value(std::int32_t{5})).build()->default_value() == Value(5));
  REQUIRE_THROWS_AS(SchemaBuilder::int32().default_value(Value("five")), DataError);
}

TEST_CASE("Logical types use Kafka's names and physical types", "[schema]") {
  auto dec = logical::decimal(2).build();
  REQUIRE(dec->type() == Type::kBytes);
  REQUIRE(dec->name() == "org.apache.kafka.connect.data.Decimal");
  REQUIRE(logical::decimal_scale(*dec) == 2);
  REQUIRE(logical::date().build()->type() == Type::kInt32);
  REQUIRE(logical::time().build()->name() == "org.apache.kafka.connect.data.Time");
  REQUIRE(logical::timestamp().build()->type() == Type::kInt64);
}

TEST_CASE("Decimals convert between text and unscaled two's complement bytes", "[schema]") {
  // Kafka's documented example: 10.2345 at scale 4 is unscaled 102345 = 0x018FC9.
  REQUIRE(logical::decimal_from_string("10.2345", 4) == Bytes{0x01, 0x8f, 0xc9});
  REQUIRE(logical::decimal_to_string(Bytes{0x01, 0x8f, 0xc9}, 4) == "10.2345");
  REQUIRE(logical::decimal_from_string("-1", 0) == Bytes{0xff});
  REQUIRE(logical::decimal_from_string("128", 0) == Bytes{0x00, 0x80});
  REQUIRE(logical::decimal_from_string("-128", 0) == Bytes{0x80});
  REQUIRE(logical::decimal_to_string(logical::decimal_from_string("-0.05", 2), 2) == "-0.05");
  REQUIRE(logical::decimal_to_string(logical::decimal_from_string("1.5", 3), 3) == "1.500");
  REQUIRE(logical::decimal_to_string(logical::decimal_from_string("2.345", 2), 2) == "2.35");  // half up
  std::string big = "123456789012345678901234567890.123456789";
  REQUIRE(logical::decimal_to_string(logical::decimal_from_string(big, 9), 9) == big);
  REQUIRE(logical::decimal_from_unscaled(-129) == logical::decimal_from_string("-129", 0));
  REQUIRE(logical::decimal_to_double(logical::decimal_from_string("12.5", 1), 1) == Approx(12.5));
  REQUIRE_THROWS_AS(logical::decimal_from_string("1e5", 0), DataError);
}
