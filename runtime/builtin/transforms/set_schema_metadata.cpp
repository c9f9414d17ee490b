// SetSchemaMetadata$Key / SetSchemaMetadata$Value: Kafka's
// org.apache.kafka.connect.transforms.SetSchemaMetadata.
#include "runtime/builtin/transforms/field_support.h"
#include "sluice/errors.h"

namespace sluice::builtin {

namespace {

constexpr std::string_view kPurpose = "updating schema metadata";

class SetSchemaMetadata final : public Transform {
 public:
  explicit SetSchemaMetadata(Side side) : side_(side) {}

  const ConfigDef& config_def() const override {
    static const ConfigDef def = [] {
      ConfigDef d;
      d.define("schema.name", ConfigType::kString, kNullDefault, Importance::kHigh, "Schema name to set.");
      d.define("schema.version", ConfigType::kInt, kNullDefault, Importance::kHigh, "Schema version to set.");
      return define_replace_null_with_default(d);
    }();
    return def;
  }

  void configure(const ConfigMap& config) override {
    Config parsed = config_def().parse(config);
    name_.reset();
    version_.reset();
    if (!parsed.is_null("schema.name")) name_ = parsed.get_string("schema.name");
    if (!parsed.is_null("schema.version")) version_ = parsed.get_int("schema.version");
    if (!name_ && !version_) throw ConfigError("Neither schema name nor version configured");
    replace_null_ = parsed.get_bool(kReplaceNullWithDefault);
  }

  std::optional<Record> apply(Record record) override {
    SchemaPtr& schema = operating_schema_mut(record, side_);
    require_schema(schema, kPurpose);
    const SchemaPtr& updated = cache_.get_or_build(schema, [&] {
      SchemaBuilder builder = SchemaBuilder::from(*schema);
      if (name_) builder.name(*name_);
      if (version_) builder.version(*version_);
      return builder.build();
    });
    Value& value = operating_value_mut(record, side_);
    // A struct carries its schema: rebuild it on the renamed one.
    if (auto* in = value.get_if<Struct>()) {
      Struct out(updated);
      for (const Field& f : in->schema()->fields()) out.put_unchecked(f.index, take_field(*in, f, replace_null_));
      value = Value(std::move(out));
    }
    schema = updated;
    return record;
  }

 private:
  Side side_;
  std::optional<std::string> name_;
  std::optional<std::int32_t> version_;
  bool replace_null_ = true;
  PlanCache<SchemaPtr> cache_;
};

}  // namespace

void add_set_schema_metadata(Registrar& registrar) {
  add_keyed_transform<SetSchemaMetadata>(registrar, std::string(kTransformsPackage) + "SetSchemaMetadata");
}

}  // namespace sluice::builtin
