// JdbcSinkTask: writes change records to a relational database through a SinkDatabase.
//
// put(records) applies everything it is given before it returns, in database transactions of at
// most batch.size records: extract row changes (ChangeExtractor), skip the ones the checkpoint
// says were applied (CheckpointTracker), keep the last change per key (BatchBuilder), create or
// evolve tables (SchemaEvolver), then SinkDatabase::apply() with the batch's checkpoints. Nothing
// is buffered across calls, so pre_commit() returns the positions it is given.
//
// Errors: a RetriableError (connection lost, deadlock, the server restarting) marks the
// connection for a reconnect and leaves put(); the runtime calls put() again with the same
// records, and the transactions already committed are skipped by the checkpoint and the row
// guard. Another error of a batch is narrowed down by retrying halves until the one record that
// fails is found; it goes to context.report() (errors.tolerance / dead-letter queue; with
// tolerance none that fails the task). A record that cannot be turned into a row change is
// reported the same way.
//
// Metrics (context.metrics()): records_applied_total, records_skipped_total (checkpoint),
// batches_total, last_batch_rows, last_batch_ms.
//
// Threads: owned by the task thread; stop() may come from another thread and only sets a flag.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "batch_builder.h"
#include "change_extractor.h"
#include "checkpoint_tracker.h"
#include "jdbc_sink_config.h"
#include "schema_evolver.h"
#include "sink_database.h"
#include "sluice/sink_task.h"

namespace sluice::jdbc {

// Makes the SinkDatabase for a URL scheme ("postgresql", "mysql", "mariadb"); throws
// ConfigError("connection.url", ...) for a scheme it has no database for.
using SinkDatabaseFactory = std::function<std::unique_ptr<SinkDatabase>(
    const std::string& scheme, const ConnectionSettings& connection, const DatabaseOptions& options)>;

class JdbcSinkTask : public SinkTask {
 public:
  explicit JdbcSinkTask(SinkDatabaseFactory factory);
  ~JdbcSinkTask() override;

  void start(const ConfigMap& config, SinkTaskContext& context) override;
  void open(const std::vector<TopicPartition>& partitions) override;
  void put(const std::vector<SinkRecord>& records) override;
  TopicOffsets pre_commit(const TopicOffsets& current) override;
  void stop() override;

 private:
  struct Extracted {
    const SinkRecord* record;
    std::vector<RowChange> changes;
    bool reported = false;
  };

  void ensure_connected();
  std::vector<Extracted> extract(const std::vector<SinkRecord>& records);
  // Applies [begin, end) in one transaction; on a non-retriable failure, halves and retries.
  void apply_range(std::vector<Extracted>& items, std::size_t begin, std::size_t end);
  void apply_once(std::vector<Extracted>& items, std::size_t begin, std::size_t end);
  void publish_metrics();

  SinkDatabaseFactory factory_;
  SinkTaskContext* context_ = nullptr;
  std::optional<JdbcSinkConfig> config_;
  std::unique_ptr<SinkDatabase> database_;
  std::optional<ChangeExtractor> extractor_;
  std::optional<BatchBuilder> builder_;
  std::optional<SchemaEvolver> evolver_;
  CheckpointTracker checkpoints_;
  bool needs_connect_ = true;
  std::atomic<bool> stopping_{false};

  std::int64_t records_applied_ = 0;
  std::int64_t records_skipped_ = 0;
  std::int64_t batches_ = 0;
  std::int64_t last_batch_rows_ = 0;
  double last_batch_ms_ = 0;
};

}  // namespace sluice::jdbc
