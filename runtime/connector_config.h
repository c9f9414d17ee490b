// ConnectorConfig: the keys every connector has (Kafka's ConnectorConfig, SourceConnectorConfig,
// SinkConnectorConfig): name, connector.class, tasks.max, converters, transforms, predicates and
// errors.*, plus the keys of each configured transform and predicate under its prefix.
#pragma once

#include <string>
#include <vector>

#include "runtime/plugin_registry.h"
#include "sluice/config_def.h"
#include "sluice/errors.h"

namespace sluice::runtime {

inline constexpr const char* kCommonGroup = "Common";
inline constexpr const char* kTransformsGroup = "Transforms";
inline constexpr const char* kPredicatesGroup = "Predicates";
inline constexpr const char* kErrorGroup = "Error Handling";

// The fixed keys for a source or sink connector.
const ConfigDef& connector_base_def(bool sink);

// The fixed keys plus, for each alias in `transforms` / `predicates`, its `.type`, `.predicate`,
// `.negate` keys and the transform's or predicate's own keys under `transforms.<alias>.`.
// Problems found while looking transforms up (unknown class, predicate not defined) are appended
// to `problems` so validation reports them with the rest.
ConfigDef enriched_connector_def(const PluginRegistry& registry, const ConfigMap& config, bool sink,
                                 std::vector<ConfigProblem>& problems);

}  // namespace sluice::runtime
