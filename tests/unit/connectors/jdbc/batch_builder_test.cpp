#include <catch2/catch.hpp>

#include "batch_builder.h"
#include "checkpoint_tracker.h"
#include "debezium_records.h"

using namespace sluice;
using namespace sluice::jdbc;
using namespace jdbc_test;

namespace {
JdbcSinkConfig config(ConfigMap extra = {}) {
  ConfigMap m{{"connection.url", "jdbc:postgresql://127.0.0.1/t"},
              {"primary.key.mode", "record_key"},
              {"insert.mode", "upsert"},
              {"delete.enabled", "true"},
              {"truncate.enabled", "true"}};
  for (auto& [k, v] : extra) m[k] = v;
  return JdbcSinkConfig::parse(m);
}

std::vector<RowChange> changes_of(const JdbcSinkConfig& c, const std::vector<SinkRecord>& records) {
  ChangeExtractor x(c);
  std::vector<RowChange> out;
  for (const auto& r : records) x.extract(r, out);
  return out;
}

std::vector<std::string> column_names(const TableBatch& b) {
  std::vector<std::string> out;
  for (const auto& c : b.table.columns) out.push_back(c.name);
  return out;
}
}  // namespace

TEST_CASE("BatchBuilder keeps the last change per key in source order", "[jdbc]") {
  auto c = config();
  auto changes = changes_of(c, {
      pg_event({"c", std::nullopt, Row{1, "a"}, 100, 90, 0}),
      pg_event({"c", std::nullopt, Row{2, "b"}, 110, 90, 1}),
      pg_event({"u", std::nullopt, Row{1, "a2"}, 120, 115, 2}),
      pg_event({"d", Row{2, "b"}, std::nullopt, 130, 125, 3}),
  });
  auto batches = BatchBuilder(c).build(changes);
  REQUIRE(batches.size() == 1);
  const TableBatch& b = batches[0];
  CHECK(b.table.id == TableId{"", "srv_public_customers"});
  CHECK(b.mode == InsertMode::kUpsert);
  CHECK(b.position_column == "__sluice_position");
  CHECK(column_names(b) == std::vector<std::string>{"id", "name", "note", "__sluice_position"});
  CHECK(b.table.primary_key == std::vector<std::string>{"id"});
  REQUIRE(b.rows.size() == 2);
  CHECK(b.rows[0].kind == RowOpKind::kUpsert);
  CHECK(b.rows[0].values == std::vector<Value>{Value(std::int32_t{1}), Value("a2"), Value(), Value(std::int64_t{120})});
  CHECK(b.rows[0].guard == 120);
  CHECK(b.rows[1].kind == RowOpKind::kDelete);
  CHECK(b.rows[1].key == std::vector<Value>{Value(std::int32_t{2})});
  CHECK(b.rows[1].values.empty());
}

TEST_CASE("BatchBuilder: delete then insert of a key is an upsert", "[jdbc]") {
  auto c = config();
  auto changes = changes_of(c, {pg_event({"d", Row{1, "a"}, std::nullopt, 100, 90, 0}),
                                pg_event({"c", std::nullopt, Row{1, "b"}, 110, 100, 2})});
  auto batches = BatchBuilder(c).build(changes);
  REQUIRE(batches.size() == 1);
  REQUIRE(batches[0].rows.size() == 1);
  CHECK(batches[0].rows[0].kind == RowOpKind::kUpsert);
}

TEST_CASE("BatchBuilder merges omitted TOAST columns from an earlier change of the key", "[jdbc]") {
  auto c = config();
  auto first = pg_event({"c", std::nullopt, Row{1, "a", "long text"}, 100, 90, 0});
  auto second = pg_event({"u", std::nullopt, Row{1, "b"}, 110, 100, 1});
  second.headers.add("__debezium_unchanged_columns", Value("note"));
  auto lone = pg_event({"u", std::nullopt, Row{2, "z"}, 120, 110, 2});
  lone.headers.add("__debezium_unchanged_columns", Value("note"));
  auto batches = BatchBuilder(c).build(changes_of(c, {first, second, lone}));
  REQUIRE(batches.size() == 2);
  CHECK(column_names(batches[0]) == std::vector<std::string>{"id", "name", "note", "__sluice_position"});
  REQUIRE(batches[0].rows.size() == 1);
  CHECK(batches[0].rows[0].values[2] == Value("long text"));
  CHECK(batches[0].rows[0].values[1] == Value("b"));
  // Key 2 had no earlier change: its batch leaves note out so the stored value stays.
  CHECK(column_names(batches[1]) == std::vector<std::string>{"id", "name", "__sluice_position"});
  REQUIRE(batches[1].rows.size() == 1);
  CHECK(batches[1].rows[0].values.size() == 3);
}

TEST_CASE("BatchBuilder: a truncate drops earlier changes and empties the table first", "[jdbc]") {
  auto c = config();
  auto changes = changes_of(c, {pg_event({"c", std::nullopt, Row{1, "a"}, 100, 90, 0}),
                                pg_event({"t", std::nullopt, std::nullopt, 110, 100, 1}),
                                pg_event({"c", std::nullopt, Row{2, "b"}, 120, 110, 2})});
  auto batches = BatchBuilder(c).build(changes);
  REQUIRE(batches.size() == 1);
  CHECK(batches[0].truncate_first);
  REQUIRE(batches[0].rows.size() == 1);
  CHECK(batches[0].rows[0].key == std::vector<Value>{Value(std::int32_t{2})});

  auto only = BatchBuilder(c).build(changes_of(c, {pg_event({"t", std::nullopt, std::nullopt, 110, 100, 1})}));
  REQUIRE(only.size() == 1);
  CHECK(only[0].truncate_first);
  CHECK(only[0].rows.empty());
}

