#include "runtime/task_components.h"

#include "runtime/connector_config.h"
#include "runtime/worker_config.h"

namespace sluice::runtime {

namespace {
ConfigMap prefixed(const ConfigMap& config, const std::string& prefix) {
  ConfigMap out;
  for (auto it = config.lower_bound(prefix); it != config.end() && it->first.starts_with(prefix); ++it) {
    out[it->first.substr(prefix.size())] = it->second;
  }
  return out;
}

// The class and settings for one converter role ("key.converter", ...).
std::pair<std::string, ConfigMap> converter_settings(const WorkerConfig& worker, const ConfigMap& connector,
                                                     const std::string& role) {
  auto own = connector.find(role);
  if (own != connector.end() && !own->second.empty()) return {own->second, prefixed(connector, role + ".")};
  return {worker.config().get_string(role), prefixed(worker.originals(), role + ".")};
}

void add_to_fingerprint(std::string& out, const std::string& role, const std::string& converter_class,
                        const ConfigMap& props) {
  out.append(role).append("=").append(converter_class).append("\n");
  for (const auto& [k, v] : props) out.append(role).append(".").append(k).append("=").append(v).append("\n");
}
}  // namespace

TaskComponents build_task_components(const PluginRegistry& registry, const WorkerConfig& worker,
                                     const ConfigMap& connector_config, bool sink) {
  TaskComponents c;
  ConfigMap lenient = connector_config;
  c.connector_config = connector_base_def(sink).parse(lenient);

  auto [key_class, key_props] = converter_settings(worker, connector_config, "key.converter");
  c.key_converter = registry.new_converter(key_class);
  c.key_converter->configure(key_props, true);
  c.key_converter_class = key_class;

  auto [value_class, value_props] = converter_settings(worker, connector_config, "value.converter");
  c.value_converter = registry.new_converter(value_class);
  c.value_converter->configure(value_props, false);
  c.value_converter_class = value_class;

  if (worker.embedded_bus() && worker.config().get_bool("embedded.bus.pass.records")) {
    std::string fingerprint;
    add_to_fingerprint(fingerprint, "key.converter", key_class, key_props);
    add_to_fingerprint(fingerprint, "value.converter", value_class, value_props);
    auto key = registry.new_converter(key_class);
    key->configure(key_props, true);
    auto value = registry.new_converter(value_class);
    value->configure(value_props, false);
    c.format = RecordFormat::make(std::move(fingerprint), std::move(key), std::move(value));
  }

  auto [header_class, header_props] = converter_settings(worker, connector_config, "header.converter");
  c.header_converter = registry.new_header_converter(header_class);
  c.header_converter->configure(header_props);
  c.header_converter_class = header_class;

  c.transforms = TransformChain::from_config(registry, connector_config);
  return c;
}

}  // namespace sluice::runtime
