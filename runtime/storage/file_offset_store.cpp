#include "runtime/storage/file_offset_store.h"

#include <nlohmann/json.hpp>

#include "runtime/storage/atomic_file.h"

namespace sluice::runtime {

// File layout: {"version":1,"offsets":[[<key JSON>,<value JSON>],...]} with key and value embedded
// as JSON (not strings), so the file is readable and the stored bytes are the canonical compact
// dump of each.
FileOffsetStore::FileOffsetStore(std::filesystem::path path) : path_(std::move(path)) {
  if (path_.empty()) return;
  auto text = read_file(path_);
  if (!text || text->empty()) return;
  try {
    auto doc = nlohmann::json::parse(*text);
    for (const auto& entry : doc.at("offsets")) data_[entry.at(0).dump()] = entry.at(1).dump();
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("offsets file " + path_.string() + " is corrupt: " + e.what());
  }
}

std::optional<std::string> FileOffsetStore::get(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = data_.find(key);
  if (it == data_.end()) return std::nullopt;
  return it->second;
}

void FileOffsetStore::set(const std::vector<std::pair<std::string, std::optional<std::string>>>& entries) {
  std::lock_guard lock(mu_);
  auto before = data_;
  for (const auto& [key, value] : entries) {
    if (value) {
      data_[key] = *value;
    } else {
      data_.erase(key);
    }
  }
  if (path_.empty()) return;
  try {
    write_file_atomically(path_, serialize_locked());
  } catch (...) {
    data_ = std::move(before);
    throw;
  }
}

std::map<std::string, std::string> FileOffsetStore::all() const {
  std::lock_guard lock(mu_);
  return data_;
}

std::string FileOffsetStore::serialize_locked() const {
  nlohmann::json offsets = nlohmann::json::array();
  for (const auto& [key, value] : data_) {
    offsets.push_back(nlohmann::json::array({nlohmann::json::parse(key), nlohmann::json::parse(value)}));
  }
  return nlohmann::json{{"version", 1}, {"offsets", std::move(offsets)}}.dump() + "\n";
}

}  // namespace sluice::runtime
