// TaskComponents: what the runtime wraps around a plugin task: converters, the transform chain
// and the error policy, built from the worker's and the connector's configuration.
#pragma once

#include <memory>
#include <string>

#include "runtime/bus/record_passing.h"
#include "runtime/plugin_registry.h"
#include "runtime/transform_chain.h"
#include "sluice/config_def.h"
#include "sluice/converter.h"

namespace sluice::runtime {

class WorkerConfig;

struct TaskComponents {
  Config connector_config;  // parsed with the base connector keys (errors.*, topics, ...)
  std::unique_ptr<Converter> key_converter;
  std::unique_ptr<Converter> value_converter;
  std::unique_ptr<HeaderConverter> header_converter;
  std::string key_converter_class;
  std::string value_converter_class;
  std::string header_converter_class;
  // Set when records of this task may be passed on the embedded bus (embedded.bus.pass.records
  // and converters that allow it): the key and value converter settings, with instances of their own.
  std::shared_ptr<const RecordFormat> format;
  TransformChain transforms;
};

// `connector_config` has config-provider placeholders resolved. A connector's own
// key.converter (with its key.converter.* keys) replaces the worker's; otherwise the worker's
// class and key.converter.* keys apply (Kafka's rule). Throws ConfigError.
TaskComponents build_task_components(const PluginRegistry& registry, const WorkerConfig& worker,
                                     const ConfigMap& connector_config, bool sink);

}  // namespace sluice::runtime
