// Filter: drops every record it sees; meant to run under a predicate (KIP-585), e.g. drop
// tombstones with `predicate=isTombstone`, or keep only some topics with `negate=true`.
#include <string>

#include "runtime/builtin/transforms/record_support.h"
#include "sluice/plugin.h"

namespace sluice::builtin {

namespace {

class Filter final : public Transform {
 public:
  const ConfigDef& config_def() const override {
    static const ConfigDef def;
    return def;
  }
  void configure(const ConfigMap& config) override { config_def().parse(config); }
  std::optional<Record> apply(Record) override { return std::nullopt; }
};

}  // namespace

void add_filter(Registrar& registrar) {
  registrar.add_transform<Filter>(std::string(kTransformsPackage) + "Filter");
}

}  // namespace sluice::builtin
