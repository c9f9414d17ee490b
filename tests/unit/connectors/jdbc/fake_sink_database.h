// FakeSinkDatabase: an in-memory SinkDatabase with the guard semantics of the contract
// (sink_database.h): a change applies to a row only if stored guard IS NULL OR stored < incoming
// OR (incoming = 0 AND stored = 0); apply() is atomic (works on a copy, commits at the end).
// Failure injection: connect failures, a retriable failure of the next apply() (before or after
// its writes), and a "poison" string value that makes apply() throw ConnectError.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sink_database.h"
#include "sluice/errors.h"
#include "sluice/json.h"

namespace jdbc_test {

using namespace sluice;
using namespace sluice::jdbc;

struct FakeTable {
  std::vector<ColumnSpec> columns;
  std::vector<std::string> primary_key;
  std::map<std::string, std::map<std::string, Value>> rows;  // by key text; pk none: by sequence
};

struct FakeState {
  std::map<TableId, FakeTable> tables;
  std::map<TopicPartition, Checkpoint> checkpoints;
  int connects = 0;
  int connect_failures = 0;       // next connect() calls that fail with RetriableError
  int apply_failures = 0;         // next apply() calls that fail with RetriableError
  bool fail_after_commit = false; // those failures happen after the commit (the reply is lost)
  std::string poison;             // a string value that makes apply() fail
  int applies = 0;                // committed apply() calls
  int describes = 0;
  std::int64_t next_row_id = 0;
};

inline std::string fake_key(const std::vector<Value>& key) {
  std::string out;
  for (const auto& v : key) out += json::encode_value(nullptr, v) + "|";
  return out;
}

class FakeSinkDatabase : public SinkDatabase {
 public:
  explicit FakeSinkDatabase(std::shared_ptr<FakeState> state) : state_(std::move(state)) {}

  void connect() override {
    if (state_->connect_failures > 0) {
      --state_->connect_failures;
      throw RetriableError("fake: connection refused");
    }
    ++state_->connects;
    connected_ = true;
  }

  std::optional<ExistingTable> describe(const TableId& table) override {
    require_connected();
    ++state_->describes;
    auto it = state_->tables.find(table);
    if (it == state_->tables.end()) return std::nullopt;
    ExistingTable t{table, {}, it->second.primary_key};
    for (const auto& c : it->second.columns) t.columns.push_back({c.name, sql_type(c.type), true});
    return t;
  }

  void create_table(const TableSpec& spec) override {
    require_connected();
    state_->tables[spec.id] = FakeTable{spec.columns, spec.primary_key, {}};
  }

  void add_columns(const TableId& table, const std::vector<ColumnSpec>& columns) override {
    require_connected();
    auto& t = state_->tables.at(table);
    for (auto c : columns) {
      c.optional = true;
      t.columns.push_back(c);
    }
  }

  std::vector<Checkpoint> load_checkpoints() override {
    require_connected();
    std::vector<Checkpoint> out;
    for (const auto& [tp, c] : state_->checkpoints) out.push_back(c);
    return out;
  }

  void apply(const std::vector<TableBatch>& batches, const std::vector<Checkpoint>& checkpoints) override {
    require_connected();
    FakeState work = *state_;
    for (const auto& b : batches) apply_batch(work, b);
    for (const auto& c : checkpoints) work.checkpoints[c.partition] = c;
    work.applies = state_->applies + 1;
    if (state_->apply_failures > 0) {
      --work.apply_failures;
      if (state_->fail_after_commit) *state_ = work;
      else --state_->apply_failures;
      connected_ = false;
      throw RetriableError("fake: connection lost during commit");
    }
    *state_ = work;
  }

  std::string sql_type(const ColumnType& type) const override {
    return "kind" + std::to_string(static_cast<int>(type.kind));
  }

 private:
  void require_connected() const {
    if (!connected_) throw RetriableError("fake: not connected");
  }

  static bool passes(const std::map<std::string, Value>& row, const TableBatch& b, std::int64_t incoming) {
    if (b.position_column.empty()) return true;
    auto it = row.find(b.position_column);
    if (it == row.end() || it->second.is_null()) return true;
    std::int64_t stored = it->second.as_int64();
    return stored < incoming || (incoming == 0 && stored == 0);
  }

  void apply_batch(FakeState& work, const TableBatch& b) const {
    auto found = work.tables.find(b.table.id);
    if (found == work.tables.end()) throw ConnectError("fake: no table " + b.table.id.to_string());
    FakeTable& t = found->second;
    for (const auto& c : b.table.columns) {
      bool have = false;
      for (const auto& e : t.columns) have = have || e.name == c.name;
      if (!have) throw ConnectError("fake: " + b.table.id.to_string() + " has no column " + c.name);
    }
    if (b.truncate_first) t.rows.clear();
    for (const auto& op : b.rows) {
      std::string key = op.key.empty() ? std::to_string(work.next_row_id++) : fake_key(op.key);
      auto row = t.rows.find(key);
      if (op.kind == RowOpKind::kUpsert) {
        for (const auto& v : op.values) {
          if (!state_->poison.empty() && v.is<std::string>() && v.as<std::string>() == state_->poison) {
            throw ConnectError("fake: value rejected by the server");
          }
        }
        if (row != t.rows.end() && !passes(row->second, b, op.guard)) continue;
        if (row == t.rows.end() && b.mode == InsertMode::kUpdate) continue;
        auto& target = t.rows[key];
        for (std::size_t i = 0; i < b.table.columns.size(); ++i) {
          if (b.table.columns[i].name == b.position_column) {
            target[b.position_column] = Value(op.guard);
          } else {
            target[b.table.columns[i].name] = op.values.at(i);
          }
        }
      } else if (row != t.rows.end() && passes(row->second, b, op.guard)) {
        if (op.kind == RowOpKind::kDelete) {
          t.rows.erase(row);
        } else {
          row->second[b.deleted_flag_column] = Value(true);
          row->second[b.deleted_at_column] = Value(op.deleted_at_ms);
          if (!b.position_column.empty()) row->second[b.position_column] = Value(op.guard);
        }
      }
    }
  }

  std::shared_ptr<FakeState> state_;
  bool connected_ = false;
};

}  // namespace jdbc_test
