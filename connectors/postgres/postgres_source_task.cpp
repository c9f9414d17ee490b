#include "postgres_source_task.h"

#include <algorithm>
#include <thread>

#include "sluice/errors.h"
#include "sluice/log.h"

namespace sluice::postgres {
namespace {

const log::Logger kLog("sluice.connector.postgres");

// A batch with records goes out this long after its first record at the latest. Short: it bounds
// the latency every change sees at a steady rate; under a backlog the batch fills up long before.
constexpr std::chrono::milliseconds kBatchLinger{5};
constexpr std::chrono::milliseconds kMaxPollWait{1000};

std::int64_t now_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::string sql_list(const std::vector<TableId>& tables) {
  std::string out;
  for (const auto& t : tables) out += (out.empty() ? "" : ", ") + t.quoted();
  return out;
}

void set_snapshot_marker(SourceRecord& record, const char* marker) {
  auto* envelope = record.record.value.get_if<Struct>();
  if (envelope == nullptr) return;
  Value source = envelope->get("source");
  if (auto* s = source.get_if<Struct>()) {
    s->put("snapshot", Value(marker));
    envelope->put("source", std::move(source));
  }
}

}  // namespace

// --- PostgresSourceTask: lifecycle -----------------------------------------------------------

PostgresSourceTask::PostgresSourceTask() = default;

PostgresSourceTask::~PostgresSourceTask() {
  teardown();
  drop_slot_on_stop();
}

void PostgresSourceTask::start(const ConfigMap& config, SourceTaskContext& context) {
  config_ = PostgresSourceConfig::parse(config);
  task_id_ = context.task_id();
  partition_ = SourcePartition{{"server", Value(config_.topic_prefix)}};
  builder_ = std::make_unique<ChangeEventBuilder>(EventOptions::from_config(config), registry_);
  reader_ = std::make_unique<ChangeStreamReader>(config_, *builder_, registry_, partition_);
  if (auto offset = context.offset(partition_)) {
    committed_at_start_ = StreamPosition::from_offset(*offset);
    snapshot_done_ = committed_at_start_->snapshot_completed();
    committed_flush_ = committed_at_start_->lsn_commit;
      reader_->resume_from(*committed_at_start_);
    kLog.info("[{}] resuming after lsn_commit {} lsn_proc {}", task_id_,
              committed_at_start_->lsn_commit.to_string(), committed_at_start_->lsn_proc.to_string());
  }
  last_heartbeat_ = std::chrono::steady_clock::now();
  rate_window_start_ = last_heartbeat_;
  metrics_ = &context.metrics();
}

std::vector<SourceRecord> PostgresSourceTask::poll() {
  if (stopping_.load()) return {};
  try {
    if (!ready_) {
      wait_before_reconnect();
      if (stopping_.load()) return {};
      setup();
      ready_ = true;
    }
    switch (phase_) {
      case Phase::kSnapshot: {
        auto batch = poll_snapshot();
        failures_ = 0;
        publish_metrics(batch);
        return batch;
      }
      case Phase::kStreaming: {
        auto batch = poll_stream();
        failures_ = 0;
        publish_metrics(batch);
        return batch;
      }
      case Phase::kDone:
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min(config_.poll_interval_ms, 1000)));
        return {};
    }
  } catch (const RetriableError& e) {
    kLog.warn("[{}] {}; reconnecting", task_id_, e.what());
    teardown();
    ++failures_;
    throw;
  }
  return {};
}

void PostgresSourceTask::stop() {
  stopping_.store(true);
  std::lock_guard lock(stream_mu_);
  if (stream_) stream_->wakeup();
}

void PostgresSourceTask::commit(const std::map<SourcePartition, SourceOffset>& committed) {
  auto it = committed.find(partition_);
  if (it == committed.end()) return;
  StreamPosition position = StreamPosition::from_offset(it->second);
  if (!position.snapshot_completed() || position.lsn_commit <= committed_flush_) return;
  committed_flush_ = position.lsn_commit;
  std::lock_guard lock(stream_mu_);
  if (stream_ && stream_->streaming()) stream_->set_flushed_lsn(committed_flush_);
}

