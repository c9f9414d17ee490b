// Reference documentation generated from the ConfigDef tables (`sluice docs`): the worker's keys,
// the keys every connector has, and each registered plugin's own keys.
#pragma once

#include <string>

#include "runtime/plugin_registry.h"

namespace sluice::runtime {

std::string render_config_docs(const PluginRegistry& registry);

}  // namespace sluice::runtime
