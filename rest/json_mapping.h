// The Herder's DTOs <-> Kafka Connect's JSON entities (field names and nulls as Kafka writes
// them), and the request-body readers shared by the routes. Pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rest/http_message.h"
#include "runtime/herder.h"

namespace sluice::rest {

nlohmann::json to_json(const runtime::TaskId& id);              // {"connector":..,"task":..}
nlohmann::json to_json(const runtime::ConnectorInfo& info);     // name, config, tasks, type
nlohmann::json to_json(const runtime::ConnectorStateInfo& info);  // name, connector, tasks, type
nlohmann::json to_json(const runtime::TaskState& state);        // id, state, worker_id[, trace], metrics
nlohmann::json to_json(const runtime::MetricValues& metrics);   // {name: number|string}; NaN/Inf as null
nlohmann::json to_json(const runtime::TaskInfo& info);          // id, config
nlohmann::json to_json(const runtime::PluginInfo& info);        // class, type[, version]
nlohmann::json to_json(const runtime::ConfigKeyInfo& key);
nlohmann::json to_json(const runtime::ConfigInfos& infos);
nlohmann::json to_json(const std::vector<runtime::ConnectorOffset>& offsets);  // {"offsets":[...]}
nlohmann::json to_json(const ConfigMap& config);
nlohmann::json to_json(const OffsetMap& map);
nlohmann::json to_json(const Value& value);

// Parses a request body; throws nlohmann::json::parse_error (400) on malformed JSON.
nlohmann::json parse_body(const std::string& body);

// A flat connector config. Strings are taken as they are; numbers and booleans as their JSON
// text (Kafka's Jackson does the same coercion). Throws BadRequestError on anything else.
ConfigMap config_from_json(const nlohmann::json& j);
// PATCH /connectors/{c}/config: as above, a null value removes the key.
std::map<std::string, std::optional<std::string>> config_patch_from_json(const nlohmann::json& j);
// KIP-875 {"offsets":[{"partition":{...},"offset":{...}|null}]}. Throws BadRequestError.
std::vector<runtime::ConnectorOffset> offsets_from_json(const nlohmann::json& j);
OffsetMap offset_map_from_json(const nlohmann::json& j);
Value value_from_json(const nlohmann::json& j);

// A response carrying `body` as JSON.
HttpResponse json_response(int status, const nlohmann::json& body);
// A response with no body (202, 204).
HttpResponse empty_response(int status);

}  // namespace sluice::rest
