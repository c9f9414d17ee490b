// ConfigStore: connector configurations and target states, the herder's source of truth.
//
// Configs are kept as submitted (config-provider placeholders unresolved). Task configs are not
// stored: a standalone worker regenerates them when it starts a connector.
// FileConfigStore persists to config.storage.file.filename (empty: memory only). Called only
// under the herder's lock; not thread-safe by itself.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "runtime/herder.h"

namespace sluice::runtime {

struct StoredConnector {
  ConfigMap config;
  TargetState target_state = TargetState::kStarted;
};

class FileConfigStore {
 public:
  // Loads the file if it exists; throws std::runtime_error when it is unreadable or corrupt.
  explicit FileConfigStore(std::filesystem::path path);

  const std::map<std::string, StoredConnector>& connectors() const { return connectors_; }
  // Each change is durable when the call returns.
  void put(const std::string& name, StoredConnector connector);
  void remove(const std::string& name);

 private:
  void save() const;

  std::filesystem::path path_;
  std::map<std::string, StoredConnector> connectors_;
};

}  // namespace sluice::runtime
