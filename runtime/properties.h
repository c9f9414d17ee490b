// Java .properties files, as Kafka Connect reads worker.properties and connector files.
#pragma once

#include <filesystem>
#include <string_view>

#include "sluice/config_def.h"

namespace sluice::runtime {

// Parses the text of a .properties file: `key=value`, `key: value` or `key value`; `#` and `!`
// comment lines; a trailing backslash continues a line; \t \n \r \f \\ \uXXXX escapes.
ConfigMap parse_properties(std::string_view text);

// Reads and parses a file; throws ConfigError naming the path when it cannot be read.
ConfigMap read_properties_file(const std::filesystem::path& path);

}  // namespace sluice::runtime
