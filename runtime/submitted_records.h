// SubmittedRecords: a source task's records that are on their way downstream, and which of their
// source offsets may be committed.
//
// Records are submitted in poll order and acknowledged in any order (when they leave the bus). An
// offset is committable once the record and every earlier record of the same source partition
// have been acknowledged, as Kafka's SubmittedRecords decides. Records of different partitions do
// not hold each other back.
//
// Messages the bus releases are kept until the thread that made them (the task's sender) calls
// free_released(), so their memory goes back to that thread's malloc cache and arena instead of a
// consumer thread contending for the arena's lock.
//
// Thread-safe: submitted and drained on the task thread, acknowledged from consumer threads.
// After close() acknowledgements are ignored (the task instance is gone; a new one re-reads from
// the last committed offset).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <vector>

#include "runtime/bus/bus_message.h"
#include "sluice/record.h"

namespace sluice::runtime {

class SubmittedRecords : public AckTracker {
 public:
  // Returns the sequence number to put on the record's bus message.
  std::uint64_t submit(SourcePartition partition, SourceOffset offset);
  void acknowledge(std::uint64_t sequence) override;
  void released(std::vector<BusMessage>& messages) override;

  // The newest committable offset per partition, dropping the records it covers.
  std::map<SourcePartition, SourceOffset> drain_committable();
  // Frees the messages released since the last call, on the calling thread.
  void free_released();

  std::size_t pending() const;
  void close();

 private:
  struct Entry {
    std::uint32_t partition;  // index into partitions_
    bool acked = false;
    SourceOffset offset;
  };

  std::uint32_t partition_index_locked(SourcePartition&& partition);
  void acknowledge_locked(std::uint64_t sequence);

  mutable std::mutex mu_;  // guards everything below
  std::deque<Entry> entries_;  // entries_[i] has sequence base_ + i
  std::uint64_t base_ = 0;
  // Every partition seen, by index (a task has few; consecutive records mostly share one).
  std::vector<SourcePartition> partitions_;
  std::vector<std::size_t> live_;  // entries_ per partition index
  std::map<SourcePartition, std::uint32_t> index_;
  std::uint32_t last_partition_ = 0;
  std::vector<std::vector<BusMessage>> released_;
  bool closed_ = false;
};

}  // namespace sluice::runtime
