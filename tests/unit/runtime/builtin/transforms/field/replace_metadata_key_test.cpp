#include "field_transform_fixture.h"

using namespace sluice;
using namespace sluice::test;

namespace {
SchemaPtr abc_schema() {
  static const SchemaPtr s = SchemaBuilder::struct_()
                                 .name("abc")
                                 .version(3)
                                 .field("a", schemas::int32())
                                 .field("b", schemas::string())
                                 .field("c", SchemaBuilder::int64().optional().default_value(i64(8)).build())
                                 .build();
  return s;
}
Struct abc() {
  Struct s(abc_schema());
  s.put("a", i32(1)).put("b", Value("two"));  // c is null
  return s;
}
std::vector<std::string> field_names(const Schema& s) {
  std::vector<std::string> out;
  for (const auto& f : s.fields()) out.push_back(f.name);
  return out;
}
}  // namespace

// ---- ReplaceField ----------------------------------------------------------------------------

TEST_CASE("ReplaceField$Value drops, keeps and renames struct fields", "[transforms][replace]") {
  SECTION("exclude and rename") {
    auto replace = make_transform("ReplaceField$Value", {{"exclude", "b"}, {"renames", "a:alpha,c:gamma"}});
    Record out = apply(*replace, value_record(abc_schema(), Value(abc())));
    CHECK(field_names(*out.value_schema) == std::vector<std::string>{"alpha", "gamma"});
    CHECK(out.value_schema->name() == "abc");
    CHECK(out.value_schema->version() == 3);
    const Struct& v = out.value.as<Struct>();
    CHECK(v.get("alpha") == i32(1));
    CHECK(v.get("gamma") == i64(8));  // the null read as the field's default
    Record again = apply(*replace, value_record(abc_schema(), Value(abc())));
    CHECK(again.value_schema == out.value_schema);
  }
  SECTION("include, with exclude taking precedence") {
    auto replace = make_transform("ReplaceField$Value", {{"include", "a,b"}, {"exclude", "b"}});
    Record out = apply(*replace, value_record(abc_schema(), Value(abc())));
    CHECK(field_names(*out.value_schema) == std::vector<std::string>{"a"});
  }
  SECTION("replace.null.with.default=false keeps the null") {
    auto replace = make_transform("ReplaceField$Value", {{"include", "c"}, {"replace.null.with.default", "false"}});
    CHECK(apply(*replace, value_record(abc_schema(), Value(abc()))).value.as<Struct>().get("c").is_null());
  }
  SECTION("the legacy blacklist and whitelist names still work") {
    auto replace = make_transform("ReplaceField$Value", {{"blacklist", "a"}, {"whitelist", "a,b"}});
    CHECK(field_names(*apply(*replace, value_record(abc_schema(), Value(abc()))).value_schema) ==
          std::vector<std::string>{"b"});
  }
}

TEST_CASE("ReplaceField$Key works on schemaless maps", "[transforms][replace]") {
  auto replace = make_transform("ReplaceField$Key", {{"exclude", "drop"}, {"renames", "old:new"}});
  Record out = apply(*replace, key_record(nullptr, Value(string_map({{"old", i32(1)}, {"drop", i32(2)}, {"x", i32(3)}}))));
  CHECK(out.key == Value(string_map({{"new", i32(1)}, {"x", i32(3)}})));
}

TEST_CASE("ReplaceField errors", "[transforms][replace]") {
  for (const char* renames : {"a", "a:b:c", ":b", "a:"}) {
    INFO(renames);
    CHECK_THROWS_AS(make_transform("ReplaceField$Value", {{"renames", renames}}), ConfigError);
  }
  auto clash = make_transform("ReplaceField$Value", {{"renames", "a:b"}});
  CHECK_THROWS_AS(clash->apply(value_record(abc_schema(), Value(abc()))), DataError);
  CHECK_THROWS_AS(clash->apply(value_record(nullptr, Value(i32(1)))), DataError);
}

// ---- SetSchemaMetadata -----------------------------------------------------------------------

