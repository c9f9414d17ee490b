#include "runtime/submitted_records.h"

namespace sluice::runtime {

std::uint32_t SubmittedRecords::partition_index_locked(SourcePartition&& partition) {
  if (!partitions_.empty() && partitions_[last_partition_] == partition) return last_partition_;
  auto it = index_.find(partition);
  if (it == index_.end()) {
    auto index = static_cast<std::uint32_t>(partitions_.size());
    it = index_.emplace(partition, index).first;
    partitions_.push_back(std::move(partition));
    live_.push_back(0);
  }
  return last_partition_ = it->second;
}

std::uint64_t SubmittedRecords::submit(SourcePartition partition, SourceOffset offset) {
  std::lock_guard lock(mu_);
  std::uint32_t index = partition_index_locked(std::move(partition));
  ++live_[index];
  entries_.push_back(Entry{index, false, std::move(offset)});
  return base_ + entries_.size() - 1;
}

void SubmittedRecords::acknowledge_locked(std::uint64_t sequence) {
  if (closed_ || sequence < base_ || sequence - base_ >= entries_.size()) return;
  entries_[sequence - base_].acked = true;
}

void SubmittedRecords::acknowledge(std::uint64_t sequence) {
  std::lock_guard lock(mu_);
  acknowledge_locked(sequence);
}

void SubmittedRecords::released(std::vector<BusMessage>& messages) {
  std::lock_guard lock(mu_);
  for (auto& m : messages) {
    acknowledge_locked(m.sequence);
    m.tracker.reset();  // the bus holds a reference until this returns; kept messages must not
  }
  if (closed_) return;  // nobody will free them here: the caller does
  released_.push_back(std::move(messages));
  messages.clear();
}

void SubmittedRecords::free_released() {
  std::vector<std::vector<BusMessage>> done;
  {
    std::lock_guard lock(mu_);
    done.swap(released_);
  }
}

std::map<SourcePartition, SourceOffset> SubmittedRecords::drain_committable() {
  std::lock_guard lock(mu_);
  std::vector<const Entry*> newest(partitions_.size(), nullptr);
  std::vector<bool> blocked(partitions_.size(), false);
  std::size_t present = 0, blocked_count = 0;
  for (std::size_t n : live_) present += n > 0 ? 1 : 0;
  // Past the first unacknowledged record of every partition nothing more can be committed.
  for (const auto& e : entries_) {
    if (blocked_count == present) break;
    if (blocked[e.partition]) continue;
    if (!e.acked) {
      blocked[e.partition] = true;
      ++blocked_count;
      continue;
    }
    if (!e.offset.empty()) newest[e.partition] = &e;  // an empty offset is no resume point
  }
  std::map<SourcePartition, SourceOffset> out;
  for (std::size_t i = 0; i < newest.size(); ++i) {
    if (newest[i] && !partitions_[i].map().empty()) out.emplace(partitions_[i], newest[i]->offset);
  }
  while (!entries_.empty() && entries_.front().acked) {
    --live_[entries_.front().partition];
    entries_.pop_front();
    ++base_;
  }
  return out;
}

std::size_t SubmittedRecords::pending() const {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const auto& e : entries_) n += e.acked ? 0 : 1;
  return n;
}

void SubmittedRecords::close() {
  std::vector<std::vector<BusMessage>> done;
  std::lock_guard lock(mu_);
  closed_ = true;
  done.swap(released_);
}

}  // namespace sluice::runtime
