#include "pgoutput_decoder.h"

#include <cstdio>
#include <stdexcept>
#include <string>

#include <sluice/errors.h>

namespace sluice::postgres {

namespace {

const char* message_name(char type) {
  switch (type) {
    case 'B': return "Begin";
    case 'C': return "Commit";
    case 'O': return "Origin";
    case 'R': return "Relation";
    case 'Y': return "Type";
    case 'I': return "Insert";
    case 'U': return "Update";
    case 'D': return "Delete";
    case 'T': return "Truncate";
    case 'M': return "Message";
    case 'S': return "Stream Start";
    case 'E': return "Stream Stop";
    case 'c': return "Stream Commit";
    case 'A': return "Stream Abort";
    case 'b': return "Begin Prepare";
    case 'P': return "Prepare";
    case 'K': return "Commit Prepared";
    case 'r': return "Rollback Prepared";
    case 'p': return "Stream Prepare";
    default: return nullptr;
  }
}

// "'I'" for printable bytes, "0x05" otherwise: garbage type bytes are often unprintable.
std::string describe_byte(unsigned char byte) {
  char buf[8];
  if (byte >= 0x20 && byte < 0x7f) {
    std::snprintf(buf, sizeof buf, "'%c'", byte);
  } else {
    std::snprintf(buf, sizeof buf, "0x%02x", byte);
  }
  return buf;
}

}  // namespace

// Bounds-checked big-endian cursor over one message. Every failure names the message, the field
// and the offset, so a desynchronised stream can be diagnosed from the error alone.
class PgOutputDecoder::Reader {
 public:
  Reader(std::string_view payload, char type) : buf_(payload), type_(type) {}

  std::uint8_t u8(const char* field) { return static_cast<std::uint8_t>(*take(1, field)); }
  std::uint16_t u16(const char* field) { return static_cast<std::uint16_t>(load(take(2, field), 2)); }
  std::uint32_t u32(const char* field) { return static_cast<std::uint32_t>(load(take(4, field), 4)); }
  std::uint64_t u64(const char* field) { return load(take(8, field), 8); }
  std::int32_t i32(const char* field) { return static_cast<std::int32_t>(u32(field)); }
  std::int64_t i64(const char* field) { return static_cast<std::int64_t>(u64(field)); }
  Lsn lsn(const char* field) { return Lsn{u64(field)}; }
  PgTimestamp timestamp(const char* field) { return PgTimestamp{i64(field)}; }

  // A NUL-terminated String; the view excludes the NUL.
  std::string_view string(const char* field) {
    std::size_t nul = buf_.find('\0', pos_);
    if (nul == std::string_view::npos) fail(std::string("unterminated string for ") + field);
    std::string_view s = buf_.substr(pos_, nul - pos_);
    pos_ = nul + 1;
    return s;
  }

  std::string_view bytes(std::size_t n, const char* field) { return {take(n, field), n}; }

  // An Int32 length followed by that many bytes.
  std::string_view sized_bytes(const char* field) {
    std::size_t at = pos_;
    std::int32_t n = i32(field);
    if (n < 0) fail(std::string("negative length ") + std::to_string(n) + " for " + field, at);
    return bytes(static_cast<std::size_t>(n), field);
  }

  std::size_t remaining() const { return buf_.size() - pos_; }
  std::size_t offset() const { return pos_; }

  void expect_end() {
    if (pos_ != buf_.size()) fail(std::to_string(buf_.size() - pos_) + " unexpected trailing bytes");
  }

  [[noreturn]] void fail(const std::string& what) const { fail(what, pos_); }
  [[noreturn]] void fail(const std::string& what, std::size_t at) const {
    const char* name = message_name(type_);
    throw DataError("pgoutput " + std::string(name ? name : "unknown") + " (" +
                    describe_byte(static_cast<unsigned char>(type_)) + ") message: " + what +
                    " at byte " + std::to_string(at) + " of " + std::to_string(buf_.size()));
  }

 private:
  const char* take(std::size_t n, const char* field) {
    if (buf_.size() - pos_ < n) {
      fail("truncated: " + std::string(field) + " needs " + std::to_string(n) + " bytes, " +
           std::to_string(buf_.size() - pos_) + " left");
    }
    const char* p = buf_.data() + pos_;
    pos_ += n;
    return p;
  }

  static std::uint64_t load(const char* p, int n) {
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
  }

