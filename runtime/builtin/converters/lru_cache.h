// LruCache: a bounded map that forgets the least recently used entry when full.
//
// The JsonConverter keeps one per direction (schema -> JSON text, JSON text -> schema). Keys are
// stored once, in the list; the index holds a KeyView of the stored key (a std::string_view for
// string keys, the pointer itself for pointer keys), so a lookup by view allocates nothing.
//
// Not thread-safe: owned by one converter instance, which one task thread uses at a time.
#pragma once

#include <cstddef>
#include <list>
#include <unordered_map>
#include <utility>

namespace sluice::builtin {

template <class Key, class KeyView, class V>
class LruCache {
 public:
  explicit LruCache(std::size_t capacity = 0) : capacity_(capacity) {}
  // The index points into the list: copying would leave it pointing into the original.
  LruCache(const LruCache&) = delete;
  LruCache& operator=(const LruCache&) = delete;
  LruCache(LruCache&&) = default;
  LruCache& operator=(LruCache&&) = default;

  void set_capacity(std::size_t capacity) {
    capacity_ = capacity;
    while (entries_.size() > capacity_) evict();
  }
  std::size_t capacity() const { return capacity_; }

  // The cached value, marked most recently used; nullptr on a miss. Valid until the next put.
  V* find(KeyView key) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    if (it->second != entries_.begin()) entries_.splice(entries_.begin(), entries_, it->second);
    return &it->second->second;
  }

  // Inserts (key must not be cached yet); returns the stored value. With capacity 0 nothing is
  // kept and the returned pointer is to a scratch slot valid until the next put.
  V* put(Key key, V value) {
    if (capacity_ == 0) {
      scratch_ = std::move(value);
      return &scratch_;
    }
    if (entries_.size() >= capacity_) evict();
    entries_.emplace_front(std::move(key), std::move(value));
    index_.emplace(KeyView(entries_.front().first), entries_.begin());
    return &entries_.front().second;
  }

  std::size_t size() const { return entries_.size(); }

 private:
  void evict() {
    index_.erase(KeyView(entries_.back().first));
    entries_.pop_back();
  }

  std::size_t capacity_;
  std::list<std::pair<Key, V>> entries_;  // most recently used first
  std::unordered_map<KeyView, typename std::list<std::pair<Key, V>>::iterator> index_;
  V scratch_{};
};

}  // namespace sluice::builtin
