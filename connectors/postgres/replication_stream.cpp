#include "replication_stream.h"

#include "wire.h"

#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <sluice/errors.h>
#include <sluice/log.h>

#include <fmt/format.h>

namespace sluice::postgres {
namespace {

const log::Logger kLog("sluice.connector.postgres");

// Microseconds between 1970-01-01 and 2000-01-01, PostgreSQL's epoch for protocol timestamps.
constexpr std::int64_t kPgEpochOffsetUs = 946'684'800'000'000;

constexpr int kXLogDataHeader = 25;   // 'w' + wal_start + wal_end + send time
constexpr int kKeepaliveSize = 18;    // 'k' + wal_end + send time + reply flag
constexpr int kStatusSize = 34;       // 'r' + write + flush + apply + send time + reply flag
constexpr std::uint32_t kClockCheckEvery = 1024;  // messages between status checks when busy
// The pump hands messages over in chunks of about this size (or fewer when the socket runs dry),
// and stops reading the socket while this much waits for the reader.
constexpr std::size_t kChunkBytes = 64u << 10;
constexpr std::size_t kMaxQueuedBytes = 8u << 20;
constexpr std::size_t kMaxSpareChunks = kMaxQueuedBytes / kChunkBytes + 2;
constexpr std::size_t kReadRoom = 16u << 10;  // the least room a direct read of the socket gets
constexpr int kMaxCoalesceUs = 200;  // see pump_direct()

std::uint64_t read_be64(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return __builtin_bswap64(v);
}

void write_be64(char* p, std::uint64_t v) {
  v = __builtin_bswap64(v);
  std::memcpy(p, &v, sizeof v);
}

std::int64_t pg_now_us() {
  auto since_unix = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return since_unix.count() - kPgEpochOffsetUs;
}

Lsn parse_lsn(const std::optional<std::string>& text, std::string_view what) {
  if (!text) return Lsn{};
  auto lsn = Lsn::parse(*text);
  if (!lsn) throw ConnectError(fmt::format("server returned a malformed {} '{}'", what, *text));
  return *lsn;
}

// Slot names are what PostgreSQL allows (ReplicationSlotValidateName), so they never need quoting.
void validate_slot_name(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 63;
  for (char c : name) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  if (!ok) {
    throw ConfigError("slot.name", fmt::format("'{}' is not a valid replication slot name: use 1-63 "
                                               "lower-case letters, digits and underscores", name));
  }
}

// "replication slot \"s\" is active for PID 4242" -> 4242.
std::optional<int> pid_in(std::string_view message) {
  auto at = message.find("PID ");
  if (at == std::string_view::npos) return std::nullopt;
  int pid = 0;
  bool any = false;
  for (std::size_t i = at + 4; i < message.size() && message[i] >= '0' && message[i] <= '9'; ++i) {
    pid = pid * 10 + (message[i] - '0');
    any = true;
  }
  return any ? std::optional<int>(pid) : std::nullopt;
}

// object_in_use from START_REPLICATION.
[[noreturn]] void throw_slot_in_use(const std::string& slot, std::string_view server_message) {
  auto pid = pid_in(server_message);
  throw ConnectError(fmt::format(
      "replication slot '{}' is in use by another connection (PID {}): another connector or task "
      "is streaming from it; stop that one or give this connector its own slot.name",
      slot, pid ? std::to_string(*pid) : "unknown"));
}

}  // namespace

ReplicationStream::ReplicationStream(const std::string& conninfo)
    : conn_(open_connection(conninfo, {{"replication", "database"}})) {
  pump_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (pump_fd_ < 0) throw ConnectError(fmt::format("eventfd failed: {}", std::strerror(errno)));
}

ReplicationStream::~ReplicationStream() {
  stop_pump();
  if (pump_fd_ >= 0) ::close(pump_fd_);
}

PgResultPtr ReplicationStream::exec_command(const std::string& command, ExecStatusType expected) {
  if (streaming_) throw ConnectError(fmt::format("'{}' is not possible while streaming", command));
  PgResultPtr res = make_result(PQexec(conn_.get(), command.c_str()));
  if (PQresultStatus(res.get()) != expected) throw_result_error(res.get(), conn_.get(), command);
  return res;
}

SystemIdentity ReplicationStream::identify_system() {
  QueryResult r = to_query_result(exec_command("IDENTIFY_SYSTEM", PGRES_TUPLES_OK).get());
  if (r.rows.size() != 1) throw ConnectError("IDENTIFY_SYSTEM returned no row");
  const PgRow& row = r.rows[0];
  SystemIdentity id;
  id.system_id = row[r.column("systemid")].value_or("");
  id.timeline = std::stoi(row[r.column("timeline")].value_or("0"));
  id.xlogpos = parse_lsn(row[r.column("xlogpos")], "xlogpos");
  id.dbname = row[r.column("dbname")].value_or("");
  return id;
}

void ReplicationStream::check_wal_level() {
  PgResultPtr res = exec_command("SHOW wal_level", PGRES_TUPLES_OK);
  std::string level = PQntuples(res.get()) > 0 ? PQgetvalue(res.get(), 0, 0) : "";
  if (level != "logical") {
    throw ConnectError(fmt::format(
        "wal_level must be 'logical' (it is '{}') for change data capture: set wal_level = logical "
        "in postgresql.conf (or ALTER SYSTEM SET wal_level = logical) and restart the server",
        level));
  }
}

CreatedSlot ReplicationStream::create_slot(const std::string& name, const std::string& plugin,
                                           bool export_snapshot, bool temporary) {
  validate_slot_name(name);
  std::string command = fmt::format("CREATE_REPLICATION_SLOT {}{} LOGICAL {} ", name,
                                    temporary ? " TEMPORARY" : "", quote_identifier(plugin));
  // PostgreSQL 15 introduced the option list; older servers take the keyword form.
  if (PQserverVersion(conn_.get()) >= 150000) {
    command += export_snapshot ? "(SNAPSHOT 'export')" : "(SNAPSHOT 'nothing')";
  } else {
    command += export_snapshot ? "EXPORT_SNAPSHOT" : "NOEXPORT_SNAPSHOT";
  }
  QueryResult r = to_query_result(exec_command(command, PGRES_TUPLES_OK).get());
  if (r.rows.size() != 1) throw ConnectError("CREATE_REPLICATION_SLOT returned no row");
  const PgRow& row = r.rows[0];
  CreatedSlot slot;
  slot.slot_name = row[r.column("slot_name")].value_or(name);
  slot.consistent_point = parse_lsn(row[r.column("consistent_point")], "consistent_point");
  slot.snapshot_name = row[r.column("snapshot_name")].value_or("");
  slot.output_plugin = row[r.column("output_plugin")].value_or(plugin);
  kLog.info("created replication slot '{}' ({}) at {}{}", slot.slot_name, slot.output_plugin,
            slot.consistent_point.to_string(),
            slot.snapshot_name.empty() ? "" : ", exported snapshot " + slot.snapshot_name);
  return slot;
}

SlotInfo ReplicationStream::slot_info(const std::string& name) {
  // A replication=database connection accepts simple-protocol SQL but not PQexecParams.
  QueryResult r = to_query_result(
      exec_command("SELECT active, active_pid, confirmed_flush_lsn, restart_lsn, plugin, database "
                   "FROM pg_catalog.pg_replication_slots WHERE slot_name = " + quote_literal(name),
                   PGRES_TUPLES_OK)
          .get());
  SlotInfo info;
  if (r.rows.empty()) return info;
  const PgRow& row = r.rows[0];
  info.exists = true;
  info.active = row[0].value_or("f") == "t";
  if (row[1]) info.active_pid = std::stoi(*row[1]);
  info.confirmed_flush_lsn = parse_lsn(row[2], "confirmed_flush_lsn");
  info.restart_lsn = parse_lsn(row[3], "restart_lsn");
  info.plugin = row[4].value_or("");
  info.database = row[5].value_or("");
  return info;
}

void ReplicationStream::drop_slot(const std::string& name, bool wait) {
  validate_slot_name(name);
  std::string command = fmt::format("DROP_REPLICATION_SLOT {}{}", name, wait ? " WAIT" : "");
  PgResultPtr res = make_result(PQexec(conn_.get(), command.c_str()));
  if (PQresultStatus(res.get()) == PGRES_COMMAND_OK) {
    kLog.info("dropped replication slot '{}'", name);
    return;
  }
  const char* state = PQresultErrorField(res.get(), PG_DIAG_SQLSTATE);
  if (state != nullptr && std::string_view(state) == "42704") return;  // undefined_object: already gone
  throw_result_error(res.get(), conn_.get(), command);
}

void ReplicationStream::start(const std::string& slot, Lsn start, const StreamOptions& options) {
  validate_slot_name(slot);
  std::string publications;
  for (const auto& p : options.publication_names) {
    if (!publications.empty()) publications += ',';
    publications += quote_identifier(p);
  }
  std::string command = fmt::format("START_REPLICATION SLOT {} LOGICAL {} (proto_version '{}'", slot,
                                    start.to_string(), options.proto_version);
  if (!publications.empty()) command += ", publication_names " + quote_literal(publications);
  if (options.messages) command += ", messages 'true'";
  if (options.streaming) command += ", streaming 'on'";
  if (options.binary) command += ", binary 'true'";
  command += ")";

  if (!options.through_libpq && PQsslInUse(conn_.get()) == 0 && PQgssEncInUse(conn_.get()) == 0) {
    start_direct(command, slot);
  } else {
    PgResultPtr res = make_result(PQexec(conn_.get(), command.c_str()));
    if (PQresultStatus(res.get()) != PGRES_COPY_BOTH) {
      const char* state = PQresultErrorField(res.get(), PG_DIAG_SQLSTATE);
      if (state != nullptr && std::string_view(state) == "55006") {
        throw_slot_in_use(slot, PQresultErrorMessage(res.get()));
      }
      throw_result_error(res.get(), conn_.get(), command);
    }
  }
  streaming_ = true;
  server_wal_end_ = read_wal_end_ = start;
  max_data_start_ = Lsn{};
  last_status_ = std::chrono::steady_clock::now();
  kLog.info("streaming slot '{}' from {}", slot, start.to_string());
  pump_thread_ = std::thread([this] { pump(); });
}

// START_REPLICATION over the socket. libpq is idle here (its last command has completed), so
// nothing it buffered is pending, and after this it never reads the connection again: it only
// closes it (Terminate, which the walsender accepts while streaming). An error leaves the
// connection at ReadyForQuery, as PQexec would.
void ReplicationStream::start_direct(const std::string& command, const std::string& slot) {
  const int fd = PQsocket(conn_.get());
  if (fd < 0) throw RetriableError(fmt::format("{}: connection to PostgreSQL lost", command));
  const std::string query = wire::query_message(command);
  wire::write_all(fd, query.data(), query.size(), command);
  std::string in;
  std::size_t at = 0;
  std::optional<ServerError> error;
  char buffer[16384];
  for (;;) {
    while (auto size = wire::message_size(in.data() + at, in.size() - at)) {
      if (in.size() - at < *size) break;
      const char type = in[at];
      const std::string_view body = wire::message_body(in.data() + at, *size);
      at += *size;
      if (type == 'W' && !error) {  // CopyBothResponse: what follows is the stream
        received_after_start_ = in.substr(at);
        direct_ = true;
        return;
      }
      if (type == 'E') error = wire::parse_error(body);
      if (type == 'N') kLog.info("{}: server notice: {}", command, wire::parse_error(body).primary);
      if (type == 'Z') {  // ReadyForQuery: the command is over
        if (!error) throw ConnectError(fmt::format("{}: the server did not start streaming", command));
        if (error->sqlstate == "55006") throw_slot_in_use(slot, error->primary);
        throw_server_error(*error, command);
      }
    }
    std::size_t n = wire::read_some(fd, buffer, sizeof buffer, command);
    if (n == 0) {
      wire::wait_readable(fd, command);
      continue;
    }
    in.append(buffer, n);
  }
}

// --- The pump: the thread that owns the connection once streaming -------------------------

void ReplicationStream::pump() noexcept {
  pthread_setname_np(pthread_self(), "pg-replication");
  std::unique_ptr<Chunk> chunk = take_spare();
  try {
    if (direct_) {
      pump_direct(chunk);
    } else {
      pump_libpq(chunk);
    }
  } catch (...) {
    std::lock_guard lock(mu_);
    if (!chunk->pieces.empty()) {
      ready_bytes_ += chunk->bytes.size();
      ready_.push_back(std::move(chunk));
    }
    failure_ = std::current_exception();
    data_cv_.notify_all();
  }
}

void ReplicationStream::on_copy_data(const char* msg, std::size_t size) {
  if (msg[0] == 'w' && size >= kXLogDataHeader) {
    Lsn wal_start{read_be64(msg + 1)}, wal_end{read_be64(msg + 9)};
    if (wal_end > server_wal_end_) server_wal_end_ = wal_end;
    if (wal_start > max_data_start_) max_data_start_ = wal_start;
  } else if (msg[0] == 'k' && size >= kKeepaliveSize) {
    Lsn wal_end{read_be64(msg + 1)};
    if (wal_end > server_wal_end_) server_wal_end_ = wal_end;
    if (msg[17] != 0) send_status_now(false);  // the server asked for a reply (wal_sender_timeout)
  } else {
    throw ConnectError(fmt::format("unexpected replication message type '{}' ({} bytes)", msg[0], size));
  }
}

void ReplicationStream::pump_libpq(std::unique_ptr<Chunk>& chunk) {
  std::uint32_t since_clock_check = 0;
  for (;;) {
    if (stop_.load(std::memory_order_relaxed)) return;
    char* buffer = nullptr;
    const int n = PQgetCopyData(conn_.get(), &buffer, 1);
    if (n > 0) {
      std::unique_ptr<char, void (*)(void*)> owned(buffer, PQfreemem);
      const auto size = static_cast<std::size_t>(n);
      on_copy_data(buffer, size);
      // Keepalives go through the queue too: the reader sees the server's WAL end in stream order.
      if (chunk->used + size > chunk->bytes.size()) chunk->bytes.resize(chunk->used + size);
      std::memcpy(chunk->bytes.data() + chunk->used, buffer, size);
      chunk->pieces.push_back({chunk->used, size});
      chunk->used += size;
      if (chunk->used >= kChunkBytes) publish(chunk);
      if (++since_clock_check >= kClockCheckEvery) {
        since_clock_check = 0;
        service_status();
      }
      continue;
    }
    if (n == -1) throw_end_of_stream();
    if (n < -1) throw_connection_error(conn_.get(), "replication stream");
    // Nothing more is buffered: hand over what was read (unless the reader is still busy), then
    // wait for the socket.
    if (!chunk->pieces.empty() && hand_over_when_dry()) publish(chunk);
    service_status();
    pump_wait();
    if (PQconsumeInput(conn_.get()) == 0) throw_connection_error(conn_.get(), "replication stream");
  }
}

// Frames the complete messages of chunk.bytes[framed, used): each CopyData becomes a piece pointing
// at its payload, and `framed` moves past them. Returns the whole size of the message cut off at
// the end, when its header is there.
std::optional<std::size_t> ReplicationStream::frame_messages(Chunk& chunk, std::size_t& framed) {
  constexpr std::string_view kContext = "replication stream";
  for (;;) {
    const std::optional<std::size_t> size = wire::message_size(chunk.bytes.data() + framed, chunk.used - framed);
    if (!size || chunk.used - framed < *size) return size;
    const char* msg = chunk.bytes.data() + framed;
    const std::string_view body = wire::message_body(msg, *size);
    switch (msg[0]) {
      case 'd':
        if (body.empty()) throw ConnectError("empty CopyData message in the replication stream");
        on_copy_data(body.data(), body.size());
        chunk.pieces.push_back({framed + wire::kHeaderSize, body.size()});
        break;
      case 'c':  // CopyDone (or the command's end): the server ends logical streaming only
      case 'C':  // when it shuts down
      case 'Z':
        throw RetriableError("the server ended the replication stream (is it shutting down?)");
      case 'E':
        throw_server_error(wire::parse_error(body), kContext);
      case 'N':
        kLog.info("{}: server notice: {}", kContext, wire::parse_error(body).primary);
        break;
      case 'S':  // ParameterStatus, NotificationResponse: nothing for a replication stream
      case 'A':
        break;
      default:
        throw ConnectError(fmt::format("unexpected message type '{}' in the replication stream", msg[0]));
    }
    framed += *size;
  }
}

// Reads the socket straight into the chunk and frames the messages where they landed: a CopyData
// message becomes a piece pointing at its payload. A message cut by the end of what was read
// moves on to the next chunk when this one is handed over.
void ReplicationStream::pump_direct(std::unique_ptr<Chunk>& chunk) {
  constexpr std::string_view kContext = "replication stream";
  const int fd = PQsocket(conn_.get());
  if (chunk->bytes.size() < received_after_start_.size() + kReadRoom) {
    chunk->bytes.resize(received_after_start_.size() + kReadRoom);
  }
  std::memcpy(chunk->bytes.data(), received_after_start_.data(), received_after_start_.size());
  chunk->used = received_after_start_.size();
  received_after_start_.clear();
  std::size_t framed = 0;  // chunk bytes before this offset are framed
  std::uint32_t since_clock_check = 0;
  bool got_data = false;   // the last read returned data
  std::size_t burst = 0;   // messages read since the socket was last found dry
  int coalesce_us = kMaxCoalesceUs;
  for (;;) {
    if (stop_.load(std::memory_order_relaxed)) return;
    const std::size_t before = chunk->pieces.size();
    const std::optional<std::size_t> partial = frame_messages(*chunk, framed);
    since_clock_check += static_cast<std::uint32_t>(chunk->pieces.size() - before);
    burst += chunk->pieces.size() - before;
    if (since_clock_check >= kClockCheckEvery) {
      since_clock_check = 0;
      service_status();
    }
    // Room for the next read: at least kReadRoom, and all of a message whose start is here.
    std::size_t need = kReadRoom;
    if (partial) need = std::max(need, *partial - (chunk->used - framed));
    if (chunk->used >= kChunkBytes || chunk->bytes.size() - chunk->used < need) {
      if (!chunk->pieces.empty()) {
        hand_over(chunk, framed);
      } else if (framed > 0) {  // nothing to hand over (no CopyData yet): drop what was framed
        std::memmove(chunk->bytes.data(), chunk->bytes.data() + framed, chunk->used - framed);
        chunk->used -= framed;
        framed = 0;
      }
      if (chunk->bytes.size() - chunk->used < need) chunk->bytes.resize(chunk->used + need);
    }
    std::size_t n = wire::read_some(fd, chunk->bytes.data() + chunk->used, chunk->bytes.size() - chunk->used, kContext);
    if (n > 0) {
      chunk->used += n;
      got_data = true;
      continue;
    }
    if (got_data) {
      // Dry right after data: the walsender is busy but sends no faster than this reads. Rather
      // than waking per message (each is its own send() on the server, and waking for one costs
      // more than reading it), let some accumulate: aim at 16-64 messages per read, as long as
      // the socket can hold them (it holds only a few hundred small messages, much less than
      // a millisecond of a fast walsender's output; waiting longer makes the walsender block).
      got_data = false;
      if (burst > 64) {
        coalesce_us /= 2;
      } else if (burst < 16) {
        coalesce_us = std::min(kMaxCoalesceUs, coalesce_us + coalesce_us / 4 + 5);
      }
      burst = 0;
      if (coalesce_us > 0) {
        std::this_thread::sleep_for(std::chrono::microseconds(coalesce_us));
        continue;
      }
    }
    // The socket ran dry: hand over what is framed (unless the reader is still busy), then wait
    // for more.
    if (!chunk->pieces.empty() && hand_over_when_dry()) {
      hand_over(chunk, framed);
    }
    service_status();
    pump_wait();
  }
}

// A walsender that sends no faster than the pump reads leaves the socket dry after every message
// or two. Handing each of those over on its own costs a queue operation and a wakeup of the reader
// per message; while the reader still has chunks to work through, the pump keeps filling its
// chunk instead, and a reader that runs out wakes the pump to hand over what it holds.
bool ReplicationStream::hand_over_when_dry() {
  std::lock_guard lock(mu_);
  const bool reader_has_work = !ready_.empty();
  pump_holding_.store(reader_has_work, std::memory_order_relaxed);
  return !reader_has_work;
}

void ReplicationStream::hand_over(std::unique_ptr<Chunk>& chunk, std::size_t& framed) {
  std::unique_ptr<Chunk> next = take_spare();
  const std::size_t tail = chunk->used - framed;
  if (next->bytes.size() < tail + kReadRoom) next->bytes.resize(tail + kReadRoom);
  std::memcpy(next->bytes.data(), chunk->bytes.data() + framed, tail);
  next->used = tail;
  chunk->used = framed;
  enqueue(std::move(chunk));
  chunk = std::move(next);
  framed = 0;
}

std::unique_ptr<ReplicationStream::Chunk> ReplicationStream::take_spare() {
  std::unique_ptr<Chunk> chunk;
  {
    std::lock_guard lock(mu_);
    if (!spare_.empty()) {
      chunk = std::move(spare_.back());
      spare_.pop_back();
    }
  }
  if (!chunk) {
    chunk = std::make_unique<Chunk>();
    chunk->bytes.resize(kChunkBytes + kReadRoom);
  }
  return chunk;
}

void ReplicationStream::publish(std::unique_ptr<Chunk>& chunk) {
  enqueue(std::move(chunk));
  chunk = take_spare();
}

void ReplicationStream::enqueue(std::unique_ptr<Chunk> chunk) {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      if (ready_bytes_ < kMaxQueuedBytes || stop_.load(std::memory_order_relaxed)) {
        ready_bytes_ += chunk->bytes.size();
        ready_.push_back(std::move(chunk));
        data_cv_.notify_one();
        break;
      }
      // Full: the walsender waits on its socket until the reader catches up. Status updates
      // still go out meanwhile.
      space_cv_.wait_for(lock, std::chrono::milliseconds(100));
    }
    service_status();
  }
}

