// ReplicationStream: a `replication=database` libpq connection that creates logical replication
// slots and streams their changes (the walsender's CopyBoth protocol).
//
// Lifecycle: construct (connects) -> identify_system() / check_wal_level() / create_slot() /
// slot_info() / drop_slot() as needed -> start() -> read() in a loop, confirming progress with
// set_flushed_lsn() or send_status() -> destroy (closes the connection).
//
// Threads: owned by one thread (the task thread) that calls everything except wakeup(),
// send_status() and set_flushed_lsn(), which any thread may call at any time. From start() on,
// the connection belongs to the stream's own thread, the pump: it reads the socket as fast as the
// walsender sends (so the walsender never waits on a full socket while the task converts),
// answers keepalives, sends the status updates, and queues the messages (at most
// kMaxQueuedBytes, in reused chunks) for read().
//
// Errors follow pg_connection.h: a lost connection or a server shutting down -> RetriableError
// (the task reconnects and restarts from its last committed offset); configuration problems on
// the server (wal_level, a slot in use, a missing publication) -> ConnectError with a message
// that names the setting or object.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
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
  // Stream through libpq (PQgetCopyData) even on an unencrypted connection, where the pump
  // otherwise frames the messages itself (wire.h). For tests of both paths.
  bool through_libpq = false;
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
  // are handled by the pump (answered at once when the server asks); a status update goes out
  // at least every status_interval, whether or not anyone reads. The end of the stream or a lost
  // connection throws once everything received before it has been read (RetriableError for
  // connection loss and server shutdown); after that the stream is unusable: make a new one.
  std::optional<XLogData> read(int timeout_ms);

  // A standby status update ('r'), sent now (by the pump once streaming), and `flush`
  // remembered as the flushed position.
  void send_status(Lsn write, Lsn flush, Lsn apply, bool reply_requested = false);

  // Any thread: records that everything up to `flush` is durable downstream. It is reported to
  // the server by the next status update, at the latest one status_interval later.
  //
  // When the flushed position is at or past the start of the last XLogData handed out (nothing
  // received is awaiting confirmation), status updates report the server's latest WAL end from
  // keepalives instead, so an idle slot keeps advancing and WAL does not pile up on the server
  // (WAL of other databases and of unpublished tables is decoded but never sent).
  void set_flushed_lsn(Lsn flush);

  // Any thread: makes a read() that is blocked (or the next one that would block) return
  // nullopt promptly.
  void wakeup();

  void set_status_interval(std::chrono::milliseconds interval) { status_interval_ = interval; }

  // The latest WAL end the server reported (keepalives and XLogData), as of what read() has
  // handed out.
  Lsn server_wal_end() const { return read_wal_end_; }
  bool streaming() const { return streaming_; }
  PGconn* raw() const { return conn_.get(); }

 private:
  // Received bytes (bytes[0, used); bytes.size() is the room) and where in them each message
  // (type byte first, 'w' or 'k') lies.
  struct Chunk {
    struct Piece {
      std::size_t offset, size;
    };
    std::vector<char> bytes;
    std::size_t used = 0;
    std::vector<Piece> pieces;
  };
  struct StatusRequest {
    Lsn write, flush, apply;
    bool reply_requested;
  };

  PgResultPtr exec_command(const std::string& command, ExecStatusType expected);
  [[noreturn]] void throw_end_of_stream();
  void send_status_now(bool reply_requested);
  void write_status(Lsn write, Lsn flush, Lsn apply, bool reply_requested);
  Lsn effective_flush() const;
  void advance_flushed(Lsn flush);

  // Pump thread.
  void pump() noexcept;
  void pump_libpq(std::unique_ptr<Chunk>& chunk);
  void pump_direct(std::unique_ptr<Chunk>& chunk);
  std::optional<std::size_t> frame_messages(Chunk& chunk, std::size_t& framed);
  // The CopyData payload ('w' or 'k') the pump received: bookkeeping, keepalive replies.
  void on_copy_data(const char* msg, std::size_t size);
  void start_direct(const std::string& command, const std::string& slot);
  std::unique_ptr<Chunk> take_spare();
  // Queues the chunk (waiting while the queue is full) and replaces it with an empty one.
  void publish(std::unique_ptr<Chunk>& chunk);
  void enqueue(std::unique_ptr<Chunk> chunk);
  // Direct: queues the chunk's messages before `framed` and continues in a new chunk that holds
  // the bytes after it (the start of a message not received whole); `framed` becomes 0.
  void hand_over(std::unique_ptr<Chunk>& chunk, std::size_t& framed);
  // At a dry socket: whether to hand over the pump's chunk now (the reader is out of chunks).
  bool hand_over_when_dry();
  void service_status();  // sends the status update that was asked for or is due
  void pump_wait();       // until the socket has input, the pump is woken or a status is due
  void wake_pump();
  void stop_pump();
  void recycle_locked(std::unique_ptr<Chunk> chunk);

  PgConnPtr conn_;
  bool direct_ = false;                // streaming over the socket, not through libpq (wire.h)
  std::string received_after_start_;   // direct: stream bytes read with START_REPLICATION's answer
  bool streaming_ = false;             // reader's view: false again after read() threw
  Lsn read_wal_end_;                   // reader's view of the server's WAL end

  // Owned by the pump once streaming (by the caller before).
  Lsn server_wal_end_;                 // from the last keepalive or XLogData received
  Lsn max_data_start_;                 // highest wal_start of the XLogData received
  Lsn reported_flush_;                 // the flush position of the last status update sent
  std::chrono::milliseconds status_interval_{10'000};
  std::chrono::steady_clock::time_point last_status_;

  std::atomic<std::uint64_t> flushed_{0};   // set_flushed_lsn(); any thread
  std::atomic<bool> status_due_{false};     // set_flushed_lsn() asks for a prompt update
  std::atomic<bool> stop_{false};
  std::atomic<bool> pump_holding_{false};   // the pump kept messages back at a dry socket
  int pump_fd_ = -1;                        // eventfd that wakes the pump
  std::thread pump_thread_;

  std::mutex mu_;  // guards the members below
  std::condition_variable data_cv_;   // the reader waits for chunks
  std::condition_variable space_cv_;  // the pump waits for room
  std::deque<std::unique_ptr<Chunk>> ready_;
  std::size_t ready_bytes_ = 0;  // memory the queued chunks hold (not only the bytes they carry)
  std::vector<std::unique_ptr<Chunk>> spare_;
  std::optional<StatusRequest> requested_status_;
  std::exception_ptr failure_;  // the pump's end: rethrown by read() after the chunks before it
  bool woken_ = false;

  // Reader thread: the chunk being handed out.
  std::unique_ptr<Chunk> current_;
  std::size_t next_piece_ = 0;
};

}  // namespace sluice::postgres
