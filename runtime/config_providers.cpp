#include "runtime/config_providers.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <fmt/format.h>

#include "runtime/properties.h"
#include "sluice/log.h"
#include "sluice/config_def.h"
#include "sluice/errors.h"

namespace sluice::runtime {

namespace {

class FileConfigProvider : public ConfigProvider {
 public:
  std::string get(const std::string& path, const std::string& key) const override {
    ConfigMap props = read_properties_file(path);
    auto it = props.find(key);
    if (it == props.end()) throw ConfigError(fmt::format("Key '{}' not found in file config provider path '{}'", key, path));
    return it->second;
  }
};

class DirectoryConfigProvider : public ConfigProvider {
 public:
  std::string get(const std::string& path, const std::string& key) const override {
    std::filesystem::path file = std::filesystem::path(path) / key;
    // Only plain files directly in the directory, as Kafka's provider allows.
    if (key.find('/') != std::string::npos || !std::filesystem::is_regular_file(file)) {
      throw ConfigError(fmt::format("No file '{}' in directory config provider path '{}'", key, path));
    }
    std::ifstream in(file, std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    return buf.str();
  }
};

class EnvVarConfigProvider : public ConfigProvider {
 public:
  std::string get(const std::string& path, const std::string& key) const override {
    const char* v = std::getenv(key.c_str());
    if (!v) throw ConfigError(fmt::format("Environment variable '{}' is not set", key));
    return v;
  }
};

std::unique_ptr<ConfigProvider> make_provider(const std::string& class_name) {
  auto is = [&](std::string_view simple) {
    return class_name == simple || class_name == "org.apache.kafka.common.config.provider." + std::string(simple);
  };
  if (is("FileConfigProvider")) return std::make_unique<FileConfigProvider>();
  if (is("DirectoryConfigProvider")) return std::make_unique<DirectoryConfigProvider>();
  if (is("EnvVarConfigProvider")) return std::make_unique<EnvVarConfigProvider>();
  return nullptr;
}

// ${provider:path:key} or ${provider:key}, as Kafka's ConfigTransformer matches them.
const std::regex& placeholder_pattern() {
  static const std::regex re(R"(\$\{([^}]*?):(([^}]*?):)?([^}]*?)\})");
  return re;
}

}  // namespace

ConfigProviders::ConfigProviders(const ConfigMap& worker_props) {
  auto it = worker_props.find("config.providers");
  if (it == worker_props.end()) return;
  std::vector<ConfigProblem> problems;
  for (const auto& alias : split_list(it->second)) {
    std::string class_key = "config.providers." + alias + ".class";
    auto cls = worker_props.find(class_key);
    if (cls == worker_props.end()) {
      problems.push_back({class_key, "Missing class for config provider '" + alias + "'"});
      continue;
    }
    auto provider = make_provider(cls->second);
    if (!provider) {
      problems.push_back({class_key, "Unknown config provider class '" + cls->second +
                                         "' (available: FileConfigProvider, DirectoryConfigProvider, "
                                         "EnvVarConfigProvider)"});
      continue;
    }
    providers_[alias] = std::move(provider);
  }
  if (!problems.empty()) throw ConfigError(std::move(problems));
}

ConfigMap ConfigProviders::resolve(const ConfigMap& config) const {
  if (providers_.empty()) return config;
  ConfigMap out;
  for (const auto& [key, value] : config) {
    if (value.find("${") == std::string::npos) {
      out[key] = value;
      continue;
    }
    std::string result;
    auto begin = std::sregex_iterator(value.begin(), value.end(), placeholder_pattern());
    std::size_t last = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
      const auto& m = *it;
      result.append(value, last, static_cast<std::size_t>(m.position(0)) - last);
      auto provider = providers_.find(m[1].str());
      if (provider == providers_.end()) {
        result += m.str(0);
      } else {
        try {
          std::string secret = provider->second->get(m[3].str(), m[4].str());
          log::redact(secret);  // whoever logs it later, it shows as [hidden]
          result += secret;
        } catch (const ConfigError& e) {
          // The message names the provider and path, never a resolved value.
          throw ConfigError(key, fmt::format("Could not resolve {} for '{}': {}", m.str(0), key, e.what()));
        }
      }
      last = static_cast<std::size_t>(m.position(0) + m.length(0));
    }
    result.append(value, last, std::string::npos);
    out[key] = std::move(result);
  }
  return out;
}

bool ConfigProviders::has_placeholder(const std::string& value) const {
  if (value.find("${") == std::string::npos) return false;
  for (auto it = std::sregex_iterator(value.begin(), value.end(), placeholder_pattern());
       it != std::sregex_iterator(); ++it) {
    if (providers_.count((*it)[1].str())) return true;
  }
  return false;
}

}  // namespace sluice::runtime
