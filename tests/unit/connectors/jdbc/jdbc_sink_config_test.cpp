#include <catch2/catch.hpp>

#include "jdbc_sink_config.h"
#include "sluice/errors.h"

using namespace sluice;
using namespace sluice::jdbc;

namespace {
ConfigMap base() { return {{"connection.url", "jdbc:postgresql://127.0.0.1:5432/target"}}; }

std::vector<std::string> errors_on(const ConfigMap& config, const std::string& key) {
  for (const auto& v : validate_jdbc_sink_config(config)) {
    if (v.name == key) return v.errors;
  }
  return {};
}
}  // namespace

TEST_CASE("JdbcSinkConfig has Debezium's defaults", "[jdbc]") {
  auto c = JdbcSinkConfig::parse(base());
  CHECK(c.url.scheme == "postgresql");
  CHECK(c.insert_mode == InsertMode::kInsert);
  CHECK_FALSE(c.delete_enabled);
  CHECK_FALSE(c.truncate_enabled);
  CHECK(c.primary_key_mode == PrimaryKeyMode::kNone);
  CHECK(c.schema_evolution == SchemaEvolution::kNone);
  CHECK(c.table_name_format == "${topic}");
  CHECK_FALSE(c.quote_identifiers);
  CHECK(c.batch_size == 500);
  CHECK(c.position_column == "__sluice_position");
  CHECK(c.delete_mode == DeleteMode::kHard);
  CHECK(c.soft_delete_flag_column == "__deleted");
  CHECK(c.soft_delete_timestamp_column == "__deleted_at");
  CHECK(c.checkpoint_table == "__sluice_sink_checkpoints");
}

TEST_CASE("JdbcSinkConfig reads the Debezium keys", "[jdbc]") {
  ConfigMap m = base();
  m["name"] = "orders-sink";
  m["connection.username"] = "writer";
  m["connection.password"] = "secret";
  m["insert.mode"] = "UPSERT";
  m["delete.enabled"] = "true";
  m["truncate.enabled"] = "true";
  m["primary.key.mode"] = "record_key";
  m["primary.key.fields"] = "id, region";
  m["schema.evolution"] = "basic";
  m["collection.name.format"] = "${source.schema}.${source.table}";
  m["quote.identifiers"] = "true";
  m["batch.size"] = "50";
  m["field.exclude.list"] = "secret, orders:notes";
  m["position.column.name"] = "";
  m["delete.mode"] = "soft";
  auto c = JdbcSinkConfig::parse(m);
  CHECK(c.connector_name == "orders-sink");
  CHECK(c.url.connection.user == "writer");
  CHECK(c.url.connection.password == "secret");
  CHECK(c.insert_mode == InsertMode::kUpsert);
  CHECK(c.delete_enabled);
  CHECK(c.truncate_enabled);
  CHECK(c.primary_key_mode == PrimaryKeyMode::kRecordKey);
  CHECK(c.primary_key_fields == std::vector<std::string>{"id", "region"});
  CHECK(c.schema_evolution == SchemaEvolution::kBasic);
  CHECK(c.table_name_format == "${source.schema}.${source.table}");
  CHECK(c.quote_identifiers);
  CHECK(c.batch_size == 50);
  CHECK(c.position_column.empty());
  CHECK(c.delete_mode == DeleteMode::kSoft);
  CHECK_FALSE(c.fields.keeps("orders", "secret"));
  CHECK_FALSE(c.fields.keeps("orders", "notes"));
  CHECK(c.fields.keeps("customers", "notes"));
  CHECK(c.fields.keeps("orders", "id"));
}

