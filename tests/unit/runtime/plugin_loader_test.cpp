#include <catch2/catch.hpp>

#include <algorithm>

#include "runtime/plugin_loader.h"

using namespace sluice;
using namespace sluice::runtime;

namespace {
const std::string kFixtures = std::string(SLUICE_BUILD_DIR) + "/fixture-plugins";

const PluginLoadFailure* failure_for(const PluginScanResult& r, const std::string& file) {
  for (const auto& f : r.failures) {
    if (f.path.ends_with(file)) return &f;
  }
  return nullptr;
}
}  // namespace

TEST_CASE("Broken plugins are refused with their path and reason; good ones load", "[plugins]") {
  PluginRegistry registry;
  auto result = PluginLoader(registry).load_path({kFixtures});
  registry.finish();

  const auto* missing = failure_for(result, "libfixture-missing-entry.so");
  REQUIRE(missing);
  REQUIRE_THAT(missing->reason, Catch::Contains("not a sluice plugin"));

  const auto* wrong_abi = failure_for(result, "libfixture-wrong-abi.so");
  REQUIRE(wrong_abi);
  REQUIRE_THAT(wrong_abi->reason, Catch::Contains("built for plugin ABI " + std::to_string(kAbiVersion + 99)));
  REQUIRE_THAT(wrong_abi->reason, Catch::Contains("this worker speaks ABI " + std::to_string(kAbiVersion)));

  const auto* throws = failure_for(result, "libfixture-throws-in-register.so");
  REQUIRE(throws);
  REQUIRE_THAT(throws->reason, Catch::Contains("fixture failure while registering"));
  // Nothing it registered before throwing is kept.
  REQUIRE(registry.find(PluginType::kPredicate, "fixture.ThrowsPredicate") == nullptr);

  const auto* not_so = failure_for(result, "libfixture-not-a-shared-object.so");
  REQUIRE(not_so);
  REQUIRE_THAT(not_so->reason, Catch::Contains("not a loadable shared object"));

  REQUIRE(result.loaded.size() == 1);
  REQUIRE(result.loaded[0].name == "good-fixture");
  const PluginClass* good = registry.find(PluginType::kPredicate, "fixture.AlwaysTrue");
  REQUIRE(good);
  REQUIRE(good->version == "1.0.0");
  REQUIRE(good->location.ends_with("libfixture-good.so"));
  // The simple name is an alias.
  REQUIRE(registry.find(PluginType::kPredicate, "AlwaysTrue") == good);
}

TEST_CASE("A plugin.path directory that does not exist is reported, not fatal", "[plugins]") {
  PluginRegistry registry;
  auto result = PluginLoader(registry).load_path({"/nonexistent/sluice/plugins", kFixtures});
  REQUIRE(failure_for(result, "/nonexistent/sluice/plugins"));
  REQUIRE(result.loaded.size() == 1);
}

namespace {
class NoopSource : public SourceConnector {
 public:
  const ConfigDef& config_def() const override {
    static const ConfigDef def;
    return def;
  }
  void start(const ConfigMap&, ConnectorContext&) override {}
  std::vector<ConfigMap> task_configs(int) override { return {}; }
  void stop() override {}
  std::unique_ptr<SourceTask> create_task() override { return nullptr; }
};
}  // namespace

TEST_CASE("Connector aliases: simple name and the name without Connector", "[plugins]") {
  PluginRegistry registry;
  StagingRegistrar r("1.0", "builtin");
  r.add_source<NoopSource>("org.example.FileStreamSourceConnector", {"io.debezium.Extra"});
  r.commit(registry);
  registry.finish();
  const PluginClass* c = registry.find_connector("org.example.FileStreamSourceConnector");
  REQUIRE(c);
  REQUIRE(registry.find_connector("FileStreamSourceConnector") == c);
  REQUIRE(registry.find_connector("FileStreamSource") == c);
  REQUIRE(registry.find_connector("io.debezium.Extra") == c);
  REQUIRE(registry.find(PluginType::kTransform, "FileStreamSource") == nullptr);
}

TEST_CASE("An alias two classes claim is dropped", "[plugins]") {
  PluginRegistry registry;
  StagingRegistrar r("1.0", "builtin");
  r.add_source<NoopSource>("a.SameConnector");
  r.add_source<NoopSource>("b.SameConnector");
  r.commit(registry);
  registry.finish();
  REQUIRE(registry.find_connector("a.SameConnector"));
  REQUIRE(registry.find_connector("b.SameConnector"));
  REQUIRE(registry.find_connector("SameConnector") == nullptr);
  REQUIRE(registry.find_connector("Same") == nullptr);
}
