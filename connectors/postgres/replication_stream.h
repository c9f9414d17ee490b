// ReplicationStream: a `replication=database` libpq connection that creates logical replication
// slots and streams their changes (the walsender's CopyBoth protocol).
//
// Lifecycle: construct (connects) -> identify_system() / check_wal_level() / create_slot() /
// slot_info() / drop_slot() as needed -> start() -> read() in a loop, confirming progress with
// set_flushed_lsn() or send_status() -> destroy (closes the connection).
//
// Threads: owned by one thread (the task thread) that calls everything except wakeup() and
// set_flushed_lsn(), which any thread may call at any time.
//
// Errors follow pg_connection.h: a lost connection or a server shutting down -> RetriableError
// (the task reconnects and restarts from its last committed offset); configuration problems on
// the server (wal_level, a slot in use, a missing publication) -> ConnectError with a message
// that names the setting or object.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lsn.h"
#include "pg_connection.h"

namespace sluice::postgres {

// Result of IDENTIFY_SYSTEM.
struct SystemIdentity {
  std::string system_id;  // the cluster's unique identifier (decimal text)
  int timeline = 0;
  Lsn xlogpos;            // current WAL flush position
  std::string dbname;     // the database this connection decodes
};

struct CreatedSlot {
  std::string slot_name;
  Lsn consistent_point;       // the first LSN the slot will stream; the snapshot sees everything before it
  std::string snapshot_name;  // empty unless created with export_snapshot
  std::string output_plugin;
};

struct SlotInfo {
  bool exists = false;
  bool active = false;
  std::optional<int> active_pid;
  Lsn confirmed_flush_lsn;
  Lsn restart_lsn;
  std::string plugin;
  std::string database;
};

// Options of START_REPLICATION for pgoutput (PostgreSQL 15 accepts proto_version 1-3; streaming
// needs >= 2).
struct StreamOptions {
  int proto_version = 1;
  std::vector<std::string> publication_names;
  bool messages = false;   // pg_logical_emit_message() as 'M'
  bool streaming = false;  // large in-progress transactions as S/E blocks
  bool binary = false;     // column values in binary send format
};

// One 'w' message: a pgoutput message and where it sits in the WAL.
struct XLogData {
  Lsn wal_start;
  Lsn wal_end;
  std::int64_t server_time_us = 0;  // microseconds since 2000-01-01 (PostgreSQL epoch)
  std::string_view payload;         // the pgoutput message; valid until the next read() or destruction
};

class ReplicationStream {
 public:
  // Connects with replication=database (blocking). Throws per pg_connection.h.
  explicit ReplicationStream(const std::string& conninfo);
  ~ReplicationStream();
  ReplicationStream(const ReplicationStream&) = delete;
  ReplicationStream& operator=(const ReplicationStream&) = delete;

  // --- Before start() (each is a command on this connection) ---------------------------------

  SystemIdentity identify_system();

  // Throws ConnectError naming the setting unless the server runs with wal_level=logical.
  void check_wal_level();

  // CREATE_REPLICATION_SLOT <name> LOGICAL <plugin>, with SNAPSHOT 'export' or 'nothing'.
  // The slot name must be 1-63 of [a-z0-9_] (ConfigError otherwise); an existing slot ->
  // ConnectError. With export_snapshot, the snapshot stays importable (SET TRANSACTION SNAPSHOT)
  // only while this connection stays idle: the next command on it (including start()) or its
  // closing ends the snapshot, so import it in the snapshot session first.
  CreatedSlot create_slot(const std::string& name, const std::string& plugin = "pgoutput",
                          bool export_snapshot = true, bool temporary = false);

  // The slot's row of pg_replication_slots; exists=false when there is none.
  SlotInfo slot_info(const std::string& name);

  // DROP_REPLICATION_SLOT; with wait, waits until an active slot is released. A missing slot is
  // not an error.
  void drop_slot(const std::string& name, bool wait = false);

