#include "runtime/worker_config.h"

#include <fmt/format.h>

#include "sluice/errors.h"

namespace sluice::runtime {

namespace {
// Key prefixes that carry settings for something the worker configures (converters, providers).
constexpr std::string_view kPassThroughPrefixes[] = {"key.converter.", "value.converter.", "header.converter.",
                                                     "config.providers."};

bool passes_through(const std::string& key) {
  for (auto prefix : kPassThroughPrefixes) {
    if (key.starts_with(prefix)) return true;
  }
  return false;
}

struct Listener {
  std::string protocol;
  std::string host;
  std::string port;
};

Listener split_listener(const std::string& url) {
  Listener l;
  auto scheme = url.find("://");
  std::string rest = url;
  if (scheme != std::string::npos) {
    l.protocol = url.substr(0, scheme);
    rest = url.substr(scheme + 3);
  }
  auto colon = rest.rfind(':');
  if (colon == std::string::npos) {
    l.host = rest;
  } else {
    l.host = rest.substr(0, colon);
    l.port = rest.substr(colon + 1);
  }
  return l;
}
}  // namespace

const ConfigDef& WorkerConfig::config_def() {
  using T = ConfigType;
  static const ConfigDef def = ConfigDef{}
      .define("bootstrap.servers", T::kList, kNullDefault, Importance::kHigh,
              "Kafka brokers to use for data and internal topics. Leave it out to run on the embedded bus: "
              "records go in-process from source tasks to the sink tasks whose topics match.")
      .define("plugin.path", T::kList, "", Importance::kLow,
              "Directories holding plugin .so files (directly or one level down).")
      .define("key.converter", T::kClass, kRequired, Importance::kHigh,
              "Converter class for record keys, unless a connector overrides it.")
      .define("value.converter", T::kClass, kRequired, Importance::kHigh,
              "Converter class for record values, unless a connector overrides it.")
      .define("header.converter", T::kClass, "org.apache.kafka.connect.storage.SimpleHeaderConverter",
              Importance::kLow, "Converter class for header values, unless a connector overrides it.")
      .define("offset.storage.file.filename", T::kString, kRequired, non_empty_string(), Importance::kHigh,
              "File where source offsets are stored (rewritten atomically on each commit).")
      .define("config.storage.file.filename", T::kString, "", Importance::kMedium,
              "File where connector configurations and target states are kept so connectors created over REST "
              "survive a restart. Empty: they live only as long as the process.")
      .define("offset.flush.interval.ms", T::kLong, 60000L, at_least(1), Importance::kLow,
              "How often tasks commit offsets.")
      .define("offset.flush.timeout.ms", T::kLong, 5000L, at_least(0), Importance::kLow,
              "How long a commit may wait for records to be flushed before it is cancelled and retried later.")
      .define("task.shutdown.graceful.timeout.ms", T::kLong, 5000L, at_least(0), Importance::kLow,
              "How long to wait, in total, for tasks to stop gracefully before they are abandoned.")
      .define("listeners", T::kList, "http://:8083", Importance::kLow,
              "REST listeners, as protocol://host:port; an empty host listens on all interfaces.")
      .define("rest.advertised.host.name", T::kString, kNullDefault, Importance::kLow,
              "Host name shown as this worker's id and given to other workers.")
      .define("rest.advertised.port", T::kInt, kNullDefault, Importance::kLow,
              "Port shown as this worker's id and given to other workers.")
      .define("rest.advertised.listener", T::kString, kNullDefault, Importance::kLow,
              "Protocol (http) advertised to other workers.")
      .define("config.providers", T::kList, "", Importance::kLow,
              "Aliases of config providers (file, env, directory) that resolve ${alias:path:key} in connector "
              "configs; each needs config.providers.<alias>.class.")
      .define("topic.tracking.enable", T::kBoolean, true, Importance::kLow,
              "Track the topics each connector uses (GET /connectors/{name}/topics).")
      .define("topic.tracking.allow.reset", T::kBoolean, true, Importance::kLow,
              "Allow PUT /connectors/{name}/topics/reset.")
      .define("embedded.bus.buffer.bytes", T::kLong, 16L << 20, at_least(1024), Importance::kMedium,
              "Embedded bus only: most bytes of records a topic holds before its producers wait. Records "
              "leave the bus once every sink reading the topic has committed them.")
      .define("embedded.bus.pass.records", T::kBoolean, true, Importance::kLow,
              "Embedded bus only: hand a source's records to the sinks as objects, without serializing and "
              "parsing them, where the sink's converters would only rebuild them: both sides use the same key "
              "and value converter class and settings, and the converter allows it (JsonConverter with "
              "schemas.enable=true and decimal.format=BASE64). Sinks see the same records either way; false "
              "always goes through the bytes.")
      .define("embedded.bus.ephemeral.topics.regex", T::kString, R"(__debezium-heartbeat\..*)", valid_regex(),
              Importance::kLow,
              "Embedded bus only: topics whose records need not wait for a reader, such as Debezium's heartbeat "
              "topics. A record sent to a matching topic while no sink connector reads it is acknowledged at "
              "once and not kept, so it never holds back the source's later offset commits; while a sink "
              "connector reads the topic, its records are kept and delivered like any other. Empty: every topic "
              "waits for a reader.");
  return def;
}

WorkerConfig::WorkerConfig(const ConfigMap& props) {
  std::vector<ConfigProblem> problems;
  for (const auto& [key, value] : props) {
    if (!config_def().find(key) && !passes_through(key)) {
      problems.push_back({key, fmt::format("Unknown worker configuration '{}'", key)});
    }
  }
  try {
    config_ = config_def().parse(props);
  } catch (const ConfigError& e) {
    problems.insert(problems.end(), e.problems().begin(), e.problems().end());
  }
  if (!problems.empty()) throw ConfigError(std::move(problems));
}

std::string WorkerConfig::worker_id(std::uint16_t bound_port) const {
  auto listeners = config_.get_list("listeners");
  Listener first = listeners.empty() ? Listener{"http", "", ""} : split_listener(listeners.front());
  std::string host = config_.is_null("rest.advertised.host.name") ? first.host
                                                                   : config_.get_string("rest.advertised.host.name");
  if (host.empty() || host == "0.0.0.0" || host == "::" || host == "[::]") host = "127.0.0.1";
  std::string port = config_.is_null("rest.advertised.port") ? std::to_string(bound_port)
                                                               : std::to_string(config_.get_int("rest.advertised.port"));
  return host + ":" + port;
}

std::string WorkerConfig::advertised_url(std::uint16_t bound_port) const {
  std::string protocol = config_.is_null("rest.advertised.listener") ? "http"
                                                                       : config_.get_string("rest.advertised.listener");
  return protocol + "://" + worker_id(bound_port) + "/";
}

}  // namespace sluice::runtime
