// PostgresSinkDatabase direct COPY: upserts of likely new keys in a large batch go straight into
// the target inside a savepoint; a key that exists after all sends them through the guarded
// staging path, and the shape then skips the direct COPY for a doubling number of batches.
//
// Which path a row took shows in its xmin: the direct COPY runs in a subtransaction (the
// savepoint), so its rows carry another transaction id than the rows the batch's top-level
// statements wrote, the checkpoint row among them.
#include <catch2/catch.hpp>

#include <sluice/errors.h>

#include "sink_test_support.h"

using namespace sluice;
using namespace sluice::jdbc;
using namespace sluice::testing;
using Catch::Matchers::Contains;

namespace {

RowOp created(std::int64_t id, const std::string& name, std::int64_t guard) {
  RowOp row = upsert_row(id, name, guard);
  row.likely_new = true;
  return row;
}

// Rows [first, last] as created (likely new) upserts named "<prefix><id>" at `guard`.
std::vector<RowOp> created_rows(std::int64_t first, std::int64_t last, const std::string& prefix, std::int64_t guard) {
  std::vector<RowOp> out;
  for (std::int64_t id = first; id <= last; ++id) out.push_back(created(id, prefix + std::to_string(id), guard));
  return out;
}

TableBatch large_batch(const TableSpec& spec, std::vector<RowOp> rows) {
  REQUIRE(rows.size() >= kStagedRows);
  TableBatch b;
  b.table = spec;
  b.position_column = "__sluice_position";
  b.rows = std::move(rows);
  return b;
}

Checkpoint checkpoint_of(std::int64_t next_offset) {
  Checkpoint c;
  c.partition = TopicPartition{"direct", 0};
  c.next_offset = next_offset;
  return c;
}

std::vector<std::string> rows_of(const std::string& table) {
  return query_rows("SELECT id, name, __sluice_position FROM " + table + " ORDER BY id");
}

// "direct" when every row of [first, last] was written by the last batch's direct COPY, "staged"
// when every one by its top-level statements, else "mixed". `connector` names the last batch's
// checkpoint row.
std::string path_of(const std::string& table, const std::string& connector, std::int64_t first, std::int64_t last) {
  auto counts = query_rows("SELECT count(*) FILTER (WHERE t.xmin = c.xmin), count(*) FILTER (WHERE t.xmin <> c.xmin) FROM " +
                           table + " t, __sluice_sink_checkpoints c WHERE c.connector = '" + connector +
                           "' AND t.id BETWEEN " + std::to_string(first) + " AND " + std::to_string(last));
  if (counts == std::vector<std::string>{"0|" + std::to_string(last - first + 1)}) return "direct";
  if (counts == std::vector<std::string>{std::to_string(last - first + 1) + "|0"}) return "staged";
  return "mixed " + counts.at(0);
}

}  // namespace

TEST_CASE("New keys go in by direct COPY and store what the staging path stores", "[jdbc_postgres]") {
  drop_tables({"direct_new", "staged_new"});
  auto db = open_sink("direct-new");
  auto staged_db = open_sink("direct-new-staged");
  auto make = [](const std::string& name) {
    TableSpec spec = keyed_table(name);
    spec.columns.push_back(column("note", ColumnKind::kString));
    spec.columns.push_back(column("__deleted", ColumnKind::kBoolean));
    spec.columns.push_back(column("deleted_at", ColumnKind::kTimestampMillis));
    return spec;
  };
  for (const auto& name : {"direct_new", "staged_new"}) {
    db->create_table(make(name));
    exec_sql(std::string("ALTER TABLE ") + name + " ALTER COLUMN note SET DEFAULT 'default note'");
  }
  // The batch leaves note out (an unchanged TOAST column), so a new row gets the column default.
  auto batch_for = [&](const std::string& name, bool likely_new) {
    TableSpec spec = make(name);
    spec.columns.erase(spec.columns.begin() + 3);
    std::vector<RowOp> rows;
    for (std::int64_t id = 1; id <= 40; ++id) {
      RowOp row = upsert_row(id, id % 3 == 0 ? std::string("tab\there \\ and\nnewline") : "n" + std::to_string(id), 1000 + id);
      if (id % 5 == 0) row.values[1] = Value(nullptr);
      row.values.push_back(Value(false));
      row.values.push_back(Value(nullptr));
      row.likely_new = likely_new;
      rows.push_back(std::move(row));
    }
    TableBatch b = large_batch(spec, std::move(rows));
    b.deleted_flag_column = "__deleted";
    b.deleted_at_column = "deleted_at";
    return b;
  };
  db->apply({batch_for("direct_new", true)}, {checkpoint_of(40)});
  staged_db->apply({batch_for("staged_new", false)}, {checkpoint_of(40)});

  REQUIRE(path_of("direct_new", "direct-new", 1, 40) == "direct");
  REQUIRE(path_of("staged_new", "direct-new-staged", 1, 40) == "staged");
  const std::string columns = "SELECT id, name, __sluice_position, note, __deleted, deleted_at FROM ";
  auto direct = query_rows(columns + "direct_new ORDER BY id");
  REQUIRE(direct.size() == 40);
  CHECK(direct[2] == "3|tab\there \\ and\nnewline|1003|default note|f|<null>");
  CHECK(direct[4] == "5|<null>|1005|default note|f|<null>");
  REQUIRE(direct == query_rows(columns + "staged_new ORDER BY id"));
}

