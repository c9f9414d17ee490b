// The pgoutput decoder against hand-built wire messages. Each message is spelled out field by field
// with PgOutputBytes, following PostgreSQL's "Logical Replication Message Formats".
#include "pgoutput_decoder.h"

#include <atomic>
#include <cstdlib>
#include <deque>
#include <new>
#include <string>
#include <variant>

#include <catch2/catch.hpp>
#include <sluice/errors.h>

#include "pgoutput_bytes.h"

using namespace sluice::postgres;
using sluice::postgres::testing::Cell;
using sluice::postgres::testing::Column;
using sluice::postgres::testing::PgOutputBytes;
namespace msg = sluice::postgres::testing::msg;

namespace {

constexpr std::uint32_t kOrders = 16385;
constexpr std::uint32_t kCustomers = 16390;

// orders(id int4 primary key, note text, amount numeric(10,2))
std::string orders_relation(std::optional<std::uint32_t> xid = {}) {
  return msg::relation(kOrders, "public", "orders", 'd',
                       {{"id", 23, -1, true}, {"note", 25, -1, false}, {"amount", 1700, 655366, false}},
                       xid);
}

std::string customers_relation(std::optional<std::uint32_t> xid = {}) {
  return msg::relation(kCustomers, "sales", "customers", 'f', {{"id", 20, -1, true}}, xid);
}

// Decodes and expects message type T. The decoded views point into the payload, so it is kept
// alive for the rest of the run, as the replication stream keeps its buffer while a message is used.
template <typename T>
T decode_as(PgOutputDecoder& decoder, std::string payload) {
  static std::deque<std::string> kept;
  DecodedMessage decoded = decoder.decode(kept.emplace_back(std::move(payload)));
  REQUIRE(std::holds_alternative<T>(decoded));
  return std::get<T>(decoded);
}

bool points_into(std::string_view view, const std::string& buffer) {
  return view.data() >= buffer.data() && view.data() + view.size() <= buffer.data() + buffer.size();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Transaction boundaries

TEST_CASE("Begin carries the final LSN, the commit time and the xid", "[postgres]") {
  PgOutputDecoder decoder(1);
  auto begin = decode_as<BeginMsg>(decoder, msg::begin(0x16B3748, 1'000'000, 742));
  REQUIRE(begin.final_lsn == Lsn{0x16B3748});
  REQUIRE(begin.final_lsn.to_string() == "0/16B3748");
  REQUIRE(begin.xid == 742);
  REQUIRE(begin.commit_time.pg_micros == 1'000'000);
}

TEST_CASE("Commit timestamps convert from the PostgreSQL epoch to the Unix epoch", "[postgres]") {
  PgOutputDecoder decoder(1);
  // 2024-01-01T00:00:00.123456Z is 757'382'400.123456 s after 2000-01-01.
  std::int64_t pg_micros = 757'382'400'123'456;
  auto commit = decode_as<CommitMsg>(decoder, msg::commit(0x100, 0x128, pg_micros));
  REQUIRE(commit.flags == 0);
  REQUIRE(commit.commit_lsn == Lsn{0x100});
  REQUIRE(commit.end_lsn == Lsn{0x128});
  REQUIRE(commit.commit_time.unix_micros() == 1'704'067'200'123'456);
  REQUIRE(commit.commit_time.unix_millis() == 1'704'067'200'123);
  REQUIRE(PgTimestamp{0}.unix_micros() == kPostgresEpochUnixMicros);
  REQUIRE(PgTimestamp{-kPostgresEpochUnixMicros - 1}.unix_millis() == -1);  // floors before 1970
}

TEST_CASE("Origin names the origin server and its commit LSN", "[postgres]") {
  PgOutputDecoder decoder(1);
  std::string payload = PgOutputBytes().u8('O').u64(0xABCDEF).str("node_a").take();
  auto origin = decode_as<OriginMsg>(decoder, payload);
  REQUIRE(origin.commit_lsn == Lsn{0xABCDEF});
  REQUIRE(origin.name == "node_a");
}

// ---------------------------------------------------------------------------------------------
// Relations and types

TEST_CASE("A Relation message is cached with its columns, key flags and type modifiers", "[postgres]") {
  PgOutputDecoder decoder(1);
  REQUIRE(decoder.relation(kOrders) == nullptr);
  auto announced = decode_as<RelationMsg>(decoder, orders_relation());
  REQUIRE(announced.changed);
  REQUIRE_FALSE(announced.stream_xid);

  const Relation* orders = decoder.relation(kOrders);
  REQUIRE(orders == announced.relation);
  REQUIRE(orders->schema == "public");
  REQUIRE(orders->name == "orders");
  REQUIRE(orders->replica_identity == 'd');
  REQUIRE(orders->version == 1);
  REQUIRE(orders->columns.size() == 3);
  REQUIRE(orders->columns[0] == RelationColumn{"id", 23, -1, true});
  REQUIRE(orders->columns[1] == RelationColumn{"note", 25, -1, false});
  REQUIRE(orders->columns[2] == RelationColumn{"amount", 1700, 655366, false});
}

TEST_CASE("Re-announcing an identical relation is not a change", "[postgres]") {
  PgOutputDecoder decoder(1);
  const Relation* first = decode_as<RelationMsg>(decoder, orders_relation()).relation;
  auto again = decode_as<RelationMsg>(decoder, orders_relation());
  REQUIRE_FALSE(again.changed);
  REQUIRE(again.relation == first);
  REQUIRE(again.relation->version == 1);
  REQUIRE(decoder.relations().size() == 1);
}

TEST_CASE("A changed relation publishes a new version and leaves the old one intact", "[postgres]") {
  PgOutputDecoder decoder(1);
  const Relation* v1 = decode_as<RelationMsg>(decoder, orders_relation()).relation;

  // ALTER TABLE orders ADD COLUMN shipped bool
  auto altered = decode_as<RelationMsg>(
      decoder, msg::relation(kOrders, "public", "orders", 'd',
                             {{"id", 23, -1, true}, {"note", 25, -1, false},
                              {"amount", 1700, 655366, false}, {"shipped", 16, -1, false}}));
  REQUIRE(altered.changed);
  REQUIRE(altered.relation != v1);
  REQUIRE(altered.relation->version == 2);
  REQUIRE(altered.relation->columns.size() == 4);
  REQUIRE(decoder.relation(kOrders) == altered.relation);
  // Changes decoded before the ALTER still see the definition they were decoded with.
  REQUIRE(v1->version == 1);
  REQUIRE(v1->columns.size() == 3);

  // ALTER TABLE orders REPLICA IDENTITY FULL changes nothing but the identity: still a change.
  auto full = decode_as<RelationMsg>(
      decoder, msg::relation(kOrders, "public", "orders", 'f',
                             {{"id", 23, -1, true}, {"note", 25, -1, false},
                              {"amount", 1700, 655366, false}, {"shipped", 16, -1, false}}));
  REQUIRE(full.changed);
  REQUIRE(full.relation->version == 3);
  REQUIRE(full.relation->replica_identity == 'f');
}

TEST_CASE("A Type message is cached by oid", "[postgres]") {
  PgOutputDecoder decoder(1);
  std::string payload = PgOutputBytes().u8('Y').u32(90001).str("public").str("mood").take();
  auto announced = decode_as<TypeMsg>(decoder, payload);
  REQUIRE(announced.type->oid == 90001);
  REQUIRE(announced.type->schema == "public");
  REQUIRE(announced.type->name == "mood");
  REQUIRE(decoder.type(90001) == announced.type);
  REQUIRE(decoder.type(90002) == nullptr);
}

// ---------------------------------------------------------------------------------------------
// Row changes

TEST_CASE("Insert exposes text, null and binary columns as views into the payload", "[postgres]") {
  PgOutputDecoder decoder(1);
  decoder.decode(orders_relation());
  std::string payload = msg::insert(kOrders, {Cell::text("42"), Cell::null(), Cell::binary({"\x00\x01", 2})});
  auto insert = std::get<InsertMsg>(decoder.decode(payload));

  REQUIRE(insert.relation == decoder.relation(kOrders));
  REQUIRE_FALSE(insert.stream_xid);
  REQUIRE(insert.new_tuple.size() == 3);
  REQUIRE(insert.new_tuple[0].kind == ColumnKind::kText);
  REQUIRE(insert.new_tuple[0].data == "42");
  REQUIRE(points_into(insert.new_tuple[0].data, payload));
  REQUIRE(insert.new_tuple[1].is_null());
  REQUIRE_FALSE(insert.new_tuple[1].has_data());
  REQUIRE(insert.new_tuple[2].kind == ColumnKind::kBinary);
  REQUIRE(insert.new_tuple[2].data == std::string_view("\x00\x01", 2));
}

TEST_CASE("An empty text value is distinct from null", "[postgres]") {
  PgOutputDecoder decoder(1);
  decoder.decode(orders_relation());
  auto insert = decode_as<InsertMsg>(decoder, msg::insert(kOrders, {Cell::text("1"), Cell::text(""), Cell::null()}));
  REQUIRE(insert.new_tuple[1].kind == ColumnKind::kText);
  REQUIRE(insert.new_tuple[1].data.empty());
  REQUIRE(insert.new_tuple[2].is_null());
}

TEST_CASE("Update without an old image carries only the new tuple", "[postgres]") {
  PgOutputDecoder decoder(1);
  decoder.decode(orders_relation());
  std::string payload = PgOutputBytes().u8('U').u32(kOrders)
                            .u8('N').tuple({Cell::text("1"), Cell::text("paid"), Cell::text("9.99")}).take();
  auto update = std::get<UpdateMsg>(decoder.decode(payload));
  REQUIRE(update.old_kind == OldTupleKind::kNone);
  REQUIRE_FALSE(update.old_tuple);
  REQUIRE(update.new_tuple[1].data == "paid");
}

TEST_CASE("Update of a key column carries the old key ('K') before the new tuple", "[postgres]") {
  PgOutputDecoder decoder(1);
  decoder.decode(orders_relation());
  std::string payload = PgOutputBytes().u8('U').u32(kOrders)
                            .u8('K').tuple({Cell::text("1"), Cell::null(), Cell::null()})
                            .u8('N').tuple({Cell::text("2"), Cell::text("x"), Cell::text("1.00")}).take();
  auto update = std::get<UpdateMsg>(decoder.decode(payload));
  REQUIRE(update.old_kind == OldTupleKind::kKey);
  REQUIRE(update.old_tuple);
  REQUIRE((*update.old_tuple)[0].data == "1");
  REQUIRE((*update.old_tuple)[1].is_null());
  REQUIRE(update.new_tuple[0].data == "2");
}

TEST_CASE("Update under REPLICA IDENTITY FULL carries the whole old row ('O')", "[postgres]") {
  PgOutputDecoder decoder(1);
  decoder.decode(orders_relation());
  std::string payload = PgOutputBytes().u8('U').u32(kOrders)
                            .u8('O').tuple({Cell::text("1"), Cell::text("old"), Cell::text("1.00")})
                            .u8('N').tuple({Cell::text("1"), Cell::text("new"), Cell::text("1.00")}).take();
  auto update = std::get<UpdateMsg>(decoder.decode(payload));
  REQUIRE(update.old_kind == OldTupleKind::kFull);
  REQUIRE((*update.old_tuple)[1].data == "old");
  REQUIRE(update.new_tuple[1].data == "new");
  REQUIRE(points_into((*update.old_tuple)[1].data, payload));
}

TEST_CASE("An unchanged TOASTed column is marked, not sent", "[postgres]") {
  PgOutputDecoder decoder(1);
  decoder.decode(orders_relation());
  std::string payload = PgOutputBytes().u8('U').u32(kOrders)
                            .u8('N').tuple({Cell::text("1"), Cell::toast(), Cell::text("5.00")}).take();
  auto update = std::get<UpdateMsg>(decoder.decode(payload));
  REQUIRE(update.new_tuple[1].is_unchanged_toast());
  REQUIRE_FALSE(update.new_tuple[1].is_null());
  REQUIRE(update.new_tuple[1].data.empty());
  REQUIRE(update.new_tuple[2].data == "5.00");
}

TEST_CASE("Delete carries the key ('K') or, under REPLICA IDENTITY FULL, the old row ('O')", "[postgres]") {
  PgOutputDecoder decoder(1);
  decoder.decode(orders_relation());
  decoder.decode(customers_relation());

  auto by_key = decode_as<DeleteMsg>(decoder, PgOutputBytes().u8('D').u32(kOrders)
      .u8('K').tuple({Cell::text("7"), Cell::null(), Cell::null()}).take());
  REQUIRE(by_key.old_kind == OldTupleKind::kKey);
  REQUIRE(by_key.relation->name == "orders");
  REQUIRE(by_key.old_tuple[0].data == "7");

  auto full = decode_as<DeleteMsg>(decoder, PgOutputBytes().u8('D').u32(kCustomers)
      .u8('O').tuple({Cell::text("99")}).take());
  REQUIRE(full.old_kind == OldTupleKind::kFull);
  REQUIRE(full.relation->name == "customers");
  REQUIRE(full.old_tuple[0].data == "99");
}

TEST_CASE("Truncate lists its relations and the CASCADE / RESTART IDENTITY options", "[postgres]") {
  PgOutputDecoder decoder(1);
  decoder.decode(orders_relation());
  decoder.decode(customers_relation());

  auto plain = decode_as<TruncateMsg>(decoder, PgOutputBytes().u8('T').u32(1).u8(0).u32(kOrders).take());
  REQUIRE_FALSE(plain.cascade);
  REQUIRE_FALSE(plain.restart_identity);
  REQUIRE(plain.relations.size() == 1);
  REQUIRE(plain.relations[0]->name == "orders");

  auto both = decode_as<TruncateMsg>(
      decoder, PgOutputBytes().u8('T').u32(2).u8(3).u32(kOrders).u32(kCustomers).take());
  REQUIRE(both.cascade);
  REQUIRE(both.restart_identity);
  REQUIRE(both.relations.size() == 2);
  REQUIRE(both.relations[1]->name == "customers");

  auto restart = decode_as<TruncateMsg>(decoder, PgOutputBytes().u8('T').u32(1).u8(2).u32(kCustomers).take());
  REQUIRE_FALSE(restart.cascade);
  REQUIRE(restart.restart_identity);
}

TEST_CASE("A logical decoding message keeps its prefix and binary content", "[postgres]") {
  PgOutputDecoder decoder(1);
  std::string content("a\0b", 3);
  std::string payload = PgOutputBytes().u8('M').u8(1).u64(0x5000).str("sluice.heartbeat").sized(content).take();
  auto transactional = std::get<LogicalMsg>(decoder.decode(payload));
  REQUIRE(transactional.transactional);
  REQUIRE(transactional.lsn == Lsn{0x5000});
  REQUIRE(transactional.prefix == "sluice.heartbeat");
  REQUIRE(transactional.content == content);
  REQUIRE(points_into(transactional.content, payload));

  auto plain = decode_as<LogicalMsg>(decoder, PgOutputBytes().u8('M').u8(0).u64(0x5001).str("p").sized("").take());
  REQUIRE_FALSE(plain.transactional);
  REQUIRE(plain.content.empty());
}

// ---------------------------------------------------------------------------------------------
// Protocol 2: streamed in-progress transactions

TEST_CASE("Inside a stream block every change carries its xid after the type byte", "[postgres]") {
  PgOutputDecoder decoder(2);
  REQUIRE_FALSE(decoder.in_stream());

  auto start = decode_as<StreamStartMsg>(decoder, PgOutputBytes().u8('S').u32(900).u8(1).take());
  REQUIRE(start.xid == 900);
  REQUIRE(start.first_segment);
  REQUIRE(decoder.in_stream());
  REQUIRE(decoder.stream_xid() == 900u);

  auto relation = decode_as<RelationMsg>(decoder, orders_relation(900));
  REQUIRE(relation.stream_xid == 900u);
  REQUIRE(relation.relation->name == "orders");

  auto type = decode_as<TypeMsg>(decoder, PgOutputBytes().u8('Y').u32(900).u32(90001).str("public").str("mood").take());
  REQUIRE(type.stream_xid == 900u);

  auto insert = decode_as<InsertMsg>(decoder, msg::insert(kOrders, {Cell::text("1"), Cell::null(), Cell::null()}, 900));
  REQUIRE(insert.stream_xid == 900u);
  REQUIRE(insert.new_tuple[0].data == "1");

  // A change made in a subtransaction carries the subtransaction's xid.
  auto in_subxact = decode_as<UpdateMsg>(decoder, PgOutputBytes().u8('U').u32(901).u32(kOrders)
      .u8('N').tuple({Cell::text("1"), Cell::text("s"), Cell::null()}).take());
  REQUIRE(in_subxact.stream_xid == 901u);
  REQUIRE(decoder.stream_xid() == 900u);

  auto del = decode_as<DeleteMsg>(decoder, PgOutputBytes().u8('D').u32(900).u32(kOrders)
      .u8('K').tuple({Cell::text("1"), Cell::null(), Cell::null()}).take());
  REQUIRE(del.stream_xid == 900u);

  auto truncate = decode_as<TruncateMsg>(decoder, PgOutputBytes().u8('T').u32(900).u32(1).u8(0).u32(kOrders).take());
  REQUIRE(truncate.stream_xid == 900u);
  REQUIRE(truncate.relations[0]->oid == kOrders);

  auto message = decode_as<LogicalMsg>(decoder, PgOutputBytes().u8('M').u32(900).u8(1).u64(7).str("p").sized("c").take());
  REQUIRE(message.stream_xid == 900u);
  REQUIRE(message.content == "c");

  decode_as<StreamStopMsg>(decoder, PgOutputBytes().u8('E').take());
  REQUIRE_FALSE(decoder.in_stream());
  REQUIRE_FALSE(decoder.stream_xid());

  auto commit = decode_as<StreamCommitMsg>(
      decoder, PgOutputBytes().u8('c').u32(900).u8(0).u64(0x7000).u64(0x7030).u64(123).take());
  REQUIRE(commit.xid == 900);
  REQUIRE(commit.commit_lsn == Lsn{0x7000});
  REQUIRE(commit.end_lsn == Lsn{0x7030});
  REQUIRE(commit.commit_time.pg_micros == 123);
}

TEST_CASE("Outside a stream block protocol 2 changes have no xid prefix", "[postgres]") {
  PgOutputDecoder decoder(2);
  decoder.decode(orders_relation());
  decoder.decode(msg::begin(0x10, 0, 5));
  auto insert = decode_as<InsertMsg>(decoder, msg::insert(kOrders, {Cell::text("1"), Cell::null(), Cell::null()}));
  REQUIRE_FALSE(insert.stream_xid);
  decode_as<CommitMsg>(decoder, msg::commit(0x10, 0x40, 0));
}

TEST_CASE("A later stream segment is not the first, and stream blocks of transactions interleave",
          "[postgres]") {
  PgOutputDecoder decoder(2);
  decoder.decode(PgOutputBytes().u8('S').u32(900).u8(1).take());
  decoder.decode(orders_relation(900));
  decoder.decode(PgOutputBytes().u8('E').take());
  decoder.decode(PgOutputBytes().u8('S').u32(950).u8(1).take());
  decoder.decode(PgOutputBytes().u8('E').take());
  auto again = decode_as<StreamStartMsg>(decoder, PgOutputBytes().u8('S').u32(900).u8(0).take());
  REQUIRE(again.xid == 900);
  REQUIRE_FALSE(again.first_segment);
  auto insert = decode_as<InsertMsg>(decoder, msg::insert(kOrders, {Cell::text("2"), Cell::null(), Cell::null()}, 900));
  REQUIRE(insert.relation->name == "orders");
}

TEST_CASE("Stream Abort names the transaction and the aborted subtransaction", "[postgres]") {
  PgOutputDecoder decoder(2);
  auto whole = decode_as<StreamAbortMsg>(decoder, PgOutputBytes().u8('A').u32(900).u32(900).take());
  REQUIRE(whole.xid == 900);
  REQUIRE(whole.subxid == 900);
  REQUIRE_FALSE(whole.abort_lsn);

  auto sub = decode_as<StreamAbortMsg>(decoder, PgOutputBytes().u8('A').u32(900).u32(903).take());
  REQUIRE(sub.subxid == 903);
}

TEST_CASE("Protocol 4 Stream Abort may add the abort LSN and time", "[postgres]") {
  PgOutputDecoder decoder(4);
  auto parallel = decode_as<StreamAbortMsg>(
      decoder, PgOutputBytes().u8('A').u32(900).u32(900).u64(0x9000).u64(55).take());
  REQUIRE(parallel.abort_lsn == Lsn{0x9000});
  REQUIRE(parallel.abort_time == PgTimestamp{55});
  auto plain = decode_as<StreamAbortMsg>(decoder, PgOutputBytes().u8('A').u32(900).u32(900).take());
  REQUIRE_FALSE(plain.abort_lsn);
}

TEST_CASE("Stream messages are refused under protocol 1", "[postgres]") {
  PgOutputDecoder decoder(1);
  REQUIRE_THROWS_WITH(decoder.decode(PgOutputBytes().u8('S').u32(900).u8(1).take()),
                      Catch::Contains("Stream Start") && Catch::Contains("proto_version 2"));
  REQUIRE_FALSE(decoder.in_stream());
  REQUIRE_THROWS_AS(decoder.decode(PgOutputBytes().u8('c').u32(1).u8(0).u64(1).u64(2).u64(3).take()),
                    sluice::DataError);
}

TEST_CASE("Stream blocks must open and close in order", "[postgres]") {
  PgOutputDecoder decoder(2);
  REQUIRE_THROWS_WITH(decoder.decode(PgOutputBytes().u8('E').take()),
                      Catch::Contains("Stream Stop") && Catch::Contains("no stream block is open"));

  decoder.decode(PgOutputBytes().u8('S').u32(900).u8(1).take());
  REQUIRE_THROWS_WITH(decoder.decode(PgOutputBytes().u8('S').u32(901).u8(1).take()),
                      Catch::Contains("inside the open stream block of xid 900"));
  REQUIRE_THROWS_WITH(decoder.decode(msg::begin(1, 2, 3)), Catch::Contains("Begin"));
  REQUIRE_THROWS_AS(decoder.decode(msg::commit(1, 2, 3)), sluice::DataError);
  REQUIRE_THROWS_AS(decoder.decode(PgOutputBytes().u8('A').u32(900).u32(900).take()), sluice::DataError);
  REQUIRE(decoder.stream_xid() == 900u);  // the failed calls left the block open

  decoder.reset_session();  // reconnected: the server starts outside any block
  REQUIRE_FALSE(decoder.in_stream());
}

// ---------------------------------------------------------------------------------------------
// Malformed input

TEST_CASE("Protocol 3 two-phase messages are refused with a clear reason", "[postgres]") {
  PgOutputDecoder decoder(3);
  for (char type : {'b', 'P', 'K', 'r', 'p'}) {
    REQUIRE_THROWS_WITH(decoder.decode(PgOutputBytes().u8(type).u64(1).u64(2).u64(3).u32(4).str("gid").take()),
                        Catch::Contains("two_phase") && Catch::Contains("not supported"));
  }
  REQUIRE_THROWS_WITH(decoder.decode(PgOutputBytes().u8('P').take()), Catch::Contains("Prepare"));
}

TEST_CASE("Unknown message types and empty payloads are errors", "[postgres]") {
  PgOutputDecoder decoder(2);
  REQUIRE_THROWS_WITH(decoder.decode(PgOutputBytes().u8('Z').u32(1).take()),
                      Catch::Contains("unknown message type 'Z'"));
  REQUIRE_THROWS_WITH(decoder.decode(PgOutputBytes().u8(0x05).take()), Catch::Contains("0x05"));
  REQUIRE_THROWS_WITH(decoder.decode(""), Catch::Contains("empty"));
}

TEST_CASE("Every truncation of a valid message is reported, naming message and field", "[postgres]") {
  PgOutputDecoder setup(2);
  setup.decode(orders_relation());
  const std::string update = PgOutputBytes().u8('U').u32(kOrders)
                                 .u8('O').tuple({Cell::text("1"), Cell::text("old"), Cell::null()})
                                 .u8('N').tuple({Cell::text("1"), Cell::toast(), Cell::binary("xy")}).take();
  const std::string messages[] = {msg::begin(1, 2, 3), msg::commit(1, 2, 3), orders_relation(), update,
                                  PgOutputBytes().u8('T').u32(1).u8(0).u32(kOrders).take(),
                                  PgOutputBytes().u8('M').u8(1).u64(7).str("prefix").sized("content").take(),
                                  PgOutputBytes().u8('O').u64(1).str("origin").take(),
                                  PgOutputBytes().u8('c').u32(1).u8(0).u64(1).u64(2).u64(3).take()};
  for (const std::string& whole : messages) {
    PgOutputDecoder decoder(2);
    decoder.decode(orders_relation());
    REQUIRE_NOTHROW(decoder.decode(whole));
    for (std::size_t n = 1; n < whole.size(); ++n) {
      INFO("message " << whole[0] << " cut to " << n << " of " << whole.size() << " bytes");
      REQUIRE_THROWS_AS(decoder.decode(std::string_view(whole).substr(0, n)), sluice::DataError);
    }
  }
  PgOutputDecoder decoder(1);
  decoder.decode(orders_relation());
  REQUIRE_THROWS_WITH(decoder.decode(std::string_view(update).substr(0, update.size() - 1)),
                      Catch::Contains("pgoutput Update ('U') message: truncated: binary column value"));
  REQUIRE_THROWS_WITH(decoder.decode(msg::begin(1, 2, 3).substr(0, 10)),
                      Catch::Contains("commit timestamp needs 8 bytes, 1 left at byte 9 of 10"));
}

TEST_CASE("Trailing bytes after a message are an error", "[postgres]") {
  PgOutputDecoder decoder(1);
  REQUIRE_THROWS_WITH(decoder.decode(msg::begin(1, 2, 3) + "x"), Catch::Contains("1 unexpected trailing bytes"));
}

TEST_CASE("A change for a relation no Relation message announced is an error", "[postgres]") {
  PgOutputDecoder decoder(1);
  REQUIRE_THROWS_WITH(decoder.decode(msg::insert(kOrders, {Cell::text("1")})),
                      Catch::Contains("unknown relation oid 16385"));
  decoder.decode(orders_relation());
  REQUIRE_THROWS_WITH(decoder.decode(PgOutputBytes().u8('T').u32(2).u8(0).u32(kOrders).u32(kCustomers).take()),
                      Catch::Contains("Truncate") && Catch::Contains("unknown relation oid 16390"));
}

TEST_CASE("A tuple whose column count differs from its relation is an error", "[postgres]") {
  PgOutputDecoder decoder(1);
  decoder.decode(orders_relation());
  REQUIRE_THROWS_WITH(decoder.decode(msg::insert(kOrders, {Cell::text("1"), Cell::null()})),
                      Catch::Contains("tuple has 2 columns but relation public.orders has 3"));
}

TEST_CASE("Bad tuple markers, column kinds and lengths are errors", "[postgres]") {
  PgOutputDecoder decoder(1);
  decoder.decode(orders_relation());
  REQUIRE_THROWS_WITH(decoder.decode(PgOutputBytes().u8('I').u32(kOrders).u8('K')
                                         .tuple({Cell::null(), Cell::null(), Cell::null()}).take()),
                      Catch::Contains("expected 'N'"));
  REQUIRE_THROWS_WITH(decoder.decode(PgOutputBytes().u8('D').u32(kOrders).u8('N')
                                         .tuple({Cell::null(), Cell::null(), Cell::null()}).take()),
                      Catch::Contains("expected 'K' (key) or 'O' (old tuple)"));
  REQUIRE_THROWS_WITH(decoder.decode(PgOutputBytes().u8('I').u32(kOrders).u8('N').u16(3).u8('n').u8('x').take()),
                      Catch::Contains("unknown column kind 'x' for column note"));
  REQUIRE_THROWS_WITH(decoder.decode(PgOutputBytes().u8('I').u32(kOrders).u8('N').u16(3).u8('t').u32(0xFFFFFFFF).take()),
                      Catch::Contains("negative length -1"));
  REQUIRE_THROWS_WITH(decoder.decode(PgOutputBytes().u8('T').u32(1000000).u8(0).u32(kOrders).take()),
                      Catch::Contains("relation count 1000000"));
}

TEST_CASE("A malformed Relation message leaves the cached definition untouched", "[postgres]") {
  PgOutputDecoder decoder(1);
  const Relation* v1 = decode_as<RelationMsg>(decoder, orders_relation()).relation;
  std::string altered = msg::relation(kOrders, "public", "orders", 'f', {{"id", 23, -1, true}});
  REQUIRE_THROWS_AS(decoder.decode(altered + "junk"), sluice::DataError);
  REQUIRE(decoder.relation(kOrders) == v1);
  REQUIRE(v1->columns.size() == 3);
}

TEST_CASE("Protocol versions outside 1..4 are refused", "[postgres]") {
  REQUIRE_THROWS_AS(PgOutputDecoder(0), std::invalid_argument);
  REQUIRE_THROWS_AS(PgOutputDecoder(5), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// Steady state does not allocate

namespace {
std::atomic<long> g_allocations{0};
thread_local bool t_counting = false;
}  // namespace

// Counts allocations made by this thread while t_counting is set; everything else passes through.
void* operator new(std::size_t size) {
  if (t_counting) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

TEST_CASE("Decoding changes of known relations does not allocate", "[postgres]") {
  PgOutputDecoder decoder(2);
  decoder.decode(orders_relation());
  const std::string insert = msg::insert(kOrders, {Cell::text("1"), Cell::text("note"), Cell::text("1.50")});
  const std::string update = PgOutputBytes().u8('U').u32(kOrders)
                                 .u8('K').tuple({Cell::text("1"), Cell::null(), Cell::null()})
                                 .u8('N').tuple({Cell::text("2"), Cell::toast(), Cell::null()}).take();
  const std::string begin = msg::begin(1, 2, 3), commit = msg::commit(1, 2, 3);
  const std::string same_relation = orders_relation();
  decoder.decode(insert);  // first use grows the reusable column buffers
  decoder.decode(update);
  decoder.decode(same_relation);

  g_allocations = 0;
  t_counting = true;
  std::size_t columns = 0;
  for (int i = 0; i < 1000; ++i) {
    decoder.decode(begin);
    columns += std::get<InsertMsg>(decoder.decode(insert)).new_tuple.size();
    columns += std::get<UpdateMsg>(decoder.decode(update)).new_tuple.size();
    decoder.decode(same_relation);  // re-announced after a reconnect: compared, not stored
    decoder.decode(commit);
  }
  t_counting = false;
  REQUIRE(columns == 6000);
  REQUIRE(g_allocations == 0);
}
