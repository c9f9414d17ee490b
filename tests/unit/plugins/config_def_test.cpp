#include <catch2/catch.hpp>

#include "sluice/config_def.h"
#include "sluice/errors.h"

using namespace sluice;

namespace {
const ConfigDef& def() {
  static const ConfigDef d = ConfigDef{}
      .define("file", ConfigType::kString, kRequired, non_empty_string(), Importance::kHigh, "Path.", "Files", 1)
      .define("batch.size", ConfigType::kInt, 2000, at_least(1), Importance::kLow, "Batch.")
      .define("mode", ConfigType::kString, "text", one_of({"text", "json"}), Importance::kLow, "Mode.")
      .define("enabled", ConfigType::kBoolean, true, Importance::kLow, "On.")
      .define("topics", ConfigType::kList, "", Importance::kLow, "Topics.")
      .define("secret", ConfigType::kPassword, kNullDefault, Importance::kLow, "Secret.")
      .define("big", ConfigType::kLong, 5L, Importance::kLow, "Big.");
  return d;
}
}  // namespace

TEST_CASE("ConfigDef parses typed values with Kafka's rules", "[config]") {
  Config c = def().parse({{"file", " /tmp/x "}, {"batch.size", " 10"}, {"enabled", "FALSE"},
                          {"topics", " a , b,c "}, {"big", "9000000000"}});
  REQUIRE(c.get_string("file") == "/tmp/x");
  REQUIRE(c.get_int("batch.size") == 10);
  REQUIRE(c.get_string("mode") == "text");
  REQUIRE_FALSE(c.get_bool("enabled"));
  REQUIRE(c.get_list("topics") == std::vector<std::string>{"a", "b", "c"});
  REQUIRE(c.is_null("secret"));
  REQUIRE(c.get_long("big") == 9000000000L);
  REQUIRE(c.get_long("batch.size") == 10);
  REQUIRE_THROWS_AS(c.get_int("file"), ConfigError);
  REQUIRE_THROWS_AS(c.get_int("undefined"), ConfigError);
}

TEST_CASE("ConfigDef.parse reports every problem at once", "[config]") {
  try {
    def().parse({{"batch.size", "0"}, {"mode", "xml"}, {"enabled", "maybe"}});
    FAIL("expected ConfigError");
  } catch (const ConfigError& e) {
    REQUIRE(e.problems().size() == 4);
  }
}

TEST_CASE("ConfigDef.validate gives each key its errors with Kafka's messages", "[config]") {
  auto values = def().validate({{"batch.size", "abc"}, {"mode", "xml"}});
  auto find = [&](const std::string& name) {
    for (const auto& v : values) {
      if (v.name == name) return v;
    }
    FAIL("no value for " + name);
    return ConfigValue{};
  };
  REQUIRE(values.size() == def().keys().size());
  REQUIRE(find("file").errors == std::vector<std::string>{
                                     "Missing required configuration \"file\" which has no default value."});
  REQUIRE(find("batch.size").errors ==
          std::vector<std::string>{"Invalid value abc for configuration batch.size: Not a number of type INT"});
  REQUIRE(find("mode").errors ==
          std::vector<std::string>{"Invalid value xml for configuration mode: String must be one of: text, json"});
  REQUIRE(find("enabled").errors.empty());
  REQUIRE(find("enabled").value == std::optional<std::string>("true"));
  REQUIRE(def().validate({{"batch.size", "0"}, {"file", "x"}})[1].errors ==
          std::vector<std::string>{"Invalid value 0 for configuration batch.size: Value must be at least 1"});
}

TEST_CASE("ConfigDef.embed prefixes a child definition", "[config]") {
  ConfigDef parent;
  parent.embed("transforms.x.", "Transforms: x", 0, def());
  REQUIRE(parent.find("transforms.x.file"));
  REQUIRE(parent.find("transforms.x.file")->group == "Transforms: x");
  REQUIRE(parent.groups() == std::vector<std::string>{"Transforms: x"});
  REQUIRE_THROWS_AS(ConfigDef{}.define("a", ConfigType::kInt, 1, Importance::kLow, "").define("a", ConfigType::kInt, 1, Importance::kLow, ""),
                    std::logic_error);
}
