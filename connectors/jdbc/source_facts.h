// SourceFacts: what a record says about where it came from: the guard value, the source position
// for the checkpoint, the snapshot flag, the delete time and the source db/schema/table for
// table.name.format. Read from a Debezium source block (PostgreSQL: lsn, sequence; MySQL/MariaDB:
// file, pos, row) or, for flattened records, from __source_* / __lsn fields and headers. See
// docs/jdbc-sink-design.md for the guard and position rules.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sink_database.h"
#include "sluice/record.h"

namespace sluice::jdbc {

struct SourceFacts {
  // True when the record carries a source stream position (PostgreSQL lsn, binlog file + pos) or
  // is a snapshot record: only then is `guard` an order the row guard may compare.
  bool guarded = false;
  std::int64_t guard = 0;
  std::optional<SourcePosition> position;  // unset for snapshot records and without a source
  bool snapshot = false;
  std::int64_t ts_ms = 0;  // source ts_ms, else the record timestamp, else 0
  std::string db;
  std::string schema;
  std::string table;
};

// `source`: the envelope's source block, or nullptr. `flattened`: the value struct of a flattened
// record (its __source_* fields), or nullptr. Headers are always consulted after fields.
// Throws DataError for a malformed sequence.
SourceFacts read_source_facts(const SinkRecord& record, const Struct* source, const Struct* flattened);

// ["<previous commit LSN>","<change LSN>"] (either may be null) -> (previous, change).
SourcePosition parse_sequence(const std::string& text);

// The number after the last '.' of a binlog file name ("mysql-bin.000042" -> 42).
std::int64_t binlog_file_sequence(const std::string& file);

}  // namespace sluice::jdbc
