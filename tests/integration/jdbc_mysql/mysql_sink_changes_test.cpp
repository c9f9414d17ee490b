// MysqlSinkDatabase row changes: the three insert modes, hard and soft deletes, and the ordering
// guard (a change older than or as old as the stored one changes nothing; snapshot rows, guard 0,
// give way to everything and replace each other).
#include <catch2/catch.hpp>

#include <sluice/errors.h>

#include "mysql_sink_test_support.h"

using namespace sluice;
using namespace sluice::jdbc;
using namespace sluice::testing;

namespace {

std::vector<std::string> contents(const std::string& table) {
  return rows_of("SELECT id, name, __sluice_position FROM " + table + " ORDER BY id");
}

}  // namespace

TEST_CASE("MysqlSinkDatabase upserts apply newer changes and ignore repeated and older ones", "[mysql]") {
  auto db = open_sink("changes-upsert");
  auto spec = keyed_table("upserts");
  db->create_table(spec);
  db->apply({batch_of(spec, {upsert_row(1, "a1", 10), upsert_row(2, "b1", 10), upsert_row(3, "c1", 10)})}, {});
  CHECK(contents("upserts") == std::vector<std::string>{"1\ta1\t10", "2\tb1\t10", "3\tc1\t10"});

  // 1: newer wins; 2: the same change again; 3: an older change redelivered.
  db->apply({batch_of(spec, {upsert_row(1, "a2", 11), upsert_row(2, "b-again", 10), upsert_row(3, "c0", 9)})}, {});
  CHECK(contents("upserts") == std::vector<std::string>{"1\ta2\t11", "2\tb1\t10", "3\tc1\t10"});

  // A row written without a guard (NULL) takes any change.
  sink_mariadb().exec("INSERT INTO upserts VALUES (4, 'manual', NULL)");
  db->apply({batch_of(spec, {upsert_row(4, "d1", 1)})}, {});
  CHECK(contents("upserts").back() == "4\td1\t1");
}

TEST_CASE("MysqlSinkDatabase snapshot rows (guard 0) give way to streamed changes and replace each other", "[mysql]") {
  auto db = open_sink("changes-snapshot");
  auto spec = keyed_table("snapshot_rows");
  db->create_table(spec);
  db->apply({batch_of(spec, {upsert_row(1, "snap", 0), upsert_row(2, "snap", 0), upsert_row(3, "streamed", 500)})}, {});
  // 1: a re-snapshot replaces a snapshot row; 2: a streamed change wins over it, whatever its
  // position; 3: a snapshot row never overwrites a streamed one.
  db->apply({batch_of(spec, {upsert_row(1, "resnap", 0), upsert_row(2, "stream", 3), upsert_row(3, "snap", 0)})}, {});
  CHECK(contents("snapshot_rows") == std::vector<std::string>{"1\tresnap\t0", "2\tstream\t3", "3\tstreamed\t500"});
}

TEST_CASE("MysqlSinkDatabase without a position column applies every change", "[mysql]") {
  auto db = open_sink("changes-unguarded");
  TableSpec spec{{"", "unguarded"}, {column("id", ColumnKind::kInt64, false), column("name", ColumnKind::kString)}, {"id"}};
  db->create_table(spec);
  auto row = [](std::int64_t id, const char* name) {
    return RowOp{RowOpKind::kUpsert, {Value(id)}, {Value(id), Value(name)}, 0, 0};
  };
  db->apply({batch_of(spec, {row(1, "a"), row(2, "b")}, InsertMode::kUpsert, "")}, {});
  db->apply({batch_of(spec, {row(1, "a2")}, InsertMode::kUpsert, "")}, {});
  db->apply({batch_of(spec, {RowOp{RowOpKind::kDelete, {Value(std::int64_t{2})}, {}, 0, 0}}, InsertMode::kUpsert, "")}, {});
  CHECK(rows_of("SELECT id, name FROM unguarded ORDER BY id") == std::vector<std::string>{"1\ta2"});
}

