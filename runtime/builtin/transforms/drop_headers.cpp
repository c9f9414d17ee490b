// DropHeaders: removes every header whose key is listed.
#include <algorithm>
#include <string>
#include <vector>

#include "runtime/builtin/transforms/record_support.h"
#include "sluice/plugin.h"

namespace sluice::builtin {

namespace {

// Owned by one task thread, like every transform.
class DropHeaders final : public Transform {
 public:
  const ConfigDef& config_def() const override {
    static const ConfigDef def = ConfigDef{}.define("headers", ConfigType::kList, kRequired, non_empty_list(),
                                                    Importance::kHigh, "The name of the headers to be removed.");
    return def;
  }

  void configure(const ConfigMap& config) override { names_ = config_def().parse(config).get_list("headers"); }

  std::optional<Record> apply(Record record) override {
    auto& items = record.headers.items();
    // The list is short: a linear scan beats hashing every header key.
    items.erase(std::remove_if(items.begin(), items.end(),
                               [&](const Header& h) {
                                 return std::find(names_.begin(), names_.end(), h.key) != names_.end();
                               }),
                items.end());
    return record;
  }

 private:
  std::vector<std::string> names_;
};

}  // namespace

void add_drop_headers(Registrar& registrar) {
  registrar.add_transform<DropHeaders>(std::string(kTransformsPackage) + "DropHeaders");
}

}  // namespace sluice::builtin
