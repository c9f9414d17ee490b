#include "sluice/record.h"

#include <algorithm>

namespace sluice {

void Headers::add(std::string key, Value value, SchemaPtr schema) {
  items_.push_back(Header{std::move(key), std::move(schema), std::move(value)});
}

const Header* Headers::last(std::string_view key) const {
  for (auto it = items_.rbegin(); it != items_.rend(); ++it) {
    if (it->key == key) return &*it;
  }
  return nullptr;
}

std::size_t Headers::remove(std::string_view key) {
  auto before = items_.size();
  items_.erase(std::remove_if(items_.begin(), items_.end(), [&](const Header& h) { return h.key == key; }),
               items_.end());
  return before - items_.size();
}

bool Headers::operator==(const Headers& other) const {
  if (items_.size() != other.items_.size()) return false;
  for (std::size_t i = 0; i < items_.size(); ++i) {
    const auto& a = items_[i];
    const auto& b = other.items_[i];
    if (a.key != b.key || !(a.value == b.value) || !schemas_equal(a.schema, b.schema)) return false;
  }
  return true;
}

namespace {
// A total order on values of the kinds offsets hold: by alternative, then by content.
bool value_less(const Value& a, const Value& b) {
  if (a.index() != b.index()) return a.index() < b.index();
  return std::visit(
      [&](const auto& x) -> bool {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return false;
        } else if constexpr (std::is_same_v<T, Array> || std::is_same_v<T, Map> || std::is_same_v<T, Struct>) {
          return a.to_string() < b.to_string();
        } else {
          return x < std::get<T>(b.variant());
        }
      },
      a.variant());
}
}  // namespace

bool SourcePartition::operator<(const SourcePartition& other) const {
  if (map_ == other.map_) return false;
  return std::lexicographical_compare(
      map_->begin(), map_->end(), other.map_->begin(), other.map_->end(),
      [](const auto& x, const auto& y) {
        if (x.first != y.first) return x.first < y.first;
        return value_less(x.second, y.second);
      });
}

std::string TopicPartition::to_string() const { return topic + "-" + std::to_string(partition); }

}  // namespace sluice
