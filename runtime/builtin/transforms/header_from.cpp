// HeaderFrom$Key / HeaderFrom$Value: copies or moves fields of the key or value into headers.
#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "runtime/builtin/transforms/keyed.h"
#include "runtime/builtin/transforms/record_support.h"
#include "sluice/errors.h"

namespace sluice::builtin {

namespace {

// Owned by one task thread, like every transform.
class HeaderFrom final : public Transform {
 public:
  explicit HeaderFrom(Side side) : side_(side) {}

  const ConfigDef& config_def() const override {
    static const ConfigDef def =
        ConfigDef{}
            .define("fields", ConfigType::kList, kRequired, non_empty_list(), Importance::kMedium,
                    "Field names in the record whose values are to be copied or moved to headers.")
            .define("headers", ConfigType::kList, kRequired, non_empty_list(), Importance::kMedium,
                    "Header names, in the same order as the field names listed in the fields configuration "
                    "property.")
            .define("operation", ConfigType::kString, kRequired, one_of({"move", "copy"}), Importance::kMedium,
                    "Either <code>move</code> if the fields are to be moved to the headers (removed from the "
                    "key/value), or <code>copy</code> if the fields are to be copied to the headers (retained in "
                    "the key/value).")
            .define("replace.null.with.default", ConfigType::kBoolean, true, Importance::kMedium,
                    std::string(kReplaceNullWithDefaultDoc));
    return def;
  }

  void configure(const ConfigMap& config) override {
    Config parsed = config_def().parse(config);
    fields_ = parsed.get_list("fields");
    headers_ = parsed.get_list("headers");
    if (fields_.size() != headers_.size()) {
      throw ConfigError("fields", "'fields' config must have the same number of elements as 'headers' config.");
    }
    move_ = parsed.get_string("operation") == "move";
    replace_null_with_default_ = parsed.get_bool("replace.null.with.default");
  }

  std::optional<Record> apply(Record record) override {
    if (!operating_schema(record, side_)) return apply_schemaless(std::move(record));
    return apply_with_schema(std::move(record));
  }

 private:
  bool moved(const std::string& name) const { return std::find(fields_.begin(), fields_.end(), name) != fields_.end(); }

  Record apply_schemaless(Record record) {
    Value& operating = side_ == Side::kKey ? record.key : record.value;
    Map* map = operating.get_if<Map>();
    if (!map) throw DataError(fmt::format("Only Map objects supported in absence of schema for [header {}], found: {}",
                                          move_ ? "move" : "copy", operating.type_name()));
    for (std::size_t i = 0; i < fields_.size(); ++i) {
      const Value* v = map_find(*map, fields_[i]);
      record.headers.add(headers_[i], v ? *v : Value(), nullptr);
    }
    if (move_) {
      std::erase_if(*map, [&](const auto& entry) {
        const auto* key = entry.first.template get_if<std::string>();
        return key && moved(*key);
      });
    }
    return record;
  }

  Record apply_with_schema(Record record) {
    SchemaPtr schema = operating_schema(record, side_);
    Value& operating = side_ == Side::kKey ? record.key : record.value;
    Struct* value = operating.get_if<Struct>();
    if (!value) throw DataError(fmt::format("Only Struct objects supported for [header {}], found: {}",
                                            move_ ? "move" : "copy", operating.type_name()));
    for (std::size_t i = 0; i < fields_.size(); ++i) {
      const Field* field = schema->field(fields_[i]);
      if (!field) throw DataError(fmt::format("Field {} not found in schema {}", fields_[i], schema->name()));
      record.headers.add(headers_[i], field_value(*value, *field, replace_null_with_default_), field->schema);
    }
    if (!move_) return record;

    const SchemaPtr& moved_schema = schemas_.get(schema, [&](const Schema& s) {
      SchemaBuilder builder = copy_schema_basics(s, SchemaBuilder::struct_());
      for (const auto& f : s.fields()) {
        if (!moved(f.name)) builder.field(f.name, f.schema);
      }
      if (s.optional()) builder.optional();
      return builder.build();
    });
    // The record is ours: move the remaining field values instead of copying them.
    Struct updated(moved_schema);
    for (const auto& f : moved_schema->fields()) {
      const Field& original = *schema->field(f.name);
      Value& v = value->at(original.index);
      if (v.is_null() && replace_null_with_default_ && original.schema->has_default()) {
        updated.put_unchecked(f.index, original.schema->default_value());
      } else {
        updated.put_unchecked(f.index, std::move(v));
      }
    }
    SchemaPtr updated_schema = moved_schema;
    return with_operating(std::move(record), side_, std::move(updated_schema), Value(std::move(updated)));
  }

  Side side_;
  std::vector<std::string> fields_;
  std::vector<std::string> headers_;
  bool move_ = false;
  bool replace_null_with_default_ = true;
  SchemaCache schemas_;  // input schema -> schema without the moved fields
};

}  // namespace

void add_header_from(Registrar& registrar) {
  add_keyed_transform<HeaderFrom>(registrar, std::string(kTransformsPackage) + "HeaderFrom");
}

}  // namespace sluice::builtin
