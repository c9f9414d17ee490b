#include "runtime/transform_chain.h"

#include <map>

#include <fmt/format.h>

#include "sluice/errors.h"

namespace sluice::runtime {

namespace {
ConfigMap with_prefix(const ConfigMap& config, const std::string& prefix) {
  ConfigMap out;
  for (auto it = config.lower_bound(prefix); it != config.end() && it->first.starts_with(prefix); ++it) {
    out[it->first.substr(prefix.size())] = it->second;
  }
  return out;
}

std::string get_or(const ConfigMap& config, const std::string& key) {
  auto it = config.find(key);
  return it == config.end() ? std::string() : it->second;
}
}  // namespace

TransformChain::~TransformChain() {
  for (auto& s : stages_) {
    try {
      s.transform->close();
    } catch (...) {
    }
  }
}

TransformChain TransformChain::from_config(const PluginRegistry& registry, const ConfigMap& config) {
  TransformChain chain;
  std::map<std::string, std::shared_ptr<Predicate>> predicates;
  for (const auto& alias : split_list(get_or(config, "predicates"))) {
    std::string prefix = "predicates." + alias + ".";
    auto predicate = registry.new_predicate(get_or(config, prefix + "type"));
    predicate->configure(with_prefix(config, prefix));
    predicates[alias] = std::shared_ptr<Predicate>(std::move(predicate));
  }
  for (const auto& alias : split_list(get_or(config, "transforms"))) {
    std::string prefix = "transforms." + alias + ".";
    Step step;
    step.alias = alias;
    step.class_name = get_or(config, prefix + "type");
    step.transform = registry.new_transform(step.class_name);
    ConfigMap own = with_prefix(config, prefix);
    std::string predicate = get_or(own, "predicate");
    if (!predicate.empty()) {
      auto it = predicates.find(predicate);
      if (it == predicates.end()) {
        throw ConfigError(prefix + "predicate", fmt::format("The predicate '{}' is not defined in 'predicates'", predicate));
      }
      step.predicate = it->second;
      step.negate = ConfigDef::parse_value(prefix + "negate", ConfigType::kBoolean, get_or(own, "negate").empty() ? "false" : own["negate"]) ==
                    ConfigValueData(true);
    }
    own.erase("type");
    own.erase("predicate");
    own.erase("negate");
    step.transform->configure(own);
    chain.stages_.push_back(std::move(step));
  }
  return chain;
}

std::optional<Record> TransformChain::apply(Record record, ErrorPolicy& policy) {
  for (auto& step : stages_) {
    if (step.predicate && step.predicate->test(record) == step.negate) continue;
    std::optional<Record> out;
    ErrorContext context{Stage::kTransformation, step.class_name, &record, std::nullopt, std::nullopt};
    // The transform takes the record by value: hand it a copy only when a retry or an error log
    // may still need the original.
    bool keep = policy.keeps_input();
    bool ok = policy.execute(context, [&] { out = step.transform->apply(keep ? Record(record) : std::move(record)); });
    if (!ok || !out) return std::nullopt;
    record = std::move(*out);
  }
  return record;
}

}  // namespace sluice::runtime
