#include "field_transform_fixture.h"

using namespace sluice;
using namespace sluice::test;

namespace {
SchemaPtr customer_schema() {
  static const SchemaPtr s = SchemaBuilder::struct_()
                                 .field("id", schemas::int32())
                                 .field("name", schemas::optional_string())
                                 .build();
  return s;
}
Struct customer(std::int32_t id) {
  Struct s(customer_schema());
  s.put("id", i32(id)).put("name", Value("Ada"));
  return s;
}
}  // namespace

// ---- ExtractField ----------------------------------------------------------------------------

TEST_CASE("ExtractField$Key replaces a struct key with one of its fields (Kafka's example)", "[transforms][extract]") {
  auto extract = make_transform("ExtractField$Key", {{"field", "id"}});
  Record out = apply(*extract, key_record(customer_schema(), Value(customer(42))));
  CHECK(out.key == i32(42));
  CHECK(out.key_schema == schemas::int32());
  CHECK(out.value == Value("the value"));
}

TEST_CASE("ExtractField$Value works on schemaless maps", "[transforms][extract]") {
  auto extract = make_transform("ExtractField$Value", {{"field", "id"}});
  CHECK(apply(*extract, value_record(nullptr, Value(string_map({{"id", i64(9)}})))).value == i64(9));
  CHECK(apply(*extract, value_record(nullptr, Value(string_map({{"other", i64(9)}})))).value.is_null());
  CHECK(apply(*extract, value_record(nullptr, Value())).value.is_null());
}

TEST_CASE("ExtractField with field.syntax.version=V2 follows dotted paths", "[transforms][extract]") {
  auto inner = SchemaBuilder::struct_().field("baz", schemas::string()).build();
  auto outer = SchemaBuilder::struct_().field("foo.bar", inner).field("foo", inner).build();
  Struct dotted(inner), plain(inner), v(outer);
  dotted.put("baz", Value("in dotted"));
  plain.put("baz", Value("in plain"));
  v.put("foo.bar", Value(dotted)).put("foo", Value(plain));

  SECTION("backticks quote a name containing dots") {
    auto extract = make_transform("ExtractField$Value", {{"field", "`foo.bar`.baz"}, {"field.syntax.version", "V2"}});
    Record out = apply(*extract, value_record(outer, Value(v)));
    CHECK(out.value == Value("in dotted"));
    CHECK(out.value_schema == schemas::string());
  }
  SECTION("plain dots descend") {
    auto extract = make_transform("ExtractField$Value", {{"field", "foo.baz"}, {"field.syntax.version", "v2"}});
    CHECK(apply(*extract, value_record(outer, Value(v))).value == Value("in plain"));
  }
  SECTION("V1 takes the whole text as one top-level name") {
    auto extract = make_transform("ExtractField$Value", {{"field", "foo.bar"}});
    CHECK(apply(*extract, value_record(outer, Value(v))).value == Value(dotted));
  }
  SECTION("schemaless maps, missing steps give null") {
    auto extract = make_transform("ExtractField$Value", {{"field", "a.b"}, {"field.syntax.version", "V2"}});
    Map nested = string_map({{"a", Value(string_map({{"b", i32(1)}}))}});
    CHECK(apply(*extract, value_record(nullptr, Value(nested))).value == i32(1));
    CHECK(apply(*extract, value_record(nullptr, Value(string_map({{"a", i32(5)}})))).value.is_null());
  }
}

TEST_CASE("ExtractField replaces a null with the field default unless told otherwise", "[transforms][extract]") {
  auto schema = SchemaBuilder::struct_()
                    .field("n", SchemaBuilder::string().optional().default_value(Value("dflt")).build())
                    .build();
  auto replacing = make_transform("ExtractField$Value", {{"field", "n"}});
  CHECK(apply(*replacing, value_record(schema, Value(Struct(schema)))).value == Value("dflt"));
  auto keeping = make_transform("ExtractField$Value", {{"field", "n"}, {"replace.null.with.default", "false"}});
  CHECK(apply(*keeping, value_record(schema, Value(Struct(schema)))).value.is_null());
}

TEST_CASE("ExtractField errors", "[transforms][extract]") {
  CHECK_THROWS_AS(make_transform("ExtractField$Value", {}), ConfigError);
  CHECK_THROWS_AS(make_transform("ExtractField$Value", {{"field", "a"}, {"field.syntax.version", "V3"}}), ConfigError);
  auto extract = make_transform("ExtractField$Value", {{"field", "missing"}});
  CHECK_THROWS_WITH(extract->apply(value_record(customer_schema(), Value(customer(1)))),
                    Catch::Contains("Unknown field: missing"));
  CHECK_THROWS_AS(extract->apply(value_record(nullptr, Value("text"))), DataError);
  CHECK_THROWS_AS(extract->apply(value_record(schemas::string(), Value("text"))), DataError);
}