void ReplicationStream::service_status() {
  std::optional<StatusRequest> requested;
  {
    std::lock_guard lock(mu_);
    requested.swap(requested_status_);
  }
  if (requested) {
    write_status(requested->write, requested->flush, requested->apply, requested->reply_requested);
  } else if (status_due_.exchange(false, std::memory_order_relaxed) && effective_flush() != reported_flush_) {
    send_status_now(false);
  } else if (std::chrono::steady_clock::now() - last_status_ >= status_interval_) {
    send_status_now(false);
  }
}

void ReplicationStream::pump_wait() {
  using namespace std::chrono;
  auto until = last_status_ + status_interval_;
  auto now = steady_clock::now();
  int wait_ms = static_cast<int>(std::max<std::int64_t>(0, duration_cast<milliseconds>(until - now).count() + 1));
  pollfd fds[2] = {{PQsocket(conn_.get()), POLLIN, 0}, {pump_fd_, POLLIN, 0}};
  int ready = ::poll(fds, 2, wait_ms);
  if (ready < 0 && errno != EINTR) throw ConnectError(fmt::format("poll failed: {}", std::strerror(errno)));
  if (ready > 0 && (fds[1].revents & POLLIN)) {
    std::uint64_t count;
    [[maybe_unused]] ssize_t drained = ::read(pump_fd_, &count, sizeof count);
  }
}

