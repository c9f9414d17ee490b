// Validation of a connector configuration as PUT /connector-plugins/{p}/config/validate and
// POST /connectors report it: the connector's own keys (its validate()), the common keys, each
// transform's and predicate's keys, and the cross-key rules (sinks: exactly one of topics /
// topics.regex, the dead-letter topic not among them). Every problem is collected.
#pragma once

#include <string>

#include "runtime/herder.h"
#include "runtime/plugin_registry.h"

namespace sluice::runtime {

// Throws BadRequestError when connector.class is missing or names no known connector.
ConfigInfos validate_connector_config(const PluginRegistry& registry, const ConfigMap& config);

// Kafka's 400 message for an invalid configuration, listing every error.
std::string invalid_config_message(const ConfigInfos& infos);

// ConfigKeyInfo of a ConfigDef key, as the REST entities show it.
ConfigKeyInfo key_info(const ConfigKey& key);

}  // namespace sluice::runtime