void PostgresSourceTask::publish_metrics(const std::vector<SourceRecord>& batch) {
  using namespace std::chrono;
  std::size_t events = 0;
  for (const auto& r : batch) {
    if (r.record.topic != config_.heartbeat_topic) ++events;
  }
  events_total_ += events;
  rate_window_events_ += events;
  TaskMetrics& m = *metrics_;
  auto now = steady_clock::now();
  auto window = now - rate_window_start_;
  if (window >= seconds(1)) {
    m.set("events_per_second", static_cast<double>(rate_window_events_) / duration<double>(window).count());
    rate_window_events_ = 0;
    rate_window_start_ = now;
  }
  m.set("events_total", static_cast<double>(events_total_));
  m.set_text("phase", phase_ == Phase::kSnapshot ? "snapshot" : phase_ == Phase::kStreaming ? "streaming" : "done");
  m.set("snapshot_records_total", static_cast<double>(snapshot_records_));
  if (phase_ != Phase::kStreaming || !stream_) return;

  const StreamPosition& at = reader_->position();
  const Lsn server = stream_->server_wal_end();
  // Everything the server had sent is handed out: the last read found nothing waiting.
  const bool caught_up = drained_ && !reader_->in_transaction() && !reader_->replaying();
  // How far the last change handed out is behind its commit on the server, and how much WAL the
  // server has sent that is not handed out yet.
  double lag_ms = 0;
  if (events > 0 && at.ts_usec > 0) lag_ms = std::max<double>(0, (now_us() - at.ts_usec) / 1000.0);
  m.set("lag_behind_source_ms", caught_up ? 0 : lag_ms);
  const Lsn handed_out = std::max(at.lsn_commit, at.lsn_proc);
  m.set("lag_behind_source_bytes",
        !caught_up && server > handed_out ? static_cast<double>(server.value - handed_out.value) : 0);
  // WAL the slot holds back: what the server has beyond the confirmed (committed) flush position.
  const Lsn flushed = std::max(committed_flush_, slot_flush_at_setup_);
  m.set("slot_lag_bytes", flushed && server > flushed ? static_cast<double>(server.value - flushed.value) : 0);
  m.set_text("last_committed_lsn", flushed.to_string());
  m.set_text("last_received_lsn", server.to_string());
  m.set("protocol_version", streaming_protocol_);
  const StreamStats& st = reader_->stats();
  m.set("streamed_transactions", static_cast<double>(st.streamed_transactions));
  m.set("streamed_transactions_aborted", static_cast<double>(st.aborted_streamed_transactions));
  m.set("spooled_transactions_open", static_cast<double>(reader_->spooled_transactions()));
  m.set("spooled_bytes", static_cast<double>(reader_->spooled_bytes()));
}

void PostgresSourceTask::set_stream(std::unique_ptr<ReplicationStream> stream) {
  std::unique_ptr<ReplicationStream> old;
  {
    std::lock_guard lock(stream_mu_);
    old = std::exchange(stream_, std::move(stream));
  }
  if (stopping_.load() && stream_) stream_->wakeup();
}

void PostgresSourceTask::teardown() {
  snapshotter_.reset();
  held_back_.reset();
  set_stream(nullptr);
  conn_.reset();
  ready_ = false;
}

void PostgresSourceTask::drop_slot_on_stop() {
  if (!config_.slot_drop_on_stop || !stopping_.load()) return;
  try {
    // DROP_REPLICATION_SLOT ... WAIT: the walsender of the closed stream may still hold it.
    ReplicationStream(config_.conninfo).drop_slot(config_.slot_name, /*wait=*/true);
    kLog.info("[{}] dropped replication slot '{}' (slot.drop.on.stop)", task_id_, config_.slot_name);
  } catch (const std::exception& e) {
    kLog.warn("[{}] could not drop replication slot '{}': {}", task_id_, config_.slot_name, e.what());
  }
}

