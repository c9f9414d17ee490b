#include "runtime/plugin_loader.h"

#include <dlfcn.h>

#include <algorithm>

#include <fmt/format.h>

#include "sluice/log.h"

namespace sluice::runtime {

namespace {
const log::Logger kLog("sluice.plugins");

bool looks_like_shared_object(const std::filesystem::path& p) {
  std::string name = p.filename().string();
  return name.ends_with(".so") || name.find(".so.") != std::string::npos;
}

std::vector<std::filesystem::path> candidates(const std::filesystem::path& dir, std::error_code& ec) {
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_directory()) {
      std::error_code inner;
      for (const auto& sub : std::filesystem::directory_iterator(entry.path(), inner)) {
        if (sub.is_regular_file() && looks_like_shared_object(sub.path())) out.push_back(sub.path());
      }
    } else if (entry.is_regular_file() && looks_like_shared_object(entry.path())) {
      out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());  // a stable order makes "first one wins" predictable
  return out;
}
}  // namespace

PluginScanResult PluginLoader::load_path(const std::vector<std::string>& directories) {
  PluginScanResult result;
  for (const auto& dir : directories) {
    std::error_code ec;
    auto files = candidates(dir, ec);
    if (ec) {
      result.failures.push_back({dir, "cannot read plugin.path directory: " + ec.message()});
      kLog.error("plugin.path entry {} refused: cannot read directory: {}", dir, ec.message());
      continue;
    }
    for (const auto& file : files) {
      LoadedPlugin loaded;
      PluginLoadFailure failure;
      if (load_file(file, loaded, failure)) {
        kLog.info("loaded plugin {} {} from {} ({} classes)", loaded.name, loaded.version, loaded.path,
                  loaded.classes);
        result.loaded.push_back(std::move(loaded));
      } else {
        kLog.error("plugin {} refused: {}", failure.path, failure.reason);
        result.failures.push_back(std::move(failure));
      }
    }
  }
  return result;
}

bool PluginLoader::load_file(const std::filesystem::path& path, LoadedPlugin& loaded, PluginLoadFailure& failure) {
  failure.path = path.string();
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* err = dlerror();
    failure.reason = fmt::format("not a loadable shared object: {}", err ? err : "dlopen failed");
    return false;
  }
  using EntryFn = const sluice_plugin_info* (*)();
  auto entry = reinterpret_cast<EntryFn>(dlsym(handle, SLUICE_PLUGIN_ENTRY_SYMBOL));
  if (!entry) {
    failure.reason = fmt::format("not a sluice plugin: no {} symbol", SLUICE_PLUGIN_ENTRY_SYMBOL);
    return false;
  }
  const sluice_plugin_info* info = entry();
  if (!info) {
    failure.reason = "not a sluice plugin: its entry returned no plugin info";
    return false;
  }
  // Nothing past abi_version may be read before this check: the layout may differ.
  if (info->abi_version != kAbiVersion) {
    failure.reason = fmt::format(
        "built for plugin ABI {}, this worker speaks ABI {}; rebuild it against this sluice::api",
        info->abi_version, kAbiVersion);
    return false;
  }
  std::string name = info->name ? info->name : "";
  std::string version = info->version ? info->version : "";
  if (!info->register_plugin) {
    failure.reason = fmt::format("plugin {} has no register function", name);
    return false;
  }
  StagingRegistrar staging(version, path.string());
  try {
    info->register_plugin(staging);
  } catch (const std::exception& e) {
    failure.reason = fmt::format("plugin {} {} threw while registering: {}", name, version, e.what());
    return false;
  } catch (...) {
    failure.reason = fmt::format("plugin {} {} threw a non-standard exception while registering", name, version);
    return false;
  }
  loaded = LoadedPlugin{path.string(), name, version, staging.size()};
  staging.commit(registry_);
  return true;
}

}  // namespace sluice::runtime
