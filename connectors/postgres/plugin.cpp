// The postgres plugin: Debezium's PostgreSQL source under its Debezium class name, so
// "io.debezium.connector.postgresql.PostgresConnector", "PostgresConnector" and "Postgres" all
// work in connector JSON.
#include "postgres_source_connector.h"
#include "sluice/plugin.h"

SLUICE_PLUGIN("postgres", "0.1.0", registrar) {
  registrar.add_source<sluice::postgres::PostgresConnector>(
      "io.debezium.connector.postgresql.PostgresConnector");
}
