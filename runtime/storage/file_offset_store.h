// FileOffsetStore: source offsets in one local file (offset.storage.file.filename).
//
// Every set() rewrites the whole file atomically (temp file, fsync, rename), so after a crash the
// file holds the offsets of the last completed commit. An empty path keeps offsets in memory only.
// Thread-safe: tasks commit from their own threads.
#pragma once

#include <filesystem>
#include <mutex>

#include "runtime/storage/offset_store.h"

namespace sluice::runtime {

class FileOffsetStore : public OffsetStore {
 public:
  // Loads the file if it exists; throws std::runtime_error if it cannot be read or parsed.
  explicit FileOffsetStore(std::filesystem::path path);

  std::optional<std::string> get(const std::string& key) const override;
  void set(const std::vector<std::pair<std::string, std::optional<std::string>>>& entries) override;
  std::map<std::string, std::string> all() const override;

 private:
  std::string serialize_locked() const;

  const std::filesystem::path path_;
  mutable std::mutex mu_;  // guards data_ and writes of the file
  std::map<std::string, std::string> data_;
};

}  // namespace sluice::runtime
