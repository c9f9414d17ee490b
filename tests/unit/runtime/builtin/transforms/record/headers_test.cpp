#include <catch2/catch.hpp>

#include "record_transforms.h"
#include "sluice/errors.h"

using namespace sluice;
using sluice::test::key_record;
using sluice::test::transform;
using sluice::test::value_record;

namespace {
SchemaPtr order_schema() {
  static const SchemaPtr s = SchemaBuilder::struct_()
                                 .name("order")
                                 .field("id", schemas::int32())
                                 .field("region", schemas::string())
                                 .field("note", SchemaBuilder::string().optional().default_value("none").build())
                                 .build();
  return s;
}

Struct order() {
  Struct s(order_schema());
  s.put("id", std::int32_t{7}).put("region", "eu");
  return s;
}
}  // namespace

TEST_CASE("HeaderFrom$Value copies fields into headers with their schemas", "[transforms][header_from]") {
  auto t = transform("HeaderFrom$Value", {{"fields", "id,region"}, {"headers", "h_id,h_region"}, {"operation", "copy"}});
  auto out = t->apply(value_record(order_schema(), order()));
  REQUIRE(out->headers.size() == 2);
  CHECK(out->headers.last("h_id")->value == Value(std::int32_t{7}));
  CHECK(*out->headers.last("h_id")->schema == *schemas::int32());
  CHECK(out->headers.last("h_region")->value == Value("eu"));
  CHECK(out->value_schema == order_schema());
  CHECK(out->value == Value(order()));
}

TEST_CASE("HeaderFrom$Value moves fields out of the value", "[transforms][header_from]") {
  auto t = transform("HeaderFrom$Value", {{"fields", "region"}, {"headers", "region"}, {"operation", "move"}});
  auto out = t->apply(value_record(order_schema(), order()));
  CHECK(out->headers.last("region")->value == Value("eu"));
  REQUIRE(out->value_schema->fields().size() == 2);
  CHECK(out->value_schema->name() == "order");
  CHECK(out->value_schema->field("region") == nullptr);
  const auto& s = out->value.as<Struct>();
  CHECK(s.get("id") == Value(std::int32_t{7}));
  CHECK(s.get("note") == Value("none"));  // replace.null.with.default
  CHECK_NOTHROW(s.validate());
  CHECK(t->apply(value_record(order_schema(), order()))->value_schema == out->value_schema);
}

TEST_CASE("HeaderFrom honours replace.null.with.default for header values", "[transforms][header_from]") {
  auto with_default = transform("HeaderFrom$Value", {{"fields", "note"}, {"headers", "n"}, {"operation", "copy"}});
  CHECK(with_default->apply(value_record(order_schema(), order()))->headers.last("n")->value == Value("none"));
  auto without = transform("HeaderFrom$Value", {{"fields", "note"}, {"headers", "n"}, {"operation", "copy"},
                                                {"replace.null.with.default", "false"}});
  CHECK(without->apply(value_record(order_schema(), order()))->headers.last("n")->value.is_null());
}

TEST_CASE("HeaderFrom works on schemaless maps and on the key", "[transforms][header_from]") {
  auto t = transform("HeaderFrom$Key", {{"fields", "id,missing"}, {"headers", "id,m"}, {"operation", "move"}});
  auto out = t->apply(key_record(nullptr, string_map({{"id", 7}, {"kind", "x"}})));
  CHECK(out->headers.last("id")->value == Value(7));
  CHECK(out->headers.last("id")->schema == nullptr);
  CHECK(out->headers.last("m")->value.is_null());
  CHECK(out->key == Value(string_map({{"kind", "x"}})));

  auto copy = transform("HeaderFrom$Value", {{"fields", "id"}, {"headers", "id"}, {"operation", "copy"}});
  auto copied = copy->apply(value_record(nullptr, string_map({{"id", 7}})));
  CHECK(copied->value == Value(string_map({{"id", 7}})));
  CHECK(copied->headers.last("id")->value == Value(7));
}

