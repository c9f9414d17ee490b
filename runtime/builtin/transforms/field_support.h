// Shared pieces of the field-reshaping transforms (Cast, ExtractField, Flatten, HoistField,
// InsertField, MaskField, ReplaceField, SetSchemaMetadata, ValueToKey): Kafka's Requirements and
// SchemaUtil helpers, the per-schema cache, and one registration function per transform.
//
// Everything here is used by a single transform instance on its task's thread: no locking.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/config_def.h"
#include "sluice/plugin.h"
#include "runtime/builtin/transforms/keyed.h"
#include "sluice/record.h"

namespace sluice::builtin {

// Registration, one per transform file (register_field_transforms() calls them all).
void add_cast(Registrar& registrar);
void add_extract_field(Registrar& registrar);
void add_flatten(Registrar& registrar);
void add_hoist_field(Registrar& registrar);
void add_insert_field(Registrar& registrar);
void add_mask_field(Registrar& registrar);
void add_replace_field(Registrar& registrar);
void add_set_schema_metadata(Registrar& registrar);
void add_value_to_key(Registrar& registrar);

// The half of the record a $Key/$Value transform rewrites, for in-place updates.
inline Value& operating_value_mut(Record& r, Side side) { return side == Side::kKey ? r.key : r.value; }
inline SchemaPtr& operating_schema_mut(Record& r, Side side) {
  return side == Side::kKey ? r.key_schema : r.value_schema;
}

inline constexpr std::string_view kTransformsPackage = "org.apache.kafka.connect.transforms.";

// Kafka's `replace.null.with.default` key, shared by most of these transforms.
inline constexpr const char* kReplaceNullWithDefault = "replace.null.with.default";
ConfigDef& define_replace_null_with_default(ConfigDef& def);

// Derived data per input schema, keyed by pointer. Schemas are interned and shared, so a handful
// of entries covers a task; holding the key keeps its address from being reused. A miss only
// costs a rebuild, so equal schemas at different addresses are merely cached twice.
template <class Entry>
class PlanCache {
 public:
  template <class Build>
  const Entry& get_or_build(const SchemaPtr& schema, Build&& build) {
    for (auto& slot : slots_) {
      if (slot.first == schema) return slot.second;
    }
    if (slots_.empty()) slots_.reserve(kCapacity);  // references stay valid: never reallocates
    if (slots_.size() < kCapacity) {
      slots_.emplace_back(schema, build());
      return slots_.back().second;
    }
    auto& victim = slots_[next_victim_];
    next_victim_ = (next_victim_ + 1) % kCapacity;
    victim = {schema, build()};
    return victim.second;
  }

 private:
  static constexpr std::size_t kCapacity = 16;
  std::vector<std::pair<SchemaPtr, Entry>> slots_;
  std::size_t next_victim_ = 0;
};

// Kafka's Requirements: the operating value as a Struct / string-keyed Map, or a DataError
// naming the transform's purpose and what was found.
Struct& require_struct(Value& value, std::string_view purpose);
const Struct& require_struct(const Value& value, std::string_view purpose);
Map& require_map(Value& value, std::string_view purpose);
const Map& require_map(const Value& value, std::string_view purpose);
void require_schema(const SchemaPtr& schema, std::string_view purpose);
// The key of a schemaless map entry, which these transforms require to be a string.
const std::string& map_key(const Value& key, std::string_view purpose);

// Kafka's Struct.get(field) (replace_null_with_default) or getWithoutDefault(): moves the value
// out of `s`; a null reads as the field's default when asked and the field has one.
inline Value take_field(Struct& s, const Field& field, bool replace_null_with_default) {
  Value& v = s.at(field.index);
  if (v.is_null() && replace_null_with_default && field.schema->has_default()) {
    return field.schema->default_value();
  }
  return std::move(v);
}
// The same, reading without moving.
inline const Value& read_field(const Struct& s, const Field& field, bool replace_null_with_default) {
  const Value& v = s.at(field.index);
  if (v.is_null() && replace_null_with_default && field.schema->has_default()) {
    return field.schema->default_value();
  }
  return v;
}

// Kafka's SchemaUtil.copySchemaBasics: name, version, doc and parameters (not optional/default).
SchemaBuilder& copy_schema_basics_into(const Schema& source, SchemaBuilder& builder);

// Sets `key` in a schemaless map: replaces the value of an existing entry (keeping its
// position, like a Java LinkedHashMap) or appends.
void map_put(Map& map, std::string_view key, Value value);
Value* map_find_mutable(Map& map, std::string_view key);

// The Connect type of a schemaless value (ConnectSchema.schemaType); nullopt for null.
std::optional<Type> value_type(const Value& value);

// Java's upper-case enum spelling of a type ("INT32"), as Kafka's messages show it.
std::string java_type_name(Type type);

// Java's Byte/Short/Integer/Long.parseX and Float/Double.parseX; DataError when the text does
// not parse or is out of range.
std::int64_t parse_java_integer(std::string_view text, Type type);
double parse_java_floating(std::string_view text);

}  // namespace sluice::builtin
