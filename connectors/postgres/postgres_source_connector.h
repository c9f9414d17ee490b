// PostgresConnector: a drop-in for Debezium's io.debezium.connector.postgresql.PostgresConnector.
//
// Captures one database through logical replication with the built-in pgoutput plugin: an
// initial snapshot from the replication slot's exported snapshot, then the change stream from the
// slot's consistent point. Configuration keys, defaults, the offset partition
// ({"server": <topic.prefix>}), topics and envelopes are Debezium's, so a Debezium connector JSON
// (and its stored offsets) work unchanged. Always one task, whatever tasks.max says (a slot has one
// reader), as Debezium does.
//
// Threads: the herder's, one call at a time (see sluice/connector.h). validate() and start() do
// not connect to the database; the task does.
#pragma once

#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/connector.h"

namespace sluice::postgres {

// Every key the connector and its task understand (Debezium's names and defaults), including the
// event and type-mapping keys that ChangeEventBuilder's EventOptions parses.
const ConfigDef& postgres_source_config_def();

enum class SnapshotMode { kInitial, kInitialOnly, kNoData, kAlways, kWhenNeeded };
enum class PublicationAutocreateMode { kAllTables, kDisabled, kFiltered, kNoTables };

// Which tables are captured: Debezium's schema.include/exclude.list and table.include/exclude.list
// (comma-separated regular expressions, matched case-insensitively against the whole schema name
// or "schema.table"). System schemas (pg_catalog, information_schema, pg_toast, pg_temp_*) are
// never captured. Immutable after construction; safe to share between threads.
class TableFilter {
 public:
  TableFilter() = default;
  TableFilter(const std::vector<std::string>& schema_include,
              const std::vector<std::string>& schema_exclude,
              const std::vector<std::string>& table_include,
              const std::vector<std::string>& table_exclude);

  bool includes(std::string_view schema, std::string_view table) const;

 private:
  std::vector<std::regex> schema_include_, schema_exclude_, table_include_, table_exclude_;
};

// The parsed configuration the task works from.
struct PostgresSourceConfig {
  std::string conninfo;  // libpq keyword/value string built from database.*
  std::string dbname;
  std::string topic_prefix;
  std::string slot_name;
  bool slot_drop_on_stop = false;
  std::string publication_name;
  PublicationAutocreateMode publication_mode = PublicationAutocreateMode::kAllTables;
  SnapshotMode snapshot_mode = SnapshotMode::kInitial;
  TableFilter filter;
  std::int32_t snapshot_fetch_size = 10240;
  std::int32_t max_batch_size = 2048;
  std::int32_t poll_interval_ms = 500;
  std::int32_t status_update_interval_ms = 10000;
  std::int32_t heartbeat_interval_ms = 0;
  std::string heartbeat_topic;  // "__debezium-heartbeat.<prefix>" unless topic.heartbeat.prefix
  std::string heartbeat_action_query;
  std::int64_t retry_delay_ms = 10000;  // retriable.restart.connector.wait.ms: longest reconnect wait
  std::int32_t slot_max_retries = 6;    // a slot held by another connection: attempts before failing
  std::int64_t slot_retry_delay_ms = 10000;
  int protocol_version = 0;      // pgoutput.protocol.version: 1, 2, or 0 for auto
  std::string spool_directory;  // empty: the system's temporary directory

  // Parses and validates; throws ConfigError listing every problem.
  static PostgresSourceConfig parse(const ConfigMap& config);
};

// Cross-key and key-level problems the ConfigDef alone cannot see (include and exclude lists
// together, a slot name PostgreSQL would refuse, bad regular expressions, EventOptions' checks),
// appended to `values` under the key they concern.
void add_postgres_config_problems(const ConfigMap& config, std::vector<ConfigValue>& values);

class PostgresConnector : public SourceConnector {
 public:
  const ConfigDef& config_def() const override { return postgres_source_config_def(); }
  std::vector<ConfigValue> validate(const ConfigMap& config) const override;
  void start(const ConfigMap& config, ConnectorContext& context) override;
  // Exactly one task, with the connector's configuration.
  std::vector<ConfigMap> task_configs(int max_tasks) override;
  void stop() override {}
  std::unique_ptr<SourceTask> create_task() override;

 private:
  ConfigMap config_;
};

}  // namespace sluice::postgres
