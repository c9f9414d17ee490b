#include "field_transform_fixture.h"

using namespace sluice;
using namespace sluice::test;

namespace {
SchemaPtr order_schema() {
  static const SchemaPtr s = SchemaBuilder::struct_()
                                 .name("shop.Order")
                                 .field("id", schemas::int8())
                                 .field("qty", schemas::string())
                                 .field("price", schemas::float64())
                                 .field("paid", schemas::optional_boolean())
                                 .field("note", schemas::string())
                                 .build();
  return s;
}

Struct order() {
  Struct s(order_schema());
  s.put("id", i8(7)).put("qty", Value("42")).put("price", Value(19.5)).put("paid", Value(true)).put("note", Value("n"));
  return s;
}
}  // namespace

TEST_CASE("Cast$Value casts the listed struct fields and keeps the others", "[transforms][cast]") {
  auto cast = make_transform("Cast$Value", {{"spec", "id:int32, qty:int64,price:string,paid:int8"}});
  Record out = apply(*cast, value_record(order_schema(), Value(order())));

  const Schema& schema = *out.value_schema;
  CHECK(schema.name() == "shop.Order");
  CHECK(schema.field("id")->schema->type() == Type::kInt32);
  CHECK(schema.field("qty")->schema->type() == Type::kInt64);
  CHECK(schema.field("price")->schema->type() == Type::kString);
  CHECK(schema.field("paid")->schema->type() == Type::kInt8);
  CHECK(schema.field("paid")->schema->optional());
  CHECK(schema.field("note")->schema == schemas::string());

  const Struct& v = out.value.as<Struct>();
  CHECK(v.get("id") == i32(7));
  CHECK(v.get("qty") == i64(42));
  CHECK(v.get("price") == Value("19.5"));
  CHECK(v.get("paid") == i8(1));
  CHECK(v.get("note") == Value("n"));
  CHECK_NOTHROW(v.validate());
}

TEST_CASE("Cast$Value reuses the derived schema for the same input schema", "[transforms][cast]") {
  auto cast = make_transform("Cast$Value", {{"spec", "id:int32"}});
  Record first = apply(*cast, value_record(order_schema(), Value(order())));
  Record second = apply(*cast, value_record(order_schema(), Value(order())));
  CHECK(first.value_schema == second.value_schema);
  CHECK(second.value.as<Struct>().schema() == second.value_schema);
}

TEST_CASE("Cast$Value casts fields of a schemaless map", "[transforms][cast]") {
  auto cast = make_transform("Cast$Value", {{"spec", "a:int32,b:string,c:boolean,gone:int64"}});
  Record out = apply(*cast, value_record(nullptr, Value(string_map({{"a", Value("12")}, {"b", i64(5)},
                                                                    {"c", Value("TRUE")}, {"d", Value(1.5)}}))));
  const Map& m = out.value.as<Map>();
  CHECK(*map_find(m, "a") == i32(12));
  CHECK(*map_find(m, "b") == Value("5"));
  CHECK(*map_find(m, "c") == Value(true));
  CHECK(*map_find(m, "d") == Value(1.5));
  // As in Kafka, every listed field is put, so a missing one appears with a null value.
  REQUIRE(map_find(m, "gone") != nullptr);
  CHECK(map_find(m, "gone")->is_null());
}

TEST_CASE("Cast with a single type casts the whole value", "[transforms][cast]") {
  SECTION("schema'd value, $Value") {
    auto cast = make_transform("Cast$Value", {{"spec", "string"}});
    Record out = apply(*cast, value_record(schemas::optional_int32(), i32(42)));
    CHECK(out.value == Value("42"));
    CHECK(out.value_schema->type() == Type::kString);
    CHECK(out.value_schema->optional());
  }
  SECTION("schemaless key, $Key; types are case-insensitive") {
    auto cast = make_transform("Cast$Key", {{"spec", "INT64"}});
    Record out = apply(*cast, key_record(nullptr, Value("-9000000000")));
    CHECK(out.key == i64(-9000000000));
    CHECK(out.value == Value("the value"));
  }
  SECTION("a null value passes through") {
    auto cast = make_transform("Cast$Value", {{"spec", "int8"}});
    Record out = apply(*cast, value_record(schemas::optional_string(), Value()));
    CHECK(out.value.is_null());
  }
}

TEST_CASE("Cast converts numbers as Java does", "[transforms][cast]") {
  auto to = [](const char* type, Value v) {
    auto cast = make_transform("Cast$Value", {{"spec", type}});
    return apply(*cast, value_record(nullptr, std::move(v))).value;
  };
  CHECK(to("int8", i32(300)) == i8(44));           // narrowing keeps the low bits
  CHECK(to("int32", Value(3.9)) == i32(3));         // truncates toward zero
  CHECK(to("int32", Value(-3.9)) == i32(-3));
  CHECK(to("int64", Value(1e30)) == i64(INT64_MAX));  // saturates
  CHECK(to("boolean", i32(0)) == Value(false));
  CHECK(to("boolean", Value(0.5)) == Value(false));  // (long) 0.5 == 0
  CHECK(to("boolean", Value("yes")) == Value(false));
  CHECK(to("float32", Value("2.5f")) == Value(2.5f));
  CHECK(to("string", Value(1e10)) == Value("1.0E10"));
  CHECK(to("string", Value(100.0)) == Value("100.0"));
  CHECK(to("string", Value(0.001)) == Value("0.001"));
  CHECK(to("string", Value(1.1f)) == Value("1.1"));
  CHECK(to("string", Value(Bytes{'h', 'i', '!', '?'})) == Value("aGkhPw=="));
  CHECK(to("string", Value(false)) == Value("false"));
}

