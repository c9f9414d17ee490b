#include <catch2/catch.hpp>

#include "record_transforms.h"
#include "sluice/errors.h"

using namespace sluice;
using sluice::test::predicate;
using sluice::test::registrar;
using sluice::test::transform;
using sluice::test::value_record;

TEST_CASE("Filter drops every record", "[transforms][filter]") {
  auto t = transform("Filter");
  CHECK_FALSE(t->apply(value_record(schemas::string(), "v")).has_value());
  CHECK_FALSE(t->apply(value_record(nullptr, Value())).has_value());
}

TEST_CASE("TopicNameMatches matches the whole topic name", "[transforms][predicates]") {
  auto p = predicate("TopicNameMatches", {{"type", "TopicNameMatches"}, {"pattern", "inventory\\..*"}});
  CHECK(p->test(value_record(nullptr, 1, "inventory.orders")));
  CHECK(p->test(value_record(nullptr, 1, "inventory.orders")));  // answered from the cache
  CHECK_FALSE(p->test(value_record(nullptr, 1, "dbserver1.inventory.orders")));
  CHECK_FALSE(p->test(value_record(nullptr, 1, "inventory")));
}

TEST_CASE("TopicNameMatches needs a pattern that compiles", "[transforms][predicates]") {
  CHECK_THROWS_AS(predicate("TopicNameMatches", {}), ConfigError);
  CHECK_THROWS_AS(predicate("TopicNameMatches", {{"pattern", ""}}), ConfigError);
  CHECK_THROWS_AS(predicate("TopicNameMatches", {{"pattern", "[unclosed"}}), ConfigError);
}

TEST_CASE("HasHeaderKey is true when any header has the name", "[transforms][predicates]") {
  auto p = predicate("HasHeaderKey", {{"name", "trace"}});
  auto r = value_record(nullptr, 1);
  CHECK_FALSE(p->test(r));
  r.headers.add("other", 1);
  CHECK_FALSE(p->test(r));
  r.headers.add("trace", Value());
  CHECK(p->test(r));
  CHECK_THROWS_AS(predicate("HasHeaderKey", {}), ConfigError);
  CHECK_THROWS_AS(predicate("HasHeaderKey", {{"name", ""}}), ConfigError);
}

TEST_CASE("RecordIsTombstone is true exactly for a null value", "[transforms][predicates]") {
  auto p = predicate("RecordIsTombstone");
  Record tombstone = value_record(nullptr, Value());
  tombstone.key = Value("k");
  CHECK(p->test(tombstone));
  CHECK(p->test(value_record(schemas::optional_string(), Value())));
  CHECK_FALSE(p->test(value_record(nullptr, "v")));
  CHECK_FALSE(p->test(value_record(nullptr, std::int32_t{0})));
}

TEST_CASE("Every record transform and predicate is registered under its Kafka class name", "[transforms]") {
  const auto& r = registrar();
  for (const char* name : {"TimestampConverter$Key", "TimestampConverter$Value", "TimestampRouter", "RegexRouter",
                           "HeaderFrom$Key", "HeaderFrom$Value", "InsertHeader", "DropHeaders", "Filter"}) {
    INFO(name);
    CHECK(r.transforms.count(std::string("org.apache.kafka.connect.transforms.") + name) == 1);
  }
  CHECK(r.transform_aliases.at("org.apache.kafka.connect.transforms.HeaderFrom$Key") ==
        std::vector<std::string>{"HeaderFrom$Key"});
  for (const char* name : {"TopicNameMatches", "HasHeaderKey", "RecordIsTombstone"}) {
    INFO(name);
    CHECK(r.predicates.count(std::string("org.apache.kafka.connect.transforms.predicates.") + name) == 1);
  }
  CHECK(r.transforms.size() == 9);
  CHECK(r.predicates.size() == 3);
}

TEST_CASE("Every config key is documented", "[transforms]") {
  for (const auto& [name, factory] : registrar().transforms) {
    for (const auto& key : factory()->config_def().keys()) {
      INFO(name << " " << key.name);
      CHECK_FALSE(key.documentation.empty());
    }
  }
}
