// The JDBC sink plugin: io.debezium.connector.jdbc.JdbcSinkConnector (alias JdbcSink), with the
// target databases this build was linked with (PostgreSQL: postgresql; MySQL/MariaDB: mysql,
// mariadb).
#include <memory>
#include <string>
#include <vector>

#include "jdbc_sink_connector.h"
#include "sluice/errors.h"
#include "sluice/plugin.h"

#ifdef SLUICE_JDBC_WITH_POSTGRES
#include "postgres_sink_database.h"
#endif
#ifdef SLUICE_JDBC_WITH_MYSQL
#include "mysql_sink_database.h"
#endif

namespace {

std::vector<std::string> compiled_schemes() {
  std::vector<std::string> out;
#ifdef SLUICE_JDBC_WITH_POSTGRES
  out.push_back("postgresql");
#endif
#ifdef SLUICE_JDBC_WITH_MYSQL
  out.push_back("mysql");
  out.push_back("mariadb");
#endif
  return out;
}

std::unique_ptr<sluice::jdbc::SinkDatabase> make_database(const std::string& scheme,
                                                          const sluice::jdbc::ConnectionSettings& connection,
                                                          const sluice::jdbc::DatabaseOptions& options) {
#ifdef SLUICE_JDBC_WITH_POSTGRES
  if (scheme == "postgresql") return make_postgres_sink_database(connection, options);
#endif
#ifdef SLUICE_JDBC_WITH_MYSQL
  if (scheme == "mysql" || scheme == "mariadb") return make_mysql_sink_database(connection, options);
#endif
  (void)connection;
  (void)options;
  throw sluice::ConfigError("connection.url", "this build has no " + scheme + " support");
}

}  // namespace

SLUICE_PLUGIN("jdbc", "1.0.0", registrar) {
  registrar.add_sink("io.debezium.connector.jdbc.JdbcSinkConnector", [] {
    return std::unique_ptr<sluice::SinkConnector>(
        new sluice::jdbc::JdbcSinkConnector(compiled_schemes(), &make_database));
  });
}
