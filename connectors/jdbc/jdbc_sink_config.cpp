#include "jdbc_sink_config.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "sluice/errors.h"

namespace sluice::jdbc {

namespace {

using T = ConfigType;
using I = Importance;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

void define_connection_keys(ConfigDef& def) {
  def.define("connection.url", T::kString, kRequired, non_empty_string(), I::kHigh,
             "JDBC URL of the target database: jdbc:postgresql://host:5432/db, "
             "jdbc:mysql://host:3306/db or jdbc:mariadb://host:3306/db. Query parameters user and "
             "password are read; the others are passed to the database client.",
             "Connection", 1)
      .define("connection.username", T::kString, kNullDefault, I::kHigh,
              "User to connect as (overrides a user in the URL).", "Connection", 2)
      .define("connection.password", T::kPassword, kNullDefault, I::kHigh,
              "Password of the user (overrides a password in the URL).", "Connection", 3)
      .define("connection.user", T::kString, kNullDefault, I::kLow,
              "Confluent JDBC sink spelling of connection.username, used when that key is absent.",
              "Connection", 4)
      .define("database.time_zone", T::kString, "UTC",
              validator("UTC", [](const std::string& name, const ConfigValueData& v) {
                const auto* s = std::get_if<std::string>(&v);
                if (s != nullptr && lower(*s) != "utc") {
                  throw ConfigError(name, "only UTC is supported, not '" + *s + "'");
                }
              }),
              I::kMedium,
              "Time zone in which temporal values without a zone are written. Only UTC is "
              "supported.",
              "Connection", 5);
}

void define_write_keys(ConfigDef& def) {
  def.define("insert.mode", T::kString, "insert",
             one_of_case_insensitive({"insert", "upsert", "update"}), I::kHigh,
             "How rows are written: insert (plain INSERT), upsert (insert or update by primary "
             "key) or update (UPDATE by primary key only). upsert and update need a "
             "primary.key.mode other than none.",
             "Writes", 1)
      .define("delete.enabled", T::kBoolean, false, I::kMedium,
              "Whether delete events and tombstones delete rows. Requires "
              "primary.key.mode=record_key. When false they are skipped.",
              "Writes", 2)
      .define("truncate.enabled", T::kBoolean, false, I::kMedium,
              "Whether truncate events empty the target table. When false they are skipped.",
              "Writes", 3)
      .define("primary.key.mode", T::kString, "none",
              one_of_case_insensitive({"none", "kafka", "record_key", "record_value"}), I::kHigh,
              "Where the primary key comes from: none, kafka (columns __connect_topic, "
              "__connect_partition, __connect_offset), record_key (the record key's fields, or a "
              "primitive key named by primary.key.fields) or record_value (the value fields named "
              "by primary.key.fields).",
              "Writes", 4)
      .define("primary.key.fields", T::kList, kNullDefault, I::kMedium,
              "Primary key columns: for record_key the key fields to use (all when empty; the "
              "column name of a primitive key), for record_value the value fields (required).",
              "Writes", 5)
      .define("batch.size", T::kInt, 500, at_least(1), I::kMedium,
              "Most records written in one database transaction.", "Writes", 6)
      .define("pk.mode", T::kString, kNullDefault,
              one_of_case_insensitive({"none", "kafka", "record_key", "record_value"}), I::kLow,
              "Confluent JDBC sink spelling of primary.key.mode, used when that key is absent.",
              "Writes", 7)
      .define("pk.fields", T::kList, kNullDefault, I::kLow,
              "Confluent JDBC sink spelling of primary.key.fields, used when that key is absent.",
              "Writes", 8);
}

void define_table_keys(ConfigDef& def) {
  def.define("table.name.format", T::kString, "${topic}", non_empty_string(), I::kMedium,
             "Target table name. Placeholders: ${topic} (dots become '_'), ${source.db}, "
             "${source.schema}, ${source.table}. A '.' in the format separates schema and table.",
             "Tables", 1)
      .define("collection.name.format", T::kString, kNullDefault, non_empty_string(), I::kMedium,
              "Newer Debezium name of table.name.format; wins when both are set.", "Tables", 2)
      .define("schema.evolution", T::kString, "none", one_of_case_insensitive({"none", "basic"}),
              I::kMedium,
              "none: tables must exist with every column; basic: create missing tables and add "
              "missing columns (never drops columns or changes types).",
              "Tables", 3)
      .define("quote.identifiers", T::kBoolean, false, I::kMedium,
              "Quote table and column names, keeping their case; otherwise the database folds them.",
              "Tables", 4)
      .define("auto.create", T::kBoolean, kNullDefault, I::kLow,
              "Confluent JDBC sink key: true means schema.evolution=basic when that key is absent.",
              "Tables", 5)
      .define("auto.evolve", T::kBoolean, kNullDefault, I::kLow,
              "Confluent JDBC sink key: true means schema.evolution=basic when that key is absent.",
              "Tables", 6)
      .define("quote.sql.identifiers", T::kString, kNullDefault,
              one_of_case_insensitive({"always", "never"}), I::kLow,
              "Confluent JDBC sink spelling of quote.identifiers (always = true), used when that key "
              "is absent.",
              "Tables", 7);
}

void define_field_and_sluice_keys(ConfigDef& def) {
  def.define("field.include.list", T::kList, kNullDefault, I::kMedium,
             "Value fields to write, as field or topic:field; all when empty. Cannot be used with "
             "field.exclude.list.",
             "Fields", 1)
      .define("field.exclude.list", T::kList, kNullDefault, I::kMedium,
              "Value fields not to write, as field or topic:field.", "Fields", 2)
      .define("fields.whitelist", T::kList, kNullDefault, I::kLow,
              "Confluent JDBC sink spelling of field.include.list, used when that key is absent.",
              "Fields", 3)
      .define("position.column.name", T::kString, "__sluice_position", I::kMedium,
              "BIGINT column that stores the source position of the change that wrote each row "
              "(PostgreSQL LSN, MySQL binlog position; 0 for snapshot rows); a redelivered or older "
              "change does not overwrite a newer one. Records without a source position are "
              "written without it. Empty disables the guard.",
              "Ordering", 1)
      .define("checkpoint.table.name", T::kString, "__sluice_sink_checkpoints", non_empty_string(),
              I::kLow,
              "Table that stores, in the transaction of each batch, the last offset and source "
              "position applied per topic partition.",
              "Ordering", 2)
      .define("delete.mode", T::kString, "hard", one_of_case_insensitive({"hard", "soft"}),
              I::kMedium,
              "hard: deletes remove the row; soft: they set delete.soft.flag.column to true and "
              "delete.soft.timestamp.column to the time of the delete.",
              "Writes", 9)
      .define("delete.soft.flag.column", T::kString, "__deleted", non_empty_string(), I::kLow,
              "BOOLEAN column set by soft deletes.", "Writes", 10)
      .define("delete.soft.timestamp.column", T::kString, "__deleted_at", non_empty_string(),
              I::kLow, "Timestamp column set by soft deletes.", "Writes", 11);
}

// A key's raw value, or its alias's when the key is absent.
std::optional<std::string> raw(const ConfigMap& config, const char* key, const char* alias = nullptr) {
  auto it = config.find(key);
  if (it != config.end()) return trim(it->second);
  if (alias != nullptr) {
    it = config.find(alias);
    if (it != config.end()) return trim(it->second);
  }
  return std::nullopt;
}

struct CrossKeyView {
  std::string insert_mode;
  std::string pk_mode;
  bool delete_enabled = false;
};

CrossKeyView cross_key_view(const ConfigMap& config) {
  CrossKeyView v;
  v.insert_mode = lower(raw(config, "insert.mode").value_or("insert"));
  v.pk_mode = lower(raw(config, "primary.key.mode", "pk.mode").value_or("none"));
  v.delete_enabled = lower(raw(config, "delete.enabled").value_or("false")) == "true";
  return v;
}

void add_problem(std::vector<ConfigValue>& values, const std::string& key, std::string message) {
  for (auto& v : values) {
    if (v.name == key) {
      v.errors.push_back(std::move(message));
      return;
    }
  }
  ConfigValue v;
  v.name = key;
  v.errors.push_back(std::move(message));
  values.push_back(std::move(v));
}

bool has_errors(const std::vector<ConfigValue>& values, const std::string& key) {
  for (const auto& v : values) {
    if (v.name == key) return !v.errors.empty();
  }
  return false;
}

void add_cross_key_problems(const ConfigMap& config, std::vector<ConfigValue>& values) {
  CrossKeyView v = cross_key_view(config);
  if (v.delete_enabled && v.pk_mode != "record_key") {
    add_problem(values, "delete.enabled",
                "delete.enabled=true requires primary.key.mode=record_key, not " + v.pk_mode);
  }
  if ((v.insert_mode == "upsert" || v.insert_mode == "update") && v.pk_mode == "none") {
    add_problem(values, "insert.mode",
                "insert.mode=" + v.insert_mode + " requires a primary.key.mode other than none");
  }
  if (v.pk_mode == "record_value") {
    auto fields = raw(config, "primary.key.fields", "pk.fields");
    if (!fields || split_list(*fields).empty()) {
      add_problem(values, "primary.key.fields",
                  "primary.key.mode=record_value requires the value fields of the key");
    }
  }
  auto include = raw(config, "field.include.list", "fields.whitelist");
  auto exclude = raw(config, "field.exclude.list");
  if (include && exclude && !split_list(*include).empty() && !split_list(*exclude).empty()) {
    add_problem(values, "field.exclude.list", "cannot be used together with field.include.list");
  }
  auto url = config.find("connection.url");
  if (url != config.end() && !has_errors(values, "connection.url")) {
    try {
      parse_jdbc_url(trim(url->second));
    } catch (const ConfigError& e) {
      for (const auto& p : e.problems()) add_problem(values, "connection.url", p.message);
    }
  }
}

std::vector<FieldRule> field_rules(const std::vector<std::string>& entries) {
  std::vector<FieldRule> rules;
  for (const auto& e : entries) {
    auto colon = e.rfind(':');
    if (colon == std::string::npos) {
      rules.push_back({"", e});
    } else {
      rules.push_back({e.substr(0, colon), e.substr(colon + 1)});
    }
  }
  return rules;
}

std::vector<std::string> list_or_alias(const Config& c, const ConfigMap& config, const char* key,
                                       const char* alias) {
  const char* use = config.count(key) != 0 || alias == nullptr ? key : alias;
  return c.is_null(use) ? std::vector<std::string>{} : c.get_list(use);
}

void resolve_modes(const Config& c, const ConfigMap& config, JdbcSinkConfig& out) {
  const std::string insert = lower(c.get_string("insert.mode"));
  out.insert_mode = insert == "upsert"   ? InsertMode::kUpsert
                    : insert == "update" ? InsertMode::kUpdate
                                         : InsertMode::kInsert;
  const std::string pk = lower(raw(config, "primary.key.mode", "pk.mode").value_or("none"));
  out.primary_key_mode = pk == "kafka"          ? PrimaryKeyMode::kKafka
                         : pk == "record_key"   ? PrimaryKeyMode::kRecordKey
                         : pk == "record_value" ? PrimaryKeyMode::kRecordValue
                                                : PrimaryKeyMode::kNone;
  out.primary_key_fields = list_or_alias(c, config, "primary.key.fields", "pk.fields");
  if (config.count("schema.evolution") != 0) {
    out.schema_evolution = lower(c.get_string("schema.evolution")) == "basic"
                               ? SchemaEvolution::kBasic
                               : SchemaEvolution::kNone;
  } else {
    bool create = !c.is_null("auto.create") && c.get_bool("auto.create");
    bool evolve = !c.is_null("auto.evolve") && c.get_bool("auto.evolve");
    out.schema_evolution = create || evolve ? SchemaEvolution::kBasic : SchemaEvolution::kNone;
  }
  if (config.count("quote.identifiers") != 0 || c.is_null("quote.sql.identifiers")) {
    out.quote_identifiers = c.get_bool("quote.identifiers");
  } else {
    out.quote_identifiers = lower(c.get_string("quote.sql.identifiers")) == "always";
  }
  out.delete_mode = lower(c.get_string("delete.mode")) == "soft" ? DeleteMode::kSoft : DeleteMode::kHard;
}

}  // namespace

bool FieldFilter::keeps(const std::string& topic, const std::string& field) const {
  auto matches = [&](const FieldRule& r) {
    return r.field == field && (r.topic.empty() || r.topic == topic);
  };
  if (!include.empty()) return std::any_of(include.begin(), include.end(), matches);
  return std::none_of(exclude.begin(), exclude.end(), matches);
}

const ConfigDef& jdbc_sink_config_def() {
  static const ConfigDef def = [] {
    ConfigDef d;
    define_connection_keys(d);
    define_write_keys(d);
    define_table_keys(d);
    define_field_and_sluice_keys(d);
    return d;
  }();
  return def;
}

std::vector<ConfigValue> validate_jdbc_sink_config(const ConfigMap& config) {
  std::vector<ConfigValue> values = jdbc_sink_config_def().validate(config);
  add_cross_key_problems(config, values);
  return values;
}

JdbcSinkConfig JdbcSinkConfig::parse(const ConfigMap& config) {
  std::vector<ConfigProblem> problems;
  for (const auto& v : validate_jdbc_sink_config(config)) {
    for (const auto& e : v.errors) problems.push_back({v.name, e});
  }
  if (!problems.empty()) throw ConfigError(std::move(problems));

  Config c = jdbc_sink_config_def().parse(config);
  JdbcSinkConfig out;
  auto name = config.find("name");
  if (name != config.end()) out.connector_name = name->second;
  out.url = parse_jdbc_url(c.get_string("connection.url"));
  if (auto user = raw(config, "connection.username", "connection.user")) out.url.connection.user = *user;
  if (!c.is_null("connection.password")) out.url.connection.password = c.get_string("connection.password");
  resolve_modes(c, config, out);
  out.delete_enabled = c.get_bool("delete.enabled");
  out.truncate_enabled = c.get_bool("truncate.enabled");
  out.table_name_format = c.is_null("collection.name.format") ? c.get_string("table.name.format")
                                                              : c.get_string("collection.name.format");
  out.batch_size = c.get_int("batch.size");
  out.fields.include = field_rules(list_or_alias(c, config, "field.include.list", "fields.whitelist"));
  out.fields.exclude = field_rules(list_or_alias(c, config, "field.exclude.list", nullptr));
  out.position_column = c.get_string("position.column.name");
  out.soft_delete_flag_column = c.get_string("delete.soft.flag.column");
  out.soft_delete_timestamp_column = c.get_string("delete.soft.timestamp.column");
  out.checkpoint_table = c.get_string("checkpoint.table.name");
  return out;
}

TableId resolve_table_name(const std::string& format, const TableNameParts& parts) {
  std::string segments[2];
  int current = 0;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format.compare(i, 2, "${") == 0) {
      auto close = format.find('}', i);
      if (close == std::string::npos) throw DataError("table.name.format '" + format + "': unclosed ${");
      const std::string key = format.substr(i + 2, close - i - 2);
      std::string value;
      if (key == "topic") {
        value = parts.topic;
        std::replace(value.begin(), value.end(), '.', '_');
      } else if (key == "source.db") {
        value = parts.source_db;
      } else if (key == "source.schema") {
        value = parts.source_schema;
      } else if (key == "source.table") {
        value = parts.source_table;
      } else {
        throw DataError("table.name.format '" + format + "': unknown placeholder ${" + key + "}");
      }
      if (value.empty()) {
        throw DataError("table.name.format '" + format + "' needs ${" + key + "}, which topic '" +
                        parts.topic + "' does not carry");
      }
      segments[current] += value;
      i = close;
    } else if (format[i] == '.' && current == 0) {
      current = 1;
    } else {
      segments[current] += format[i];
    }
  }
  if (current == 0) return TableId{"", segments[0]};
  return TableId{segments[0], segments[1]};
}

}  // namespace sluice::jdbc