void ReplicationStream::wake_pump() {
  std::uint64_t one = 1;
  [[maybe_unused]] ssize_t written = ::write(pump_fd_, &one, sizeof one);
}

void ReplicationStream::stop_pump() {
  if (!pump_thread_.joinable()) return;
  stop_.store(true, std::memory_order_relaxed);
  {
    std::lock_guard lock(mu_);
    space_cv_.notify_all();
  }
  wake_pump();
  pump_thread_.join();
}

// --- The reader's side ---------------------------------------------------------------------

std::optional<XLogData> ReplicationStream::read(int timeout_ms) {
  if (!streaming_) throw ConnectError("ReplicationStream::read() called before start()");
  std::optional<std::chrono::steady_clock::time_point> deadline;
  for (;;) {
    if (current_ && next_piece_ < current_->pieces.size()) {
      const Chunk::Piece piece = current_->pieces[next_piece_++];
      const char* msg = current_->bytes.data() + piece.offset;
      Lsn wal_end{read_be64(msg + 9 - (msg[0] == 'k' ? 8 : 0))};
      if (wal_end > read_wal_end_) read_wal_end_ = wal_end;
      if (msg[0] == 'k') continue;
      return XLogData{Lsn{read_be64(msg + 1)}, wal_end, static_cast<std::int64_t>(read_be64(msg + 17)),
                      std::string_view(msg + kXLogDataHeader, piece.size - kXLogDataHeader)};
    }
    std::unique_lock lock(mu_);
    if (current_) {
      recycle_locked(std::move(current_));
      space_cv_.notify_one();
    }
    if (!deadline) deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    if (ready_.empty() && pump_holding_.exchange(false, std::memory_order_relaxed)) wake_pump();
    data_cv_.wait_until(lock, *deadline, [&] { return !ready_.empty() || failure_ || woken_; });
    if (!ready_.empty()) {
      current_ = std::move(ready_.front());
      ready_.pop_front();
      ready_bytes_ -= current_->bytes.size();
      next_piece_ = 0;
      continue;
    }
    if (woken_) {
      woken_ = false;
      return std::nullopt;
    }
    if (failure_) {
      streaming_ = false;
      std::rethrow_exception(failure_);
    }
    return std::nullopt;
  }
}

