#include "runtime/storage/config_store.h"

#include <nlohmann/json.hpp>

#include "runtime/storage/atomic_file.h"

namespace sluice::runtime {

namespace {
TargetState parse_target_state(const std::string& s) {
  if (s == "PAUSED") return TargetState::kPaused;
  if (s == "STOPPED") return TargetState::kStopped;
  return TargetState::kStarted;
}
}  // namespace

// File layout: {"version":1,"connectors":{"<name>":{"config":{...},"target_state":"STARTED"}}}.
FileConfigStore::FileConfigStore(std::filesystem::path path) : path_(std::move(path)) {
  if (path_.empty()) return;
  auto text = read_file(path_);
  if (!text || text->empty()) return;
  try {
    auto doc = nlohmann::json::parse(*text);
    for (const auto& [name, entry] : doc.at("connectors").items()) {
      StoredConnector c;
      c.config = entry.at("config").get<ConfigMap>();
      c.target_state = parse_target_state(entry.value("target_state", "STARTED"));
      connectors_[name] = std::move(c);
    }
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("connector configs file " + path_.string() + " is corrupt: " + e.what());
  }
}

void FileConfigStore::put(const std::string& name, StoredConnector connector) {
  auto before = connectors_;
  connectors_[name] = std::move(connector);
  try {
    save();
  } catch (...) {
    connectors_ = std::move(before);
    throw;
  }
}

void FileConfigStore::remove(const std::string& name) {
  auto before = connectors_;
  connectors_.erase(name);
  try {
    save();
  } catch (...) {
    connectors_ = std::move(before);
    throw;
  }
}

void FileConfigStore::save() const {
  if (path_.empty()) return;
  nlohmann::json connectors = nlohmann::json::object();
  for (const auto& [name, c] : connectors_) {
    connectors[name] = {{"config", c.config}, {"target_state", target_state_name(c.target_state)}};
  }
  write_file_atomically(path_, nlohmann::json{{"version", 1}, {"connectors", std::move(connectors)}}.dump(2) + "\n");
}

}  // namespace sluice::runtime
