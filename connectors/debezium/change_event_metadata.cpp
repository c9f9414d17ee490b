#include "change_event_metadata.h"

#include <fmt/format.h>

#include "sluice/errors.h"

namespace sluice::debezium {

namespace {

// Debezium's rule for a field named without its block.
std::string default_block(std::string_view field) {
  if (field == "id" || field == "total_order" || field == "data_collection_order") return "transaction";
  if (field == "op" || field == "ts_ms") return "";
  return "source";
}

// Debezium copies the type, name, version, doc and parameters and makes the copy optional; the
// default is dropped, so a missing value reads as null rather than as the column's default. Struct
// fields and element schemas are kept so a copied block still accepts its own values.
SchemaPtr optional_copy(const Schema& s) {
  SchemaBuilder b = s.type() == Type::kArray ? SchemaBuilder::array(s.value_schema())
                    : s.type() == Type::kMap ? SchemaBuilder::map(s.key_schema(), s.value_schema())
                                             : SchemaBuilder(s.type());
  if (!s.name().empty()) b.name(s.name());
  if (s.version()) b.version(*s.version());
  if (!s.doc().empty()) b.doc(s.doc());
  b.parameters(s.parameters());
  if (s.type() == Type::kStruct) {
    for (const Field& f : s.fields()) b.field(f.name, f.schema);
  }
  return b.optional().build();
}

const Value* find_string_key(const Map& map, std::string_view key) { return map_find(map, key); }

}  // namespace

MetadataFieldSpec MetadataFieldSpec::parse(std::string_view spec, std::string_view prefix,
                                           const std::string& config_key) {
  auto bad = [&](std::string_view why) {
    return ConfigError(config_key, fmt::format("Invalid field '{}': {}", spec, why));
  };
  std::string_view path = spec;
  std::optional<std::string_view> rename;
  if (auto colon = spec.find(':'); colon != std::string_view::npos) {
    path = spec.substr(0, colon);
    rename = spec.substr(colon + 1);
    if (rename->find(':') != std::string_view::npos) throw bad("expected <field>[:<new name>]");
    if (rename->empty()) throw bad("the new name is empty");
  }
  MetadataFieldSpec out;
  bool qualified = false;
  if (auto dot = path.find('.'); dot != std::string_view::npos) {
    out.block = std::string(path.substr(0, dot));
    out.field = std::string(path.substr(dot + 1));
    if (out.field.find('.') != std::string::npos) throw bad("expected <field> or <block>.<field>");
    if (out.block.empty()) throw bad("the block name is empty");
    qualified = true;
  } else {
    out.field = std::string(path);
    out.block = default_block(out.field);
  }
  if (out.field.empty()) throw bad("the field name is empty");
  if (rename) {
    out.output_name = fmt::format("{}{}", prefix, *rename);
  } else if (qualified) {
    out.output_name = fmt::format("{}{}_{}", prefix, out.block, out.field);
  } else {
    out.output_name = fmt::format("{}{}", prefix, out.field);
  }
  return out;
}

std::vector<MetadataFieldSpec> parse_metadata_fields(const std::vector<std::string>& specs,
                                                     std::string_view prefix,
                                                     const std::string& config_key) {
  std::vector<MetadataFieldSpec> out;
  std::vector<ConfigProblem> problems;
  for (const std::string& spec : specs) {
    if (spec.empty()) continue;
    try {
      out.push_back(MetadataFieldSpec::parse(spec, prefix, config_key));
    } catch (const ConfigError& e) {
      problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    }
  }
  if (!problems.empty()) throw ConfigError(std::move(problems));
  return out;
}

std::optional<ResolvedMetadataField> resolve_metadata_field(const MetadataFieldSpec& spec,
                                                            const Schema& envelope) {
  if (!spec.block.empty()) {
    const Field* block = envelope.field(spec.block);
    if (block && block->schema->type() == Type::kStruct) {
      if (const Field* f = block->schema->field(spec.field)) {
        return ResolvedMetadataField{spec.output_name, block->index, f->index, optional_copy(*f->schema)};
      }
    }
  }
  if (const Field* f = envelope.field(spec.field)) {
    return ResolvedMetadataField{spec.output_name, std::nullopt, f->index, optional_copy(*f->schema)};
  }
  return std::nullopt;
}

const Value& read_metadata_field(const ResolvedMetadataField& field, const Struct& envelope) {
  static const Value kNull;
  if (!field.block_index) return envelope.at(field.index);
  const Value& block = envelope.at(*field.block_index);
  const auto* s = block.get_if<Struct>();
  if (!s || field.index >= s->values().size()) return kNull;
  return s->at(field.index);
}

const Value* find_metadata_field(const MetadataFieldSpec& spec, const Map& envelope) {
  static const Value kNull;
  if (!spec.block.empty()) {
    if (const Value* block = find_string_key(envelope, spec.block)) {
      if (const auto* m = block->get_if<Map>()) {
        if (const Value* v = find_string_key(*m, spec.field)) return v;
      } else if (block->is_null() && !find_string_key(envelope, spec.field)) {
        return &kNull;  // the block is there but empty, as a missing `transaction` block
      }
    }
  }
  return find_string_key(envelope, spec.field);
}

}  // namespace sluice::debezium
