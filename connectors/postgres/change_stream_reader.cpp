#include "change_stream_reader.h"

#include <algorithm>
#include <filesystem>
#include <type_traits>

#include "sluice/errors.h"
#include "snapshotter.h"

namespace sluice::postgres {
namespace {

std::optional<std::int64_t> int_at(const SourceOffset& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->second.is_null()) return std::nullopt;
  if (const auto* s = it->second.get_if<std::string>()) return std::stoll(*s);
  return it->second.as_int64();
}

bool bool_at(const SourceOffset& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->second.is_null()) return false;
  if (const auto* b = it->second.get_if<bool>()) return *b;
  if (const auto* s = it->second.get_if<std::string>()) return *s == "true";
  return false;
}

}  // namespace

void load_types(PgConnection& conn, TypeRegistry& registry) {
  QueryResult r = conn.query(std::string(TypeRegistry::kLoadQuery));
  std::vector<std::optional<std::string_view>> row;
  for (const auto& values : r.rows) {
    row.clear();
    for (const auto& v : values) row.push_back(v ? std::optional<std::string_view>(*v) : std::nullopt);
    registry.add_row(row);
  }
}

// --- StreamPosition ------------------------------------------------------------------------

SourceOffset StreamPosition::to_offset() const {
  SourceOffset o;
  if (snapshot) {
    o["snapshot"] = Value(true);
    o["last_snapshot_record"] = Value(last_snapshot_record);
    if (!snapshot_table.empty()) {
      o["snapshot_table"] = Value(snapshot_table);
      o["snapshot_key"] = Value(snapshot_key);
    }
  } else {
    o["lsn_proc"] = Value(static_cast<std::int64_t>(lsn_proc.value));
    o["lsn_commit"] = Value(static_cast<std::int64_t>(lsn_commit.value));
  }
  o["lsn"] = Value(static_cast<std::int64_t>(lsn.value));
  if (txid) o["txId"] = Value(*txid);
  o["ts_usec"] = Value(ts_usec);
  return o;
}

StreamPosition StreamPosition::from_offset(const SourceOffset& offset) {
  StreamPosition p;
  auto lsn_of = [&](std::string_view key) {
    return Lsn{static_cast<std::uint64_t>(int_at(offset, key).value_or(0))};
  };
  p.lsn = lsn_of("lsn");
  p.lsn_proc = offset.count("lsn_proc") ? lsn_of("lsn_proc") : p.lsn;
  p.lsn_commit = offset.count("lsn_commit") ? lsn_of("lsn_commit") : p.lsn;
  p.txid = int_at(offset, "txId");
  p.ts_usec = int_at(offset, "ts_usec").value_or(0);
  p.snapshot = bool_at(offset, "snapshot");
  p.last_snapshot_record = bool_at(offset, "last_snapshot_record");
  auto text_at = [&](std::string_view key) {
    auto it = offset.find(key);
    const auto* text = it == offset.end() ? nullptr : it->second.get_if<std::string>();
    return text ? *text : std::string();
  };
  p.snapshot_table = text_at("snapshot_table");
  p.snapshot_key = text_at("snapshot_key");
  return p;
}

// --- ChangeStreamReader --------------------------------------------------------------------

ChangeStreamReader::ChangeStreamReader(const PostgresSourceConfig& config, ChangeEventBuilder& builder,
                                       TypeRegistry& registry, SourcePartition partition)
    : config_(config),
      builder_(builder),
      registry_(registry),
      partition_(std::move(partition)),
      decoder_(std::make_unique<PgOutputDecoder>(1)) {}

ChangeStreamReader::~ChangeStreamReader() = default;

