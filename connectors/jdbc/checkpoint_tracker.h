// CheckpointTracker: the sink's high-water marks per topic partition, as stored in the target.
//
// Loaded from the checkpoint table at start. A streamed change whose source position is below its
// partition's stored one was applied before (a redelivery after a restart or a retried put) and
// is skipped before it reaches the database: that is what keeps a hard-deleted row from coming
// back when an older insert is redelivered. (Below, not at: see already_applied() for why the
// change at the stored position is applied again.) Snapshot changes and changes without a source
// position are never skipped here (the row guard handles them). For each batch the tracker
// computes the checkpoints to write in its transaction (advance) and adopts them once the
// transaction committed (commit).
//
// Owned by the task thread; not thread-safe.
#pragma once

#include <map>
#include <vector>

#include "change_extractor.h"
#include "sink_database.h"

namespace sluice::jdbc {

class CheckpointTracker {
 public:
  void load(const std::vector<Checkpoint>& checkpoints);

  bool already_applied(const RowChange& change) const;

  // The checkpoints after a batch: the next offset past every record in it (`offsets`, one per
  // record, skipped ones included) and the highest streamed position among `applied`.
  std::vector<Checkpoint> advance(const std::vector<std::pair<TopicPartition, std::int64_t>>& offsets,
                                  const std::vector<const RowChange*>& applied) const;

  void commit(const std::vector<Checkpoint>& checkpoints);

  const std::map<TopicPartition, Checkpoint>& checkpoints() const { return stored_; }

 private:
  std::map<TopicPartition, Checkpoint> stored_;
};

}  // namespace sluice::jdbc
