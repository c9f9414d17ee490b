// The PostgreSQL side of the JDBC sink: a SinkDatabase over libpq, chosen by connectors/jdbc for
// jdbc:postgresql:// URLs. See connectors/jdbc/sink_database.h for the contract.
//
// Identifiers: with quote_identifiers, every table and column name is quoted exactly as given.
// Without it, a name is folded to lower case (what PostgreSQL does to an unquoted name) and then
// quoted, so reserved words and odd characters still work; describe() looks up the folded name.
// A table name with an empty schema resolves through the connection's search_path.
//
// Connection: host, port, database, user, password from ConnectionSettings; URL properties that
// libpq knows (sslmode, sslrootcert, connect_timeout, application_name, options, ...) are passed
// through, `currentSchema` becomes search_path, other JDBC-only properties are ignored.
// application_name defaults to "sluice-jdbc-sink". The session runs with TimeZone=UTC.
//
// Each batch is written with COPY into a temporary staging table (one per target table and column
// set, created once per connection, emptied at commit) and then one statement per change kind.
#pragma once

#include <memory>

#include "sink_database.h"

namespace sluice::jdbc {

std::unique_ptr<SinkDatabase> make_postgres_sink_database(const ConnectionSettings& connection,
                                                          const DatabaseOptions& options);

}  // namespace sluice::jdbc