TEST_CASE("Redelivered creates of existing keys fall back to the guard: older stored rows are overwritten, newer ones kept",
          "[jdbc_postgres]") {
  drop_tables({"direct_redelivered"});
  auto db = open_sink("direct-redelivered");
  TableSpec spec = keyed_table("direct_redelivered");
  db->create_table(spec);
  db->apply({batch_of(spec, {upsert_row(1, "stored", 100), upsert_row(2, "stored", 100), upsert_row(3, "stored", 200),
                             upsert_row(4, "stored", 200)})},
            {});
  // After a crash the batch comes again as creates: keys 1-2 stored at 100 < 150 (overwritten),
  // 3-4 stored at 200 > 150 (kept), 5-40 new.
  db->apply({large_batch(spec, created_rows(1, 40, "again", 150))}, {checkpoint_of(40)});

  auto rows = rows_of("direct_redelivered");
  REQUIRE(rows.size() == 40);
  CHECK(rows[0] == "1|again1|150");
  CHECK(rows[1] == "2|again2|150");
  CHECK(rows[2] == "3|stored|200");
  CHECK(rows[3] == "4|stored|200");
  CHECK(rows[39] == "40|again40|150");
  CHECK(path_of("direct_redelivered", "direct-redelivered", 5, 40) == "staged");  // the COPY was rolled back
  REQUIRE(query_rows("SELECT count(*), count(DISTINCT id) FROM direct_redelivered") == std::vector<std::string>{"40|40"});
}

TEST_CASE("A batch of new creates, updates and deletes gives the same table as one change at a time",
          "[jdbc_postgres]") {
  drop_tables({"direct_mixed"});
  auto db = open_sink("direct-mixed");
  TableSpec spec = keyed_table("direct_mixed");
  db->create_table(spec);
  db->apply({large_batch(spec, created_rows(1, 40, "old", 100))}, {});
  // Few other rows go by parameterized statements, many through staging.
  const std::int64_t others = GENERATE(as<std::int64_t>{}, 6, 30);
  std::vector<RowOp> rows = created_rows(101, 140, "new", 300);
  for (std::int64_t id = 1; id <= others; ++id) {
    if (id % 3 == 0) {
      rows.push_back(delete_row(id, 300));
    } else {
      rows.push_back(upsert_row(id, "updated", id % 2 == 0 ? 300 : 50));  // odd ones are older than stored
    }
  }
  db->apply({large_batch(spec, std::move(rows))}, {checkpoint_of(1)});

  std::vector<std::string> expected;
  for (std::int64_t id = 1; id <= 40; ++id) {
    if (id <= others && id % 3 == 0) continue;
    const bool updated = id <= others && id % 2 == 0;
    expected.push_back(std::to_string(id) + (updated ? "|updated|300" : "|old" + std::to_string(id) + "|100"));
  }
  for (std::int64_t id = 101; id <= 140; ++id) expected.push_back(std::to_string(id) + "|new" + std::to_string(id) + "|300");
  REQUIRE(rows_of("direct_mixed") == expected);
  CHECK(path_of("direct_mixed", "direct-mixed", 101, 140) == "direct");
  CHECK(path_of("direct_mixed", "direct-mixed", 2, 2) == "staged");
}

