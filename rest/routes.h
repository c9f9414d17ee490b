// The route tables, one function per Kafka Connect resource. Each handler is a thin adapter:
// read the path, query and body, call one Herder method, shape the answer.
#pragma once

#include "rest/router.h"
#include "runtime/herder.h"

namespace sluice::rest {

// /connectors and everything below it (ConnectorsResource).
void add_connectors_routes(Router& router, runtime::Herder& herder);
// /connector-plugins (ConnectorPluginsResource).
void add_plugins_routes(Router& router, runtime::Herder& herder);
// / and /health (RootResource), /admin/loggers (LoggingResource), /metrics (Prometheus).
void add_root_routes(Router& router, runtime::Herder& herder);

// All of the above.
inline Router build_router(runtime::Herder& herder) {
  Router router;
  add_root_routes(router, herder);
  add_connectors_routes(router, herder);
  add_plugins_routes(router, herder);
  return router;
}

}  // namespace sluice::rest
