#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "rest/json_mapping.h"
#include "rest/routes.h"
#include "runtime/herder_errors.h"

namespace sluice::rest {

using nlohmann::json;
using runtime::Herder;

namespace {

// Location: /connectors/<name>, the name percent-encoded as a path segment.
std::string connector_location(const std::string& name) {
  std::string out = "/connectors/";
  for (unsigned char c : name) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

// Kafka's checkAndPutConnectorConfigName: a "name" in the config must be the connector's.
void check_and_put_name(const std::string& name, ConfigMap& config) {
  auto it = config.find("name");
  if (it != config.end() && it->second != name) {
    throw runtime::BadRequestError(fmt::format(
        "Connector name configuration ({}) doesn't match connector name in the URL ({})", it->second, name));
  }
  config["name"] = name;
}

std::optional<runtime::TargetState> parse_initial_state(const json& body) {
  if (!body.contains("initial_state") || body["initial_state"].is_null()) return std::nullopt;
  if (!body["initial_state"].is_string()) throw runtime::BadRequestError("initial_state must be a string");
  std::string state = body["initial_state"].get<std::string>();
  for (auto& c : state) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (state == "RUNNING") return runtime::TargetState::kStarted;
  if (state == "PAUSED") return runtime::TargetState::kPaused;
  if (state == "STOPPED") return runtime::TargetState::kStopped;
  throw runtime::BadRequestError(fmt::format(
      "Invalid initial state '{}'; must be one of RUNNING, PAUSED, STOPPED", body["initial_state"].get<std::string>()));
}

std::string trim(std::string s) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

// A task index from the path. Like Jersey's int path parameter, anything else is not a resource.
runtime::TaskId task_id(const RouteRequest& r) {
  const std::string& text = r.param("task");
  bool digits = !text.empty() && text.size() <= 9 &&
                std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
  if (!digits) throw runtime::NotFoundError(fmt::format("Task {} not found", text));
  return runtime::TaskId{r.param("connector"), std::stoi(text)};
}

HttpResponse list_connectors(Herder& herder, const RouteRequest& r) {
  auto names = herder.connectors();
  auto expands = r.query_all("expand");
  if (r.query("expand") == std::nullopt) return json_response(200, names);
  json out = json::object();
  for (const auto& name : names) {
    json entry = json::object();
    try {
      for (const auto& expand : expands) {
        if (expand == "status") entry["status"] = to_json(herder.connector_status(name));
        else if (expand == "info") entry["info"] = to_json(herder.connector_info(name));
      }
    } catch (const runtime::NotFoundError&) {
      continue;  // deleted while we were listing
    }
    out[name] = std::move(entry);
  }
  return json_response(200, out);
}

HttpResponse create_connector(Herder& herder, const RouteRequest& r) {
  json body = parse_body(r.body());
  if (!body.is_object()) throw runtime::BadRequestError("Request body must be a JSON object with name and config");
  if (!body.contains("name") || !body["name"].is_string()) throw runtime::BadRequestError("Connector name is required");
  if (!body.contains("config") || body["config"].is_null()) {
    throw runtime::BadRequestError("Connector config is required");
  }
  std::string name = trim(body["name"].get<std::string>());
  if (name.empty()) throw runtime::BadRequestError("Connector name cannot be empty");
  ConfigMap config = config_from_json(body["config"]);
  check_and_put_name(name, config);
  auto result = herder.put_connector_config(name, config, false, parse_initial_state(body));
  auto response = json_response(201, to_json(result.info));
  response.headers.emplace_back("Location", connector_location(name));
  return response;
}

HttpResponse put_config(Herder& herder, const RouteRequest& r) {
  const std::string& name = r.param("connector");
  ConfigMap config = config_from_json(parse_body(r.body()));
  check_and_put_name(name, config);
  auto result = herder.put_connector_config(name, config, true, std::nullopt);
  if (!result.created) return json_response(200, to_json(result.info));
  auto response = json_response(201, to_json(result.info));
  response.headers.emplace_back("Location", connector_location(name));
  return response;
}

HttpResponse patch_config(Herder& herder, const RouteRequest& r) {
  const std::string& name = r.param("connector");
  auto patch = config_patch_from_json(parse_body(r.body()));
  auto it = patch.find("name");
  if (it != patch.end() && it->second != name) {
    throw runtime::BadRequestError(fmt::format(
        "Connector name configuration ({}) doesn't match connector name in the URL ({})", it->second.value_or("null"),
        name));
  }
  return json_response(200, to_json(herder.patch_connector_config(name, patch)));
}

HttpResponse restart_connector(Herder& herder, const RouteRequest& r) {
  auto status = herder.restart_connector(r.param("connector"), r.query_flag("includeTasks"), r.query_flag("onlyFailed"));
  if (!status) return empty_response(204);
  return json_response(202, to_json(*status));
}

HttpResponse active_topics(Herder& herder, const RouteRequest& r) {
  const std::string& name = r.param("connector");
  json topics = herder.connector_active_topics(name);
  return json_response(200, json{{name, {{"topics", topics}}}});
}

void add_lifecycle_routes(Router& router, Herder& h) {
  router.add("POST", "/connectors/{connector}/restart", [&h](const RouteRequest& r) { return restart_connector(h, r); });
  router.add("POST", "/connectors/{connector}/tasks/{task}/restart", [&h](const RouteRequest& r) {
    h.restart_task(task_id(r));
    return empty_response(204);
  });
  router.add("PUT", "/connectors/{connector}/pause", [&h](const RouteRequest& r) {
    h.pause_connector(r.param("connector"));
    return empty_response(202);
  });
  router.add("PUT", "/connectors/{connector}/resume", [&h](const RouteRequest& r) {
    h.resume_connector(r.param("connector"));
    return empty_response(202);
  });
  router.add("PUT", "/connectors/{connector}/stop", [&h](const RouteRequest& r) {
    h.stop_connector(r.param("connector"));
    return empty_response(204);
  });
  router.add("DELETE", "/connectors/{connector}", [&h](const RouteRequest& r) {
    h.delete_connector(r.param("connector"));
    return empty_response(204);
  });
}

void add_offsets_and_topics_routes(Router& router, Herder& h) {
  router.add("GET", "/connectors/{connector}/offsets", [&h](const RouteRequest& r) {
    return json_response(200, to_json(h.connector_offsets(r.param("connector"))));
  });
  router.add(
      "PATCH", "/connectors/{connector}/offsets",
      [&h](const RouteRequest& r) {
        auto offsets = offsets_from_json(parse_body(r.body()));
        return json_response(200, json{{"message", h.alter_connector_offsets(r.param("connector"), offsets)}});
      },
      Body::kJson);
  router.add("DELETE", "/connectors/{connector}/offsets", [&h](const RouteRequest& r) {
    return json_response(200, json{{"message", h.reset_connector_offsets(r.param("connector"))}});
  });
  router.add("GET", "/connectors/{connector}/topics", [&h](const RouteRequest& r) { return active_topics(h, r); });
  router.add("PUT", "/connectors/{connector}/topics/reset", [&h](const RouteRequest& r) {
    h.reset_connector_active_topics(r.param("connector"));
    return empty_response(202);
  });
}

}  // namespace

void add_connectors_routes(Router& router, Herder& h) {
  router.add("GET", "/connectors", [&h](const RouteRequest& r) { return list_connectors(h, r); });
  router.add("POST", "/connectors", [&h](const RouteRequest& r) { return create_connector(h, r); }, Body::kJson);
  router.add("GET", "/connectors/{connector}", [&h](const RouteRequest& r) {
    return json_response(200, to_json(h.connector_info(r.param("connector"))));
  });
  router.add("GET", "/connectors/{connector}/config", [&h](const RouteRequest& r) {
    return json_response(200, to_json(h.connector_config(r.param("connector"))));
  });
  router.add("PUT", "/connectors/{connector}/config", [&h](const RouteRequest& r) { return put_config(h, r); },
             Body::kJson);
  router.add("PATCH", "/connectors/{connector}/config", [&h](const RouteRequest& r) { return patch_config(h, r); },
             Body::kJson);
  router.add("GET", "/connectors/{connector}/status", [&h](const RouteRequest& r) {
    return json_response(200, to_json(h.connector_status(r.param("connector"))));
  });
  router.add("GET", "/connectors/{connector}/tasks", [&h](const RouteRequest& r) {
    json tasks = json::array();
    for (const auto& t : h.task_configs(r.param("connector"))) tasks.push_back(to_json(t));
    return json_response(200, tasks);
  });
  // Deprecated by KIP-970 but still served by Kafka: {"<c>-0": {...}, ...}.
  router.add("GET", "/connectors/{connector}/tasks-config", [&h](const RouteRequest& r) {
    json tasks = json::object();
    for (const auto& t : h.task_configs(r.param("connector"))) tasks[t.id.to_string()] = to_json(t.config);
    return json_response(200, tasks);
  });
  router.add("GET", "/connectors/{connector}/tasks/{task}/status", [&h](const RouteRequest& r) {
    return json_response(200, to_json(h.task_status(task_id(r))));
  });
  add_lifecycle_routes(router, h);
  add_offsets_and_topics_routes(router, h);
}

}  // namespace sluice::rest
