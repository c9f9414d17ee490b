// PostgresSinkDatabase change application: insert modes, the per-row ordering guard for every
// change kind, the snapshot rule (guard 0), truncate, and batches without a guard column.
#include <catch2/catch.hpp>

#include <sluice/errors.h>

#include "sink_test_support.h"

using namespace sluice;
using namespace sluice::jdbc;
using namespace sluice::testing;
using Catch::Matchers::Contains;

namespace {

std::vector<std::string> rows_of(const std::string& table) {
  return query_rows("SELECT id, name, __sluice_position FROM " + table + " WHERE id < 900000000 ORDER BY id");
}

TableSpec soft_table(const std::string& name) {
  TableSpec spec = keyed_table(name);
  spec.columns.push_back(column("__deleted", ColumnKind::kBoolean));
  spec.columns.push_back(column("deleted_at", ColumnKind::kTimestampMillis));
  return spec;
}

TableBatch soft_batch(const TableSpec& spec, std::vector<RowOp> rows) {
  TableBatch b = batch_of(spec, std::move(rows));
  b.deleted_flag_column = "__deleted";
  b.deleted_at_column = "deleted_at";
  return b;
}

RowOp soft_upsert(std::int64_t id, const std::string& name, std::int64_t guard) {
  RowOp row = upsert_row(id, name, guard);
  row.values.push_back(Value(false));
  row.values.push_back(Value(nullptr));
  return row;
}

}  // namespace

TEST_CASE("Upsert mode inserts new keys and replaces existing rows", "[jdbc_postgres]") {
  const StagedPath path(GENERATE(false, true));
  drop_tables({"upserted"});
  auto db = open_sink("modes-upsert");
  TableSpec spec = keyed_table("upserted");
  db->create_table(spec);
  db->apply({batch_of(spec, {upsert_row(1, "a", 10), upsert_row(2, "b", 11)})}, {});
  db->apply({batch_of(spec, {upsert_row(2, "b2", 12), upsert_row(3, "c", 13)})}, {});
  REQUIRE(rows_of("upserted") == std::vector<std::string>{"1|a|10", "2|b2|12", "3|c|13"});
}

TEST_CASE("Insert mode inserts, and a duplicate key fails naming the table", "[jdbc_postgres]") {
  const StagedPath path(GENERATE(false, true));
  drop_tables({"inserted"});
  auto db = open_sink("modes-insert");
  TableSpec spec = keyed_table("inserted");
  db->create_table(spec);
  db->apply({batch_of(spec, {upsert_row(1, "a", 10)}, InsertMode::kInsert)}, {});
  std::string message = message_if_thrown<ConnectError>(
      [&] { db->apply({batch_of(spec, {upsert_row(1, "again", 20)}, InsertMode::kInsert)}, {}); });
  REQUIRE_THAT(message, Contains("inserted") && Contains("INSERT INTO") && Contains("23505"));
  REQUIRE_THAT(message, !Contains("again"));  // statement text, never row values
  REQUIRE(rows_of("inserted") == std::vector<std::string>{"1|a|10"});
  // The connection stays usable after a failed batch.
  db->apply({batch_of(spec, {upsert_row(2, "b", 11)}, InsertMode::kInsert)}, {});
  REQUIRE(rows_of("inserted") == std::vector<std::string>{"1|a|10", "2|b|11"});
}

TEST_CASE("Update mode changes existing rows only", "[jdbc_postgres]") {
  const StagedPath path(GENERATE(false, true));
  drop_tables({"updated"});
  auto db = open_sink("modes-update");
  TableSpec spec = keyed_table("updated");
  db->create_table(spec);
  db->apply({batch_of(spec, {upsert_row(1, "a", 10)})}, {});
  db->apply({batch_of(spec, {upsert_row(1, "a2", 20), upsert_row(2, "missing", 21)}, InsertMode::kUpdate)}, {});
  REQUIRE(rows_of("updated") == std::vector<std::string>{"1|a2|20"});
}