void ReplicationStream::recycle_locked(std::unique_ptr<Chunk> chunk) {
  // A chunk that grew for one huge message is not kept at that size.
  if (chunk->bytes.size() > 4 * kChunkBytes || spare_.size() >= kMaxSpareChunks) return;
  chunk->used = 0;
  chunk->pieces.clear();
  spare_.push_back(std::move(chunk));
}

void ReplicationStream::throw_end_of_stream() {
  PgResultPtr res = make_result(PQgetResult(conn_.get()));
  auto status = PQresultStatus(res.get());
  if (res && status == PGRES_FATAL_ERROR) throw_result_error(res.get(), conn_.get(), "replication stream");
  // CopyDone from the server: it ends logical streaming only when it shuts down.
  throw RetriableError("the server ended the replication stream (is it shutting down?)");
}

Lsn ReplicationStream::effective_flush() const {
  Lsn flushed{flushed_.load(std::memory_order_acquire)};
  // Everything handed out is confirmed: no commit at or before the server's WAL end is pending
  // here, and transactions still open there will be decoded again after a restart, so the
  // server's position is safe to confirm. max_data_start_ covers commits (their wal_start is the
  // commit's end LSN) even when a later Begin carries an older first LSN.
  if (flushed >= max_data_start_ && server_wal_end_ > flushed) return server_wal_end_;
  return flushed;
}

