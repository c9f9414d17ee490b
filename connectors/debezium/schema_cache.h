// A small cache of what a transform derives from its input schemas (output schemas, field plans).
//
// Keyed by SchemaPtr identity (or a tuple holding SchemaPtrs): schemas are built once per table and
// shared, so a handful of entries covers a task, and holding the key keeps its address from being
// reused. A miss only costs a rebuild. Round-robin eviction past kCapacity entries.
//
// Not thread-safe: one per transform instance, used on its task's thread. A reference returned by
// get_or_build() stays valid until the next get_or_build() call on the same cache.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace sluice::debezium {

template <class Key, class Entry>
class SchemaCache {
 public:
  static constexpr std::size_t kCapacity = 16;

  template <class Build>
  const Entry& get_or_build(const Key& key, Build&& build) {
    for (auto& slot : slots_) {
      if (slot.first == key) return slot.second;
    }
    if (slots_.empty()) slots_.reserve(kCapacity);
    if (slots_.size() < kCapacity) {
      slots_.emplace_back(key, build());
      return slots_.back().second;
    }
    auto& victim = slots_[next_victim_];
    next_victim_ = (next_victim_ + 1) % kCapacity;
    victim = {key, build()};
    return victim.second;
  }

  std::size_t size() const { return slots_.size(); }

 private:
  std::vector<std::pair<Key, Entry>> slots_;
  std::size_t next_victim_ = 0;
};

}  // namespace sluice::debezium