TEST_CASE("MysqlSinkDatabase upserts a table that has only key columns", "[mysql]") {
  auto db = open_sink("changes-key-only");
  TableSpec spec{{"", "key_only"}, {column("a", ColumnKind::kInt32, false), column("b", ColumnKind::kString, false)}, {"a", "b"}};
  db->create_table(spec);
  auto row = [](std::int32_t a, const char* b) { return RowOp{RowOpKind::kUpsert, {Value(a), Value(b)}, {Value(a), Value(b)}, 0, 0}; };
  db->apply({batch_of(spec, {row(1, "x"), row(1, "y")}, InsertMode::kUpsert, "")}, {});
  db->apply({batch_of(spec, {row(1, "x"), row(2, "x")}, InsertMode::kUpsert, "")}, {});
  CHECK(rows_of("SELECT a, b FROM key_only ORDER BY a, b") == std::vector<std::string>{"1\tx", "1\ty", "2\tx"});
}

TEST_CASE("MysqlSinkDatabase insert mode inserts and rolls back on a duplicate key", "[mysql]") {
  auto db = open_sink("changes-insert");
  auto spec = keyed_table("inserts");
  db->create_table(spec);
  db->apply({batch_of(spec, {upsert_row(1, "a", 1), upsert_row(2, "b", 1)}, InsertMode::kInsert)}, {});
  CHECK(contents("inserts") == std::vector<std::string>{"1\ta\t1", "2\tb\t1"});
  auto message = message_if_thrown<ConnectError>([&] {
    db->apply({batch_of(spec, {upsert_row(3, "c", 2)}, InsertMode::kInsert),
               batch_of(spec, {upsert_row(1, "dup", 2)}, InsertMode::kInsert)},
              {checkpoint("t", 0, 99)});
  });
  CHECK_THAT(message, Catch::Contains("inserts") && Catch::Contains("Duplicate entry") && Catch::Contains("1062"));
  CHECK(contents("inserts") == std::vector<std::string>{"1\ta\t1", "2\tb\t1"});
  CHECK(db->load_checkpoints().empty());
}

TEST_CASE("MysqlSinkDatabase update mode changes only existing rows under the guard", "[mysql]") {
  auto db = open_sink("changes-update");
  auto spec = keyed_table("updates");
  db->create_table(spec);
  db->apply({batch_of(spec, {upsert_row(1, "a", 10), upsert_row(2, "b", 10)})}, {});
  db->apply({batch_of(spec, {upsert_row(1, "a2", 11), upsert_row(2, "b-old", 9), upsert_row(3, "new", 12)},
                      InsertMode::kUpdate)},
            {});
  CHECK(contents("updates") == std::vector<std::string>{"1\ta2\t11", "2\tb\t10"});
  db->apply({batch_of(spec, {upsert_row(1, "a-same", 11)}, InsertMode::kUpdate)}, {});
  CHECK(contents("updates").front() == "1\ta2\t11");
}

TEST_CASE("MysqlSinkDatabase hard deletes only rows whose stored change is older", "[mysql]") {
  auto db = open_sink("changes-delete");
  auto spec = keyed_table("deletes");
  db->create_table(spec);
  db->apply({batch_of(spec, {upsert_row(1, "a", 10), upsert_row(2, "b", 10), upsert_row(3, "c", 10),
                             upsert_row(4, "snap", 0)})},
            {});
  // 1: newer delete; 2: a delete older than the stored insert; 3: as old; 4: a streamed delete of
  // a snapshot row; 5: no such row.
  db->apply({batch_of(spec, {delete_row(1, 11), delete_row(2, 9), delete_row(3, 10), delete_row(4, 2),
                             delete_row(5, 20)})},
            {});
  CHECK(contents("deletes") == std::vector<std::string>{"2\tb\t10", "3\tc\t10"});
}

