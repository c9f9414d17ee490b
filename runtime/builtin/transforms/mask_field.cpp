// MaskField$Key / MaskField$Value: Kafka's org.apache.kafka.connect.transforms.MaskField.
#include <algorithm>

#include <fmt/format.h>

#include "runtime/builtin/transforms/field_support.h"
#include "sluice/errors.h"

namespace sluice::builtin {

namespace {

constexpr std::string_view kPurpose = "mask fields";

bool is_decimal(const Schema* schema) { return schema && schema->name() == logical::kDecimalName; }

class MaskField final : public Transform {
 public:
  explicit MaskField(Side side) : side_(side) {}

  const ConfigDef& config_def() const override {
    static const ConfigDef def = [] {
      ConfigDef d;
      d.define("fields", ConfigType::kList, kRequired,
               validator("non-empty list", [](const std::string& name, const ConfigValueData& v) {
                 if (std::get<std::vector<std::string>>(v).empty()) throw ConfigError(name, "Empty list");
               }),
               Importance::kHigh, "Names of fields to mask.");
      d.define("replacement", ConfigType::kString, kNullDefault, non_empty_string(), Importance::kLow,
               "Custom value replacement, that will be applied to all 'fields' values (numeric or non-empty "
               "string values only).");
      return define_replace_null_with_default(d);
    }();
    return def;
  }

  void configure(const ConfigMap& config) override {
    Config parsed = config_def().parse(config);
    fields_ = parsed.get_list("fields");
    replacement_.reset();
    if (!parsed.is_null("replacement")) replacement_ = parsed.get_string("replacement");
    replace_null_ = parsed.get_bool(kReplaceNullWithDefault);
  }

  std::optional<Record> apply(Record record) override {
    Value& value = operating_value_mut(record, side_);
    if (value.is_null()) return record;
    if (!operating_schema_mut(record, side_)) {
      Map& map = require_map(value, kPurpose);
      // Kafka puts every listed field, so a missing one appears with a null value.
      for (const auto& name : fields_) {
        if (Value* v = map_find_mutable(map, name)) {
          *v = masked(*v, nullptr);
        } else {
          map.emplace_back(Value(name), Value());
        }
      }
      return record;
    }
    // Same schema out as in: mask in place.
    Struct& s = require_struct(value, kPurpose);
    const std::vector<bool>& masked_fields = cache_.get_or_build(s.schema(), [&] { return plan_for(*s.schema()); });
    for (const Field& f : s.schema()->fields()) {
      Value v = take_field(s, f, replace_null_);
      s.put_unchecked(f.index, masked_fields[f.index] ? masked(v, f.schema.get()) : std::move(v));
    }
    return record;
  }

 private:
  std::vector<bool> plan_for(const Schema& schema) const {
    std::vector<bool> out;
    for (const Field& f : schema.fields()) {
      out.push_back(std::find(fields_.begin(), fields_.end(), f.name) != fields_.end());
    }
    return out;
  }

  Value masked(const Value& v, const Schema* schema) const {
    if (v.is_null()) return Value();
    return replacement_ ? with_replacement(v, schema) : with_zero(v, schema);
  }

  // Kafka's per-type "null" values: false, 0, "", BigDecimal.ZERO, epoch, empty list or map.
  static Value with_zero(const Value& v, const Schema* schema) {
    switch (v.index()) {
      case 1: return Value(false);
      case 2: return Value(std::int8_t{0});
      case 3: return Value(std::int16_t{0});
      case 4: return Value(std::int32_t{0});
      case 5: return Value(std::int64_t{0});
      case 6: return Value(0.0f);
      case 7: return Value(0.0);
      case 8: return Value(std::string());
      case 10: return Value(Array{});
      case 11: return Value(Map{});
      default:
        if (v.is<Bytes>() && is_decimal(schema)) return Value(logical::decimal_from_unscaled(0));
        throw DataError(fmt::format("Cannot mask value of type: {}", v.type_name()));
    }
  }

  Value with_replacement(const Value& v, const Schema* schema) const {
    const std::string& r = *replacement_;
    try {
      switch (v.index()) {
        case 2: return Value(static_cast<std::int8_t>(parse_java_integer(r, Type::kInt8)));
        case 3: return Value(static_cast<std::int16_t>(parse_java_integer(r, Type::kInt16)));
        case 4: return Value(static_cast<std::int32_t>(parse_java_integer(r, Type::kInt32)));
        case 5: return Value(parse_java_integer(r, Type::kInt64));
        case 6: return Value(static_cast<float>(parse_java_floating(r)));
        case 7: return Value(parse_java_floating(r));
        case 8: return Value(r);
        default:
          if (v.is<Bytes>() && is_decimal(schema)) {
            return Value(logical::decimal_from_string(r, logical::decimal_scale(*schema)));
          }
      }
    } catch (const DataError&) {
      throw DataError(fmt::format("Unable to convert {} (String) to number", r));
    }
    throw DataError(fmt::format("Cannot mask value of type {} with custom replacement.", v.type_name()));
  }

  Side side_;
  std::vector<std::string> fields_;
  std::optional<std::string> replacement_;
  bool replace_null_ = true;
  PlanCache<std::vector<bool>> cache_;
};

}  // namespace

void add_mask_field(Registrar& registrar) {
  add_keyed_transform<MaskField>(registrar, std::string(kTransformsPackage) + "MaskField");
}

}  // namespace sluice::builtin
