#include "checkpoint_tracker.h"

namespace sluice::jdbc {

void CheckpointTracker::load(const std::vector<Checkpoint>& checkpoints) {
  stored_.clear();
  for (const auto& c : checkpoints) stored_[c.partition] = c;
}

bool CheckpointTracker::already_applied(const RowChange& change) const {
  if (change.snapshot || !change.position) return false;
  auto it = stored_.find(change.partition);
  // Strictly below: changes of one source event share a position (PostgreSQL's d + c of a primary
  // key change, the t events of a multi-table TRUNCATE) and a transaction may end between them.
  // Re-applying the one at the stored position is harmless: the row guard makes an equal upsert
  // a no-op and a delete of a missing row does nothing.
  return it != stored_.end() && it->second.has_position && *change.position < it->second.last_position;
}

std::vector<Checkpoint> CheckpointTracker::advance(
    const std::vector<std::pair<TopicPartition, std::int64_t>>& offsets,
    const std::vector<const RowChange*>& applied) const {
  std::map<TopicPartition, Checkpoint> next;
  auto entry = [&](const TopicPartition& tp) -> Checkpoint& {
    auto [it, added] = next.try_emplace(tp);
    if (added) {
      auto old = stored_.find(tp);
      it->second = old != stored_.end() ? old->second : Checkpoint{tp, 0, {}, false};
    }
    return it->second;
  };
  for (const auto& [tp, offset] : offsets) {
    Checkpoint& c = entry(tp);
    c.next_offset = std::max(c.next_offset, offset + 1);
  }
  for (const RowChange* change : applied) {
    if (change->snapshot || !change->position) continue;
    Checkpoint& c = entry(change->partition);
    if (!c.has_position || c.last_position < *change->position) {
      c.last_position = *change->position;
      c.has_position = true;
    }
  }
  std::vector<Checkpoint> out;
  for (auto& [tp, c] : next) out.push_back(c);
  return out;
}

void CheckpointTracker::commit(const std::vector<Checkpoint>& checkpoints) {
  for (const auto& c : checkpoints) stored_[c.partition] = c;
}

}  // namespace sluice::jdbc