// ---- HoistField ------------------------------------------------------------------------------

TEST_CASE("HoistField$Value wraps the value in a one-field struct (Kafka's example)", "[transforms][hoist]") {
  auto hoist = make_transform("HoistField$Value", {{"field", "line"}});
  Record out = apply(*hoist, value_record(schemas::int32(), i32(42)));
  const Schema& schema = *out.value_schema;
  REQUIRE(schema.type() == Type::kStruct);
  REQUIRE(schema.fields().size() == 1);
  CHECK(schema.fields()[0].name == "line");
  CHECK(schema.fields()[0].schema == schemas::int32());
  CHECK(out.value.as<Struct>().get("line") == i32(42));

  Record again = apply(*hoist, value_record(schemas::int32(), i32(43)));
  CHECK(again.value_schema == out.value_schema);
}

TEST_CASE("HoistField$Key wraps a schemaless key in a map", "[transforms][hoist]") {
  auto hoist = make_transform("HoistField$Key", {{"field", "k"}});
  Record out = apply(*hoist, key_record(nullptr, Value("abc")));
  CHECK(out.key == Value(string_map({{"k", Value("abc")}})));
  CHECK(out.key_schema == nullptr);
}

TEST_CASE("HoistField errors", "[transforms][hoist]") {
  CHECK_THROWS_AS(make_transform("HoistField$Value", {}), ConfigError);
  auto hoist = make_transform("HoistField$Value", {{"field", "line"}});
  CHECK_THROWS_AS(hoist->apply(value_record(schemas::int32(), Value())), DataError);
  CHECK_THROWS_AS(hoist->apply(value_record(schemas::int32(), Value("not an int"))), DataError);
}

// ---- Flatten ---------------------------------------------------------------------------------

TEST_CASE("Flatten$Value flattens a schemaless map (Kafka's example)", "[transforms][flatten]") {
  auto flatten = make_transform("Flatten$Value", {});
  Map name = string_map({{"first", Value("David")}, {"middle", Value()}, {"last", Value("Wong")}});
  Map content = string_map({{"id", i32(42)}, {"name", Value(name)}, {"tags", Value(Array{Value("x")})}});
  Record out = apply(*flatten, value_record(nullptr, Value(string_map({{"content", Value(content)}}))));
  CHECK(out.value == Value(string_map({{"content.id", i32(42)},
                                       {"content.name.first", Value("David")},
                                       {"content.name.middle", Value()},
                                       {"content.name.last", Value("Wong")},
                                       {"content.tags", Value(Array{Value("x")})}})));
}

TEST_CASE("Flatten$Key flattens nested structs with a custom delimiter", "[transforms][flatten]") {
  auto name = SchemaBuilder::struct_().optional().field("first", schemas::string()).field("last", schemas::string()).build();
  auto schema = SchemaBuilder::struct_().name("k").field("id", schemas::int32()).field("name", name).build();
  Struct n(name), key(schema);
  n.put("first", Value("Grace")).put("last", Value("Hopper"));
  key.put("id", i32(1)).put("name", Value(n));

  auto flatten = make_transform("Flatten$Key", {{"delimiter", "_"}});
  Record out = apply(*flatten, key_record(schema, Value(key)));
  const Schema& flat = *out.key_schema;
  CHECK(flat.name() == "k");
  REQUIRE(flat.fields().size() == 3);
  CHECK(flat.fields()[1].name == "name_first");
  CHECK(flat.fields()[1].schema->optional());  // the parent struct is optional
  CHECK_FALSE(flat.fields()[0].schema->optional());
  const Struct& v = out.key.as<Struct>();
  CHECK(v.get("id") == i32(1));
  CHECK(v.get("name_first") == Value("Grace"));
  CHECK(v.get("name_last") == Value("Hopper"));

  SECTION("a null nested struct gives null leaves") {
    Struct no_name(schema);
    no_name.put("id", i32(2));
    Record o = apply(*flatten, key_record(schema, Value(no_name)));
    CHECK(o.key.as<Struct>().get("name_first").is_null());
    CHECK(o.key_schema == out.key_schema);
  }
}

TEST_CASE("Flatten rejects maps under schemas and structs without", "[transforms][flatten]") {
  auto flatten = make_transform("Flatten$Value", {});
  auto with_map = SchemaBuilder::struct_().field("m", SchemaBuilder::map(schemas::string(), schemas::string()).build()).build();
  CHECK_THROWS_WITH(flatten->apply(value_record(with_map, Value(Struct(with_map)))),
                    Catch::Contains("does not support MAP"));
  CHECK_THROWS_AS(flatten->apply(value_record(nullptr, Value(string_map({{"s", Value(customer(1))}})))), DataError);
  CHECK_THROWS_AS(flatten->apply(value_record(nullptr, Value(i32(1)))), DataError);
}