TEST_CASE("HeaderFrom rejects bad configuration", "[transforms][header_from]") {
  CHECK_THROWS_AS(transform("HeaderFrom$Value", {{"fields", "a,b"}, {"headers", "a"}, {"operation", "copy"}}), ConfigError);
  CHECK_THROWS_AS(transform("HeaderFrom$Value", {{"fields", "a"}, {"headers", "a"}, {"operation", "steal"}}), ConfigError);
  CHECK_THROWS_AS(transform("HeaderFrom$Value", {{"fields", ""}, {"headers", ""}, {"operation", "copy"}}), ConfigError);
  CHECK_THROWS_AS(transform("HeaderFrom$Value", {{"fields", "a"}, {"headers", "a"}}), ConfigError);
}

TEST_CASE("HeaderFrom reports values it cannot read", "[transforms][header_from]") {
  auto t = transform("HeaderFrom$Value", {{"fields", "zone"}, {"headers", "zone"}, {"operation", "copy"}});
  CHECK_THROWS_AS(t->apply(value_record(order_schema(), order())), DataError);  // no such field
  CHECK_THROWS_AS(t->apply(value_record(nullptr, "plain string")), DataError);
  CHECK_THROWS_AS(t->apply(value_record(schemas::string(), "plain string")), DataError);
}

TEST_CASE("InsertHeader adds a typed static header to every record", "[transforms][insert_header]") {
  auto t = transform("InsertHeader", {{"header", "source"}, {"value.literal", "billing"}});
  auto r = value_record(schemas::string(), "v");
  r.headers.add("source", "older");
  auto out = t->apply(r);
  REQUIRE(out->headers.size() == 2);
  CHECK(out->headers.last("source")->value == Value("billing"));
  CHECK(*out->headers.last("source")->schema == *schemas::string());

  auto number = transform("InsertHeader", {{"header", "n"}, {"value.literal", "42"}})->apply(value_record(nullptr, Value()));
  CHECK(number->headers.last("n")->value == Value(std::int8_t{42}));
  auto big = transform("InsertHeader", {{"header", "n"}, {"value.literal", "100000"}})->apply(value_record(nullptr, Value()));
  CHECK(big->headers.last("n")->value == Value(std::int32_t{100000}));
  auto flag = transform("InsertHeader", {{"header", "b"}, {"value.literal", "true"}})->apply(value_record(nullptr, Value()));
  CHECK(flag->headers.last("b")->value == Value(true));
  auto real = transform("InsertHeader", {{"header", "f"}, {"value.literal", "1.5"}})->apply(value_record(nullptr, Value()));
  CHECK(real->headers.last("f")->value == Value(1.5f));
}

TEST_CASE("InsertHeader requires header and value.literal", "[transforms][insert_header]") {
  CHECK_THROWS_AS(transform("InsertHeader", {{"header", "h"}}), ConfigError);
  CHECK_THROWS_AS(transform("InsertHeader", {{"value.literal", "v"}}), ConfigError);
}

TEST_CASE("DropHeaders removes every header with a listed key", "[transforms][drop_headers]") {
  auto t = transform("DropHeaders", {{"headers", "a, c"}});
  auto r = value_record(schemas::string(), "v");
  r.headers.add("a", 1);
  r.headers.add("b", 2);
  r.headers.add("a", 3);
  r.headers.add("c", 4);
  auto out = t->apply(r);
  REQUIRE(out->headers.size() == 1);
  CHECK(out->headers.items()[0].key == "b");
  CHECK(out->value == Value("v"));
}

TEST_CASE("DropHeaders requires a non-empty list", "[transforms][drop_headers]") {
  CHECK_THROWS_AS(transform("DropHeaders", {}), ConfigError);
  CHECK_THROWS_AS(transform("DropHeaders", {{"headers", ""}}), ConfigError);
}