void ReplicationStream::send_status_now(bool reply_requested) {
  Lsn flush = effective_flush();
  Lsn write = std::max(flush, server_wal_end_);
  write_status(write, flush, flush, reply_requested);
}

void ReplicationStream::send_status(Lsn write, Lsn flush, Lsn apply, bool reply_requested) {
  if (!pump_thread_.joinable()) return write_status(write, flush, apply, reply_requested);
  {
    std::lock_guard lock(mu_);
    requested_status_ = StatusRequest{write, flush, apply, reply_requested};
  }
  wake_pump();
}

void ReplicationStream::write_status(Lsn write, Lsn flush, Lsn apply, bool reply_requested) {
  advance_flushed(flush);
  char msg[kStatusSize];
  msg[0] = 'r';
  write_be64(msg + 1, write.value);
  write_be64(msg + 9, flush.value);
  write_be64(msg + 17, apply.value);
  write_be64(msg + 25, static_cast<std::uint64_t>(pg_now_us()));
  msg[33] = reply_requested ? 1 : 0;
  if (direct_) {
    const std::string frame = wire::copy_data_message(std::string_view(msg, kStatusSize));
    wire::write_all(PQsocket(conn_.get()), frame.data(), frame.size(), "sending replication status");
  } else if (PQputCopyData(conn_.get(), msg, kStatusSize) != 1 || PQflush(conn_.get()) != 0) {
    throw_connection_error(conn_.get(), "sending replication status");
  }
  last_status_ = std::chrono::steady_clock::now();
  reported_flush_ = flush;
  kLog.debug("status: write {} flush {} apply {}", write.to_string(), flush.to_string(), apply.to_string());
}

void ReplicationStream::set_flushed_lsn(Lsn flush) {
  advance_flushed(flush);
  status_due_.store(true, std::memory_order_relaxed);
  if (pump_thread_.joinable()) wake_pump();
}

void ReplicationStream::advance_flushed(Lsn flush) {
  // Only forward: a late caller must not move the confirmed position back.
  std::uint64_t current = flushed_.load(std::memory_order_relaxed);
  while (flush.value > current &&
         !flushed_.compare_exchange_weak(current, flush.value, std::memory_order_release,
                                         std::memory_order_relaxed)) {
  }
}

void ReplicationStream::wakeup() {
  std::lock_guard lock(mu_);
  woken_ = true;
  data_cv_.notify_all();
}

}  // namespace sluice::postgres