void PostgresSourceTask::wait_before_reconnect() {
  if (failures_ == 0) return;
  auto delay = std::chrono::milliseconds(
      std::min<std::int64_t>(config_.retry_delay_ms, 200LL << std::min(failures_ - 1, 10)));
  if (std::exchange(slot_busy_, false)) {
    delay = std::chrono::milliseconds(std::min<std::int64_t>(config_.slot_retry_delay_ms, 1000LL * failures_));
  }
  auto until = std::chrono::steady_clock::now() + delay;
  while (!stopping_.load() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        std::chrono::milliseconds(50), until - std::chrono::steady_clock::now()));
  }
}

// --- Setup: connections, publication, slot, snapshot decision ------------------------------

void PostgresSourceTask::setup() {
  conn_ = std::make_unique<PgConnection>(config_.conninfo);
  auto stream = std::make_unique<ReplicationStream>(config_.conninfo);
  stream->check_wal_level();
  stream->set_status_interval(std::chrono::milliseconds(config_.status_update_interval_ms));
  SlotInfo slot = stream->slot_info(config_.slot_name);
  slot_flush_at_setup_ = slot.confirmed_flush_lsn;
  set_stream(std::move(stream));
  if (slot.exists && slot.active) {
    // After kill -9 of a worker its walsender may hold the slot a moment longer: retry a few
    // times (slot.max.retries, slot.retry.delay.ms), then fail clearly.
    if (++slot_busy_attempts_ > config_.slot_max_retries) {
      throw ConnectError("replication slot '" + config_.slot_name + "' is active for PID " +
                         (slot.active_pid ? std::to_string(*slot.active_pid) : "unknown") + " after " +
                         std::to_string(config_.slot_max_retries) + " retries: another connector or "
                         "task streams from it; stop that one or give this connector its own slot.name");
    }
    slot_busy_ = true;
    throw RetriableError("replication slot '" + config_.slot_name + "' is active for PID " +
                         (slot.active_pid ? std::to_string(*slot.active_pid) : "unknown") +
                         "; waiting for it to be released");
  }
  slot_busy_attempts_ = 0;
  ensure_publication();
  load_type_registry();
  if (snapshot_needed(slot)) {
    begin_snapshot(slot);
    return;
  }
  if (!slot.exists) {
    if (committed_at_start_ || snapshot_done_) {
      kLog.warn("[{}] replication slot '{}' is missing; creating it: changes made since the "
                "last committed offset are not streamed", task_id_, config_.slot_name);
    }
    slot_flush_at_setup_ = stream_->create_slot(config_.slot_name, "pgoutput", /*export_snapshot=*/false).consistent_point;
  }
  if (config_.snapshot_mode == SnapshotMode::kInitialOnly) {
    phase_ = Phase::kDone;
    return;
  }
  start_streaming();
}

bool PostgresSourceTask::snapshot_needed(const SlotInfo& slot) const {
  switch (config_.snapshot_mode) {
    case SnapshotMode::kNoData: return false;
    case SnapshotMode::kAlways: return !snapshot_this_run_;
    case SnapshotMode::kWhenNeeded: return !snapshot_done_ || !slot.exists;
    case SnapshotMode::kInitial:
    case SnapshotMode::kInitialOnly: return !snapshot_done_;
  }
  return false;
}