TEST_CASE("The guard ignores duplicate and older changes of every kind", "[jdbc_postgres]") {
  const StagedPath path(GENERATE(false, true));
  drop_tables({"guarded"});  // each section and path starts afresh
  auto db = open_sink("guard");
  TableSpec spec = keyed_table("guarded");
  db->create_table(spec);
  db->apply({batch_of(spec, {upsert_row(1, "v100", 100), upsert_row(2, "v100", 100), upsert_row(3, "v100", 100)})}, {});

  SECTION("upsert") {
    db->apply({batch_of(spec, {upsert_row(1, "older", 99), upsert_row(2, "duplicate", 100), upsert_row(3, "newer", 101)})},
              {});
    REQUIRE(rows_of("guarded") == std::vector<std::string>{"1|v100|100", "2|v100|100", "3|newer|101"});
  }
  SECTION("update mode") {
    db->apply({batch_of(spec, {upsert_row(1, "older", 50), upsert_row(2, "duplicate", 100), upsert_row(3, "newer", 150)},
                        InsertMode::kUpdate)},
              {});
    REQUIRE(rows_of("guarded") == std::vector<std::string>{"1|v100|100", "2|v100|100", "3|newer|150"});
  }
  SECTION("hard delete") {
    db->apply({batch_of(spec, {delete_row(1, 99), delete_row(2, 100), delete_row(3, 101)})}, {});
    REQUIRE(rows_of("guarded") == std::vector<std::string>{"1|v100|100", "2|v100|100"});
  }
  SECTION("a row never guarded (NULL) takes any change") {
    sink_postgres().exec("UPDATE guarded SET __sluice_position = NULL WHERE id = 1");
    db->apply({batch_of(spec, {upsert_row(1, "took", 1), delete_row(2, 1)})}, {});
    REQUIRE(rows_of("guarded") == std::vector<std::string>{"1|took|1", "2|v100|100", "3|v100|100"});
  }
}

TEST_CASE("Soft deletes mark the row and follow the guard", "[jdbc_postgres]") {
  const StagedPath path(GENERATE(false, true));
  drop_tables({"soft_deleted"});
  auto db = open_sink("guard-soft");
  TableSpec spec = soft_table("soft_deleted");
  db->create_table(spec);
  db->apply({soft_batch(spec, {soft_upsert(1, "a", 100), soft_upsert(2, "b", 100)})}, {});
  db->apply({soft_batch(spec, {soft_delete_row(1, 99, 1706706245123), soft_delete_row(2, 101, 1706706245123),
                               soft_delete_row(9, 102, 1706706245123)})},
            {});
  REQUIRE(query_rows("SELECT id, name, __sluice_position, __deleted, deleted_at FROM soft_deleted WHERE id < 900000000 ORDER BY id") ==
          std::vector<std::string>{"1|a|100|f|<null>", "2|b|101|t|2024-01-31 13:04:05.123"});
  // An older upsert redelivered after the soft delete does not bring the row back.
  db->apply({soft_batch(spec, {soft_upsert(2, "stale", 100)})}, {});
  REQUIRE(query_rows("SELECT name, __deleted FROM soft_deleted WHERE id = 2") == std::vector<std::string>{"b|t"});
}

TEST_CASE("Snapshot rows (guard 0) lose to streamed changes and are replaced by a re-snapshot", "[jdbc_postgres]") {
  const StagedPath path(GENERATE(false, true));
  drop_tables({"snapshotted"});
  auto db = open_sink("guard-snapshot");
  TableSpec spec = keyed_table("snapshotted");
  db->create_table(spec);
  db->apply({batch_of(spec, {upsert_row(1, "snap", 0), upsert_row(2, "snap", 0), upsert_row(3, "streamed", 500)})}, {});
  db->apply({batch_of(spec, {upsert_row(1, "resnap", 0), upsert_row(2, "streamed", 7), upsert_row(3, "resnap", 0)})},
            {});
  REQUIRE(rows_of("snapshotted") == std::vector<std::string>{"1|resnap|0", "2|streamed|7", "3|streamed|500"});
  db->apply({batch_of(spec, {delete_row(1, 0), delete_row(2, 0)})}, {});
  REQUIRE(rows_of("snapshotted") == std::vector<std::string>{"2|streamed|7", "3|streamed|500"});
}

