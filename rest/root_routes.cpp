#include <fmt/format.h>

#include "rest/error_mapping.h"
#include "rest/json_mapping.h"
#include "rest/prometheus_text.h"
#include "rest/routes.h"
#include "runtime/herder_errors.h"
#include "sluice/log.h"

namespace sluice::rest {

using nlohmann::json;

namespace {

json level_json(const log::LevelInfo& info) {
  return json{{"level", log::level_name(info.level)},
              {"last_modified", info.last_modified_ms ? json(*info.last_modified_ms) : json(nullptr)}};
}

HttpResponse health(runtime::Herder& herder) {
  auto health = herder.health();
  int status = 200;
  if (health.status == "starting") status = 503;
  else if (health.status != "healthy") status = 500;
  return json_response(status, json{{"status", health.status}, {"message", health.message}});
}

// PUT /admin/loggers/{name}: Kafka answers 404 (not 400) for a level it does not know.
HttpResponse set_logger_level(const RouteRequest& r) {
  json body = parse_body(r.body());
  if (!body.is_object() || !body.contains("level") || !body["level"].is_string()) {
    throw runtime::BadRequestError("Desired 'level' parameter was not specified in request.");
  }
  std::string text = body["level"].get<std::string>();
  auto level = log::parse_level(text);
  if (!level) throw RestError(404, fmt::format("invalid log level '{}'.", text));
  auto changed = log::set_level(r.param("logger"), *level);
  // scope=cluster (KIP-976) is applied to this worker, the whole cluster in standalone mode;
  // Kafka answers it with 204. Any other scope is the worker scope.
  if (r.query("scope") == std::optional<std::string>("cluster")) return empty_response(204);
  return json_response(200, changed);
}

}  // namespace

void add_root_routes(Router& router, runtime::Herder& h) {
  router.add("GET", "/", [&h](const RouteRequest&) {
    auto info = h.server_info();
    return json_response(200, json{{"version", info.version},
                                   {"commit", info.commit},
                                   {"kafka_cluster_id", info.kafka_cluster_id.empty()
                                                            ? json(nullptr)
                                                            : json(info.kafka_cluster_id)}});
  });
  router.add("GET", "/health", [&h](const RouteRequest&) { return health(h); });
  // Not a Kafka Connect path (Kafka exposes metrics over JMX): the task gauges for a Prometheus
  // scrape.
  router.add("GET", "/metrics", [&h](const RouteRequest&) {
    return HttpResponse{200, to_prometheus_text(h.task_metrics()), {{"Content-Type", kPrometheusContentType}}};
  });
  router.add("GET", "/admin/loggers", [](const RouteRequest&) {
    json out = json::object();
    for (const auto& [name, info] : log::explicit_levels()) out[name] = level_json(info);
    return json_response(200, out);
  });
  router.add("GET", "/admin/loggers/{logger}", [](const RouteRequest& r) {
    const std::string& name = r.param("logger");
    if (name != "root" && !log::known(name)) throw runtime::NotFoundError(fmt::format("Logger {} not found.", name));
    return json_response(200, level_json(log::effective_level(name)));
  });
  router.add("PUT", "/admin/loggers/{logger}", [](const RouteRequest& r) { return set_logger_level(r); }, Body::kJson);
}

}  // namespace sluice::rest
