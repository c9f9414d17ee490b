// OffsetStore: where source offsets live, as the bytes Kafka Connect's offsets topic holds:
// key `["<connector>",{<partition>}]`, value `{<offset>}` (compact JSON).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice::runtime {

class OffsetStore {
 public:
  virtual ~OffsetStore() = default;
  virtual std::optional<std::string> get(const std::string& key) const = 0;
  // Applies every entry (nullopt deletes the key) and returns once they are durable. Throws on
  // failure, leaving the stored state as it was.
  virtual void set(const std::vector<std::pair<std::string, std::optional<std::string>>>& entries) = 0;
  virtual std::map<std::string, std::string> all() const = 0;
};

}  // namespace sluice::runtime
