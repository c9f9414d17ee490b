#include <catch2/catch.hpp>

#include "record_transforms.h"
#include "sluice/errors.h"

using namespace sluice;
using sluice::test::transform;
using sluice::test::value_record;

namespace {
std::string routed(Transform& t, std::string topic) {
  return t.apply(value_record(schemas::string(), "v", std::move(topic)))->topic;
}
}  // namespace

TEST_CASE("RegexRouter renames topics as in Kafka's documentation", "[transforms][regex_router]") {
  auto t = transform("RegexRouter", {{"regex", "(.*)customers"}, {"replacement", "$1users"}});
  CHECK(routed(*t, "dbserver1.inventory.customers") == "dbserver1.inventory.users");
  CHECK(routed(*t, "customers") == "users");
}

TEST_CASE("RegexRouter leaves topics that do not match as a whole", "[transforms][regex_router]") {
  auto t = transform("RegexRouter", {{"regex", "customers"}, {"replacement", "users"}});
  CHECK(routed(*t, "dbserver1.customers") == "dbserver1.customers");
  CHECK(routed(*t, "customers.v2") == "customers.v2");
  CHECK(routed(*t, "customers") == "users");
}

TEST_CASE("RegexRouter follows Java's replacement syntax", "[transforms][regex_router]") {
  auto swap = transform("RegexRouter", {{"regex", "([a-z]+)\\.([a-z]+)"}, {"replacement", "$2_$1"}});
  CHECK(routed(*swap, "inventory.orders") == "orders_inventory");

  // "$12" with one group is group 1 then the text "2"; "\$" is a literal dollar.
  auto digits = transform("RegexRouter", {{"regex", "(x)"}, {"replacement", "$12\\$"}});
  CHECK(routed(*digits, "x") == "x2$");

  auto optional_group = transform("RegexRouter", {{"regex", "a(b)?"}, {"replacement", "[$1]"}});
  CHECK(routed(*optional_group, "a") == "[]");

  auto icase = transform("RegexRouter", {{"regex", "(?i)ORDERS"}, {"replacement", "o"}});
  CHECK(routed(*icase, "orders") == "o");
}

TEST_CASE("RegexRouter keeps the rest of the record and routes repeated topics alike", "[transforms][regex_router]") {
  auto t = transform("RegexRouter", {{"regex", "orders"}, {"replacement", "sales"}});
  auto in = value_record(schemas::string(), "payload");
  in.timestamp_ms = 42;
  in.headers.add("h", "v");
  for (int i = 0; i < 3; ++i) {
    auto out = t->apply(in);
    CHECK(out->topic == "sales");
    CHECK(out->value == Value("payload"));
    CHECK(out->timestamp_ms == 42);
    CHECK(out->headers == in.headers);
  }
}

TEST_CASE("RegexRouter rejects bad configuration", "[transforms][regex_router]") {
  CHECK_THROWS_AS(transform("RegexRouter", {{"replacement", "x"}}), ConfigError);
  CHECK_THROWS_AS(transform("RegexRouter", {{"regex", "x"}}), ConfigError);
  CHECK_THROWS_AS(transform("RegexRouter", {{"regex", "(unclosed"}, {"replacement", "x"}}), ConfigError);
  CHECK_THROWS_AS(transform("RegexRouter", {{"regex", "(a)"}, {"replacement", "$2"}}), ConfigError);
  CHECK_THROWS_AS(transform("RegexRouter", {{"regex", "(a)"}, {"replacement", "x$"}}), ConfigError);
  CHECK_THROWS_AS(transform("RegexRouter", {{"regex", "(a)"}, {"replacement", "x\\"}}), ConfigError);
  CHECK_THROWS_AS(transform("RegexRouter", {{"regex", "(a)"}, {"replacement", "${name}"}}), ConfigError);
}

TEST_CASE("TimestampRouter appends the record's day by default", "[transforms][timestamp_router]") {
  auto t = transform("TimestampRouter");
  auto r = value_record(schemas::string(), "v", "orders");
  r.timestamp_ms = 1614834367089;  // 2021-03-04T05:06:07.089Z
  CHECK(t->apply(r)->topic == "orders-20210304");
}

TEST_CASE("TimestampRouter follows topic.format and timestamp.format", "[transforms][timestamp_router]") {
  auto t = transform("TimestampRouter", {{"topic.format", "${timestamp}/${topic}/${topic}"},
                                         {"timestamp.format", "yyyy-MM-dd'T'HH"}});
  auto r = value_record(schemas::string(), "v", "logs");
  r.timestamp_ms = 1614834367089;
  CHECK(t->apply(r)->topic == "2021-03-04T05/logs/logs");

  auto plain = transform("TimestampRouter", {{"topic.format", "archive"}});
  CHECK(plain->apply(r)->topic == "archive");
}

TEST_CASE("TimestampRouter needs a record timestamp", "[transforms][timestamp_router]") {
  auto t = transform("TimestampRouter");
  CHECK_THROWS_AS(t->apply(value_record(schemas::string(), "v")), DataError);
}

TEST_CASE("TimestampRouter rejects a timestamp.format it cannot follow", "[transforms][timestamp_router]") {
  CHECK_THROWS_AS(transform("TimestampRouter", {{"timestamp.format", "yyyy-ww"}}), ConfigError);
  CHECK_THROWS_AS(transform("TimestampRouter", {{"timestamp.format", "'unterminated"}}), ConfigError);
}