TEST_CASE("SetSchemaMetadata$Value sets the name and version and rebuilds the struct on it", "[transforms][metadata]") {
  auto set = make_transform("SetSchemaMetadata$Value", {{"schema.name", "com.example.Abc"}, {"schema.version", "7"}});
  Record out = apply(*set, value_record(abc_schema(), Value(abc())));
  CHECK(out.value_schema->name() == "com.example.Abc");
  CHECK(out.value_schema->version() == 7);
  CHECK(field_names(*out.value_schema) == field_names(*abc_schema()));
  const Struct& v = out.value.as<Struct>();
  CHECK(v.schema() == out.value_schema);
  CHECK(v.get("b") == Value("two"));
  CHECK(v.get("c") == i64(8));
}

TEST_CASE("SetSchemaMetadata$Key changes only what is configured", "[transforms][metadata]") {
  auto set = make_transform("SetSchemaMetadata$Key", {{"schema.version", "2"}});
  Record out = apply(*set, key_record(SchemaBuilder::string().name("keyname").build(), Value("k")));
  CHECK(out.key_schema->name() == "keyname");
  CHECK(out.key_schema->version() == 2);
  CHECK(out.key == Value("k"));
}

TEST_CASE("SetSchemaMetadata errors", "[transforms][metadata]") {
  CHECK_THROWS_WITH(make_transform("SetSchemaMetadata$Value", {}), Catch::Contains("Neither schema name nor version"));
  CHECK_THROWS_AS(make_transform("SetSchemaMetadata$Value", {{"schema.version", "x"}}), ConfigError);
  auto set = make_transform("SetSchemaMetadata$Value", {{"schema.name", "n"}});
  CHECK_THROWS_WITH(set->apply(value_record(nullptr, Value(i32(1)))), Catch::Contains("Schema required"));
}

// ---- ValueToKey ------------------------------------------------------------------------------

TEST_CASE("ValueToKey builds the key from value fields", "[transforms][valuetokey]") {
  auto to_key = make_transform("ValueToKey", {{"fields", "c,a"}});
  SECTION("with schemas") {
    Record out = apply(*to_key, value_record(abc_schema(), Value(abc())));
    CHECK(field_names(*out.key_schema) == std::vector<std::string>{"c", "a"});
    CHECK(out.key_schema->field("c")->schema == abc_schema()->field("c")->schema);
    CHECK(out.key.as<Struct>().get("a") == i32(1));
    CHECK(out.key.as<Struct>().get("c") == i64(8));
    CHECK(out.value == Value(abc()));  // the value is left as it was
  }
  SECTION("schemaless") {
    Record out = apply(*to_key, value_record(nullptr, Value(string_map({{"a", i32(1)}, {"b", i32(2)}}))));
    CHECK(out.key == Value(string_map({{"c", Value()}, {"a", i32(1)}})));
    CHECK(out.key_schema == nullptr);
  }
}

TEST_CASE("ValueToKey errors", "[transforms][valuetokey]") {
  CHECK_THROWS_AS(make_transform("ValueToKey", {}), ConfigError);
  auto to_key = make_transform("ValueToKey", {{"fields", "nope"}});
  CHECK_THROWS_WITH(to_key->apply(value_record(abc_schema(), Value(abc()))), Catch::Contains("Field does not exist: nope"));
  CHECK_THROWS_AS(to_key->apply(value_record(nullptr, Value())), DataError);
}

// ---- Registration ----------------------------------------------------------------------------

TEST_CASE("Field transforms register under Kafka's class names with simple-name aliases", "[transforms]") {
  const auto& registered = field_transforms();
  for (const char* name : {"Cast", "ExtractField", "Flatten", "HoistField", "InsertField", "MaskField",
                           "ReplaceField", "SetSchemaMetadata"}) {
    for (const char* side : {"$Key", "$Value"}) {
      std::string simple = std::string(name) + side;
      INFO(simple);
      auto it = registered.aliases.find("org.apache.kafka.connect.transforms." + simple);
      REQUIRE(it != registered.aliases.end());
      CHECK(it->second == std::vector<std::string>{simple});
      CHECK_FALSE(registered.transforms.at(it->first)()->config_def().keys().empty());
    }
  }
  CHECK(registered.aliases.at("org.apache.kafka.connect.transforms.ValueToKey") == std::vector<std::string>{"ValueToKey"});
  CHECK(registered.transforms.size() == 17);
}