TEST_CASE("BatchBuilder: soft deletes and unguarded bare tombstones", "[jdbc]") {
  auto c = config({{"delete.mode", "soft"}});
  auto changes = changes_of(c, {pg_event({"c", std::nullopt, Row{1, "a"}, 100, 90, 0}),
                                pg_event({"d", Row{3, "c"}, std::nullopt, 110, 100, 1}),
                                tombstone(4, 5)});
  auto batches = BatchBuilder(c).build(changes);
  REQUIRE(batches.size() == 2);
  CHECK(column_names(batches[0]) ==
        std::vector<std::string>{"id", "name", "note", "__sluice_position", "__deleted", "__deleted_at"});
  CHECK(batches[0].deleted_flag_column == "__deleted");
  REQUIRE(batches[0].rows.size() == 2);
  CHECK(batches[0].rows[0].values.back() == Value());
  CHECK(batches[0].rows[0].values[4] == Value(false));
  CHECK(batches[0].rows[1].kind == RowOpKind::kSoftDelete);
  CHECK(batches[0].rows[1].deleted_at_ms == 1700000000000);
  CHECK(batches[1].position_column.empty());
  REQUIRE(batches[1].rows.size() == 1);
  CHECK(batches[1].rows[0].key == std::vector<Value>{Value(std::int32_t{4})});
}

TEST_CASE("CheckpointTracker skips streamed changes below the stored position", "[jdbc]") {
  auto c = config();
  auto changes = changes_of(c, {pg_event({"c", std::nullopt, Row{1, "a"}, 100, 90, 0}),
                                pg_event({"c", std::nullopt, Row{2, "b"}, 200, 190, 1}),
                                pg_event({"r", std::nullopt, Row{3, "c"}, 50, 40, 2, "true"})});
  CheckpointTracker t;
  TopicPartition tp{"srv.public.customers", 0};
  t.load({Checkpoint{tp, 1, SourcePosition{90, 100}, true}});
  CHECK_FALSE(t.already_applied(changes[0]));  // at the stored position: applied again (harmless)
  t.load({Checkpoint{tp, 1, SourcePosition{95, 105}, true}});
  CHECK(t.already_applied(changes[0]));
  CHECK_FALSE(t.already_applied(changes[1]));
  CHECK_FALSE(t.already_applied(changes[2]));  // snapshot: never skipped
  auto next = t.advance({{tp, 0}, {tp, 1}, {tp, 2}}, {&changes[1], &changes[2]});
  REQUIRE(next.size() == 1);
  CHECK(next[0].next_offset == 3);
  CHECK(next[0].has_position);
  CHECK(next[0].last_position == SourcePosition{190, 200});
  CHECK_FALSE(t.already_applied(changes[1]));  // not committed yet
  t.commit(next);
  CHECK(t.already_applied(changes[0]));
  CHECK_FALSE(t.already_applied(changes[1]));
}

TEST_CASE("BatchBuilder: an upsert is likely new when the first change of its key in the batch was", "[jdbc]") {
  auto c = config();
  auto changes = changes_of(c, {
      pg_event({"c", std::nullopt, Row{1, "a"}, 100, 90, 0}),   // c, u: still new
      pg_event({"u", std::nullopt, Row{1, "a2"}, 110, 100, 1}),
      pg_event({"u", std::nullopt, Row{2, "b"}, 120, 110, 2}),  // u, c: existed before the batch
      pg_event({"d", Row{2, "b"}, std::nullopt, 130, 120, 3}),
      pg_event({"c", std::nullopt, Row{2, "b2"}, 140, 130, 4}),
      pg_event({"c", std::nullopt, Row{3, "c"}, 150, 140, 5}),  // c, d, c: new
      pg_event({"d", Row{3, "c"}, std::nullopt, 160, 150, 6}),
      pg_event({"c", std::nullopt, Row{3, "c2"}, 170, 160, 7}),
      pg_event({"r", std::nullopt, Row{4, "d"}, 0, 0, 8, "true"}),
      pg_event({"u", std::nullopt, Row{5, "e"}, 180, 170, 9}),
  });
  auto batches = BatchBuilder(c).build(changes);
  REQUIRE(batches.size() == 1);
  std::vector<std::pair<Value, bool>> marks;
  for (const auto& row : batches[0].rows) marks.emplace_back(row.key[0], row.likely_new);
  CHECK(marks == std::vector<std::pair<Value, bool>>{{Value(std::int32_t{1}), true},
                                                     {Value(std::int32_t{2}), false},
                                                     {Value(std::int32_t{3}), true},
                                                     {Value(std::int32_t{4}), true},
                                                     {Value(std::int32_t{5}), false}});
}

TEST_CASE("BatchBuilder: after a truncate every upsert of the table is likely new; deletes never are", "[jdbc]") {
  auto c = config();
  auto changes = changes_of(c, {pg_event({"u", std::nullopt, Row{1, "a"}, 100, 90, 0}),
                                pg_event({"t", std::nullopt, std::nullopt, 110, 100, 1}),
                                pg_event({"u", std::nullopt, Row{2, "b"}, 120, 110, 2}),
                                pg_event({"d", Row{9, "z"}, std::nullopt, 130, 120, 3})});
  auto batches = BatchBuilder(c).build(changes);
  REQUIRE(batches.size() == 1);
  REQUIRE(batches[0].rows.size() == 2);
  CHECK(batches[0].truncate_first);
  CHECK(batches[0].rows[0].likely_new);
  CHECK(batches[0].rows[1].kind == RowOpKind::kDelete);
  CHECK_FALSE(batches[0].rows[1].likely_new);
}
