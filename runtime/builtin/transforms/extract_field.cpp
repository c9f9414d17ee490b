// ExtractField$Key / ExtractField$Value: Kafka's org.apache.kafka.connect.transforms.ExtractField,
// with KIP-821's field.syntax.version=V2 nested paths.
#include <fmt/format.h>

#include "runtime/builtin/transforms/field_support.h"
#include "sluice/errors.h"

namespace sluice::builtin {

namespace {

constexpr std::string_view kPurpose = "field extraction";

// V2 syntax: steps separated by dots; a step wrapped in backticks may contain dots, and a
// backtick inside it is written \`. A backtick with no closing partner is an ordinary character.
std::vector<std::string> parse_v2_path(std::string_view path) {
  std::vector<std::string> steps;
  std::size_t i = 0;
  while (true) {
    std::string step;
    bool quoted = false;
    if (i < path.size() && path[i] == '`') {
      for (std::size_t j = i + 1; j < path.size(); ++j) {
        if (path[j] == '\\' && j + 1 < path.size() && path[j + 1] == '`') {
          step += '`';
          ++j;
        } else if (path[j] == '`' && (j + 1 == path.size() || path[j + 1] == '.')) {
          quoted = true;
          i = j + 1;
          break;
        } else {
          step += path[j];
        }
      }
    }
    if (!quoted) {
      std::size_t dot = path.find('.', i);
      step = std::string(path.substr(i, dot == std::string_view::npos ? std::string_view::npos : dot - i));
      i = dot == std::string_view::npos ? path.size() : dot;
    }
    steps.push_back(std::move(step));
    if (i >= path.size()) break;
    ++i;  // the dot
    if (i == path.size()) {
      steps.emplace_back();
      break;
    }
  }
  return steps;
}

class ExtractField final : public Transform {
 public:
  explicit ExtractField(Side side) : side_(side) {}

  const ConfigDef& config_def() const override {
    static const ConfigDef def = [] {
      ConfigDef d;
      d.define("field", ConfigType::kString, kRequired, Importance::kMedium,
               "Field name to extract.");
      d.define("field.syntax.version", ConfigType::kString, "V1", one_of_case_insensitive({"V1", "V2"}),
               Importance::kHigh,
               "Defines the version of the syntax to access fields. If set to `V1`, then the field paths "
               "are limited to access the elements at the root level of the struct or map. If set to `V2`, "
               "the syntax will support accessing nested elements. To access nested elements, dotted "
               "notation is used. If dots are already included in the field name, then backtick pairs can "
               "be used to wrap field names containing dots. E.g. to access the subfield `baz` from a field "
               "named \"foo.bar\" in a struct/map the following format can be used to access its elements: "
               "\"`foo.bar`.baz\".");
      return define_replace_null_with_default(d);
    }();
    return def;
  }

  void configure(const ConfigMap& config) override {
    Config parsed = config_def().parse(config);
    original_path_ = parsed.get_string("field");
    const std::string& version = parsed.get_string("field.syntax.version");
    if (version == "V1" || version == "v1") {
      path_ = {original_path_};
    } else {
      path_ = parse_v2_path(original_path_);
    }
    replace_null_ = parsed.get_bool(kReplaceNullWithDefault);
  }

  std::optional<Record> apply(Record record) override {
    Value& value = operating_value_mut(record, side_);
    SchemaPtr& schema = operating_schema_mut(record, side_);
    if (!schema) {
      if (!value.is_null()) value = extract_schemaless(require_map(value, kPurpose));
      return record;
    }
    // Resolve the path on the struct's own schema: its field indices are the ones to read.
    const SchemaPtr& own = value.is_null() ? schema : require_struct(value, kPurpose).schema();
    const Extraction& plan = cache_.get_or_build(own, [&] { return plan_for(own); });
    if (!value.is_null()) value = extract(value.as<Struct>(), plan);
    schema = plan.schema;
    return record;
  }

 private:
  // The fields along the path, resolved once per schema.
  struct Extraction {
    std::vector<const Field*> fields;
    SchemaPtr schema;
  };

  Extraction plan_for(const SchemaPtr& schema) const {
    Extraction plan;
    const Schema* current = schema.get();
    for (const auto& step : path_) {
      const Field* f = current && current->type() == Type::kStruct ? current->field(step) : nullptr;
      if (!f) throw DataError(fmt::format("Unknown field: {}", original_path_));
      plan.fields.push_back(f);
      current = f->schema.get();
    }
    plan.schema = plan.fields.back()->schema;
    return plan;
  }

  Value extract(Struct& root, const Extraction& plan) const {
    Struct* current = &root;
    for (std::size_t i = 0; i + 1 < plan.fields.size(); ++i) {
      Value& v = current->at(plan.fields[i]->index);
      if (v.is_null()) {
        const Schema& s = *plan.fields[i]->schema;
        if (!replace_null_ || !s.has_default() || s.default_value().is_null()) return Value();
        // Continue inside the parent's default struct; copy rather than move from the schema.
        return read_nested(s.default_value().as<Struct>(), plan, i + 1);
      }
      current = &v.as<Struct>();
    }
    return take_field(*current, *plan.fields.back(), replace_null_);
  }

  Value read_nested(const Struct& from, const Extraction& plan, std::size_t i) const {
    const Struct* current = &from;
    for (; i + 1 < plan.fields.size(); ++i) {
      const Value& v = read_field(*current, *plan.fields[i], replace_null_);
      if (v.is_null()) return Value();
      current = &v.as<Struct>();
    }
    return read_field(*current, *plan.fields.back(), replace_null_);
  }

  Value extract_schemaless(Map& root) const {
    Map* current = &root;
    for (std::size_t i = 0; i < path_.size(); ++i) {
      Value* v = map_find_mutable(*current, path_[i]);
      if (!v) return Value();
      if (i + 1 == path_.size()) return std::move(*v);
      current = v->get_if<Map>();
      if (!current) return Value();
    }
    return Value();
  }

  Side side_;
  std::string original_path_;
  std::vector<std::string> path_;
  bool replace_null_ = true;
  PlanCache<Extraction> cache_;
};

}  // namespace

void add_extract_field(Registrar& registrar) {
  add_keyed_transform<ExtractField>(registrar, std::string(kTransformsPackage) + "ExtractField");
}

}  // namespace sluice::builtin
