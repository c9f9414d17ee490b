#include "runtime/connector_validator.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "runtime/connector_config.h"
#include "runtime/herder_errors.h"

namespace sluice::runtime {

namespace {
std::string get_or(const ConfigMap& config, const std::string& key) {
  auto it = config.find(key);
  return it == config.end() ? std::string() : it->second;
}

ConfigInfo make_info(const ConfigKey& key, const ConfigValue& value) {
  ConfigInfo info;
  info.definition = key_info(key);
  info.value.name = value.name;
  info.value.value = key.type == ConfigType::kPassword && value.value ? std::optional<std::string>("[hidden]") : value.value;
  info.value.recommended_values = value.recommended_values;
  info.value.errors = value.errors;
  info.value.visible = value.visible;
  return info;
}

ConfigInfo* find_info(std::vector<ConfigInfo>& infos, const std::string& name) {
  for (auto& i : infos) {
    if (i.definition.name == name) return &i;
  }
  return nullptr;
}

void add_error(std::vector<ConfigInfo>& infos, const std::string& name, std::string message) {
  if (ConfigInfo* i = find_info(infos, name)) {
    i->value.errors.push_back(std::move(message));
    return;
  }
  ConfigInfo info;
  info.definition.name = name;
  info.definition.type = "STRING";
  info.value.name = name;
  info.value.errors.push_back(std::move(message));
  infos.push_back(std::move(info));
}

// Kafka's SinkConnectorConfig.validate rules.
void validate_sink_topics(const ConfigMap& config, std::vector<ConfigInfo>& infos) {
  auto topics = split_list(get_or(config, "topics"));
  std::string regex = get_or(config, "topics.regex");
  if (!topics.empty() && !regex.empty()) {
    std::string msg = "topics and topics.regex are mutually exclusive options, but both are set.";
    add_error(infos, "topics", msg);
    add_error(infos, "topics.regex", msg);
  } else if (topics.empty() && regex.empty()) {
    std::string msg = "Must configure one of topics or topics.regex";
    add_error(infos, "topics", msg);
    add_error(infos, "topics.regex", msg);
  }
  std::string dlq = get_or(config, "errors.deadletterqueue.topic.name");
  if (!dlq.empty() && std::find(topics.begin(), topics.end(), dlq) != topics.end()) {
    add_error(infos, "errors.deadletterqueue.topic.name",
              fmt::format("The DLQ topic '{}' may not be included in the list of topics ('topics={}') consumed by the "
                          "connector",
                          dlq, get_or(config, "topics")));
  }
}
}  // namespace

ConfigKeyInfo key_info(const ConfigKey& key) {
  ConfigKeyInfo k;
  k.name = key.name;
  k.type = config_type_name(key.type);
  k.required = key.default_value.required();
  k.default_value = key.default_value.text();
  k.importance = importance_name(key.importance);
  k.documentation = key.documentation;
  k.group = key.group;
  k.order = key.order_in_group;
  k.width = width_name(key.width);
  k.display_name = key.display_name.empty() ? key.name : key.display_name;
  k.dependents = key.dependents;
  return k;
}

ConfigInfos validate_connector_config(const PluginRegistry& registry, const ConfigMap& config) {
  std::string cls = get_or(config, "connector.class");
  if (cls.empty()) throw BadRequestError("Connector config contains no connector type");
  const PluginClass* plugin = registry.find_connector(cls);
  if (!plugin) {
    std::string available;
    for (const auto* c : registry.all()) {
      if (c->type == PluginType::kSource || c->type == PluginType::kSink) {
        available += (available.empty() ? "" : ", ") + c->class_name;
      }
    }
    throw BadRequestError(fmt::format(
        "Failed to find any class that implements Connector and which name matches {}, available connectors are: {}",
        cls, available));
  }
  bool sink = plugin->type == PluginType::kSink;
  std::unique_ptr<Connector> connector;
  if (sink) {
    connector = plugin->sink();
  } else {
    connector = plugin->source();
  }

  ConfigInfos out;
  out.name = plugin->class_name;
  std::vector<ConfigProblem> lookup_problems;
  ConfigDef common = enriched_connector_def(registry, config, sink, lookup_problems);
  for (const auto& value : common.validate(config)) out.configs.push_back(make_info(*common.find(value.name), value));
  for (const auto& p : lookup_problems) add_error(out.configs, p.key, p.message);
  if (sink) validate_sink_topics(config, out.configs);

  const ConfigDef& own = connector->config_def();
  for (const auto& value : connector->validate(config)) {
    if (const ConfigKey* key = own.find(value.name)) {
      if (find_info(out.configs, value.name)) continue;  // a common key the connector also declares
      out.configs.push_back(make_info(*key, value));
    } else {
      for (const auto& e : value.errors) add_error(out.configs, value.name, e);
    }
  }

  std::set<std::string> seen;
  for (const auto& g : common.groups()) {
    if (seen.insert(g).second) out.groups.push_back(g);
  }
  for (const auto& g : own.groups()) {
    if (seen.insert(g).second) out.groups.push_back(g);
  }
  for (const auto& c : out.configs) out.error_count += static_cast<int>(c.value.errors.size());
  return out;
}

std::string invalid_config_message(const ConfigInfos& infos) {
  std::string msg = fmt::format("Connector configuration is invalid and contains the following {} error(s):\n",
                                infos.error_count);
  for (const auto& c : infos.configs) {
    for (const auto& e : c.value.errors) msg += e + "\n";
  }
  msg += "You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`";
  return msg;
}

}  // namespace sluice::runtime
