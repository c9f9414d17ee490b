#include "field_dropper.h"

#include <algorithm>

#include <fmt/format.h>

#include "sluice/config_def.h"
#include "sluice/errors.h"

namespace sluice::debezium {

namespace {

bool contains(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// The names listed in the header; empty when there is nothing to drop.
std::vector<std::string> header_names(const Header& header) {
  std::vector<std::string> out;
  if (header.value.is_null()) return out;
  if (const auto* text = header.value.get_if<std::string>()) return split_list(*text);
  const auto* array = header.value.get_if<Array>();
  if (!array) {
    throw DataError(fmt::format("Header '{}' must list the fields to drop as an array of strings, found {}",
                                header.key, header.value.type_name()));
  }
  out.reserve(array->size());
  for (const Value& item : *array) {
    const auto* name = item.get_if<std::string>();
    if (!name) {
      throw DataError(fmt::format("Header '{}' must list the fields to drop as strings, found {}", header.key,
                                  item.type_name()));
    }
    out.push_back(*name);
  }
  return out;
}

}  // namespace

FieldDropper::FieldDropper(std::string header_name, bool from_key, bool keep_schema_compatible)
    : header_name_(std::move(header_name)), from_key_(from_key), keep_schema_compatible_(keep_schema_compatible) {}

void FieldDropper::apply(Record& record) {
  // Debezium reads the first header with the name.
  const Header* header = nullptr;
  for (const Header& h : record.headers) {
    if (h.key == header_name_) {
      header = &h;
      break;
    }
  }
  if (!header) return;
  const std::vector<std::string> names = header_names(*header);
  if (names.empty()) return;
  if (from_key_ && !record.key.is_null()) drop_from(record.key_schema, record.key, names);
  if (!record.value.is_null()) drop_from(record.value_schema, record.value, names);
}

void FieldDropper::drop_from(SchemaPtr& schema, Value& value, const std::vector<std::string>& names) {
  if (schema) {
    if (schema->type() == Type::kStruct && value.is<Struct>()) drop_from_struct(schema, value, names);
    return;
  }
  if (auto* map = value.get_if<Map>()) {
    std::erase_if(*map, [&](const auto& entry) {
      const auto* key = entry.first.template get_if<std::string>();
      return key && contains(names, *key);
    });
  }
}

void FieldDropper::drop_from_struct(SchemaPtr& schema, Value& value, const std::vector<std::string>& names) {
  Struct& in = value.as<Struct>();
  const SchemaPtr& in_schema = in.schema();
  std::vector<std::string> drop_list;
  std::string dropped;  // the cache key: drop_list joined
  for (const Field& f : in_schema->fields()) {
    if (!contains(names, f.name)) continue;
    if (keep_schema_compatible_ && !f.schema->optional()) continue;
    dropped += f.name;
    dropped += '\0';
    drop_list.push_back(f.name);
  }
  if (drop_list.empty()) return;
  const SchemaPtr& out_schema = schemas_.get_or_build({in_schema, dropped}, [&] {
    SchemaBuilder b = SchemaBuilder::struct_();
    if (!in_schema->name().empty()) b.name(in_schema->name());
    if (in_schema->version()) b.version(*in_schema->version());
    if (!in_schema->doc().empty()) b.doc(in_schema->doc());
    b.parameters(in_schema->parameters());
    for (const Field& f : in_schema->fields()) {
      if (!contains(drop_list, f.name)) b.field(f.name, f.schema);
    }
    return b.build();
  });
  Struct out(out_schema);
  std::size_t next = 0;
  for (const Field& f : in_schema->fields()) {
    if (contains(drop_list, f.name)) continue;
    out.put_unchecked(next++, std::move(in.at(f.index)));
  }
  schema = out_schema;
  value = Value(std::move(out));
}

}  // namespace sluice::debezium
