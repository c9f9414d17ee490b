// PgOutputDecoder: turns the payload of one XLogData message from the built-in `pgoutput` plugin
// into a typed message, keeping the relation and type caches that later messages refer to.
//
// Pure: no libpq, no I/O, no clock. The replication stream hands it the bytes after the 25-byte
// XLogData header ('w', start LSN, end LSN, send time); the source task acts on what comes back.
//
// Protocol versions (the `proto_version` option of START_REPLICATION):
//   1  Begin, Commit, Origin, Relation, Type, Insert, Update, Delete, Truncate, Message.
//   2  adds streaming of in-progress transactions: Stream Start / Stop / Commit / Abort, and inside
//      a Stream Start..Stop block every Relation, Type, Insert, Update, Delete, Truncate and Message
//      carries the xid of its (sub)transaction right after the type byte.
//   3  adds two-phase commit (Begin Prepare, Prepare, Commit Prepared, Rollback Prepared, Stream
//      Prepare). Those are recognised and rejected with a DataError saying two_phase is unsupported;
//      everything else decodes as in version 2.
//   4  (PostgreSQL 16+) adds the abort LSN and time to Stream Abort when streaming is `parallel`.
//
// Errors: anything that does not match the protocol (truncated payload, trailing bytes, unknown
// message type, a change for a relation oid no Relation message announced, a tuple whose column
// count differs from its relation, stream messages out of order or under protocol 1) throws
// sluice::DataError naming the message and the byte offset. The decoder's caches and stream state
// are left as they were before the failed call.
//
// Lifetimes (zero copy): every std::string_view in a decoded message points into the payload passed
// to decode() and is valid while that buffer lives. TupleView and the Truncate relation list point
// into storage the decoder reuses, valid until the next decode() call. Relation and PgType pointers
// stay valid, with unchanged contents, for the life of the decoder: a Relation message that changes
// a definition publishes a new Relation (version + 1) and changes decoded earlier keep pointing at
// the version they were decoded with. A consumer buffering a streamed transaction can therefore keep
// `const Relation*` next to each buffered change.
//
// Performance: in steady state (relations known) decode() does not allocate; the reusable column
// buffers only grow to the widest tuple seen.
//
// Threading: not thread-safe; owned by the one thread that reads the replication stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "lsn.h"

namespace sluice::postgres {

// Microseconds between the Unix epoch and the PostgreSQL epoch (2000-01-01T00:00:00Z).
inline constexpr std::int64_t kPostgresEpochUnixMicros = 946'684'800'000'000;

// A TimestampTz as sent on the wire: microseconds since 2000-01-01 UTC.
struct PgTimestamp {
  std::int64_t pg_micros = 0;

  std::int64_t unix_micros() const { return pg_micros + kPostgresEpochUnixMicros; }
  std::int64_t unix_millis() const {
    std::int64_t us = unix_micros();
    return us >= 0 ? us / 1000 : -((-us + 999) / 1000);  // floor, also before 1970
  }
  bool operator==(const PgTimestamp&) const = default;
};

// ---------------------------------------------------------------------------------------------
// Relations and types announced by the server.

struct RelationColumn {
  std::string name;
  std::uint32_t type_oid = 0;
  std::int32_t type_modifier = -1;  // atttypmod; -1 when the type has none
  bool is_key = false;              // part of the replica identity (flag bit 1 on the wire)

  bool operator==(const RelationColumn&) const = default;
};

// One table as the last Relation message for its oid described it. Columns are in wire order,
// which is the order of every tuple of this relation (dropped and generated columns are absent).
struct Relation {
  std::uint32_t oid = 0;
  std::string schema;      // namespace; the wire sends "" for pg_catalog
  std::string name;
  char replica_identity = 'd';  // relreplident: 'd' default (pk), 'n' nothing, 'f' full, 'i' index
  std::vector<RelationColumn> columns;
  // 1 when first announced, +1 each time a Relation message changes the definition (a schema
  // change). Identical re-announcements (every new session, every streamed xid) keep it.
  std::uint64_t version = 0;

  // Same oid, names, replica identity and columns; ignores version.
  bool same_definition(const Relation& other) const;
};

// oid -> the current Relation. Published Relations are immutable and kept (every version) for the
// cache's life, so pointers handed out never dangle and never change under the holder.
class RelationCache {
 public:
  struct Upserted {
    const Relation* relation;
    bool changed;  // first sight of the oid, or a definition different from the current one
  };
  // Publishes `relation` as the current entry for its oid, with version set, unless it has the
  // same definition as the current one (then that one is returned, unchanged). The argument is
  // moved from only when a new version is published.
  Upserted upsert(Relation& relation);
  // The current definition, or nullptr.
  const Relation* find(std::uint32_t oid) const;
  std::size_t size() const { return current_.size(); }

