// ValueToKey: Kafka's org.apache.kafka.connect.transforms.ValueToKey (value fields copied into a
// new key; there is no $Key/$Value variant).
#include <fmt/format.h>

#include "runtime/builtin/transforms/field_support.h"
#include "sluice/errors.h"

namespace sluice::builtin {

namespace {

constexpr std::string_view kPurpose = "copying fields from value to key";

class ValueToKey final : public Transform {
 public:
  const ConfigDef& config_def() const override {
    static const ConfigDef def = [] {
      ConfigDef d;
      d.define("fields", ConfigType::kList, kRequired,
               validator("non-empty list", [](const std::string& name, const ConfigValueData& v) {
                 if (std::get<std::vector<std::string>>(v).empty()) throw ConfigError(name, "Empty list");
               }),
               Importance::kHigh, "Field names on the record value to extract as the record key.");
      return define_replace_null_with_default(d);
    }();
    return def;
  }

  void configure(const ConfigMap& config) override {
    Config parsed = config_def().parse(config);
    fields_ = parsed.get_list("fields");
    replace_null_ = parsed.get_bool(kReplaceNullWithDefault);
  }

  std::optional<Record> apply(Record record) override {
    if (!record.value_schema) {
      const Map& value = require_map(record.value, kPurpose);
      Map key;
      key.reserve(fields_.size());
      for (const auto& name : fields_) {
        const Value* v = map_find(value, name);
        map_put(key, name, v ? *v : Value());
      }
      record.key_schema = nullptr;
      record.key = Value(std::move(key));
      return record;
    }
    const Struct& value = require_struct(record.value, kPurpose);
    const KeyPlan& plan = cache_.get_or_build(value.schema(), [&] { return plan_for(*value.schema()); });
    Struct key(plan.schema);
    const auto& fields = value.schema()->fields();
    for (std::size_t i = 0; i < plan.sources.size(); ++i) {
      key.put_unchecked(i, read_field(value, fields[plan.sources[i]], replace_null_));
    }
    record.key_schema = plan.schema;
    record.key = Value(std::move(key));
    return record;
  }

 private:
  struct KeyPlan {
    SchemaPtr schema;
    std::vector<std::size_t> sources;  // value field index per key field
  };

  KeyPlan plan_for(const Schema& value_schema) const {
    KeyPlan plan;
    SchemaBuilder builder = SchemaBuilder::struct_();
    for (const auto& name : fields_) {
      const Field* f = value_schema.field(name);
      if (!f) throw DataError(fmt::format("Field does not exist: {}", name));
      builder.field(name, f->schema);
      plan.sources.push_back(f->index);
    }
    plan.schema = builder.build();
    return plan;
  }

  std::vector<std::string> fields_;
  bool replace_null_ = true;
  PlanCache<KeyPlan> cache_;
};

}  // namespace

void add_value_to_key(Registrar& registrar) {
  registrar.add_transform(std::string(kTransformsPackage) + "ValueToKey",
                          [] { return std::unique_ptr<Transform>(new ValueToKey()); }, {"ValueToKey"});
}

}  // namespace sluice::builtin