  std::string_view buf_;
  std::size_t pos_ = 0;
  char type_;
};

// ---------------------------------------------------------------------------------------------
// Caches

bool Relation::same_definition(const Relation& other) const {
  return oid == other.oid && schema == other.schema && name == other.name &&
         replica_identity == other.replica_identity && columns == other.columns;
}

RelationCache::Upserted RelationCache::upsert(Relation& relation) {
  auto it = current_.find(relation.oid);
  if (it != current_.end() && it->second->same_definition(relation)) return {it->second, false};
  relation.version = it == current_.end() ? 1 : it->second->version + 1;
  auto& published = published_.emplace_back(std::make_unique<const Relation>(std::move(relation)));
  current_[published->oid] = published.get();
  return {published.get(), true};
}

const Relation* RelationCache::find(std::uint32_t oid) const {
  auto it = current_.find(oid);
  return it == current_.end() ? nullptr : it->second;
}

const PgType* TypeCache::upsert(PgType&& type) {
  auto it = current_.find(type.oid);
  if (it != current_.end() && *it->second == type) return it->second;
  auto& published = published_.emplace_back(std::make_unique<const PgType>(std::move(type)));
  current_[published->oid] = published.get();
  return published.get();
}

const PgType* TypeCache::find(std::uint32_t oid) const {
  auto it = current_.find(oid);
  return it == current_.end() ? nullptr : it->second;
}

// ---------------------------------------------------------------------------------------------
// Decoder

PgOutputDecoder::PgOutputDecoder(int protocol_version) : protocol_version_(protocol_version) {
  if (protocol_version < 1 || protocol_version > 4) {
    throw std::invalid_argument("pgoutput proto_version must be 1..4, got " +
                                std::to_string(protocol_version));
  }
}

DecodedMessage PgOutputDecoder::decode(std::string_view payload) {
  if (payload.empty()) throw DataError("pgoutput: empty message");
  char type = payload[0];
  Reader in(payload, type);
  in.u8("message type");
  switch (type) {
    case 'B': return decode_begin(in);
    case 'C': return decode_commit(in);
    case 'O': return decode_origin(in);
    case 'R': return decode_relation(in);
    case 'Y': return decode_type(in);
    case 'I': return decode_insert(in);
    case 'U': return decode_update(in);
    case 'D': return decode_delete(in);
    case 'T': return decode_truncate(in);
    case 'M': return decode_logical(in);
    case 'S': return decode_stream_start(in);
    case 'E': return decode_stream_stop(in);
    case 'c': return decode_stream_commit(in);
    case 'A': return decode_stream_abort(in);
    case 'b': case 'P': case 'K': case 'r': case 'p':
      in.fail("two-phase commit messages (protocol 3 with two_phase 'on') are not supported; "
              "start replication without the two_phase option", 0);
    default:
      throw DataError("pgoutput: unknown message type " +
                      describe_byte(static_cast<unsigned char>(type)) + " (" +
                      std::to_string(payload.size()) + " bytes)");
  }
}

// Transaction boundaries and stream control never appear inside a stream block; seeing one there
// means we lost a Stream Stop, and decoding on would attribute changes to the wrong transaction.
static void require_outside_stream(const std::optional<std::uint32_t>& open_xid,
                                   std::size_t offset, auto& in) {
  if (open_xid) in.fail("inside the open stream block of xid " + std::to_string(*open_xid), offset);
}

static void require_streaming_protocol(int version, auto& in) {
  if (version < 2) {
    in.fail("streaming messages need proto_version 2 or later, the decoder was set up for " +
            std::to_string(version), 0);
  }
}

std::optional<std::uint32_t> PgOutputDecoder::read_stream_xid(Reader& in) const {
  if (!stream_xid_) return std::nullopt;
  return in.u32("streamed transaction xid");
}

const Relation& PgOutputDecoder::known_relation(Reader& in, std::uint32_t oid) const {
  const Relation* r = relations_.find(oid);
  if (!r) {
    in.fail("unknown relation oid " + std::to_string(oid) + " (no Relation message announced it)",
            in.offset() - 4);
  }
  return *r;
}

TupleView PgOutputDecoder::read_tuple(Reader& in, const Relation& relation,
                                      std::vector<ColumnValue>& into) {
  std::size_t at = in.offset();
  std::uint16_t count = in.u16("tuple column count");
  if (count != relation.columns.size()) {
    in.fail("tuple has " + std::to_string(count) + " columns but relation " + relation.schema + "." +
            relation.name + " has " + std::to_string(relation.columns.size()), at);
  }
  into.clear();
  for (std::uint16_t i = 0; i < count; ++i) {
    std::size_t kind_at = in.offset();
    char kind = static_cast<char>(in.u8("column kind"));
    switch (kind) {
      case 'n': into.push_back({ColumnKind::kNull, {}}); break;
      case 'u': into.push_back({ColumnKind::kUnchangedToast, {}}); break;
      case 't': into.push_back({ColumnKind::kText, in.sized_bytes("text column value")}); break;
      case 'b': into.push_back({ColumnKind::kBinary, in.sized_bytes("binary column value")}); break;
      default:
        in.fail("unknown column kind " + describe_byte(static_cast<unsigned char>(kind)) +
                " for column " + relation.columns[i].name, kind_at);
    }
  }
  return TupleView(into);
}

BeginMsg PgOutputDecoder::decode_begin(Reader& in) {
  require_outside_stream(stream_xid_, 0, in);
  BeginMsg m;
  m.final_lsn = in.lsn("final lsn");
  m.commit_time = in.timestamp("commit timestamp");
  m.xid = in.u32("xid");
  in.expect_end();
  return m;
}

CommitMsg PgOutputDecoder::decode_commit(Reader& in) {
  require_outside_stream(stream_xid_, 0, in);
  CommitMsg m;
  m.flags = in.u8("flags");
  m.commit_lsn = in.lsn("commit lsn");
  m.end_lsn = in.lsn("end lsn");
  m.commit_time = in.timestamp("commit timestamp");
  in.expect_end();
  return m;
}

OriginMsg PgOutputDecoder::decode_origin(Reader& in) {
  OriginMsg m;
  m.commit_lsn = in.lsn("origin commit lsn");
  m.name = in.string("origin name");
  in.expect_end();
  return m;
}

RelationMsg PgOutputDecoder::decode_relation(Reader& in) {
  RelationMsg m;
  m.stream_xid = read_stream_xid(in);
  // Parse into a reused scratch entry first: a malformed message must not touch the cache, and
  // identical re-announcements (the common case) then cost no allocation once it has grown.
  Relation& r = scratch_relation_;
  r.oid = in.u32("relation oid");
  r.schema.assign(in.string("namespace"));
  r.name.assign(in.string("relation name"));
  r.replica_identity = static_cast<char>(in.u8("replica identity"));
  std::uint16_t count = in.u16("column count");
  r.columns.resize(count);
  for (RelationColumn& c : r.columns) {
    c.is_key = (in.u8("column flags") & 1) != 0;
    c.name.assign(in.string("column name"));
    c.type_oid = in.u32("column type oid");
    c.type_modifier = in.i32("column type modifier");
  }
  in.expect_end();
  auto [relation, changed] = relations_.upsert(r);
  m.relation = relation;
  m.changed = changed;
  return m;
}

TypeMsg PgOutputDecoder::decode_type(Reader& in) {
  TypeMsg m;
  m.stream_xid = read_stream_xid(in);
  PgType t;
  t.oid = in.u32("type oid");
  t.schema.assign(in.string("namespace"));
  t.name.assign(in.string("type name"));
  in.expect_end();
  m.type = types_.upsert(std::move(t));
  return m;
}

InsertMsg PgOutputDecoder::decode_insert(Reader& in) {
  InsertMsg m;
  m.stream_xid = read_stream_xid(in);
  const Relation& relation = known_relation(in, in.u32("relation oid"));
  m.relation = &relation;
  std::size_t at = in.offset();
  if (in.u8("tuple marker") != 'N') in.fail("expected 'N' (new tuple)", at);
  m.new_tuple = read_tuple(in, relation, new_columns_);
  in.expect_end();
  return m;
}

UpdateMsg PgOutputDecoder::decode_update(Reader& in) {
  UpdateMsg m;
  m.stream_xid = read_stream_xid(in);
  const Relation& relation = known_relation(in, in.u32("relation oid"));
  m.relation = &relation;
  std::size_t at = in.offset();
  char marker = static_cast<char>(in.u8("tuple marker"));
  if (marker == 'K' || marker == 'O') {
    m.old_kind = static_cast<OldTupleKind>(marker);
    m.old_tuple = read_tuple(in, relation, old_columns_);
    at = in.offset();
    marker = static_cast<char>(in.u8("tuple marker"));
  }
  if (marker != 'N') {
    in.fail("expected 'N' (new tuple), got " + describe_byte(static_cast<unsigned char>(marker)), at);
  }
  m.new_tuple = read_tuple(in, relation, new_columns_);
  in.expect_end();
  return m;
}

DeleteMsg PgOutputDecoder::decode_delete(Reader& in) {
  DeleteMsg m;
  m.stream_xid = read_stream_xid(in);
  const Relation& relation = known_relation(in, in.u32("relation oid"));
  m.relation = &relation;
  std::size_t at = in.offset();
  char marker = static_cast<char>(in.u8("tuple marker"));
  if (marker != 'K' && marker != 'O') {
    in.fail("expected 'K' (key) or 'O' (old tuple), got " +
            describe_byte(static_cast<unsigned char>(marker)), at);
  }
  m.old_kind = static_cast<OldTupleKind>(marker);
  m.old_tuple = read_tuple(in, relation, old_columns_);
  in.expect_end();
  return m;
}

TruncateMsg PgOutputDecoder::decode_truncate(Reader& in) {
  TruncateMsg m;
  m.stream_xid = read_stream_xid(in);
  std::size_t at = in.offset();
  std::uint32_t count = in.u32("relation count");
  std::uint8_t options = in.u8("options");
  m.cascade = (options & 1) != 0;
  m.restart_identity = (options & 2) != 0;
  // Check before looping so a garbage count fails fast instead of growing truncated_.
  if (in.remaining() != std::size_t{count} * 4) {
    in.fail("relation count " + std::to_string(count) + " does not match the " +
            std::to_string(in.remaining()) + " bytes of oids that follow", at);
  }
  truncated_.clear();
  for (std::uint32_t i = 0; i < count; ++i) {
    truncated_.push_back(&known_relation(in, in.u32("relation oid")));
  }
  in.expect_end();
  m.relations = truncated_;
  return m;
}

LogicalMsg PgOutputDecoder::decode_logical(Reader& in) {
  LogicalMsg m;
  m.stream_xid = read_stream_xid(in);
  m.transactional = (in.u8("flags") & 1) != 0;
  m.lsn = in.lsn("message lsn");
  m.prefix = in.string("prefix");
  m.content = in.sized_bytes("content");
  in.expect_end();
  return m;
}

StreamStartMsg PgOutputDecoder::decode_stream_start(Reader& in) {
  require_streaming_protocol(protocol_version_, in);
  require_outside_stream(stream_xid_, 0, in);
  StreamStartMsg m;
  m.xid = in.u32("xid");
  m.first_segment = in.u8("first segment flag") == 1;
  in.expect_end();
  stream_xid_ = m.xid;
  return m;
}

StreamStopMsg PgOutputDecoder::decode_stream_stop(Reader& in) {
  require_streaming_protocol(protocol_version_, in);
  if (!stream_xid_) in.fail("no stream block is open", 0);
  in.expect_end();
  stream_xid_.reset();
  return {};
}

StreamCommitMsg PgOutputDecoder::decode_stream_commit(Reader& in) {
  require_streaming_protocol(protocol_version_, in);
  require_outside_stream(stream_xid_, 0, in);
  StreamCommitMsg m;
  m.xid = in.u32("xid");
  m.flags = in.u8("flags");
  m.commit_lsn = in.lsn("commit lsn");
  m.end_lsn = in.lsn("end lsn");
  m.commit_time = in.timestamp("commit timestamp");
  in.expect_end();
  return m;
}

StreamAbortMsg PgOutputDecoder::decode_stream_abort(Reader& in) {
  require_streaming_protocol(protocol_version_, in);
  require_outside_stream(stream_xid_, 0, in);
  StreamAbortMsg m;
  m.xid = in.u32("xid");
  m.subxid = in.u32("subtransaction xid");
  // Protocol 4 appends the abort LSN and time only when streaming is 'parallel', which the
  // decoder is not told; the length says which form this is.
  if (protocol_version_ >= 4 && in.remaining() > 0) {
    m.abort_lsn = in.lsn("abort lsn");
    m.abort_time = in.timestamp("abort timestamp");
  }
  in.expect_end();
  return m;
}

}  // namespace sluice::postgres
