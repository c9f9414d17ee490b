// StreamPosition and ChangeStreamReader: the streaming half of the PostgreSQL source task.
//
// ChangeStreamReader turns pgoutput messages into Debezium records and keeps the task's position
// in the shape of its offsets. Under protocol 1 a transaction arrives whole (Begin, changes,
// Commit). Under protocol 2 with streaming, a transaction larger than the server's
// logical_decoding_work_mem arrives in Stream Start..Stop blocks while it runs, interleaved with
// other transactions; the reader writes those blocks to a TransactionSpool and, at Stream Commit,
// replays the transaction from disk as if it had arrived whole -- a few batches per poll, so the
// records of one huge transaction never sit in memory at once. Stream Abort drops the spooled
// transaction, or only the changes of the aborted subtransaction (ROLLBACK TO SAVEPOINT).
//
// Offsets and restarts are the same under both protocols: the records of a replayed transaction
// carry txId and the LSN of each change, exactly as if it had been sent whole, so a task that
// stops mid-replay resumes after the last change it handed out whichever way the server sends the
// transaction again.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "change_event_builder.h"
#include "pg_connection.h"
#include "pgoutput_decoder.h"
#include "postgres_source_connector.h"
#include "replication_stream.h"
#include "sluice/source_task.h"
#include "transaction_spool.h"
#include "type_mapping.h"

namespace sluice::postgres {

// Where the task stands, in the shape of its offsets.
struct StreamPosition {
  Lsn lsn_commit;  // end of the last transaction fully emitted (or consistent point / server position)
  Lsn lsn_proc;    // the last change fully emitted
  Lsn lsn;         // the change of the last record
  std::optional<std::int64_t> txid;
  std::int64_t ts_usec = 0;
  bool snapshot = false;              // a snapshot record's offset
  bool last_snapshot_record = false;
  std::string snapshot_table;  // sluice: where an interrupted snapshot resumes ("schema.table")
  std::string snapshot_key;    // and after which primary key (text[] literal)

  bool snapshot_completed() const { return !snapshot || last_snapshot_record; }
  SourceOffset to_offset() const;
  // Reads Debezium's keys; a missing lsn_commit falls back to lsn (snapshot offsets).
  static StreamPosition from_offset(const SourceOffset& offset);
};

// Fills (or refreshes) the type registry from the catalog.
void load_types(PgConnection& conn, TypeRegistry& registry);

// Counters the task publishes as metrics.
struct StreamStats {
  std::uint64_t streamed_transactions = 0;  // replayed from the spool
  std::uint64_t aborted_streamed_transactions = 0;
};

// Decodes the replication stream into records and keeps the stream position. Owned by the task
// thread.
class ChangeStreamReader {
 public:
  ChangeStreamReader(const PostgresSourceConfig& config, ChangeEventBuilder& builder,
                     TypeRegistry& registry, SourcePartition partition);
  ~ChangeStreamReader();

  // Starts a session (a new replication connection) under pgoutput `protocol_version` that skips
  // what `emitted` covers. Forgets spooled and half-replayed transactions: the server sends them
  // again.
  void resume_from(const StreamPosition& emitted, int protocol_version = 1);
  // Before each poll's batch.
  void begin_batch() { tx_records_in_batch_ = 0; }
  // After it: gives the batch's last record the position after the last change handed out. Change
  // records carry no offset of their own (an empty offset is no resume point, see sluice/record.h),
  // so the runtime keeps one offset map per batch rather than one per change.
  void end_batch(std::vector<SourceRecord>& out);
  // Decodes one message and appends its records. `catalog` answers table metadata lookups.
  void handle(const XLogData& data, std::vector<SourceRecord>& out, PgConnection& catalog);
  // A committed streamed transaction is being replayed: call replay() before reading on.
  bool replaying() const { return replay_ != nullptr; }
  // Replays until `out` holds `max` records or the transaction's Commit is out.
  void replay(std::vector<SourceRecord>& out, std::size_t max, PgConnection& catalog);
  // Between transactions, moves the position to the server's WAL position (heartbeats).
  void advance_idle(Lsn server_position);

  bool in_transaction() const { return in_tx_; }
  const StreamPosition& position() const { return position_; }
  const StreamStats& stats() const { return stats_; }
  // Streamed transactions held on disk, and their bytes.
  std::size_t spooled_transactions() const { return spool_ ? spool_->open_transactions() : 0; }
  std::uint64_t spooled_bytes() const { return spool_ ? spool_->bytes_spooled() : 0; }

 private:
  void apply(DecodedMessage& decoded, Lsn lsn, std::vector<SourceRecord>& out, PgConnection& catalog);
  void on_begin(const BeginMsg& m, std::vector<SourceRecord>& out);
  void on_commit(const CommitMsg& m, std::vector<SourceRecord>& out);
  void on_stream_commit(const StreamCommitMsg& m, std::vector<SourceRecord>& out);
  void on_relation(const Relation& rel, bool changed, PgConnection& catalog);
  template <class Emit>
  void on_change(const Relation& rel, Lsn lsn, std::vector<SourceRecord>& out, Emit&& emit);
  void on_message(const LogicalMsg& m, Lsn lsn, std::vector<SourceRecord>& out);
  SourceInfo source_info(Lsn lsn) const;
  TransactionSpool& spool();
  // table.include.list / exclude (regexes) for the relation, remembered for the last table seen.
  bool captured(const Relation& rel);

  const PostgresSourceConfig& config_;
  ChangeEventBuilder& builder_;
  TypeRegistry& registry_;
  SourcePartition partition_;
  std::unique_ptr<PgOutputDecoder> decoder_;
  std::vector<std::unique_ptr<PgOutputDecoder>> retired_decoders_;  // see resume_from()
  std::unique_ptr<TransactionSpool> spool_;  // made on the first streamed message
  // The transaction being replayed: its spool, a decoder of its own (the spooled Relation
  // messages must not disturb the live decoder's cache; kept for the reader's life, like
  // decoder_) and its Stream Commit.
  std::unique_ptr<SpoolReplay> replay_;
  std::unique_ptr<PgOutputDecoder> replay_decoder_;
  StreamCommitMsg replay_commit_;
  SpooledMessage replay_message_;
  StreamStats stats_;
  StreamPosition position_;  // of the last record handed out
  StreamPosition resume_;    // skip what this covers (set per session)
  bool in_tx_ = false;
  bool skip_tx_ = false;     // the open transaction was emitted before
  Lsn skip_upto_;            // in the open transaction, changes up to here were emitted
  std::uint32_t tx_xid_ = 0;
  PgTimestamp tx_commit_time_;
  std::size_t tx_records_in_batch_ = 0;
  std::string filter_schema_, filter_table_;  // captured()'s last table and its answer
  bool filter_known_ = false;
  bool filter_captured_ = false;
};

}  // namespace sluice::postgres
