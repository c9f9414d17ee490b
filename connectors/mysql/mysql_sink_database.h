// The MySQL / MariaDB side of the JDBC sink: a SinkDatabase over mysql-connector-c++ 1.1, chosen
// by connectors/jdbc for jdbc:mysql:// and jdbc:mariadb:// URLs. See connectors/jdbc/
// sink_database.h for the contract.
//
// Identifiers: every name is quoted with backticks as given (MySQL never folds case; quoting only
// lets reserved words and odd characters through). Table names resolve as the server does (on
// Linux with lower_case_table_names=0: case-sensitively); column names are case-insensitive in
// MySQL whatever the quoting. A table with an empty schema lives in the connection's database.
//
// Connection: TCP to host:port (default 3306), the database, user and password from
// ConnectionSettings; URL properties connectTimeout and socketTimeout (ms; a statement whose
// reply takes longer fails retriably) are honoured, others are ignored. The
// session runs with time_zone '+00:00', utf8mb4, strict sql_mode and READ COMMITTED.
//
// Created tables are InnoDB, utf8mb4 with a binary no-pad collation (utf8mb4_nopad_bin on
// MariaDB, utf8mb4_0900_bin on MySQL 8), so string keys compare exactly as the source's do:
// 'a', 'A' and 'a ' are three rows.
//
// Each batch is one transaction (TRUNCATE is done as DELETE, which does not commit): upserts as
// multi-row INSERT ... ON DUPLICATE KEY UPDATE whose assignments are guarded with IF(), inserts
// as multi-row INSERT, hard deletes as multi-row OR-lists of key lookups, updates and soft
// deletes as one prepared statement per row.
#pragma once

#include <memory>

#include "sink_database.h"

namespace sluice::jdbc {

std::unique_ptr<SinkDatabase> make_mysql_sink_database(const ConnectionSettings& connection,
                                                       const DatabaseOptions& options);

}  // namespace sluice::jdbc