TEST_CASE("Without a position column every change applies", "[jdbc_postgres]") {
  const StagedPath path(GENERATE(false, true));
  drop_tables({"unguarded"});
  auto db = open_sink("unguarded");
  TableSpec spec{{"", "unguarded"}, {column("id", ColumnKind::kInt64, false), column("name", ColumnKind::kString)}, {"id"}};
  db->create_table(spec);
  auto row = [](std::int64_t id, const char* name) {
    return RowOp{RowOpKind::kUpsert, {Value(id)}, {Value(id), Value(name)}, 0, 0};
  };
  db->apply({batch_of(spec, {row(1, "a"), row(2, "b")}, InsertMode::kUpsert, "")}, {});
  db->apply({batch_of(spec, {row(1, "a2")}, InsertMode::kUpsert, "")}, {});
  db->apply({batch_of(spec, {delete_row(2, 0)}, InsertMode::kUpsert, "")}, {});
  REQUIRE(query_rows("SELECT id, name FROM unguarded WHERE id < 900000000 ORDER BY id") == std::vector<std::string>{"1|a2"});
}

TEST_CASE("A truncate empties the table before the batch's rows", "[jdbc_postgres]") {
  const StagedPath path(GENERATE(false, true));
  drop_tables({"truncated"});
  auto db = open_sink("truncate");
  TableSpec spec = keyed_table("truncated");
  db->create_table(spec);
  db->apply({batch_of(spec, {upsert_row(1, "a", 10), upsert_row(2, "b", 11)})}, {});
  TableBatch batch = batch_of(spec, {upsert_row(3, "after", 5)});
  batch.truncate_first = true;
  db->apply({batch}, {});
  REQUIRE(rows_of("truncated") == std::vector<std::string>{"3|after|5"});
  TableBatch only_truncate = batch_of(spec, {});
  only_truncate.truncate_first = true;
  db->apply({only_truncate}, {});
  REQUIRE(rows_of("truncated").empty());
}

TEST_CASE("Several table batches of one shape and of several tables go in one transaction", "[jdbc_postgres]") {
  const StagedPath path(GENERATE(false, true));
  drop_tables({"multi_a", "multi_b"});
  auto db = open_sink("multi");
  TableSpec a = keyed_table("multi_a");
  TableSpec b = keyed_table("multi_b");
  db->create_table(a);
  db->create_table(b);
  // Two batches of the same shape reuse one staging table within the transaction.
  db->apply({batch_of(a, {upsert_row(1, "first", 10)}), batch_of(b, {upsert_row(1, "b", 10)}),
             batch_of(a, {upsert_row(1, "second", 11), upsert_row(2, "x", 11)})},
            {});
  REQUIRE(rows_of("multi_a") == std::vector<std::string>{"1|second|11", "2|x|11"});
  REQUIRE(rows_of("multi_b") == std::vector<std::string>{"1|b|10"});
}

TEST_CASE("A composite key with a column left out of the batch (unchanged TOAST) keeps the stored value",
          "[jdbc_postgres]") {
  const StagedPath path(GENERATE(false, true));
  drop_tables({"composite"});
  auto db = open_sink("composite");
  TableSpec full{{"", "composite"},
                 {column("a", ColumnKind::kInt32, false), column("b", ColumnKind::kString, false),
                  column("big", ColumnKind::kString), column("n", ColumnKind::kInt32),
                  column("__sluice_position", ColumnKind::kInt64)},
                 {"a", "b"}};
  db->create_table(full);
  auto key = [](int a, const char* b) { return std::vector<Value>{Value(std::int32_t{a}), Value(b)}; };
  db->apply({batch_of(full, {RowOp{RowOpKind::kUpsert, key(1, "k"),
                                   {Value(std::int32_t{1}), Value("k"), Value("toasted"), Value(std::int32_t{1}),
                                    Value(std::int64_t{10})}, 10, 0}})},
            {});
  TableSpec partial = full;
  partial.columns.erase(partial.columns.begin() + 2);
  db->apply({batch_of(partial, {RowOp{RowOpKind::kUpsert, key(1, "k"),
                                      {Value(std::int32_t{1}), Value("k"), Value(std::int32_t{2}), Value(std::int64_t{11})},
                                      11, 0}})},
            {});
  REQUIRE(query_rows("SELECT a, b, big, n, __sluice_position FROM composite WHERE a < 900000000") ==
          std::vector<std::string>{"1|k|toasted|2|11"});
  db->apply({batch_of(partial, {RowOp{RowOpKind::kDelete, key(1, "k"), {}, 12, 0}})}, {});
  REQUIRE(query_rows("SELECT count(*) FROM composite WHERE a < 900000000") == std::vector<std::string>{"0"});
}