void PostgresSourceTask::ensure_publication() {
  const std::string& name = config_.publication_name;
  bool exists = conn_->query_value("SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = $1", {name}).has_value();
  std::string sql;
  switch (config_.publication_mode) {
    case PublicationAutocreateMode::kDisabled:
      if (!exists) {
        throw ConnectError("publication '" + name + "' does not exist and publication.autocreate.mode "
                           "is disabled; create it (CREATE PUBLICATION " + quote_identifier(name) +
                           " FOR TABLE ...) or set publication.autocreate.mode");
      }
      return;
    case PublicationAutocreateMode::kAllTables:
      if (!exists) sql = "CREATE PUBLICATION " + quote_identifier(name) + " FOR ALL TABLES";
      break;
    case PublicationAutocreateMode::kNoTables:
      if (!exists) sql = "CREATE PUBLICATION " + quote_identifier(name);
      break;
    case PublicationAutocreateMode::kFiltered: {
      auto tables = list_captured_tables(*conn_, config_.filter);
      if (!exists) {
        sql = "CREATE PUBLICATION " + quote_identifier(name) + (tables.empty() ? "" : " FOR TABLE " + sql_list(tables));
      } else if (!tables.empty()) {
        sql = "ALTER PUBLICATION " + quote_identifier(name) + " SET TABLE " + sql_list(tables);
      }
      break;
    }
  }
  if (sql.empty()) return;
  try {
    conn_->exec(sql);
    kLog.info("[{}] {}", task_id_, sql);
  } catch (const RetriableError&) {
    throw;
  } catch (const ConnectError& e) {
    throw ConnectError("cannot create or update publication '" + name + "' (publication.autocreate.mode): " +
                       e.what() + ". Creating a publication FOR ALL TABLES needs a superuser, FOR TABLE "
                       "needs ownership of the tables; create it beforehand and use "
                       "publication.autocreate.mode=disabled, or grant the privileges");
  }
}

void PostgresSourceTask::load_type_registry() { load_types(*conn_, registry_); }

void PostgresSourceTask::start_streaming() {
  StreamOptions options;
  options.proto_version = protocol_version();
  options.streaming = options.proto_version >= 2;
  streaming_protocol_ = options.proto_version;
  options.publication_names = {config_.publication_name};
  options.messages = true;
  // 0/0: from the slot's confirmed flush position, which never passes a committed offset; what
  // was handed out since is skipped by the reader.
  stream_->start(config_.slot_name, Lsn{0}, options);
  if (committed_flush_) stream_->set_flushed_lsn(committed_flush_);
  reader_->resume_from(reader_->position(), options.proto_version);
  phase_ = Phase::kStreaming;
}

int PostgresSourceTask::protocol_version() const {
  // Streaming of in-progress transactions (protocol 2) exists from PostgreSQL 14 on.
  const bool streaming_supported = conn_ && conn_->server_version() >= 140000;
  if (config_.protocol_version == 2 && !streaming_supported) {
    throw ConnectError("pgoutput.protocol.version=2 needs PostgreSQL 14 or later; the server is version " +
                       std::to_string(conn_ ? conn_->server_version() : 0) + ". Use 1 or auto");
  }
  if (config_.protocol_version != 0) return config_.protocol_version;
  return streaming_supported ? 2 : 1;
}

// --- Snapshot --------------------------------------------------------------------------------