void ChangeStreamReader::resume_from(const StreamPosition& emitted, int protocol_version) {
  resume_ = emitted;
  position_ = emitted;
  position_.snapshot = false;
  position_.last_snapshot_record = false;
  in_tx_ = false;
  replay_.reset();
  if (replay_decoder_) replay_decoder_->reset_session();
  if (spool_) spool_->clear();
  // Decoders are never destroyed while the builder may hold pointers to their Relations (it
  // tells tables apart by Relation address and version): a decoder of another protocol replaces
  // the current one, which is retired, not freed.
  if (decoder_->protocol_version() != protocol_version) {
    retired_decoders_.push_back(std::move(decoder_));
    decoder_ = std::make_unique<PgOutputDecoder>(protocol_version);
  } else {
    decoder_->reset_session();
  }
}

TransactionSpool& ChangeStreamReader::spool() {
  if (!spool_) {
    std::filesystem::path base = config_.spool_directory.empty() ? std::filesystem::temp_directory_path()
                                                                 : std::filesystem::path(config_.spool_directory);
    spool_ = std::make_unique<TransactionSpool>(base / ("sluice-spool-" + config_.topic_prefix + "-" + config_.slot_name));
  }
  return *spool_;
}

namespace {

// The (sub)transaction xid of a message sent inside a Stream Start..Stop block, if it is one the
// reader keeps for the transaction's commit (a non-transactional logical message is not).
std::optional<std::uint32_t> streamed_xid(const DecodedMessage& decoded) {
  return std::visit(
      [](const auto& m) -> std::optional<std::uint32_t> {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, LogicalMsg>) {
          return m.transactional ? m.stream_xid : std::nullopt;
        } else if constexpr (requires { m.stream_xid; }) {
          return m.stream_xid;
        } else {
          return std::nullopt;
        }
      },
      decoded);
}

}  // namespace

void ChangeStreamReader::handle(const XLogData& data, std::vector<SourceRecord>& out, PgConnection& catalog) {
  DecodedMessage decoded = decoder_->decode(data.payload);
  if (auto subxid = streamed_xid(decoded)) {
    spool().append(*decoder_->stream_xid(), *subxid, data.wal_start, data.payload);
    return;
  }
  if (std::holds_alternative<StreamStartMsg>(decoded) || std::holds_alternative<StreamStopMsg>(decoded)) return;
  if (auto* m = std::get_if<StreamAbortMsg>(&decoded)) {
    if (spool_) spool_->abort(m->xid, m->subxid);
    if (m->subxid == m->xid) ++stats_.aborted_streamed_transactions;
    return;
  }
  if (auto* m = std::get_if<StreamCommitMsg>(&decoded)) return on_stream_commit(*m, out);
  apply(decoded, data.wal_start, out, catalog);
}

void ChangeStreamReader::on_stream_commit(const StreamCommitMsg& m, std::vector<SourceRecord>& out) {
  // The transaction as if it had arrived whole: Begin, its changes from the spool, Commit.
  on_begin(BeginMsg{m.commit_lsn, m.commit_time, m.xid}, out);
  std::unique_ptr<SpoolReplay> replay = spool().commit(m.xid);
  replay_commit_ = m;
  ++stats_.streamed_transactions;
  if (skip_tx_) {  // emitted whole before the restart
    on_commit(CommitMsg{m.flags, m.commit_lsn, m.end_lsn, m.commit_time}, out);
    return;
  }
  replay_ = std::move(replay);
  // A decoder of its own, put inside a stream block for this xid, reads the spooled messages.
  if (!replay_decoder_) replay_decoder_ = std::make_unique<PgOutputDecoder>(2);
  replay_decoder_->reset_session();
  char start[6] = {'S', 0, 0, 0, 0, 1};
  for (int i = 0; i < 4; ++i) start[1 + i] = static_cast<char>((m.xid >> (24 - 8 * i)) & 0xff);
  replay_decoder_->decode(std::string_view(start, sizeof start));
}

