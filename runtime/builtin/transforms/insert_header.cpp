// InsertHeader: adds one static header to every record.
#include <string>

#include "runtime/builtin/transforms/record_support.h"
#include "sluice/plugin.h"

namespace sluice::builtin {

namespace {

// Owned by one task thread, like every transform.
class InsertHeader final : public Transform {
 public:
  const ConfigDef& config_def() const override {
    static const ConfigDef def =
        ConfigDef{}
            .define("header", ConfigType::kString, kRequired, non_null(), Importance::kHigh, "The name of the header.")
            .define("value.literal", ConfigType::kString, kRequired, non_null(), Importance::kHigh,
                    "The literal value that is to be set as the header value on all records.");
    return def;
  }

  void configure(const ConfigMap& config) override {
    Config parsed = config_def().parse(config);
    header_ = parsed.get_string("header");
    // Typed once, as Kafka's Values.parseString would: "42" is an int8 header, "true" a boolean.
    std::tie(schema_, value_) = parse_literal(parsed.get_string("value.literal"));
  }

  std::optional<Record> apply(Record record) override {
    record.headers.add(header_, value_, schema_);
    return record;
  }

 private:
  std::string header_;
  SchemaPtr schema_;
  Value value_;
};

}  // namespace

void add_insert_header(Registrar& registrar) {
  registrar.add_transform<InsertHeader>(std::string(kTransformsPackage) + "InsertHeader");
}

}  // namespace sluice::builtin
