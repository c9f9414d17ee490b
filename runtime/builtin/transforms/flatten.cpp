// Flatten$Key / Flatten$Value: Kafka's org.apache.kafka.connect.transforms.Flatten.
#include <fmt/format.h>

#include "runtime/builtin/transforms/field_support.h"
#include "sluice/errors.h"

namespace sluice::builtin {

namespace {

constexpr std::string_view kPurpose = "flattening";

bool is_kept_as_is(Type t) { return is_primitive(t) || t == Type::kArray; }

class Flatten final : public Transform {
 public:
  explicit Flatten(Side side) : side_(side) {}

  const ConfigDef& config_def() const override {
    static const ConfigDef def = ConfigDef{}.define(
        "delimiter", ConfigType::kString, ".", Importance::kMedium,
        "Delimiter to insert between field names from the input data when generating field names for the "
        "output data");
    return def;
  }

  void configure(const ConfigMap& config) override {
    Config parsed = config_def().parse(config);
    delimiter_ = parsed.get_string("delimiter");
  }

  std::optional<Record> apply(Record record) override {
    Value& value = operating_value_mut(record, side_);
    SchemaPtr& schema = operating_schema_mut(record, side_);
    if (value.is_null()) return record;
    if (!schema) {
      Map out;
      flatten_map(require_map(value, kPurpose), "", out);
      value = Value(std::move(out));
      return record;
    }
    Struct& in = require_struct(value, kPurpose);
    const Flattening& plan = cache_.get_or_build(in.schema(), [&] { return plan_for(*in.schema()); });
    Struct out(plan.schema);
    for (std::size_t i = 0; i < plan.paths.size(); ++i) out.put_unchecked(i, take_leaf(in, plan.paths[i]));
    schema = plan.schema;
    value = Value(std::move(out));
    return record;
  }

 private:
  // One output field per leaf of the input; each leaf is reached by a path of input fields.
  struct Flattening {
    SchemaPtr schema;
    std::vector<std::vector<const Field*>> paths;
  };

  std::string field_name(const std::string& prefix, const std::string& name) const {
    return prefix.empty() ? name : prefix + delimiter_ + name;
  }

  Flattening plan_for(const Schema& in) const {
    Flattening plan;
    SchemaBuilder builder = SchemaBuilder::struct_();
    copy_schema_basics_into(in, builder);
    if (in.optional()) builder.optional();
    std::vector<const Field*> path;
    const Value& default_value = in.default_value();
    add_fields(in, "", in.optional(), default_value.get_if<Struct>(), path, builder, plan);
    plan.schema = builder.build();
    return plan;
  }

  // A nested struct's optionality and default pass down to its leaves, as in Kafka.
  void add_fields(const Schema& schema, const std::string& prefix, bool optional, const Struct* parent_default,
                  std::vector<const Field*>& path, SchemaBuilder& builder, Flattening& plan) const {
    for (const Field& f : schema.fields()) {
      std::string name = field_name(prefix, f.name);
      bool field_optional = optional || f.schema->optional();
      const Value* default_value = nullptr;
      if (f.schema->has_default() && !f.schema->default_value().is_null()) {
        default_value = &f.schema->default_value();
      } else if (parent_default && !parent_default->at(f.index).is_null()) {
        default_value = &parent_default->at(f.index);
      }
      path.push_back(&f);
      if (is_kept_as_is(f.schema->type())) {
        SchemaBuilder leaf(f.schema->type());
        if (f.schema->type() == Type::kArray) leaf = SchemaBuilder::array(f.schema->value_schema());
        copy_schema_basics_into(*f.schema, leaf);
        if (field_optional) leaf.optional();
        if (default_value) leaf.default_value(*default_value);
        builder.field(std::move(name), leaf.build());
        plan.paths.push_back(path);
      } else if (f.schema->type() == Type::kStruct) {
        add_fields(*f.schema, name, field_optional, default_value ? &default_value->as<Struct>() : nullptr, path,
                   builder, plan);
      } else {
        throw DataError(fmt::format("Flatten transformation does not support {} for record with schemas (for field {}).",
                                    java_type_name(f.schema->type()), name));
      }
      path.pop_back();
    }
  }

  // Walks to a leaf the way Kafka's Struct.get() does: a null struct reads as its default.
  static Value take_leaf(Struct& root, const std::vector<const Field*>& path) {
    Struct* current = &root;
    for (std::size_t i = 0; i + 1 < path.size(); ++i) {
      Value& v = current->at(path[i]->index);
      if (v.is_null()) {
        if (!path[i]->schema->has_default() || path[i]->schema->default_value().is_null()) return Value();
        // Defaults are shared with the schema: read them, do not move.
        const Struct* d = &path[i]->schema->default_value().as<Struct>();
        for (std::size_t j = i + 1; j + 1 < path.size(); ++j) {
          const Value& dv = read_field(*d, *path[j], true);
          if (dv.is_null()) return Value();
          d = &dv.as<Struct>();
        }
        return read_field(*d, *path.back(), true);
      }
      current = &v.as<Struct>();
    }
    return take_field(*current, *path.back(), true);
  }

  void flatten_map(Map& in, const std::string& prefix, Map& out) const {
    for (auto& [k, v] : in) {
      std::string name = field_name(prefix, map_key(k, kPurpose));
      if (auto* nested = v.get_if<Map>()) {
        flatten_map(*nested, name, out);
      } else if (v.is<Struct>()) {
        throw DataError(fmt::format(
            "Flatten transformation does not support struct for record without schemas (for field {}).", name));
      } else {
        map_put(out, name, std::move(v));
      }
    }
  }

  Side side_;
  std::string delimiter_ = ".";
  PlanCache<Flattening> cache_;
};

}  // namespace

void add_flatten(Registrar& registrar) {
  add_keyed_transform<Flatten>(registrar, std::string(kTransformsPackage) + "Flatten");
}

}  // namespace sluice::builtin