void PostgresSourceTask::begin_snapshot(const SlotInfo& slot) {
  std::string snapshot_name;
  if (slot.exists) {
    // The slot is kept (never dropped and recreated): an interrupted earlier snapshot may have
    // emitted rows deleted since, and only the stream from the slot's position can delete them
    // downstream. The snapshot then reads the current state and the stream replays everything
    // after the slot's position on top of it, so a consumer applying by key converges.
    consistent_point_ = slot.confirmed_flush_lsn;
    kLog.info("[{}] replication slot '{}' exists; snapshot without an exported snapshot, streaming "
              "from {} afterwards", task_id_, config_.slot_name, consistent_point_.to_string());
  } else {
    CreatedSlot created = stream_->create_slot(config_.slot_name, "pgoutput", /*export_snapshot=*/true);
    // From here until the snapshot ends the replication connection must stay idle.
    consistent_point_ = created.consistent_point;
    slot_flush_at_setup_ = created.consistent_point;
    snapshot_name = created.snapshot_name;
  }
  auto tables = list_captured_tables(*conn_, config_.filter);
  // Resume an interrupted snapshot only from the slot it started with (the stream replays from
  // there); with a new slot, or snapshot.mode always, everything is read again.
  std::optional<SnapshotResume> resume;
  if (slot.exists && config_.snapshot_mode != SnapshotMode::kAlways) {
    if (snapshot_progress_) {
      resume = snapshot_progress_;
    } else if (committed_at_start_ && !committed_at_start_->snapshot_table.empty()) {
      resume = SnapshotResume{committed_at_start_->snapshot_table, committed_at_start_->snapshot_key};
    }
  }
  snapshotter_ = std::make_unique<Snapshotter>(config_.conninfo, snapshot_name, tables,
                                               config_.snapshot_fetch_size, resume);
  for (const auto& t : snapshotter_->tables()) {
    builder_->set_table_metadata(t.relation.schema, t.relation.name, t.metadata);
  }
  snapshot_txid_ = snapshotter_->txid();
  snapshot_ts_us_ = now_us();
  snapshot_records_ = 0;
  held_back_.reset();
  phase_ = Phase::kSnapshot;
  kLog.info("[{}] snapshot of {} table(s) at {}", task_id_, tables.size(), consistent_point_.to_string());
}

std::vector<SourceRecord> PostgresSourceTask::poll_snapshot() {
  std::vector<SourceRecord> out;
  if (held_back_) out.push_back(std::move(*held_back_));
  held_back_.reset();
  StreamPosition position;
  position.snapshot = true;
  position.lsn = position.lsn_commit = position.lsn_proc = consistent_point_;
  position.txid = snapshot_txid_;
  position.ts_usec = snapshot_ts_us_;
  SourceInfo src;
  src.snapshot = "true";
  src.ts_us = snapshot_ts_us_;
  src.txid = snapshot_txid_;
  src.lsn = consistent_point_;
  src.db = config_.dbname;

  std::size_t table_of_last = held_back_table_;
  bool first_in_table_of_last = held_back_first_in_table_;
  auto sink = [&](const Relation& rel, TupleView row, std::string_view key) {
    std::size_t before = out.size();
    position.snapshot_table = rel.schema + "." + rel.name;
    position.snapshot_key = key;
    builder_->read(rel, row, src, partition_, position.to_offset(), out);
    if (out.size() == before) return;
    std::size_t table = snapshotter_->current_table();
    bool first_in_table = snapshot_records_ == 0 || table != table_of_last;
    // The previous record now knows what follows it.
    if (before > 0 && snapshot_records_ > 0) {
      if (snapshot_records_ == 1) set_snapshot_marker(out[before - 1], "first");
      else if (table != table_of_last) set_snapshot_marker(out[before - 1], "last_in_data_collection");
      else if (first_in_table_of_last) set_snapshot_marker(out[before - 1], "first_in_data_collection");
    }
    snapshot_records_ += out.size() - before;
    table_of_last = table;
    first_in_table_of_last = first_in_table;
  };
  bool more = snapshotter_->next(static_cast<std::size_t>(config_.max_batch_size), sink);
  held_back_table_ = table_of_last;
  held_back_first_in_table_ = first_in_table_of_last;
  if (more) {
    if (!out.empty()) {
      held_back_ = std::move(out.back());
      out.pop_back();
    }
    // After a lost connection the snapshot resumes after the last record handed out.
    if (!out.empty()) {
      StreamPosition last = StreamPosition::from_offset(out.back().source_offset);
      snapshot_progress_ = SnapshotResume{last.snapshot_table, last.snapshot_key};
    }
    return out;
  }
  finish_snapshot(out);
  return out;
}

