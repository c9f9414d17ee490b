// TransformChain: a connector's transforms, in the order of its `transforms` list, each with its
// optional predicate (and `negate`). Built per task; used on the task thread only.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/error_policy.h"
#include "runtime/plugin_registry.h"
#include "sluice/transform.h"

namespace sluice::runtime {

class TransformChain {
 public:
  TransformChain() = default;
  TransformChain(TransformChain&&) = default;
  TransformChain& operator=(TransformChain&&) = default;
  ~TransformChain();

  // Creates and configures the transforms and predicates a connector config names. Throws
  // ConfigError when one is unknown or rejects its config.
  static TransformChain from_config(const PluginRegistry& registry, const ConfigMap& config);

  // Runs the record through every transform; nullopt when one drops it, or when one fails and the
  // error is tolerated. Throws (via the policy) when the task must fail.
  std::optional<Record> apply(Record record, ErrorPolicy& policy);

  bool empty() const { return stages_.empty(); }

 private:
  struct Step {
    std::string alias;
    std::string class_name;
    std::unique_ptr<Transform> transform;
    std::shared_ptr<Predicate> predicate;  // shared: several transforms may use one predicate
    bool negate = false;
  };
  std::vector<Step> stages_;
};

}  // namespace sluice::runtime
