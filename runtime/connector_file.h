// Connector definitions given on the command line, in Kafka Connect's two file formats: JSON as
// POST /connectors takes it ({"name": ..., "config": {...}}, or a flat map with "name") and
// .properties (connect-standalone's format).
#pragma once

#include <filesystem>
#include <string>

#include "sluice/config_def.h"

namespace sluice::runtime {

struct ConnectorDefinition {
  std::string name;
  ConfigMap config;
};

// Throws ConfigError naming the file and the problem.
ConnectorDefinition read_connector_file(const std::filesystem::path& path);

}  // namespace sluice::runtime