TEST_CASE("Cast handles Decimal and the date/time logical types", "[transforms][cast]") {
  auto schema = SchemaBuilder::struct_()
                    .field("amount", logical::decimal(2).build())
                    .field("day", logical::date().build())
                    .field("at", logical::timestamp().build())
                    .field("when", logical::time().build())
                    .build();
  Struct v(schema);
  v.put("amount", Value(logical::decimal_from_unscaled(-12345)))
      .put("day", i32(19723))
      .put("at", i64(1700000000123))
      .put("when", i32(3723004));

  SECTION("to string") {
    auto cast = make_transform("Cast$Value", {{"spec", "amount:string,day:string,at:string,when:string"}});
    Record out = apply(*cast, value_record(schema, Value(v)));
    const Struct& s = out.value.as<Struct>();
    CHECK(s.get("amount") == Value("-123.45"));
    CHECK(s.get("day") == Value("2024-01-01"));
    CHECK(s.get("at") == Value("2023-11-14T22:13:20.123Z"));
    CHECK(s.get("when") == Value("01:02:03.004"));
    CHECK(out.value_schema->field("amount")->schema->name().empty());
  }
  SECTION("to numbers") {
    auto cast = make_transform("Cast$Value", {{"spec", "amount:int32,day:int64"}});
    Record out = apply(*cast, value_record(schema, Value(v)));
    CHECK(out.value.as<Struct>().get("amount") == i32(-123));
    CHECK(out.value.as<Struct>().get("day") == i64(19723));
    auto to_double = make_transform("Cast$Value", {{"spec", "amount:float64"}});
    CHECK(apply(*to_double, value_record(schema, Value(v))).value.as<Struct>().get("amount") == Value(-123.45));
  }
}

TEST_CASE("Cast casts defaults and honours replace.null.with.default", "[transforms][cast]") {
  auto schema = SchemaBuilder::struct_()
                    .field("n", SchemaBuilder::int32().optional().default_value(i32(5)).build())
                    .build();
  Struct v(schema);  // n is null

  auto replacing = make_transform("Cast$Value", {{"spec", "n:string"}});
  Record out = apply(*replacing, value_record(schema, Value(v)));
  CHECK(out.value_schema->field("n")->schema->default_value() == Value("5"));
  CHECK(out.value.as<Struct>().get("n") == Value("5"));

  auto keeping = make_transform("Cast$Value", {{"spec", "n:string"}, {"replace.null.with.default", "false"}});
  CHECK(apply(*keeping, value_record(schema, Value(v))).value.as<Struct>().get("n").is_null());
}

TEST_CASE("Cast rejects bad specs with a ConfigError", "[transforms][cast]") {
  for (const char* spec : {"", "a:uuid", "a:bytes", "bytes", "int8,a:int16", "a:int8:int16"}) {
    INFO(spec);
    CHECK_THROWS_AS(make_transform("Cast$Value", {{"spec", spec}}), ConfigError);
  }
  CHECK_THROWS_AS(make_transform("Cast$Value", {}), ConfigError);
}

TEST_CASE("Cast reports values it cannot cast with a DataError", "[transforms][cast]") {
  auto cast = make_transform("Cast$Value", {{"spec", "qty:int8"}});
  auto bad_qty = order();
  bad_qty.put("qty", Value("300"));
  CHECK_THROWS_AS(cast->apply(value_record(order_schema(), Value(bad_qty))), DataError);
  CHECK_THROWS_WITH(cast->apply(value_record(nullptr, Value("not a map"))),
                    Catch::Contains("Only Map objects supported"));
  CHECK_THROWS_AS(cast->apply(value_record(schemas::string(), Value("not a struct"))), DataError);

  auto nested = SchemaBuilder::struct_().field("inner", SchemaBuilder::struct_().build()).build();
  auto cast_inner = make_transform("Cast$Value", {{"spec", "inner:string"}});
  CHECK_THROWS_WITH(cast_inner->apply(value_record(nested, Value(Struct(nested)))),
                    Catch::Contains("does not support casting to/from STRUCT"));

  auto whole = make_transform("Cast$Value", {{"spec", "int32"}});
  CHECK_THROWS_AS(whole->apply(value_record(nullptr, Value(Bytes{1, 2}))), DataError);
  CHECK_THROWS_AS(whole->apply(value_record(nullptr, Value(Array{i32(1)}))), DataError);
}
