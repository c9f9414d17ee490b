#include "rest/json_mapping.h"

#include <variant>

#include <fmt/format.h>

#include "runtime/herder_errors.h"

namespace sluice::rest {

using nlohmann::json;

namespace {
json null_if_empty(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json state_json(const runtime::StateInfo& state) {
  json j{{"state", runtime::state_name(state.state)}, {"worker_id", state.worker_id}};
  if (!state.trace.empty()) j["trace"] = state.trace;
  return j;
}

std::string config_value_text(const std::string& key, const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return v.dump();
  throw runtime::BadRequestError(
      fmt::format("Connector configuration value for '{}' must be a string, not {}", key, v.type_name()));
}
}  // namespace

json to_json(const runtime::TaskId& id) { return json{{"connector", id.connector}, {"task", id.task}}; }

json to_json(const ConfigMap& config) {
  json j = json::object();
  for (const auto& [k, v] : config) j[k] = v;
  return j;
}

json to_json(const runtime::ConnectorInfo& info) {
  json tasks = json::array();
  for (const auto& t : info.tasks) tasks.push_back(to_json(t));
  return json{{"name", info.name},
              {"config", to_json(info.config)},
              {"tasks", std::move(tasks)},
              {"type", runtime::connector_type_name(info.type)}};
}

json to_json(const runtime::TaskState& state) {
  json j = state_json(state);
  j["id"] = state.id;
  j["metrics"] = to_json(state.metrics);
  return j;
}

json to_json(const runtime::MetricValues& metrics) {
  json j = json::object();
  for (const auto& entry : metrics) {
    std::visit([&](const auto& v) { j[entry.first] = v; }, entry.second);
  }
  return j;
}

json to_json(const runtime::ConnectorStateInfo& info) {
  json tasks = json::array();
  for (const auto& t : info.tasks) tasks.push_back(to_json(t));
  return json{{"name", info.name},
              {"connector", state_json(info.connector)},
              {"tasks", std::move(tasks)},
              {"type", runtime::connector_type_name(info.type)}};
}

json to_json(const runtime::TaskInfo& info) { return json{{"id", to_json(info.id)}, {"config", to_json(info.config)}}; }

json to_json(const runtime::PluginInfo& info) {
  json j{{"class", info.class_name}, {"type", plugin_type_name(info.type)}};
  if (!info.version.empty()) j["version"] = info.version;
  return j;
}

json to_json(const runtime::ConfigKeyInfo& key) {
  return json{{"name", key.name},
              {"type", key.type},
              {"required", key.required},
              {"default_value", key.default_value ? json(*key.default_value) : json(nullptr)},
              {"importance", key.importance},
              {"documentation", key.documentation},
              {"group", null_if_empty(key.group)},
              {"order", key.order},
              {"width", key.width},
              {"display_name", key.display_name},
              {"dependents", key.dependents}};
}

json to_json(const runtime::ConfigInfos& infos) {
  json configs = json::array();
  for (const auto& c : infos.configs) {
    const auto& v = c.value;
    configs.push_back(json{{"definition", to_json(c.definition)},
                           {"value",
                            {{"name", v.name},
                             {"value", v.value ? json(*v.value) : json(nullptr)},
                             {"recommended_values", v.recommended_values},
                             {"errors", v.errors},
                             {"visible", v.visible}}}});
  }
  return json{{"name", infos.name},
              {"error_count", infos.error_count},
              {"groups", infos.groups},
              {"configs", std::move(configs)}};
}

json to_json(const Value& value) {
  return std::visit(
      [&](const auto& x) -> json {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return nullptr;
        } else if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, std::string>) {
          return x;
        } else if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
          return static_cast<double>(x);
        } else if constexpr (std::is_integral_v<T>) {
          return static_cast<std::int64_t>(x);
        } else if constexpr (std::is_same_v<T, Array>) {
          json a = json::array();
          for (const auto& e : x) a.push_back(to_json(e));
          return a;
        } else if constexpr (std::is_same_v<T, Map>) {
          json o = json::object();
          for (const auto& [k, v] : x) o[k.template is<std::string>() ? k.template as<std::string>() : k.to_string()] = to_json(v);
          return o;
        } else {
          return value.to_string();  // bytes and structs never appear in offsets; show them readably
        }
      },
      value.variant());
}

json to_json(const OffsetMap& map) {
  json j = json::object();
  for (const auto& [k, v] : map) j[k] = to_json(v);
  return j;
}

json to_json(const std::vector<runtime::ConnectorOffset>& offsets) {
  json list = json::array();
  for (const auto& o : offsets) {
    list.push_back(json{{"partition", to_json(o.partition)}, {"offset", o.offset ? to_json(*o.offset) : json(nullptr)}});
  }
  return json{{"offsets", std::move(list)}};
}

json parse_body(const std::string& body) { return json::parse(body); }

ConfigMap config_from_json(const json& j) {
  if (!j.is_object()) throw runtime::BadRequestError("Connector configuration must be a JSON object");
  ConfigMap config;
  for (const auto& [k, v] : j.items()) config[k] = config_value_text(k, v);
  return config;
}

std::map<std::string, std::optional<std::string>> config_patch_from_json(const json& j) {
  if (!j.is_object()) throw runtime::BadRequestError("Connector configuration patch must be a JSON object");
  std::map<std::string, std::optional<std::string>> patch;
  for (const auto& [k, v] : j.items()) {
    if (v.is_null()) patch[k] = std::nullopt;
    else patch[k] = config_value_text(k, v);
  }
  return patch;
}

Value value_from_json(const json& j) {
  if (j.is_null()) return Value();
  if (j.is_boolean()) return j.get<bool>();
  if (j.is_number_integer()) return j.get<std::int64_t>();
  if (j.is_number()) return j.get<double>();
  if (j.is_string()) return j.get<std::string>();
  if (j.is_array()) {
    Array a;
    for (const auto& e : j) a.push_back(value_from_json(e));
    return a;
  }
  Map m;
  for (const auto& [k, v] : j.items()) m.emplace_back(Value(k), value_from_json(v));
  return m;
}

OffsetMap offset_map_from_json(const json& j) {
  if (!j.is_object()) throw runtime::BadRequestError("Partitions and offsets must be JSON objects");
  OffsetMap map;
  for (const auto& [k, v] : j.items()) map[k] = value_from_json(v);
  return map;
}

std::vector<runtime::ConnectorOffset> offsets_from_json(const json& j) {
  constexpr const char* kMissing = "Partitions / offsets need to be provided for an alter offsets request";
  if (!j.is_object() || !j.contains("offsets") || !j["offsets"].is_array() || j["offsets"].empty()) {
    throw runtime::BadRequestError(kMissing);
  }
  std::vector<runtime::ConnectorOffset> offsets;
  for (const auto& entry : j["offsets"]) {
    if (!entry.is_object() || !entry.contains("partition") || entry["partition"].is_null()) {
      throw runtime::BadRequestError("Every entry of 'offsets' needs a 'partition'");
    }
    runtime::ConnectorOffset offset;
    offset.partition = offset_map_from_json(entry["partition"]);
    if (entry.contains("offset") && !entry["offset"].is_null()) offset.offset = offset_map_from_json(entry["offset"]);
    offsets.push_back(std::move(offset));
  }
  return offsets;
}

HttpResponse json_response(int status, const json& body) {
  HttpResponse response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return response;
}

HttpResponse empty_response(int status) {
  HttpResponse response;
  response.status = status;
  return response;
}

}  // namespace sluice::rest