  // START_REPLICATION SLOT <slot> LOGICAL <start> (options). A slot in use by another connection
  // -> ConnectError naming the slot and the PID that holds it. Start 0/0 means "from the slot's
  // confirmed_flush_lsn". After this only read(), send_status() and set_flushed_lsn() are valid.
  void start(const std::string& slot, Lsn start, const StreamOptions& options);

  // --- Streaming -------------------------------------------------------------------------

  // Waits up to timeout_ms for the next XLogData; nullopt on timeout or wakeup(). Keepalives
  // are handled inside (answered at once when the server asks); a status update goes out at
  // least every status_interval. The end of the stream or a lost connection throws
  // (RetriableError for connection loss and server shutdown); after that the stream is unusable:
  // make a new one. No allocation beyond libpq's one buffer per message.
  //
  // Read-ahead: while messages are being handed out, what has arrived on the socket is pulled
  // into libpq's input buffer (up to kReadAheadBytes), so the walsender is not held up by a full
  // socket while the caller converts: it can decode the next transaction meanwhile.
  std::optional<XLogData> read(int timeout_ms);

  // Sends a standby status update ('r') now and remembers `flush` as the flushed position.
  void send_status(Lsn write, Lsn flush, Lsn apply, bool reply_requested = false);

  // Any thread: records that everything up to `flush` is durable downstream. It is reported to
  // the server by the next status update, at the latest one status_interval later.
  //
  // When the flushed position is at or past the start of the last XLogData handed out (nothing
  // received is awaiting confirmation), status updates report the server's latest WAL end from
  // keepalives instead, so an idle slot keeps advancing and WAL does not pile up on the server
  // (WAL of other databases and of unpublished tables is decoded but never sent).
  void set_flushed_lsn(Lsn flush);
  // While the reader is busy elsewhere (replaying a streamed transaction) and not calling read():
  // sends the status update that is due, so the server does not time the connection out.
  void keep_alive();

  // Any thread: makes a read() that is blocked (or the next one that would block) return
  // nullopt promptly.
  void wakeup();

  void set_status_interval(std::chrono::milliseconds interval) { status_interval_ = interval; }

  // The latest WAL end the server reported (keepalives and XLogData).
  Lsn server_wal_end() const { return server_wal_end_; }
  bool streaming() const { return streaming_; }
  PGconn* raw() const { return conn_.get(); }

 private:
  PgResultPtr exec_command(const std::string& command, ExecStatusType expected);
  void handle_keepalive(const char* msg, int len);
  [[noreturn]] void throw_end_of_stream();
  bool wait_for_input(std::chrono::steady_clock::time_point deadline);
  void maybe_send_periodic_status();
  void send_status_now(bool reply_requested);
  Lsn effective_flush() const;
  void advance_flushed(Lsn flush);
  void release_buffer();
  // Pulls what the socket holds into libpq's buffer when enough was handed out since the last
  // time (half of what is buffered, so libpq's compaction stays linear) and the buffer is not full.
  void read_ahead();
  // Adds what the socket holds to buffered_; false when it holds nothing.
  bool note_received();

  PgConnPtr conn_;
  int wakeup_fd_ = -1;                 // eventfd; wakeup() writes, read() polls and drains it
  char* buffer_ = nullptr;             // libpq's buffer for the last message, freed on the next read
  bool streaming_ = false;
  Lsn server_wal_end_;                 // from the last keepalive or XLogData
  Lsn max_data_start_;                 // highest wal_start of the XLogData handed out
  Lsn reported_flush_;                 // the flush position of the last status update sent
  std::atomic<std::uint64_t> flushed_{0};  // set_flushed_lsn(); any thread
  std::atomic<bool> status_due_{false};     // set_flushed_lsn() asks for a prompt update
  std::chrono::milliseconds status_interval_{10'000};
  std::chrono::steady_clock::time_point last_status_;
  std::uint32_t reads_since_clock_check_ = 0;
  std::size_t buffered_ = 0;           // estimate of the bytes in libpq's buffer not handed out
  std::size_t taken_since_fill_ = 0;   // bytes handed out since the last read-ahead
};

}  // namespace sluice::postgres