void PostgresSourceTask::finish_snapshot(std::vector<SourceRecord>& out) {
  snapshotter_->finish();
  snapshotter_.reset();
  snapshot_progress_.reset();
  if (!out.empty()) {
    SourceRecord& last = out.back();
    set_snapshot_marker(last, "last");
    last.source_offset["last_snapshot_record"] = Value(true);
  }
  kLog.info("[{}] snapshot completed: {} record(s)", task_id_, snapshot_records_);
  snapshot_done_ = true;
  snapshot_this_run_ = true;
  StreamPosition position;
  position.lsn = position.lsn_commit = position.lsn_proc = consistent_point_;
  position.ts_usec = snapshot_ts_us_;
  reader_->resume_from(position);
  if (config_.snapshot_mode == SnapshotMode::kInitialOnly) {
    phase_ = Phase::kDone;
    return;
  }
  start_streaming();
}

// --- Streaming -------------------------------------------------------------------------------

std::vector<SourceRecord> PostgresSourceTask::poll_stream() {
  using clock = std::chrono::steady_clock;
  std::vector<SourceRecord> out;
  reader_->begin_batch();
  const auto deadline = clock::now() + std::min(std::chrono::milliseconds(config_.poll_interval_ms), kMaxPollWait);
  std::optional<clock::time_point> first_record;
  const auto max = static_cast<std::size_t>(config_.max_batch_size);
  out.reserve(std::min<std::size_t>(max, 4096) + 2);  // a change may add up to three records
  while (!stopping_.load() && out.size() < max) {
    if (reader_->replaying()) {  // a committed streamed transaction, from the spool
      reader_->replay(out, max, *conn_);  // the stream's pump keeps the connection alive meanwhile
      if (!out.empty() && !first_record) first_record = clock::now();
      continue;
    }
    auto until = first_record ? std::min(deadline, *first_record + kBatchLinger) : deadline;
    auto now = clock::now();
    if (now >= until) break;
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count();
    auto data = stream_->read(static_cast<int>(std::max<std::int64_t>(wait, 1)));
    drained_ = !data;
    if (!data) continue;
    reader_->handle(*data, out, *conn_);
    if (!out.empty() && !first_record) first_record = clock::now();
  }
  reader_->end_batch(out);
  maybe_heartbeat(out);
  return out;
}

void PostgresSourceTask::maybe_heartbeat(std::vector<SourceRecord>& out) {
  if (config_.heartbeat_interval_ms <= 0) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_heartbeat_ < std::chrono::milliseconds(config_.heartbeat_interval_ms)) return;
  last_heartbeat_ = now;
  reader_->advance_idle(stream_->server_wal_end());
  out.push_back(heartbeat_record(reader_->position()));
  if (!config_.heartbeat_action_query.empty()) conn_->exec(config_.heartbeat_action_query);
}

SourceRecord PostgresSourceTask::heartbeat_record(const StreamPosition& position) const {
  static const SchemaPtr kKey = SchemaBuilder::struct_()
                                    .name("io.debezium.connector.common.ServerNameKey")
                                    .field("serverName", SchemaBuilder::string().build())
                                    .build();
  static const SchemaPtr kValue = SchemaBuilder::struct_()
                                      .name("io.debezium.connector.common.Heartbeat")
                                      .field("ts_ms", SchemaBuilder::int64().build())
                                      .build();
  const std::int64_t ts_ms = now_us() / 1000;
  Struct key(kKey);
  key.put("serverName", Value(config_.topic_prefix));
  Struct value(kValue);
  value.put("ts_ms", Value(ts_ms));
  SourceRecord r;
  r.source_partition = partition_;
  r.source_offset = position.to_offset();
  r.record.topic = config_.heartbeat_topic;
  r.record.key_schema = kKey;
  r.record.key = Value(std::move(key));
  r.record.value_schema = kValue;
  r.record.value = Value(std::move(value));
  r.record.timestamp_ms = ts_ms;
  return r;
}

}  // namespace sluice::postgres
