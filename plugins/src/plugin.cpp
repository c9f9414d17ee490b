#include "sluice/plugin.h"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "0.0.0"
#endif

namespace sluice {

Registrar::~Registrar() = default;

const char* sdk_version() { return SLUICE_VERSION; }

const char* plugin_type_name(PluginType type) {
  switch (type) {
    case PluginType::kSource: return "source";
    case PluginType::kSink: return "sink";
    case PluginType::kTransform: return "transformation";
    case PluginType::kPredicate: return "predicate";
    case PluginType::kConverter: return "converter";
    case PluginType::kHeaderConverter: return "header_converter";
  }
  return "unknown";
}

}  // namespace sluice
