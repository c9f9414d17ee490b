#include "runtime/connector_config.h"

#include <fmt/format.h>

#include "sluice/errors.h"

namespace sluice::runtime {

namespace {

void define_common(ConfigDef& def) {
  using T = ConfigType;
  def.define("name", T::kString, kRequired, non_empty_string(), Importance::kHigh,
             "Globally unique name to use for this connector.", kCommonGroup, 1, Width::kMedium,
             "Connector name")
      .define("connector.class", T::kString, kRequired, Importance::kHigh,
              "Name or alias of the class for this connector, e.g. "
              "org.apache.kafka.connect.file.FileStreamSinkConnector or FileStreamSink.",
              kCommonGroup, 2, Width::kLong, "Connector class")
      .define("tasks.max", T::kInt, 1, at_least(1), Importance::kHigh,
              "Maximum number of tasks to use for this connector.", kCommonGroup, 3, Width::kShort,
              "Tasks max")
      .define("key.converter", T::kClass, kNullDefault, Importance::kLow,
              "Converter for record keys; overrides the worker's key.converter.", kCommonGroup, 4,
              Width::kShort, "Key converter class")
      .define("value.converter", T::kClass, kNullDefault, Importance::kLow,
              "Converter for record values; overrides the worker's value.converter.", kCommonGroup, 5,
              Width::kShort, "Value converter class")
      .define("header.converter", T::kClass, kNullDefault, Importance::kLow,
              "Converter for header values; overrides the worker's header.converter.", kCommonGroup, 6,
              Width::kShort, "Header converter class")
      .define("config.action.reload", T::kString, "restart", one_of_case_insensitive({"none", "restart"}),
              Importance::kLow, "What to do when a config provider's value changes: none or restart.",
              kCommonGroup, 7, Width::kMedium, "Reload Action")
      .define("transforms", T::kList, "", Importance::kLow,
              "Aliases of the transformations to apply to records, in order.", kTransformsGroup, 8,
              Width::kLong, "Transforms")
      .define("predicates", T::kList, "", Importance::kLow,
              "Aliases of the predicates used by transformations.", kPredicatesGroup, 9, Width::kLong,
              "Predicates");
}

void define_errors(ConfigDef& def, bool sink) {
  using T = ConfigType;
  def.define("errors.retry.timeout", T::kLong, 0L, at_least(-1), Importance::kMedium,
             "Milliseconds to keep retrying a failed operation (conversion, transformation, put); -1 retries "
             "forever, 0 not at all.",
             kErrorGroup, 1, Width::kMedium, "Retry Timeout for Errors")
      .define("errors.retry.delay.max.ms", T::kLong, 60000L, at_least(1), Importance::kMedium,
              "Longest wait between retries; waits double from 300 ms up to this.", kErrorGroup, 2,
              Width::kMedium, "Maximum Delay Between Retries for Errors")
      .define("errors.tolerance", T::kString, "none", one_of_case_insensitive({"none", "all"}), Importance::kMedium,
              "none: an error fails the task. all: the failing record is skipped (and logged / dead-lettered).",
              kErrorGroup, 3, Width::kShort, "Error Tolerance")
      .define("errors.log.enable", T::kBoolean, false, Importance::kMedium,
              "Log each failed operation and the record it was working on.", kErrorGroup, 4, Width::kShort,
              "Log Errors")
      .define("errors.log.include.messages", T::kBoolean, false, Importance::kMedium,
              "Include the record's key, value and headers in error log lines.", kErrorGroup, 5,
              Width::kShort, "Log Error Details");
  if (!sink) return;
  def.define("errors.deadletterqueue.topic.name", T::kString, "", Importance::kMedium,
             "Topic that receives records whose conversion, transformation or write failed (with "
             "errors.tolerance=all). On the embedded bus it is an ordinary topic any sink can read.",
             kErrorGroup, 6, Width::kMedium, "Dead Letter Queue Topic Name")
      .define("errors.deadletterqueue.topic.replication.factor", T::kShort, 3, Importance::kLow,
              "Replication factor of the dead letter queue topic (Kafka mode).", kErrorGroup, 7,
              Width::kMedium, "Dead Letter Queue Topic Replication Factor")
      .define("errors.deadletterqueue.context.headers.enable", T::kBoolean, false, Importance::kMedium,
              "Add __connect.errors.* headers describing the failure to dead-lettered records.", kErrorGroup,
              8, Width::kMedium, "Enable Error Context Headers");
}

ConfigDef make_base(bool sink) {
  ConfigDef def;
  define_common(def);
  if (sink) {
    def.define("topics", ConfigType::kList, "", Importance::kHigh,
               "Topics to consume. Give either this or topics.regex.", kCommonGroup, 4, Width::kLong, "Topics")
        .define("topics.regex", ConfigType::kString, "", valid_regex(), Importance::kHigh,
                "Regular expression of the topics to consume. Give either this or topics.", kCommonGroup, 4,
                Width::kLong, "Topics regex");
  }
  define_errors(def, sink);
  return def;
}

std::string get_or(const ConfigMap& config, const std::string& key, const std::string& fallback = "") {
  auto it = config.find(key);
  return it == config.end() ? fallback : it->second;
}

}  // namespace

const ConfigDef& connector_base_def(bool sink) {
  static const ConfigDef source = make_base(false);
  static const ConfigDef sink_def = make_base(true);
  return sink ? sink_def : source;
}

ConfigDef enriched_connector_def(const PluginRegistry& registry, const ConfigMap& config, bool sink,
                                 std::vector<ConfigProblem>& problems) {
  ConfigDef def = connector_base_def(sink);
  auto predicates = split_list(get_or(config, "predicates"));
  auto transforms = split_list(get_or(config, "transforms"));
  for (const auto& alias : transforms) {
    std::string prefix = "transforms." + alias + ".";
    std::string group = "Transforms: " + alias;
    ConfigDef own;
    own.define("type", ConfigType::kClass, kRequired, Importance::kHigh, "Class for the '" + alias + "' transformation.")
        .define("predicate", ConfigType::kString, "", Importance::kMedium,
                "Alias of the predicate that decides whether this transformation applies to a record.")
        .define("negate", ConfigType::kBoolean, false, Importance::kMedium,
                "Apply the transformation to records that do NOT match the predicate.");
    def.embed(prefix, group, 0, own);
    std::string type = get_or(config, prefix + "type");
    if (type.empty()) continue;  // reported as a missing required key
    const PluginClass* cls = registry.find(PluginType::kTransform, type);
    if (!cls) {
      problems.push_back({prefix + "type", fmt::format("Invalid value {} for configuration {}: Class {} could not be found.",
                                                       type, prefix + "type", type)});
      continue;
    }
    def.embed(prefix, group, 3, cls->transform()->config_def());
    std::string predicate = get_or(config, prefix + "predicate");
    if (!predicate.empty() && std::find(predicates.begin(), predicates.end(), predicate) == predicates.end()) {
      problems.push_back({prefix + "predicate",
                          fmt::format("Invalid value {} for configuration {}: The predicate '{}' is not defined in "
                                      "'predicates'.",
                                      predicate, prefix + "predicate", predicate)});
    }
  }
  for (const auto& alias : predicates) {
    std::string prefix = "predicates." + alias + ".";
    std::string group = "Predicates: " + alias;
    ConfigDef own;
    own.define("type", ConfigType::kClass, kRequired, Importance::kHigh, "Class for the '" + alias + "' predicate.");
    def.embed(prefix, group, 0, own);
    std::string type = get_or(config, prefix + "type");
    if (type.empty()) continue;
    const PluginClass* cls = registry.find(PluginType::kPredicate, type);
    if (!cls) {
      problems.push_back({prefix + "type", fmt::format("Invalid value {} for configuration {}: Class {} could not be found.",
                                                       type, prefix + "type", type)});
      continue;
    }
    def.embed(prefix, group, 1, cls->predicate()->config_def());
  }
  return def;
}

}  // namespace sluice::runtime
