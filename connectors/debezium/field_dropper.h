// ExtractNewRecordState's `drop.fields.*` options: drop the fields named in a record header (the
// list ExtractChangedRecordState writes, for instance) from the flattened value, and optionally
// from the key.
//
// The header's value is an array of field names (a comma-separated string is accepted too). With
// keep_schema_compatible only optional fields are dropped, so the output schema stays compatible
// with the table's; otherwise every named field present is dropped. Names that are not fields are
// ignored. A struct that loses fields gets a schema with the input's name, version, doc and
// parameters and the remaining fields (Kafka's ReplaceField); schemaless maps lose the entries.
//
// One per transform instance, used on its task's thread. Output schemas are cached per
// (input schema, dropped fields).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "schema_cache.h"
#include "sluice/record.h"

namespace sluice::debezium {

class FieldDropper {
 public:
  FieldDropper(std::string header_name, bool from_key, bool keep_schema_compatible);

  // Drops the fields the header names from record.value (and record.key when configured). Records
  // without the header, or whose header is null or empty, are left alone. Throws DataError when the
  // header is neither an array of strings nor a string.
  void apply(Record& record);

 private:
  void drop_from(SchemaPtr& schema, Value& value, const std::vector<std::string>& names);
  void drop_from_struct(SchemaPtr& schema, Value& value, const std::vector<std::string>& names);

  std::string header_name_;
  bool from_key_;
  bool keep_schema_compatible_;
  SchemaCache<std::pair<SchemaPtr, std::string>, SchemaPtr> schemas_;
};

}  // namespace sluice::debezium
