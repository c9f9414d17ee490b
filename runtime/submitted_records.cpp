#include "runtime/submitted_records.h"

#include <set>

namespace sluice::runtime {

std::uint64_t SubmittedRecords::submit(SourcePartition partition, SourceOffset offset) {
  std::lock_guard lock(mu_);
  entries_.push_back(Entry{std::move(partition), std::move(offset), false});
  return base_ + entries_.size() - 1;
}

void SubmittedRecords::acknowledge(std::uint64_t sequence) {
  std::lock_guard lock(mu_);
  if (closed_ || sequence < base_ || sequence - base_ >= entries_.size()) return;
  entries_[sequence - base_].acked = true;
}

std::map<SourcePartition, SourceOffset> SubmittedRecords::drain_committable() {
  std::lock_guard lock(mu_);
  std::map<SourcePartition, const Entry*> newest;
  std::set<SourcePartition> blocked;
  for (const auto& e : entries_) {
    if (e.partition.map().empty() || blocked.count(e.partition)) continue;
    if (!e.acked) {
      blocked.insert(e.partition);
      continue;
    }
    newest[e.partition] = &e;
  }
  std::map<SourcePartition, SourceOffset> out;
  for (const auto& [partition, entry] : newest) out.emplace(partition, entry->offset);
  while (!entries_.empty() && entries_.front().acked) {
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
  std::lock_guard lock(mu_);
  closed_ = true;
}

}  // namespace sluice::runtime
