#include "runtime/connector_file.h"

#include <nlohmann/json.hpp>

#include "runtime/properties.h"
#include "runtime/storage/atomic_file.h"
#include "sluice/errors.h"

namespace sluice::runtime {

namespace {
ConfigMap flat_strings(const nlohmann::json& object, const std::string& where) {
  ConfigMap out;
  for (const auto& [k, v] : object.items()) {
    if (v.is_string()) out[k] = v.get<std::string>();
    else if (v.is_number() || v.is_boolean()) out[k] = v.dump();
    else if (!v.is_null()) throw ConfigError(k, where + ": value of '" + k + "' must be a string");
  }
  return out;
}
}  // namespace

ConnectorDefinition read_connector_file(const std::filesystem::path& path) {
  auto text = read_file(path);
  if (!text) throw ConfigError("Connector file " + path.string() + " does not exist");
  ConnectorDefinition def;
  if (path.extension() == ".properties") {
    def.config = parse_properties(*text);
  } else {
    nlohmann::json doc;
    try {
      doc = nlohmann::json::parse(*text);
    } catch (const nlohmann::json::exception& e) {
      throw ConfigError("Connector file " + path.string() + " is not valid JSON: " + e.what());
    }
    if (!doc.is_object()) throw ConfigError("Connector file " + path.string() + " must hold a JSON object");
    if (doc.contains("config")) {
      if (!doc["config"].is_object()) throw ConfigError("Connector file " + path.string() + ": 'config' must be an object");
      def.config = flat_strings(doc["config"], path.string());
      if (doc.contains("name") && doc["name"].is_string()) def.name = doc["name"].get<std::string>();
    } else {
      def.config = flat_strings(doc, path.string());
    }
  }
  if (def.name.empty()) {
    auto it = def.config.find("name");
    if (it != def.config.end()) def.name = it->second;
  }
  if (def.name.empty()) throw ConfigError("Connector file " + path.string() + " names no connector ('name')");
  return def;
}

}  // namespace sluice::runtime
