#include <catch2/catch.hpp>

#include "runtime/properties.h"

using sluice::runtime::parse_properties;

TEST_CASE("Properties files parse as Java reads them", "[properties]") {
  auto props = parse_properties(
      "# comment\n"
      "! also a comment\n"
      "plugin.path=/a,/b\n"
      "key.converter : org.apache.kafka.connect.json.JsonConverter\n"
      "  spaced   value with spaces  \n"
      "continued=one,\\\n"
      "    two\n"
      "escaped\\=key=tab\\there\n"
      "unicode=caf\\u00e9\n"
      "empty=\n");
  REQUIRE(props.at("plugin.path") == "/a,/b");
  REQUIRE(props.at("key.converter") == "org.apache.kafka.connect.json.JsonConverter");
  REQUIRE(props.at("spaced") == "value with spaces  ");
  REQUIRE(props.at("continued") == "one,two");
  REQUIRE(props.at("escaped=key") == "tab\there");
  REQUIRE(props.at("unicode") == "caf\xc3\xa9");
  REQUIRE(props.at("empty").empty());
  REQUIRE(props.size() == 7);
}

TEST_CASE("Properties files accept CRLF line endings", "[properties]") {
  auto props = parse_properties("a=1\r\nb=2\r\n");
  REQUIRE(props.at("a") == "1");
  REQUIRE(props.at("b") == "2");
}