 private:
  std::unordered_map<std::uint32_t, const Relation*> current_;
  std::vector<std::unique_ptr<const Relation>> published_;  // owns every version handed out
};

// A data type announced by a Type message (sent for types outside pg_catalog before first use).
struct PgType {
  std::uint32_t oid = 0;
  std::string schema;
  std::string name;

  bool operator==(const PgType&) const = default;
};

// oid -> the current PgType; like RelationCache, every version handed out is kept.
class TypeCache {
 public:
  const PgType* upsert(PgType&& type);
  const PgType* find(std::uint32_t oid) const;
  std::size_t size() const { return current_.size(); }

 private:
  std::unordered_map<std::uint32_t, const PgType*> current_;
  std::vector<std::unique_ptr<const PgType>> published_;
};

// ---------------------------------------------------------------------------------------------
// Tuples.

// How one column of a TupleData part was sent. The enumerator values are the wire bytes.
enum class ColumnKind : char {
  kNull = 'n',
  kUnchangedToast = 'u',  // a TOASTed value the update did not touch: not sent, keep the old one
  kText = 't',            // `data` is the type's text output
  kBinary = 'b',          // `data` is the type's binary send format (option binary 'true')
};

struct ColumnValue {
  ColumnKind kind = ColumnKind::kNull;
  std::string_view data;  // empty unless kText or kBinary

  bool is_null() const { return kind == ColumnKind::kNull; }
  bool is_unchanged_toast() const { return kind == ColumnKind::kUnchangedToast; }
  bool has_data() const { return kind == ColumnKind::kText || kind == ColumnKind::kBinary; }
};

// The columns of one tuple, index-aligned with Relation::columns. Borrowed; see "Lifetimes".
class TupleView {
 public:
  TupleView() = default;
  explicit TupleView(std::span<const ColumnValue> columns) : columns_(columns) {}

  std::size_t size() const { return columns_.size(); }
  bool empty() const { return columns_.empty(); }
  const ColumnValue& operator[](std::size_t i) const { return columns_[i]; }
  auto begin() const { return columns_.begin(); }
  auto end() const { return columns_.end(); }

