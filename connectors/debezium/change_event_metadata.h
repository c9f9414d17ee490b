// The metadata fields of a Debezium change event that ExtractNewRecordState copies into the
// flattened value (`add.fields`) or into headers (`add.headers`).
//
// A spec names one field of the envelope: "op", "ts_ms", "source.ts_ms", "transaction.id",
// optionally renamed with ":newName" ("source.ts_ms:EVENT_TS"). An unqualified name belongs to
// the envelope itself for "op" and "ts_ms", to the `transaction` block for "id", "total_order" and
// "data_collection_order", and to the `source` block otherwise. When the named block has no such
// field, the envelope's own field of that name is used (a field another SMT put there); when
// neither exists the field is simply not added, as Debezium does.
//
// Output names: prefix + field ("__op"), prefix + block + "_" + field ("__source_ts_ms") when the
// block was spelled out, or prefix + newName.
//
// Plain data, built in configure(), read-only afterwards; used by one task thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/record.h"

namespace sluice::debezium {

struct MetadataFieldSpec {
  std::string block;  // "source", "transaction", ..., or "" for the envelope itself
  std::string field;
  std::string output_name;  // prefix included

  // Throws ConfigError(config_key, ...) for an empty part, more than one ':' or more than one '.'.
  static MetadataFieldSpec parse(std::string_view spec, std::string_view prefix,
                                 const std::string& config_key);
};

// Parses a whole `add.fields` / `add.headers` list; blank entries are skipped. Throws one
// ConfigError naming every bad entry.
std::vector<MetadataFieldSpec> parse_metadata_fields(const std::vector<std::string>& specs,
                                                     std::string_view prefix,
                                                     const std::string& config_key);

// A spec located in one envelope schema.
struct ResolvedMetadataField {
  std::string output_name;
  std::optional<std::size_t> block_index;  // envelope field holding the block; nullopt = top level
  std::size_t index = 0;                   // field index within the block (or the envelope)
  // The field's schema made optional, its default dropped (Debezium's copySchemaBasics+optional).
  SchemaPtr schema;
};

// nullopt when neither the block nor the envelope has the field. `envelope` must be a struct.
std::optional<ResolvedMetadataField> resolve_metadata_field(const MetadataFieldSpec& spec,
                                                            const Schema& envelope);

// The field's value in an envelope of the schema it was resolved against; null when the block
// itself is null (no `transaction` block during a snapshot, for instance).
const Value& read_metadata_field(const ResolvedMetadataField& field, const Struct& envelope);

// Schemaless envelopes: the same lookup in a string-keyed Map; nullptr when the field is absent.
const Value* find_metadata_field(const MetadataFieldSpec& spec, const Map& envelope);

}  // namespace sluice::debezium
