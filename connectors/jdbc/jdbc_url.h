// JdbcUrl: the connection.url of the JDBC sink, in the JDBC driver's spelling:
//   jdbc:postgresql://host:5432/db?user=x&password=y
//   jdbc:mysql://host:3306/db      jdbc:mariadb://host/db      jdbc:postgresql://[::1]:5432/db
// parsed into the scheme that picks the target database and the ConnectionSettings it connects
// with. `user` and `password` query parameters fill ConnectionSettings::user / password; every
// other parameter is kept in `properties` (percent-decoded) for the database side.
//
// Plain functions and values; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "sink_database.h"

namespace sluice::jdbc {

struct JdbcUrl {
  std::string scheme;  // "postgresql", "mysql" or "mariadb"
  ConnectionSettings connection;
};

// Throws ConfigError("connection.url", reason) for a URL that is not one of the forms above: no
// "jdbc:" prefix, an unknown scheme, no "//", an empty host, a bad or out-of-range port, an
// unclosed IPv6 bracket, bad percent escapes.
JdbcUrl parse_jdbc_url(std::string_view url);

}  // namespace sluice::jdbc