TEST_CASE("After a conflict the direct COPY is skipped for 1, 2, 4 ... batches, and results stay right",
          "[jdbc_postgres]") {
  drop_tables({"direct_backoff"});
  auto db = open_sink("direct-backoff");
  TableSpec spec = keyed_table("direct_backoff");
  db->create_table(spec);
  constexpr std::int64_t kRows = 40;
  std::int64_t next = 1;
  std::vector<std::string> paths;
  // A batch of kRows new keys, or (conflicting) one less plus key 1 again at a newer position.
  auto apply = [&](bool conflict) {
    std::vector<RowOp> rows = created_rows(next, next + kRows - 1, "v", 10 + next);
    if (conflict) rows.back() = created(1, "redelivered", 10 + next);
    db->apply({large_batch(spec, std::move(rows))}, {checkpoint_of(next)});
    paths.push_back((conflict ? "conflict " : "new ") +
                    path_of("direct_backoff", "direct-backoff", next, next + kRows - 2));
    next += kRows;
  };
  apply(false);  // direct
  apply(true);   // tried, conflicts: skip 1
  apply(false);  // skipped
  apply(true);   // tried, conflicts: skip 2
  apply(false);  // skipped
  apply(false);  // skipped
  apply(false);  // direct again: the backoff starts over
  apply(true);   // skip 1
  apply(false);  // skipped
  apply(false);  // direct
  REQUIRE(paths == std::vector<std::string>{"new direct", "conflict staged", "new staged", "conflict staged",
                                            "new staged", "new staged", "new direct", "conflict staged",
                                            "new staged", "new direct"});
  auto rows = rows_of("direct_backoff");
  REQUIRE(rows.size() == 10 * kRows - 3);  // three batches wrote key 1 instead of their last new key
  CHECK(rows[0] == "1|redelivered|" + std::to_string(10 + 7 * kRows + 1));
  // Every other row holds its batch's values: name v<id>, guard 10 + the batch's first key.
  const std::string batch_first = "(id - 1) / " + std::to_string(kRows) + " * " + std::to_string(kRows) + " + 1";
  REQUIRE(query_rows("SELECT count(*) FROM direct_backoff WHERE name = 'v' || id AND __sluice_position = 10 + " +
                     batch_first) == std::vector<std::string>{std::to_string(rows.size() - 1)});
}

TEST_CASE("Another error of the direct COPY fails the batch as before and leaves nothing", "[jdbc_postgres]") {
  drop_tables({"direct_strict"});
  auto db = open_sink("direct-strict");
  TableSpec spec = keyed_table("direct_strict");
  spec.columns[1].optional = false;  // name NOT NULL
  db->create_table(spec);
  std::vector<RowOp> rows = created_rows(1, 40, "n", 10);
  rows[7].values[1] = Value(nullptr);
  std::string message = message_if_thrown<ConnectError>([&] { db->apply({large_batch(spec, rows)}, {checkpoint_of(40)}); });
  REQUIRE_THAT(message, Contains("direct_strict") && Contains("23502"));
  REQUIRE(query_rows("SELECT count(*) FROM direct_strict") == std::vector<std::string>{"0"});
  rows[7].values[1] = Value("fixed");
  db->apply({large_batch(spec, rows)}, {checkpoint_of(40)});
  REQUIRE(path_of("direct_strict", "direct-strict", 1, 40) == "direct");
}

TEST_CASE("Update mode never inserts, however new the keys look", "[jdbc_postgres]") {
  drop_tables({"direct_update_mode"});
  auto db = open_sink("direct-update-mode");
  TableSpec spec = keyed_table("direct_update_mode");
  db->create_table(spec);
  db->apply({batch_of(spec, {upsert_row(1, "stored", 10)})}, {});
  TableBatch b = large_batch(spec, created_rows(1, 40, "updated", 20));
  b.mode = InsertMode::kUpdate;
  db->apply({b}, {});
  REQUIRE(rows_of("direct_update_mode") == std::vector<std::string>{"1|updated1|20"});
}