TEST_CASE("JdbcSinkConfig accepts Confluent JDBC sink keys when the Debezium key is absent", "[jdbc]") {
  ConfigMap m = base();
  m["connection.user"] = "confluent";
  m["auto.create"] = "true";
  m["pk.mode"] = "record_value";
  m["pk.fields"] = "id";
  m["fields.whitelist"] = "id,name";
  m["quote.sql.identifiers"] = "always";
  auto c = JdbcSinkConfig::parse(m);
  CHECK(c.url.connection.user == "confluent");
  CHECK(c.schema_evolution == SchemaEvolution::kBasic);
  CHECK(c.primary_key_mode == PrimaryKeyMode::kRecordValue);
  CHECK(c.primary_key_fields == std::vector<std::string>{"id"});
  CHECK(c.quote_identifiers);
  CHECK(c.fields.keeps("t", "name"));
  CHECK_FALSE(c.fields.keeps("t", "email"));

  m["primary.key.mode"] = "kafka";
  m["schema.evolution"] = "none";
  m["quote.identifiers"] = "false";
  auto d = JdbcSinkConfig::parse(m);
  CHECK(d.primary_key_mode == PrimaryKeyMode::kKafka);
  CHECK(d.schema_evolution == SchemaEvolution::kNone);
  CHECK_FALSE(d.quote_identifiers);
}

TEST_CASE("JdbcSinkConfig reports cross-key problems on their key", "[jdbc]") {
  ConfigMap m = base();
  m["delete.enabled"] = "true";
  CHECK_THAT(errors_on(m, "delete.enabled").at(0), Catch::Contains("primary.key.mode=record_key"));
  m["primary.key.mode"] = "record_key";
  CHECK(errors_on(m, "delete.enabled").empty());

  ConfigMap u = base();
  u["insert.mode"] = "update";
  CHECK_THAT(errors_on(u, "insert.mode").at(0), Catch::Contains("primary.key.mode"));
  u["pk.mode"] = "kafka";
  CHECK(errors_on(u, "insert.mode").empty());

  ConfigMap url = base();
  url["connection.url"] = "jdbc:sqlserver://h/db";
  CHECK_THAT(errors_on(url, "connection.url").at(0), Catch::Contains("sqlserver"));

  ConfigMap both = base();
  both["field.include.list"] = "a";
  both["field.exclude.list"] = "b";
  CHECK(errors_on(both, "field.exclude.list").size() == 1);

  ConfigMap rv = base();
  rv["primary.key.mode"] = "record_value";
  CHECK(errors_on(rv, "primary.key.fields").size() == 1);

  ConfigMap tz = base();
  tz["database.time_zone"] = "Europe/Paris";
  CHECK_THAT(errors_on(tz, "database.time_zone").at(0), Catch::Contains("UTC"));
  tz["database.time_zone"] = "utc";
  CHECK(errors_on(tz, "database.time_zone").empty());
}

TEST_CASE("JdbcSinkConfig::parse throws every problem at once", "[jdbc]") {
  ConfigMap m;
  m["insert.mode"] = "merge";
  m["batch.size"] = "0";
  try {
    JdbcSinkConfig::parse(m);
    FAIL("parse accepted a bad config");
  } catch (const ConfigError& e) {
    std::vector<std::string> keys;
    for (const auto& p : e.problems()) keys.push_back(p.key);
    CHECK(std::count(keys.begin(), keys.end(), "connection.url") == 1);
    CHECK(std::count(keys.begin(), keys.end(), "insert.mode") == 1);
    CHECK(std::count(keys.begin(), keys.end(), "batch.size") == 1);
  }
}

TEST_CASE("Every JDBC sink key is documented", "[jdbc]") {
  for (const auto& key : jdbc_sink_config_def().keys()) {
    INFO(key.name);
    CHECK_FALSE(key.documentation.empty());
  }
}

TEST_CASE("resolve_table_name substitutes placeholders and splits schema on a literal dot", "[jdbc]") {
  TableNameParts p{"server1.inventory.customers", "inventory", "public", "customers"};
  CHECK(resolve_table_name("${topic}", p) == TableId{"", "server1_inventory_customers"});
  CHECK(resolve_table_name("${source.schema}.${source.table}", p) == TableId{"public", "customers"});
  CHECK(resolve_table_name("sink_${source.table}", p) == TableId{"", "sink_customers"});
  CHECK(resolve_table_name("${source.db}.t_${source.table}", p) == TableId{"inventory", "t_customers"});
  CHECK_THROWS_AS(resolve_table_name("${nope}", p), DataError);
  TableNameParts flat{"orders", "", "", ""};
  CHECK_THROWS_WITH(resolve_table_name("${source.table}", flat), Catch::Contains("orders"));
}