 private:
  std::span<const ColumnValue> columns_;
};

// ---------------------------------------------------------------------------------------------
// Decoded messages. `stream_xid` is set exactly when the message arrived inside a Stream
// Start..Stop block; it is the xid the message carried, which is the subtransaction's xid for a
// change made in a subtransaction (what Stream Abort's subxid refers to), so it can differ from
// the xid of the enclosing Stream Start.

struct BeginMsg {        // 'B'
  Lsn final_lsn;
  PgTimestamp commit_time;
  std::uint32_t xid = 0;
};

struct CommitMsg {       // 'C'
  std::uint8_t flags = 0;
  Lsn commit_lsn;
  Lsn end_lsn;           // what to confirm as flushed once the transaction is durable downstream
  PgTimestamp commit_time;
};

struct OriginMsg {       // 'O'
  Lsn commit_lsn;        // of the commit on the origin server
  std::string_view name;
};

struct RelationMsg {     // 'R'
  const Relation* relation = nullptr;
  bool changed = false;  // see RelationCache::Upserted
  std::optional<std::uint32_t> stream_xid;
};

struct TypeMsg {         // 'Y'
  const PgType* type = nullptr;
  std::optional<std::uint32_t> stream_xid;
};

struct InsertMsg {       // 'I'
  const Relation* relation = nullptr;
  TupleView new_tuple;
  std::optional<std::uint32_t> stream_xid;
};

// Which old row image an Update or Delete carried.
enum class OldTupleKind : char {
  kNone = '\0',  // Update only: no key column changed and replica identity is not FULL
  kKey = 'K',    // replica identity columns only (the other columns are null)
  kFull = 'O',   // the whole old row (REPLICA IDENTITY FULL)
};

struct UpdateMsg {       // 'U'
  const Relation* relation = nullptr;
  OldTupleKind old_kind = OldTupleKind::kNone;
  std::optional<TupleView> old_tuple;  // set unless old_kind is kNone
  TupleView new_tuple;
  std::optional<std::uint32_t> stream_xid;
};

struct DeleteMsg {       // 'D'
  const Relation* relation = nullptr;
  OldTupleKind old_kind = OldTupleKind::kKey;  // kKey or kFull
  TupleView old_tuple;
  std::optional<std::uint32_t> stream_xid;
};

struct TruncateMsg {     // 'T'
  bool cascade = false;
  bool restart_identity = false;
  std::span<const Relation* const> relations;  // borrowed; see "Lifetimes"
  std::optional<std::uint32_t> stream_xid;
};

struct LogicalMsg {      // 'M' (pg_logical_emit_message; needs option messages 'true')
  bool transactional = false;
  Lsn lsn;
  std::string_view prefix;
  std::string_view content;
  std::optional<std::uint32_t> stream_xid;
};

struct StreamStartMsg {  // 'S'
  std::uint32_t xid = 0;
  bool first_segment = false;
};

struct StreamStopMsg {}; // 'E'

struct StreamCommitMsg { // 'c'
  std::uint32_t xid = 0;
  std::uint8_t flags = 0;
  Lsn commit_lsn;
  Lsn end_lsn;
  PgTimestamp commit_time;
};

struct StreamAbortMsg {  // 'A'
  std::uint32_t xid = 0;
  std::uint32_t subxid = 0;  // == xid when the whole transaction aborted, else the subtransaction
  std::optional<Lsn> abort_lsn;           // protocol 4 with streaming 'parallel' only
  std::optional<PgTimestamp> abort_time;  // likewise
};

using DecodedMessage =
    std::variant<BeginMsg, CommitMsg, OriginMsg, RelationMsg, TypeMsg, InsertMsg, UpdateMsg,
                 DeleteMsg, TruncateMsg, LogicalMsg, StreamStartMsg, StreamStopMsg,
                 StreamCommitMsg, StreamAbortMsg>;

// ---------------------------------------------------------------------------------------------

class PgOutputDecoder {
 public:
  // `protocol_version` is the proto_version sent in START_REPLICATION (1..4); throws
  // std::invalid_argument otherwise.
  explicit PgOutputDecoder(int protocol_version = 1);

  // Decodes one pgoutput message. Throws sluice::DataError on malformed input (see the top).
  DecodedMessage decode(std::string_view payload);

  const Relation* relation(std::uint32_t oid) const { return relations_.find(oid); }
  const PgType* type(std::uint32_t oid) const { return types_.find(oid); }
  const RelationCache& relations() const { return relations_; }
  const TypeCache& types() const { return types_; }

  int protocol_version() const { return protocol_version_; }
  // Between a Stream Start and its Stream Stop.
  bool in_stream() const { return stream_xid_.has_value(); }
  // The xid of the open stream block (from Stream Start); nullopt outside one.
  std::optional<std::uint32_t> stream_xid() const { return stream_xid_; }

  // Forget the stream state after the replication connection was re-established (the server
  // starts over outside any stream block). The caches are kept so relation versions stay
  // comparable across sessions.
  void reset_session() { stream_xid_.reset(); }

 private:
  class Reader;

  std::optional<std::uint32_t> read_stream_xid(Reader& in) const;
  const Relation& known_relation(Reader& in, std::uint32_t oid) const;
  TupleView read_tuple(Reader& in, const Relation& relation, std::vector<ColumnValue>& into);

  BeginMsg decode_begin(Reader& in);
  CommitMsg decode_commit(Reader& in);
  OriginMsg decode_origin(Reader& in);
  RelationMsg decode_relation(Reader& in);
  TypeMsg decode_type(Reader& in);
  InsertMsg decode_insert(Reader& in);
  UpdateMsg decode_update(Reader& in);
  DeleteMsg decode_delete(Reader& in);
  TruncateMsg decode_truncate(Reader& in);
  LogicalMsg decode_logical(Reader& in);
  StreamStartMsg decode_stream_start(Reader& in);
  StreamStopMsg decode_stream_stop(Reader& in);
  StreamCommitMsg decode_stream_commit(Reader& in);
  StreamAbortMsg decode_stream_abort(Reader& in);

  int protocol_version_;
  std::optional<std::uint32_t> stream_xid_;  // set between Stream Start and Stream Stop
  RelationCache relations_;
  TypeCache types_;
  // Reused per message so steady-state decoding does not allocate.
  std::vector<ColumnValue> old_columns_;
  std::vector<ColumnValue> new_columns_;
  std::vector<const Relation*> truncated_;
  Relation scratch_relation_;
};

}  // namespace sluice::postgres
