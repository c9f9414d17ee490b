#include "postgres_source_connector.h"

#include <algorithm>
#include <set>

#include "change_event_builder.h"
#include "postgres_source_task.h"
#include "sluice/errors.h"

namespace sluice::postgres {
namespace {

using T = ConfigType;
using I = Importance;

// A list of regular expressions that all compile.
const Validator& regex_list() {
  static const Validator v = validator(
      "comma-separated regular expressions", [](const std::string& name, const ConfigValueData& value) {
        const auto* items = std::get_if<std::vector<std::string>>(&value);
        if (items == nullptr) return;
        for (const auto& item : *items) {
          try {
            std::regex re(item, std::regex::ECMAScript | std::regex::icase);
          } catch (const std::regex_error& e) {
            throw ConfigError(name, "invalid regular expression '" + item + "': " + e.what());
          }
        }
      });
  return v;
}

ConfigDef& define_connection_keys(ConfigDef& def) {
  return def
      .define("topic.prefix", T::kString, kRequired, non_empty_string(), I::kHigh,
              "Topic prefix that identifies and provides a namespace for the PostgreSQL database "
              "server; every topic name starts with it, and it is the offset partition "
              "{\"server\": <prefix>}. Must never change.", "Connection", 0)
      .define("database.hostname", T::kString, kRequired, non_empty_string(), I::kHigh,
              "Resolvable hostname or IP address of the PostgreSQL server. A path starting with '/' "
              "is a unix-socket directory, as in libpq.", "Connection", 1)
      .define("database.port", T::kInt, 5432, between(1, 65535), I::kHigh,
              "Port of the PostgreSQL server.", "Connection", 2)
      .define("database.user", T::kString, kRequired, non_empty_string(), I::kHigh,
              "Name of the PostgreSQL user with the REPLICATION privilege (and CREATE on the "
              "database to create the publication).", "Connection", 3)
      .define("database.password", T::kPassword, kNullDefault, I::kHigh,
              "Password of the PostgreSQL user.", "Connection", 4)
      .define("database.dbname", T::kString, kRequired, non_empty_string(), I::kHigh,
              "Name of the database to capture.", "Connection", 5)
      .define("database.sslmode", T::kString, "prefer",
              one_of({"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}), I::kMedium,
              "Whether to use an encrypted connection (libpq's sslmode).", "Connection", 6)
      .define("database.connect.timeout.ms", T::kLong, 30000L, at_least(0), I::kLow,
              "How long to wait for a connection to be established, in milliseconds.", "Connection", 7);
}

ConfigDef& define_replication_keys(ConfigDef& def) {
  return def
      .define("plugin.name", T::kString, "pgoutput", one_of({"pgoutput"}), I::kMedium,
              "Logical decoding output plugin. Only the built-in pgoutput is supported "
              "(Debezium's decoderbufs needs a server extension).", "Replication", 0)
      .define("slot.name", T::kString, "debezium", non_empty_string(), I::kMedium,
              "Name of the logical replication slot, created on first start ([a-z0-9_], at most "
              "63 characters).", "Replication", 1)
      .define("slot.drop.on.stop", T::kBoolean, false, I::kLow,
              "Drop the replication slot when the task stops gracefully (for testing only: the "
              "next start takes a new snapshot or loses what happened meanwhile).", "Replication", 2)
      .define("publication.name", T::kString, "dbz_publication", non_empty_string(), I::kMedium,
              "Name of the pgoutput publication to stream.", "Replication", 3)
      .define("publication.autocreate.mode", T::kString, "all_tables",
              one_of({"all_tables", "disabled", "filtered", "no_tables"}), I::kLow,
              "all_tables: create the publication FOR ALL TABLES if it is missing; disabled: the "
              "publication must exist; filtered: create it (or reset it) FOR TABLE the captured "
              "tables; no_tables: create it without tables.", "Replication", 4)
      .define("slot.max.retries", T::kInt, 6, at_least(0), I::kLow,
              "How many times to retry connecting to a replication slot that another connection "
              "holds before the task fails.", "Replication", 7)
      .define("slot.retry.delay.ms", T::kLong, 10000L, at_least(0), I::kLow,
              "Wait between attempts to connect to a busy replication slot.", "Replication", 8)
      .define("status.update.interval.ms", T::kInt, 10000, at_least(100), I::kLow,
              "How often to send the server a standby status update.", "Replication", 5)
      .define("retriable.restart.connector.wait.ms", T::kLong, 10000L, at_least(0), I::kLow,
              "Longest wait between reconnection attempts after a retriable error.", "Replication", 6)
      .define("pgoutput.protocol.version", T::kString, "auto", one_of({"auto", "1", "2"}), I::kLow,
              "pgoutput protocol version. 1 (as Debezium): a transaction is sent once it "
              "committed. 2: transactions bigger than the server's logical_decoding_work_mem "
              "are streamed while in progress and kept in the spool directory until they "
              "commit, so a huge transaction costs the worker disk, not memory (PostgreSQL 14+). "
              "auto: 2 where the server supports it, else 1.", "Replication", 9)
      .define("spool.directory", T::kString, "", I::kLow,
              "Directory for in-progress transactions streamed under protocol 2; each task "
              "uses a subdirectory named after its slot. Empty: the system's temporary "
              "directory ($TMPDIR or /tmp).", "Replication", 10);
}

ConfigDef& define_filter_keys(ConfigDef& def) {
  return def
      .define("schema.include.list", T::kList, kNullDefault, regex_list(), I::kMedium,
              "Regular expressions matching the schemas to capture; no other schema is captured.",
              "Filters", 0)
      .define("schema.exclude.list", T::kList, kNullDefault, regex_list(), I::kMedium,
              "Regular expressions matching schemas not to capture. Not with schema.include.list.",
              "Filters", 1)
      .define("table.include.list", T::kList, kNullDefault, regex_list(), I::kMedium,
              "Regular expressions matching \"schema.table\" of the tables to capture.", "Filters", 2)
      .define("table.exclude.list", T::kList, kNullDefault, regex_list(), I::kMedium,
              "Regular expressions matching \"schema.table\" of tables not to capture. Not with "
              "table.include.list.", "Filters", 3);
}

ConfigDef& define_snapshot_keys(ConfigDef& def) {
  return def
      .define("snapshot.mode", T::kString, "initial",
              one_of({"initial", "initial_only", "no_data", "never", "always", "when_needed"}),
              I::kMedium,
              "initial: snapshot when there is no committed offset, then stream; initial_only: "
              "snapshot, then stop; no_data (alias never): stream only; always: snapshot on every "
              "start; when_needed: snapshot when there is no offset or the slot is gone.",
              "Snapshot", 0)
      .define("snapshot.fetch.size", T::kInt, 10240, at_least(1), I::kLow,
              "Rows fetched from a table per round trip during the snapshot.", "Snapshot", 1)
      .define("max.batch.size", T::kInt, 2048, at_least(1), I::kLow,
              "Most records returned by one poll().", "Snapshot", 2)
      .define("poll.interval.ms", T::kInt, 500, at_least(1), I::kLow,
              "Longest time poll() waits for changes before returning what it has.", "Snapshot", 3);
}

ConfigDef& define_heartbeat_keys(ConfigDef& def) {
  return def
      .define("heartbeat.interval.ms", T::kInt, 0, at_least(0), I::kMedium,
              "Interval of heartbeat records, 0 = none. A heartbeat carries the latest server "
              "position, so the slot advances on an idle database or one whose changes are not "
              "captured.", "Heartbeat", 0)
      .define("topic.heartbeat.prefix", T::kString, "__debezium-heartbeat", non_empty_string(),
              I::kLow, "Prefix of the heartbeat topic <prefix>.<topic.prefix>.", "Heartbeat", 1)
      .define("heartbeat.action.query", T::kString, kNullDefault, I::kLow,
              "SQL run on the database at each heartbeat, e.g. to write to a heartbeat table so "
              "that a database with no captured traffic still produces WAL to confirm.",
              "Heartbeat", 2);
}

// TypeMappingOptions' keys (EventOptions::config_def() leaves them out).
ConfigDef& define_type_keys(ConfigDef& def) {
  return def
      .define("decimal.handling.mode", T::kString, "precise",
              one_of_case_insensitive({"precise", "double", "string"}), I::kMedium,
              "How numeric and money values are represented: precise (Connect Decimal), double, "
              "or string.", "Events", 20)
      .define("time.precision.mode", T::kString, "adaptive",
              one_of_case_insensitive({"adaptive", "adaptive_time_microseconds", "connect",
                                       "microseconds", "nanoseconds"}),
              I::kMedium, "How time, date and timestamp values are represented.", "Events", 21)
      .define("binary.handling.mode", T::kString, "bytes",
              one_of_case_insensitive({"bytes", "base64", "base64-url-safe", "hex"}), I::kLow,
              "How bytea values are represented.", "Events", 22)
      .define("hstore.handling.mode", T::kString, "json", one_of_case_insensitive({"json", "map"}),
              I::kLow, "How hstore values are represented: json text or a map.", "Events", 23)
      .define("interval.handling.mode", T::kString, "numeric",
              one_of_case_insensitive({"numeric", "string"}), I::kLow,
              "How interval values are represented: microseconds or an ISO 8601 string.", "Events", 24)
      .define("money.fraction.digits", T::kInt, 2, at_least(0), I::kLow,
              "Scale of money values in precise mode.", "Events", 25)
      .define("include.unknown.datatypes", T::kBoolean, false, I::kLow,
              "Include columns of types the connector does not know, as their text in bytes.",
              "Events", 26);
}

void add_problem(std::vector<ConfigValue>& values, const std::string& key, std::string message) {
  for (auto& v : values) {
    if (v.name == key) {
      if (std::find(v.errors.begin(), v.errors.end(), message) == v.errors.end()) {
        v.errors.push_back(std::move(message));
      }
      return;
    }
  }
  ConfigValue extra;
  extra.name = key;
  extra.errors.push_back(std::move(message));
  values.push_back(std::move(extra));
}

bool given(const ConfigMap& config, const std::string& key) {
  auto it = config.find(key);
  return it != config.end() && it->second.find_first_not_of(" \t") != std::string::npos;
}

bool valid_slot_name(const std::string& name) {
  return !name.empty() && name.size() <= 63 &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
         });
}

// libpq keyword/value quoting: single quotes, backslash-escaped.
std::string conninfo_value(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string build_conninfo(const Config& c) {
  std::string info = "host=" + conninfo_value(c.get_string("database.hostname")) +
                     " port=" + std::to_string(c.get_int("database.port")) +
                     " user=" + conninfo_value(c.get_string("database.user")) +
                     " dbname=" + conninfo_value(c.get_string("database.dbname")) +
                     " sslmode=" + c.get_string("database.sslmode") +
                     " application_name='sluice-postgres'";
  if (!c.is_null("database.password")) info += " password=" + conninfo_value(c.get_string("database.password"));
  auto timeout_s = (c.get_long("database.connect.timeout.ms") + 999) / 1000;
  if (timeout_s > 0) info += " connect_timeout=" + std::to_string(std::max<std::int64_t>(timeout_s, 2));
  return info;
}

SnapshotMode parse_snapshot_mode(const std::string& mode) {
  if (mode == "initial_only") return SnapshotMode::kInitialOnly;
  if (mode == "no_data" || mode == "never") return SnapshotMode::kNoData;
  if (mode == "always") return SnapshotMode::kAlways;
  if (mode == "when_needed") return SnapshotMode::kWhenNeeded;
  return SnapshotMode::kInitial;
}

PublicationAutocreateMode parse_publication_mode(const std::string& mode) {
  if (mode == "disabled") return PublicationAutocreateMode::kDisabled;
  if (mode == "filtered") return PublicationAutocreateMode::kFiltered;
  if (mode == "no_tables") return PublicationAutocreateMode::kNoTables;
  return PublicationAutocreateMode::kAllTables;
}

std::vector<std::regex> compile(const std::vector<std::string>& patterns) {
  std::vector<std::regex> out;
  for (const auto& p : patterns) out.emplace_back(p, std::regex::ECMAScript | std::regex::icase);
  return out;
}

bool any_match(const std::vector<std::regex>& res, const std::string& text) {
  return std::any_of(res.begin(), res.end(), [&](const std::regex& re) { return std::regex_match(text, re); });
}

}  // namespace

const ConfigDef& postgres_source_config_def() {
  static const ConfigDef def = [] {
    ConfigDef d;
    define_connection_keys(d);
    define_replication_keys(d);
    define_filter_keys(d);
    define_snapshot_keys(d);
    define_heartbeat_keys(d);
    d.merge(EventOptions::config_def());
    ConfigDef types;
    d.merge(define_type_keys(types));
    return d;
  }();
  return def;
}

TableFilter::TableFilter(const std::vector<std::string>& schema_include,
                         const std::vector<std::string>& schema_exclude,
                         const std::vector<std::string>& table_include,
                         const std::vector<std::string>& table_exclude)
    : schema_include_(compile(schema_include)),
      schema_exclude_(compile(schema_exclude)),
      table_include_(compile(table_include)),
      table_exclude_(compile(table_exclude)) {}

bool TableFilter::includes(std::string_view schema, std::string_view table) const {
  static const std::set<std::string, std::less<>> kSystem{"pg_catalog", "information_schema", "pg_toast"};
  if (kSystem.count(schema) || schema.starts_with("pg_temp_") || schema.starts_with("pg_toast_temp_")) {
    return false;
  }
  std::string s(schema);
  if (!schema_include_.empty() && !any_match(schema_include_, s)) return false;
  if (any_match(schema_exclude_, s)) return false;
  std::string full = s + "." + std::string(table);
  if (!table_include_.empty() && !any_match(table_include_, full)) return false;
  return !any_match(table_exclude_, full);
}

void add_postgres_config_problems(const ConfigMap& config, std::vector<ConfigValue>& values) {
  if (given(config, "schema.include.list") && given(config, "schema.exclude.list")) {
    add_problem(values, "schema.exclude.list",
                "\"schema.include.list\" is already specified; schema.exclude.list cannot be used with it");
  }
  if (given(config, "table.include.list") && given(config, "table.exclude.list")) {
    add_problem(values, "table.exclude.list",
                "\"table.include.list\" is already specified; table.exclude.list cannot be used with it");
  }
  auto slot = config.find("slot.name");
  if (slot != config.end() && !valid_slot_name(slot->second)) {
    add_problem(values, "slot.name",
                "must be 1-63 characters of lower-case letters, digits and underscores");
  }
  try {
    EventOptions::from_config(config);
  } catch (const ConfigError& e) {
    for (const auto& p : e.problems()) add_problem(values, p.key.empty() ? "topic.prefix" : p.key, p.message);
  }
}

PostgresSourceConfig PostgresSourceConfig::parse(const ConfigMap& config) {
  std::vector<ConfigValue> values = postgres_source_config_def().validate(config);
  add_postgres_config_problems(config, values);
  std::vector<ConfigProblem> problems;
  for (const auto& v : values) {
    for (const auto& e : v.errors) problems.push_back({v.name, e});
  }
  if (!problems.empty()) throw ConfigError(std::move(problems));

  Config c = postgres_source_config_def().parse(config);
  PostgresSourceConfig out;
  out.conninfo = build_conninfo(c);
  out.dbname = c.get_string("database.dbname");
  out.topic_prefix = c.get_string("topic.prefix");
  out.slot_name = c.get_string("slot.name");
  out.slot_drop_on_stop = c.get_bool("slot.drop.on.stop");
  out.publication_name = c.get_string("publication.name");
  out.publication_mode = parse_publication_mode(c.get_string("publication.autocreate.mode"));
  out.snapshot_mode = parse_snapshot_mode(c.get_string("snapshot.mode"));
  auto list = [&](const char* key) {
    return c.is_null(key) ? std::vector<std::string>{} : c.get_list(key);
  };
  out.filter = TableFilter(list("schema.include.list"), list("schema.exclude.list"),
                           list("table.include.list"), list("table.exclude.list"));
  out.snapshot_fetch_size = c.get_int("snapshot.fetch.size");
  out.max_batch_size = c.get_int("max.batch.size");
  out.poll_interval_ms = c.get_int("poll.interval.ms");
  out.status_update_interval_ms = c.get_int("status.update.interval.ms");
  out.heartbeat_interval_ms = c.get_int("heartbeat.interval.ms");
  out.heartbeat_topic = c.get_string("topic.heartbeat.prefix") + "." + out.topic_prefix;
  out.heartbeat_action_query = c.get_string("heartbeat.action.query");
  out.retry_delay_ms = c.get_long("retriable.restart.connector.wait.ms");
  out.slot_max_retries = c.get_int("slot.max.retries");
  out.slot_retry_delay_ms = c.get_long("slot.retry.delay.ms");
  const std::string protocol = c.get_string("pgoutput.protocol.version");
  out.protocol_version = protocol == "auto" ? 0 : std::stoi(protocol);
  out.spool_directory = c.get_string("spool.directory");
  return out;
}

std::vector<ConfigValue> PostgresConnector::validate(const ConfigMap& config) const {
  std::vector<ConfigValue> values = config_def().validate(config);
  add_postgres_config_problems(config, values);
  return values;
}

void PostgresConnector::start(const ConfigMap& config, ConnectorContext& /*context*/) {
  PostgresSourceConfig::parse(config);  // throws ConfigError with every problem
  config_ = config;
}

std::vector<ConfigMap> PostgresConnector::task_configs(int /*max_tasks*/) { return {config_}; }

std::unique_ptr<SourceTask> PostgresConnector::create_task() {
  return std::make_unique<PostgresSourceTask>();
}

}  // namespace sluice::postgres
