// PostgresSourceTask: the one task of PostgresConnector -- snapshot, then the change stream.
//
// Lifecycle. start() only parses the configuration and reads the committed offset of
// {"server": <topic.prefix>}. The first poll() connects (a regular connection for the catalog and
// a `replication=database` one), checks wal_level, ensures the publication per
// publication.autocreate.mode and loads the type registry, then either
//  * takes a snapshot (snapshot.mode says so, e.g. `initial` without a completed snapshot in the
//    offsets): the slot is (re)created with an exported snapshot, every captured table is read
//    through that snapshot and handed out by poll() in batches as op "r" records, and streaming
//    starts at the slot's consistent point once the last row is out; or
//  * streams from the slot (created without a snapshot if missing), skipping what the committed
//    offset says was already emitted.
// An interrupted snapshot (no committed offset marks its last record) resumes after the last
// primary key its committed offset names (snapshot_table, snapshot_key; tables without a primary
// key start over), keeping the slot: the new snapshot reads the current state and the stream then replays everything after the
// slot's position (which never moved during the snapshot), deletes of rows the first attempt
// emitted included, so a consumer applying by key converges. The same holds for snapshot.mode
// always with an existing slot.
//
// Offsets (Debezium's keys). Streaming: lsn (the change's LSN), lsn_proc (the last change whose
// records are all out), lsn_commit (the end LSN of the last transaction whose records are all
// out), txId, ts_usec (commit time). Snapshot: snapshot=true, last_snapshot_record, lsn (the
// consistent point), txId, ts_usec, plus snapshot_table/snapshot_key (sluice). On (re)start a transaction that committed before lsn_commit is
// skipped, and in the transaction txId the changes up to lsn_proc are skipped: a restart neither
// loses nor repeats what was committed.
//
// The slot's flush LSN. commit() hands the newest committed lsn_commit to the stream; that is the
// only place it moves forward (reading never confirms anything). Heartbeats
// (heartbeat.interval.ms) carry the latest server position when no transaction is half read, so
// their committed offsets let the slot advance on an idle database too.
//
// Streaming protocol. pgoutput.protocol.version auto picks 2 (with streaming of in-progress
// transactions) on PostgreSQL 14+, else 1; ChangeStreamReader spools streamed transactions and
// replays them at their commit, a few batches per poll, while the stream is kept alive.
//
// Metrics. After each poll the task sets its gauges on context.metrics() (events, rate, lag in
// ms and bytes, slot lag, LSNs, streamed-transaction counts; docs/postgres.md lists them).
//
// Errors. A lost connection or a server restart: poll() closes everything and throws
// RetriableError; the next poll() reconnects (waiting with exponential backoff up to
// retriable.restart.connector.wait.ms) and resumes after the last record it handed out. A slot
// busy with another connection is retried the same way. Configuration problems on the server
// (wal_level, privileges, a missing publication in `disabled` mode) throw ConnectError.
//
// Threads: start(), poll() and commit() run on the task thread; stop() comes from another thread
// and wakes a blocked read through ReplicationStream::wakeup().
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "change_event_builder.h"
#include "change_stream_reader.h"
#include "pg_connection.h"
#include "pgoutput_decoder.h"
#include "postgres_source_connector.h"
#include "replication_stream.h"
#include "sluice/source_task.h"
#include "snapshotter.h"
#include "type_mapping.h"

namespace sluice::postgres {

class PostgresSourceTask : public SourceTask {
 public:
  PostgresSourceTask();
  ~PostgresSourceTask() override;

  void start(const ConfigMap& config, SourceTaskContext& context) override;
  std::vector<SourceRecord> poll() override;
  void stop() override;
  void commit(const std::map<SourcePartition, SourceOffset>& committed) override;

 private:
  enum class Phase { kSnapshot, kStreaming, kDone };

  void setup();
  void teardown();
  void drop_slot_on_stop();
  void wait_before_reconnect();
  void ensure_publication();
  void load_type_registry();
  bool snapshot_needed(const SlotInfo& slot) const;
  void begin_snapshot(const SlotInfo& slot);
  void start_streaming();
  std::vector<SourceRecord> poll_snapshot();
  void finish_snapshot(std::vector<SourceRecord>& out);
  std::vector<SourceRecord> poll_stream();
  void maybe_heartbeat(std::vector<SourceRecord>& out);
  SourceRecord heartbeat_record(const StreamPosition& position) const;
  void set_stream(std::unique_ptr<ReplicationStream> stream);
  int protocol_version() const;
  void publish_metrics(const std::vector<SourceRecord>& batch);

  // Configuration and collaborators, set in start().
  PostgresSourceConfig config_;
  std::string task_id_;
  SourcePartition partition_;
  TypeRegistry registry_;
  std::unique_ptr<ChangeEventBuilder> builder_;
  std::unique_ptr<ChangeStreamReader> reader_;
  std::optional<StreamPosition> committed_at_start_;

  // Connections, (re)made by setup().
  std::unique_ptr<PgConnection> conn_;
  std::mutex stream_mu_;  // guards stream_ (the pointer; stop() may wake it from another thread)
  std::unique_ptr<ReplicationStream> stream_;
  std::unique_ptr<Snapshotter> snapshotter_;

  // Progress.
  bool ready_ = false;            // setup() done since the last failure
  int failures_ = 0;              // consecutive setup/stream failures, for the backoff
  int slot_busy_attempts_ = 0;    // consecutive setups that found the slot held by another connection
  bool slot_busy_ = false;        // the last failure was a busy slot
  Phase phase_ = Phase::kStreaming;
  bool snapshot_done_ = false;    // a snapshot completed (this run or per the offsets)
  bool snapshot_this_run_ = false;
  Lsn consistent_point_;
  std::int64_t snapshot_txid_ = 0;
  std::int64_t snapshot_ts_us_ = 0;
  std::size_t snapshot_records_ = 0;
  std::optional<SnapshotResume> snapshot_progress_;  // of the last snapshot record handed out
  std::optional<SourceRecord> held_back_;  // the newest snapshot record: is it the last?
  std::size_t held_back_table_ = 0;
  bool held_back_first_in_table_ = false;
  Lsn committed_flush_;           // newest lsn_commit committed by the runtime
  int streaming_protocol_ = 0;    // pgoutput protocol of the current stream
  bool drained_ = false;          // the last read of the stream found nothing waiting
  Lsn slot_flush_at_setup_;       // the slot's confirmed_flush_lsn when the session began
  std::chrono::steady_clock::time_point last_heartbeat_;

  // Metrics (context.metrics()).
  TaskMetrics* metrics_ = &TaskMetrics::discard();
  std::uint64_t events_total_ = 0;       // change (and snapshot) records handed out
  std::uint64_t rate_window_events_ = 0;  // since rate_window_start_
  std::chrono::steady_clock::time_point rate_window_start_;
  std::atomic<bool> stopping_{false};
};

}  // namespace sluice::postgres
