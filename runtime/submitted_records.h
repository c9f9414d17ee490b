// SubmittedRecords: a source task's records that are on their way downstream, and which of their
// source offsets may be committed.
//
// Records are submitted in poll order and acknowledged in any order (when they leave the bus). An
// offset is committable once the record and every earlier record of the same source partition
// have been acknowledged, as Kafka's SubmittedRecords decides. Records of different partitions do
// not hold each other back.
//
// Thread-safe: submitted and drained on the task thread, acknowledged from consumer threads.
// After close() acknowledgements are ignored (the task instance is gone; a new one re-reads from
// the last committed offset).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>

#include "runtime/bus/bus_message.h"
#include "sluice/record.h"

namespace sluice::runtime {

class SubmittedRecords : public AckTracker {
 public:
  // Returns the sequence number to put on the record's bus message.
  std::uint64_t submit(SourcePartition partition, SourceOffset offset);
  void acknowledge(std::uint64_t sequence) override;

  // The newest committable offset per partition, dropping the records it covers.
  std::map<SourcePartition, SourceOffset> drain_committable();

  std::size_t pending() const;
  void close();

 private:
  struct Entry {
    SourcePartition partition;
    SourceOffset offset;
    bool acked = false;
  };

  mutable std::mutex mu_;  // guards entries_, base_, closed_
  std::deque<Entry> entries_;  // entries_[i] has sequence base_ + i
  std::uint64_t base_ = 0;
  bool closed_ = false;
};

}  // namespace sluice::runtime
