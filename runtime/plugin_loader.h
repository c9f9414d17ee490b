// PluginLoader: finds plugin .so files on plugin.path and registers what they provide.
//
// For each directory on plugin.path, every regular file ending in ".so" (or ".so.N") directly in
// it or one level down is tried: dlopen(RTLD_NOW | RTLD_LOCAL), look up sluice_plugin_entry(),
// compare the ABI version before touching anything else, then register. A file that fails any
// step is refused with its path and the reason (logged once, returned to the caller) and the
// worker carries on with the others. Handles are never closed: objects and vtables live in them.
//
// Runs once, on the main thread, at startup.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "runtime/plugin_registry.h"

namespace sluice::runtime {

struct PluginLoadFailure {
  std::string path;
  std::string reason;
};

struct LoadedPlugin {
  std::string path;
  std::string name;
  std::string version;
  std::size_t classes = 0;
};

struct PluginScanResult {
  std::vector<LoadedPlugin> loaded;
  std::vector<PluginLoadFailure> failures;
};

class PluginLoader {
 public:
  explicit PluginLoader(PluginRegistry& registry) : registry_(registry) {}

  // Loads every plugin found under these directories (a missing directory is a failure too).
  PluginScanResult load_path(const std::vector<std::string>& directories);
  // Loads one file; returns false and fills `failure` when it is refused.
  bool load_file(const std::filesystem::path& path, LoadedPlugin& loaded, PluginLoadFailure& failure);

 private:
  PluginRegistry& registry_;
};

}  // namespace sluice::runtime