void ChangeStreamReader::replay(std::vector<SourceRecord>& out, std::size_t max, PgConnection& catalog) {
  while (replay_ && out.size() < max) {
    if (!replay_->next(replay_message_)) {
      replay_.reset();
      replay_decoder_->reset_session();
      const StreamCommitMsg& m = replay_commit_;
      on_commit(CommitMsg{m.flags, m.commit_lsn, m.end_lsn, m.commit_time}, out);
      return;
    }
    DecodedMessage decoded = replay_decoder_->decode(replay_message_.payload);
    apply(decoded, replay_message_.wal_start, out, catalog);
  }
}

void ChangeStreamReader::apply(DecodedMessage& decoded, Lsn lsn, std::vector<SourceRecord>& out,
                               PgConnection& catalog) {
  if (auto* m = std::get_if<BeginMsg>(&decoded)) return on_begin(*m, out);
  if (auto* m = std::get_if<CommitMsg>(&decoded)) return on_commit(*m, out);
  if (auto* m = std::get_if<RelationMsg>(&decoded)) return on_relation(*m->relation, m->changed, catalog);
  if (auto* m = std::get_if<InsertMsg>(&decoded)) {
    on_change(*m->relation, lsn, out, [&](const SourceInfo& src, const SourceOffset& o) {
      builder_.insert(*m->relation, m->new_tuple, src, partition_, o, out);
    });
  } else if (auto* m = std::get_if<UpdateMsg>(&decoded)) {
    on_change(*m->relation, lsn, out, [&](const SourceInfo& src, const SourceOffset& o) {
      builder_.update(*m->relation, m->old_tuple, m->old_kind == OldTupleKind::kFull, m->new_tuple, src,
                      partition_, o, out);
    });
  } else if (auto* m = std::get_if<DeleteMsg>(&decoded)) {
    on_change(*m->relation, lsn, out, [&](const SourceInfo& src, const SourceOffset& o) {
      builder_.remove(*m->relation, m->old_tuple, m->old_kind == OldTupleKind::kFull, src, partition_, o, out);
    });
  } else if (auto* m = std::get_if<TruncateMsg>(&decoded)) {
    for (const Relation* rel : m->relations) {
      on_change(*rel, lsn, out, [&](const SourceInfo& src, const SourceOffset& o) {
        builder_.truncate(*rel, src, partition_, o, out);
      });
    }
  } else if (auto* m = std::get_if<LogicalMsg>(&decoded)) {
    on_message(*m, lsn, out);
  }
  // Origin and Type messages need nothing here (types are looked up in the registry).
}

void ChangeStreamReader::on_begin(const BeginMsg& m, std::vector<SourceRecord>& out) {
  in_tx_ = true;
  tx_xid_ = m.xid;
  tx_commit_time_ = m.commit_time;
  tx_records_in_batch_ = 0;
  // Transactions are sent in commit order: one that committed before the resume point's
  // lsn_commit was emitted whole; in the resume point's own transaction, changes up to lsn_proc were.
  skip_tx_ = resume_.lsn_commit && m.final_lsn < resume_.lsn_commit;
  skip_upto_ = !skip_tx_ && resume_.txid && *resume_.txid == static_cast<std::int64_t>(m.xid) ? resume_.lsn_proc : Lsn{};
  if (skip_tx_ || skip_upto_) return;
  std::size_t before = out.size();
  builder_.begin_transaction(source_info(m.final_lsn), partition_, position_.to_offset(), out);
  tx_records_in_batch_ += out.size() - before;
}

void ChangeStreamReader::on_commit(const CommitMsg& m, std::vector<SourceRecord>& out) {
  if (!in_tx_) return;
  in_tx_ = false;
  if (m.end_lsn > position_.lsn_commit) position_.lsn_commit = m.end_lsn;
  position_.ts_usec = m.commit_time.unix_micros();
  if (skip_tx_) return;
  SourceOffset done = position_.to_offset();
  std::size_t before = out.size();
  builder_.end_transaction(source_info(m.commit_lsn), partition_, done, out);
  tx_records_in_batch_ += out.size() - before;
  // The transaction's last record in this batch now says the whole transaction is out, so
  // committing it lets the slot confirm the commit.
  if (tx_records_in_batch_ > 0 && !out.empty()) out.back().source_offset = std::move(done);
}

