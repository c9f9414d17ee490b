// The PostgreSQL type for each ColumnType, used by CREATE TABLE / ALTER TABLE ADD COLUMN.
// Plain functions; no state.
#pragma once

#include <string>

#include "table_model.h"

namespace sluice::jdbc {

// boolean, smallint (int8 and int16), integer, bigint, real, double precision, text or
// varchar(n), bytea, numeric(p,s) or numeric, date, time(3)/time(6), timetz, timestamp(3)/
// timestamp(6), timestamptz, uuid, jsonb, and `<element>[]` for arrays.
std::string postgres_sql_type(const ColumnType& type);

}  // namespace sluice::jdbc
