// PgOutputBytes: builds pgoutput wire messages by hand for tests, field by field, big-endian, as
// PostgreSQL's "Logical Replication Message Formats" lays them out. Test-only; no validation.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace sluice::postgres::testing {

// One column of a TupleData part.
struct Cell {
  char kind;  // 'n' null, 'u' unchanged TOAST, 't' text, 'b' binary
  std::string data;

  static Cell null() { return {'n', {}}; }
  static Cell toast() { return {'u', {}}; }
  static Cell text(std::string_view v) { return {'t', std::string(v)}; }
  static Cell binary(std::string_view v) { return {'b', std::string(v)}; }
};

// One column of a Relation message.
struct Column {
  std::string name;
  std::uint32_t type_oid;
  std::int32_t type_modifier;
  bool is_key;
};

class PgOutputBytes {
 public:
  PgOutputBytes& u8(std::uint8_t v) { return be(v, 1); }
  PgOutputBytes& u16(std::uint16_t v) { return be(v, 2); }
  PgOutputBytes& u32(std::uint32_t v) { return be(v, 4); }
  PgOutputBytes& i32(std::int32_t v) { return be(static_cast<std::uint32_t>(v), 4); }
  PgOutputBytes& u64(std::uint64_t v) { return be(v, 8); }
  PgOutputBytes& i64(std::int64_t v) { return be(static_cast<std::uint64_t>(v), 8); }
  // A NUL-terminated String.
  PgOutputBytes& str(std::string_view s) {
    buf_.append(s);
    buf_.push_back('\0');
    return *this;
  }
  // An Int32 length, then the bytes.
  PgOutputBytes& sized(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    buf_.append(s);
    return *this;
  }
  // TupleData: Int16 column count, then each column's kind byte and, for 't'/'b', its value.
  PgOutputBytes& tuple(std::initializer_list<Cell> cells) {
    u16(static_cast<std::uint16_t>(cells.size()));
    for (const Cell& c : cells) {
      u8(static_cast<std::uint8_t>(c.kind));
      if (c.kind == 't' || c.kind == 'b') sized(c.data);
    }
    return *this;
  }
  PgOutputBytes& xid_if(std::optional<std::uint32_t> xid) { return xid ? u32(*xid) : *this; }

  std::string take() { return std::move(buf_); }

 private:
  PgOutputBytes& be(std::uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) buf_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return *this;
  }

  std::string buf_;
};

// Whole messages that tests use often. `xid` is the streamed-transaction prefix (protocol 2,
// inside a Stream Start..Stop block only).
namespace msg {

inline std::string begin(std::uint64_t final_lsn, std::int64_t commit_pg_micros, std::uint32_t xid) {
  return PgOutputBytes().u8('B').u64(final_lsn).i64(commit_pg_micros).u32(xid).take();
}

inline std::string commit(std::uint64_t commit_lsn, std::uint64_t end_lsn, std::int64_t commit_pg_micros) {
  return PgOutputBytes().u8('C').u8(0).u64(commit_lsn).u64(end_lsn).i64(commit_pg_micros).take();
}

inline std::string relation(std::uint32_t oid, std::string_view schema, std::string_view name,
                            char replica_identity, std::initializer_list<Column> columns,
                            std::optional<std::uint32_t> xid = {}) {
  PgOutputBytes b;
  b.u8('R').xid_if(xid).u32(oid).str(schema).str(name).u8(static_cast<std::uint8_t>(replica_identity));
  b.u16(static_cast<std::uint16_t>(columns.size()));
  for (const Column& c : columns) b.u8(c.is_key ? 1 : 0).str(c.name).u32(c.type_oid).i32(c.type_modifier);
  return b.take();
}

inline std::string insert(std::uint32_t oid, std::initializer_list<Cell> cells,
                          std::optional<std::uint32_t> xid = {}) {
  return PgOutputBytes().u8('I').xid_if(xid).u32(oid).u8('N').tuple(cells).take();
}

}  // namespace msg

}  // namespace sluice::postgres::testing
