// JdbcSinkConfig: the JDBC sink's ConfigDef and its resolved form.
//
// Keys are Debezium's JDBC sink keys with Debezium's defaults. Confluent JDBC sink spellings are
// accepted when the Debezium key is absent (connection.user, auto.create/auto.evolve, pk.mode,
// pk.fields, fields.whitelist, quote.sql.identifiers); sluice adds the ordering guard column, soft
// deletes and the checkpoint table name. Cross-key rules (delete.enabled needs
// primary.key.mode=record_key, upsert/update need a primary key, the URL must parse) are reported
// on the key they concern, both by validate and by parse.
//
// Plain values and pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "jdbc_url.h"
#include "sink_database.h"
#include "sluice/config_def.h"

namespace sluice::jdbc {

enum class PrimaryKeyMode { kNone, kKafka, kRecordKey, kRecordValue };
enum class SchemaEvolution { kNone, kBasic };
enum class DeleteMode { kHard, kSoft };

// One field.include.list / field.exclude.list entry: `field` (every topic) or `topic:field`.
struct FieldRule {
  std::string topic;  // empty = every topic
  std::string field;
};

// Which value fields become columns. Include and exclude are exclusive (a config error).
struct FieldFilter {
  std::vector<FieldRule> include;
  std::vector<FieldRule> exclude;

  bool keeps(const std::string& topic, const std::string& field) const;
};

struct JdbcSinkConfig {
  std::string connector_name;  // the `name` key the runtime passes to tasks ("" when absent)
  JdbcUrl url;                 // connection.url, with connection.username/password applied
  InsertMode insert_mode = InsertMode::kInsert;
  bool delete_enabled = false;
  bool truncate_enabled = false;
  PrimaryKeyMode primary_key_mode = PrimaryKeyMode::kNone;
  std::vector<std::string> primary_key_fields;
  SchemaEvolution schema_evolution = SchemaEvolution::kNone;
  std::string table_name_format = "${topic}";
  bool quote_identifiers = false;
  int batch_size = 500;
  FieldFilter fields;
  std::string position_column = "__sluice_position";  // empty: no guard
  DeleteMode delete_mode = DeleteMode::kHard;
  std::string soft_delete_flag_column = "__deleted";
  std::string soft_delete_timestamp_column = "__deleted_at";
  std::string checkpoint_table = "__sluice_sink_checkpoints";

  // Throws ConfigError carrying every problem (single-key and cross-key).
  static JdbcSinkConfig parse(const ConfigMap& config);
};

const ConfigDef& jdbc_sink_config_def();

// The ConfigDef's own checks plus the cross-key ones, each on its key. Never throws.
std::vector<ConfigValue> validate_jdbc_sink_config(const ConfigMap& config);

// The target table of a record: table.name.format with ${topic} (dots replaced by '_'),
// ${source.db}, ${source.schema} and ${source.table} substituted. A '.' written in the format
// itself separates schema and table ("${source.schema}.${source.table}"). Throws DataError for an
// unknown placeholder, or when the format needs a source field the record does not carry.
struct TableNameParts {
  std::string topic;
  std::string source_db;
  std::string source_schema;
  std::string source_table;
};
TableId resolve_table_name(const std::string& format, const TableNameParts& parts);

}  // namespace sluice::jdbc
