#include "rest/json_mapping.h"
#include "rest/routes.h"

namespace sluice::rest {

using nlohmann::json;

void add_plugins_routes(Router& router, runtime::Herder& h) {
  router.add("GET", "/connector-plugins", [&h](const RouteRequest& r) {
    // Kafka's default is connectorsOnly=true; only an explicit "false" lists the other kinds.
    auto only = r.query("connectorsOnly");
    bool connectors_only = !only || !(*only == "false" || *only == "FALSE" || *only == "False");
    json plugins = json::array();
    for (const auto& p : h.plugins(connectors_only)) plugins.push_back(to_json(p));
    return json_response(200, plugins);
  });
  router.add("GET", "/connector-plugins/{plugin}/config", [&h](const RouteRequest& r) {
    json keys = json::array();
    for (const auto& k : h.plugin_config(r.param("plugin"))) keys.push_back(to_json(k));
    return json_response(200, keys);
  });
  router.add(
      "PUT", "/connector-plugins/{plugin}/config/validate",
      [&h](const RouteRequest& r) {
        ConfigMap config = config_from_json(parse_body(r.body()));
        // Always 200, even when invalid: the caller reads error_count.
        return json_response(200, to_json(h.validate_connector_config(r.param("plugin"), config)));
      },
      Body::kJson);
}

}  // namespace sluice::rest