void ChangeStreamReader::on_relation(const Relation& rel, bool changed, PgConnection& catalog) {
  bool unknown_type = std::any_of(rel.columns.begin(), rel.columns.end(), [&](const RelationColumn& c) {
    return c.type_oid >= 16384 && registry_.find(c.type_oid) == nullptr;
  });
  if (unknown_type) load_types(catalog, registry_);
  if (!changed) return;
  if (auto metadata = load_table_metadata(catalog, rel.oid)) {
    builder_.set_table_metadata(rel.schema, rel.name, std::move(*metadata));
  }
}

template <class Emit>
void ChangeStreamReader::on_change(const Relation& rel, Lsn lsn, std::vector<SourceRecord>& out, Emit&& emit) {
  if (skip_tx_ || (skip_upto_ && lsn <= skip_upto_)) return;
  if (!captured(rel)) return;
  StreamPosition next = position_;
  next.lsn = next.lsn_proc = lsn;
  next.txid = tx_xid_;
  next.ts_usec = tx_commit_time_.unix_micros();
  std::size_t before = out.size();
  // No offset per change: end_batch() gives the batch's last record the position (a batch holds
  // whole changes, so that is never half of a delete and its tombstone or of a key change).
  static const SourceOffset kNoOffset;
  emit(source_info(lsn), kNoOffset);
  tx_records_in_batch_ += out.size() - before;
  position_ = next;
}

void ChangeStreamReader::end_batch(std::vector<SourceRecord>& out) {
  if (!out.empty() && out.back().source_offset.empty()) out.back().source_offset = position_.to_offset();
}

void ChangeStreamReader::on_message(const LogicalMsg& m, Lsn lsn, std::vector<SourceRecord>& out) {
  if (m.transactional) {
    if (skip_tx_ || (skip_upto_ && lsn <= skip_upto_)) return;
    StreamPosition next = position_;
    next.lsn = next.lsn_proc = lsn;
    next.txid = tx_xid_;
    next.ts_usec = tx_commit_time_.unix_micros();
    std::size_t before = out.size();
    builder_.message(true, m.prefix, m.content, source_info(lsn), partition_, next.to_offset(), out);
    tx_records_in_batch_ += out.size() - before;
    position_ = next;
    return;
  }
  // Sent when decoded, outside any transaction; already emitted when before the resume point.
  if (resume_.lsn_commit && m.lsn < resume_.lsn_commit) return;
  SourceInfo src = source_info(m.lsn);
  src.txid.reset();
  src.ts_us = position_.ts_usec;
  builder_.message(false, m.prefix, m.content, src, partition_, position_.to_offset(), out);
}

bool ChangeStreamReader::captured(const Relation& rel) {
  if (!filter_known_ || rel.name != filter_table_ || rel.schema != filter_schema_) {
    filter_schema_ = rel.schema;
    filter_table_ = rel.name;
    filter_captured_ = config_.filter.includes(rel.schema, rel.name);
    filter_known_ = true;
  }
  return filter_captured_;
}

SourceInfo ChangeStreamReader::source_info(Lsn lsn) const {
  SourceInfo src;
  src.ts_us = tx_commit_time_.unix_micros();
  src.txid = tx_xid_;
  src.lsn = lsn;
  if (position_.lsn_commit) src.last_commit_lsn = position_.lsn_commit;
  src.db = config_.dbname;
  return src;
}

void ChangeStreamReader::advance_idle(Lsn server_position) {
  if (in_tx_ || server_position <= position_.lsn_commit) return;
  position_.lsn_commit = server_position;
  if (server_position > position_.lsn_proc) position_.lsn_proc = server_position;
}

}  // namespace sluice::postgres