TEST_CASE("MysqlSinkDatabase soft deletes mark newer rows and leave older and missing ones", "[mysql]") {
  auto db = open_sink("changes-soft");
  auto spec = soft_delete_table("soft_deletes");
  db->create_table(spec);
  db->apply({batch_of(spec, {live_row(1, "a", 10), live_row(2, "b", 10)})}, {});
  auto batch = batch_of(spec, {soft_delete_row(1, 11, 1706706245123), soft_delete_row(2, 9, 1706706245123),
                               soft_delete_row(3, 12, 1706706245123)});
  batch.deleted_flag_column = "__deleted";
  batch.deleted_at_column = "__deleted_at";
  db->apply({batch}, {});
  CHECK(rows_of("SELECT id, name, __sluice_position, __deleted, __deleted_at FROM soft_deletes ORDER BY id") ==
        std::vector<std::string>{"1\ta\t11\t1\t2024-01-31 13:04:05.123", "2\tb\t10\t0\tNULL"});
  // The same delete again changes nothing; a newer insert revives the row.
  db->apply({batch}, {});
  db->apply({batch_of(spec, {live_row(1, "a-again", 12)})}, {});
  CHECK(rows_of("SELECT id, name, __sluice_position, __deleted, __deleted_at FROM soft_deletes ORDER BY id") ==
        std::vector<std::string>{"1\ta-again\t12\t0\tNULL", "2\tb\t10\t0\tNULL"});
}

TEST_CASE("MysqlSinkDatabase writes large batches in several multi-row statements", "[mysql]") {
  auto db = open_sink("changes-large");
  auto spec = keyed_table("large");
  db->create_table(spec);
  std::vector<RowOp> rows;
  for (std::int64_t id = 1; id <= 2500; ++id) rows.push_back(upsert_row(id, "v" + std::to_string(id), 1));
  db->apply({batch_of(spec, rows)}, {});
  CHECK(value_of("SELECT CONCAT(COUNT(*), ' ', SUM(id), ' ', MIN(name), ' ', MAX(__sluice_position)) FROM large") ==
        "2500 3126250 v1 1");
  for (auto& row : rows) {
    row.guard = 2;
    row.values[1] = Value("w");
  }
  db->apply({batch_of(spec, rows)}, {});
  CHECK(value_of("SELECT COUNT(*) FROM large WHERE name = 'w' AND __sluice_position = 2") == "2500");
  // 1200 deletes (three statements); those of even ids are older than the rows and stay undone.
  std::vector<RowOp> deletes;
  for (std::int64_t id = 1; id <= 1200; ++id) deletes.push_back(delete_row(id, id % 2 == 0 ? 1 : 3));
  db->apply({batch_of(spec, deletes)}, {});
  CHECK(value_of("SELECT CONCAT(COUNT(*), ' ', SUM(id % 2 = 1 AND id <= 1200)) FROM large") == "1900 0");
}

TEST_CASE("MysqlSinkDatabase keeps each statement under max_allowed_packet", "[mysql]") {
  sink_mariadb().exec("SET GLOBAL max_allowed_packet = 1048576");
  struct Restore {
    ~Restore() { sink_mariadb().exec("SET GLOBAL max_allowed_packet = 16777216"); }
  } restore;
  auto db = open_sink("changes-packet");
  auto spec = keyed_table("big_values");
  db->create_table(spec);
  std::vector<RowOp> rows;
  const std::string big(100 * 1024, 'x');
  for (std::int64_t id = 1; id <= 40; ++id) rows.push_back(upsert_row(id, big, 1));
  db->apply({batch_of(spec, rows)}, {});
  CHECK(value_of("SELECT CONCAT(COUNT(*), ' ', SUM(LENGTH(name))) FROM big_values") ==
        "40 " + std::to_string(40 * big.size()));
  // A row that cannot fit is refused (the server would drop the connection, which looks
  // transient), and the session stays usable.
  CHECK_THAT(message_if_thrown<ConnectError>(
                 [&] { db->apply({batch_of(spec, {upsert_row(41, std::string(2 << 20, 'y'), 2)})}, {}); }),
             Catch::Contains("max_allowed_packet"));
  db->apply({batch_of(spec, {upsert_row(41, "small", 2)})}, {});
  CHECK(value_of("SELECT name FROM big_values WHERE id = 41") == "small");
}
