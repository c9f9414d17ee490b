// ReplaceField$Key / ReplaceField$Value: Kafka's org.apache.kafka.connect.transforms.ReplaceField.
#include <algorithm>

#include <fmt/format.h>

#include "runtime/builtin/transforms/field_support.h"
#include "sluice/errors.h"

namespace sluice::builtin {

namespace {

constexpr std::string_view kPurpose = "field replacement";

using Renames = std::vector<std::pair<std::string, std::string>>;

Renames parse_renames(const std::string& key, const std::vector<std::string>& mappings) {
  Renames out;
  for (const auto& mapping : mappings) {
    auto colon = mapping.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == mapping.size() ||
        mapping.find(':', colon + 1) != std::string::npos) {
      throw ConfigError(key, fmt::format("Invalid rename mapping: {}", mapping));
    }
    out.emplace_back(mapping.substr(0, colon), mapping.substr(colon + 1));
  }
  return out;
}

bool contains(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

class ReplaceField final : public Transform {
 public:
  explicit ReplaceField(Side side) : side_(side) {}

  const ConfigDef& config_def() const override {
    static const ConfigDef def = [] {
      ConfigDef d;
      d.define("exclude", ConfigType::kList, "", Importance::kMedium,
               "Fields to exclude. This takes precedence over the fields to include.");
      d.define("include", ConfigType::kList, "", Importance::kMedium,
               "Fields to include. If specified, only these fields will be used.");
      d.define("renames", ConfigType::kList, "",
               validator("list of colon-delimited pairs, e.g. <code>foo:bar,abc:xyz</code>",
                         [](const std::string& name, const ConfigValueData& v) {
                           parse_renames(name, std::get<std::vector<std::string>>(v));
                         }),
               Importance::kMedium, "Field rename mappings.");
      return define_replace_null_with_default(d);
    }();
    return def;
  }

  void configure(const ConfigMap& config) override {
    // Kafka 2.x/3.x still read the deprecated blacklist/whitelist names; the new names win.
    ConfigMap translated = config;
    for (auto [old_key, new_key] : {std::pair{"blacklist", "exclude"}, std::pair{"whitelist", "include"}}) {
      auto it = translated.find(old_key);
      if (it != translated.end() && !translated.count(new_key)) translated[new_key] = it->second;
    }
    Config parsed = config_def().parse(translated);
    exclude_ = parsed.get_list("exclude");
    include_ = parsed.get_list("include");
    renames_ = parse_renames("renames", parsed.get_list("renames"));
    replace_null_ = parsed.get_bool(kReplaceNullWithDefault);
  }

  std::optional<Record> apply(Record record) override {
    Value& value = operating_value_mut(record, side_);
    if (value.is_null()) return record;
    if (!operating_schema_mut(record, side_)) {
      value = Value(replace_schemaless(require_map(value, kPurpose)));
      return record;
    }
    Struct& in = require_struct(value, kPurpose);
    const Replacement& plan = cache_.get_or_build(in.schema(), [&] { return plan_for(*in.schema()); });
    Struct out(plan.schema);
    const auto& fields = in.schema()->fields();
    for (std::size_t i = 0; i < plan.sources.size(); ++i) {
      out.put_unchecked(i, take_field(in, fields[plan.sources[i]], replace_null_));
    }
    operating_schema_mut(record, side_) = plan.schema;
    value = Value(std::move(out));
    return record;
  }

 private:
  struct Replacement {
    SchemaPtr schema;
    std::vector<std::size_t> sources;  // input field index per output field
  };

  bool keeps(std::string_view name) const {
    return !contains(exclude_, name) && (include_.empty() || contains(include_, name));
  }

  const std::string& renamed(const std::string& name) const {
    for (const auto& [from, to] : renames_) {
      if (from == name) return to;
    }
    return name;
  }

  Replacement plan_for(const Schema& in) const {
    Replacement plan;
    SchemaBuilder builder = SchemaBuilder::struct_();
    copy_schema_basics_into(in, builder);
    for (const Field& f : in.fields()) {
      if (!keeps(f.name)) continue;
      builder.field(renamed(f.name), f.schema);  // a rename onto a kept name is a DataError
      plan.sources.push_back(f.index);
    }
    plan.schema = builder.build();
    return plan;
  }

  Map replace_schemaless(Map& in) const {
    Map out;
    out.reserve(in.size());
    for (auto& [k, v] : in) {
      const std::string& name = map_key(k, kPurpose);
      if (!keeps(name)) continue;
      const std::string& to = renamed(name);
      if (&to == &name) {
        out.emplace_back(std::move(k), std::move(v));
      } else {
        map_put(out, to, std::move(v));
      }
    }
    return out;
  }

  Side side_;
  std::vector<std::string> exclude_, include_;
  Renames renames_;
  bool replace_null_ = true;
  PlanCache<Replacement> cache_;
};

}  // namespace

void add_replace_field(Registrar& registrar) {
  add_keyed_transform<ReplaceField>(registrar, std::string(kTransformsPackage) + "ReplaceField");
}

}  // namespace sluice::builtin
