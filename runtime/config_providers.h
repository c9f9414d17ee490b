// Config providers: resolve ${provider:path:key} placeholders in connector configurations.
//
// Kafka Connect's three built-ins, configured on the worker as
//   config.providers=file,env,directory
//   config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider
// file      ${file:/etc/secrets.properties:db.password}  a key of a .properties file
// directory ${directory:/run/secrets:db_password}        the contents of a file in a directory
// env       ${env:PGPASSWORD}                             an environment variable
//
// Placeholders are resolved only when a connector or task starts; stored configs, REST output and
// logs keep the placeholder, so resolved secrets never leave the process.
// Thread-safe: resolve() only reads.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "sluice/config_def.h"

namespace sluice::runtime {

class ConfigProvider {
 public:
  virtual ~ConfigProvider() = default;
  // The value of `key` under `path`; throws ConfigError when it does not exist.
  virtual std::string get(const std::string& path, const std::string& key) const = 0;
};

class ConfigProviders {
 public:
  ConfigProviders() = default;
  // From the worker's config.providers keys; throws ConfigError for unknown classes.
  explicit ConfigProviders(const ConfigMap& worker_props);

  // Returns `config` with every placeholder of a configured provider replaced. Placeholders of
  // unknown providers are left as they are (as Kafka does). Throws ConfigError when a provider
  // cannot resolve a value.
  ConfigMap resolve(const ConfigMap& config) const;

  // True when the value contains a placeholder this worker would resolve.
  bool has_placeholder(const std::string& value) const;

 private:
  std::map<std::string, std::unique_ptr<ConfigProvider>> providers_;
};

}  // namespace sluice::runtime
