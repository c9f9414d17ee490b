// HoistField$Key / HoistField$Value: Kafka's org.apache.kafka.connect.transforms.HoistField.
#include "runtime/builtin/transforms/field_support.h"
#include "sluice/errors.h"

namespace sluice::builtin {

namespace {

class HoistField final : public Transform {
 public:
  explicit HoistField(Side side) : side_(side) {}

  const ConfigDef& config_def() const override {
    static const ConfigDef def = ConfigDef{}.define(
        "field", ConfigType::kString, kRequired, Importance::kMedium,
        "Field name for the single field that will be created in the resulting Struct or Map.");
    return def;
  }

  void configure(const ConfigMap& config) override {
    field_name_ = config_def().parse(config).get_string("field");
  }

  std::optional<Record> apply(Record record) override {
    Value& value = operating_value_mut(record, side_);
    SchemaPtr& schema = operating_schema_mut(record, side_);
    if (!schema) {
      Map out;
      out.emplace_back(Value(field_name_), std::move(value));
      value = Value(std::move(out));
      return record;
    }
    const SchemaPtr& hoisted = cache_.get_or_build(schema, [&] {
      return SchemaBuilder::struct_().field(field_name_, schema).build();
    });
    Struct out(hoisted);
    out.put(hoisted->fields().front(), std::move(value));  // checks null against a required schema
    schema = hoisted;
    value = Value(std::move(out));
    return record;
  }

 private:
  Side side_;
  std::string field_name_;
  PlanCache<SchemaPtr> cache_;
};

}  // namespace

void add_hoist_field(Registrar& registrar) {
  add_keyed_transform<HoistField>(registrar, std::string(kTransformsPackage) + "HoistField");
}

}  // namespace sluice::builtin
