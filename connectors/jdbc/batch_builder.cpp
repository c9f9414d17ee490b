#include "batch_builder.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>

#include "sluice/json.h"

namespace sluice::jdbc {

namespace {

ColumnType kind(ColumnKind k) {
  ColumnType t;
  t.kind = k;
  return t;
}

// Exact text of a key, for the dedup map (values of one table's key share their types).
std::string key_text(const std::vector<Value>& key) {
  std::string out;
  for (const auto& v : key) {
    std::string part = json::encode_value(nullptr, v);
    out += std::to_string(part.size()) + ':' + part;
  }
  return out;
}

std::optional<std::size_t> column_index(const RowChange& c, const std::string& name) {
  if (!c.columns) return std::nullopt;
  for (std::size_t i = 0; i < c.columns->size(); ++i) {
    if ((*c.columns)[i].name == name) return i;
  }
  return std::nullopt;
}

bool is_unchanged(const RowChange& c, const std::string& name) {
  return std::find(c.unchanged.begin(), c.unchanged.end(), name) != c.unchanged.end();
}

// Fills `next`'s unchanged columns from `previous` where that one has them.
void merge_unchanged(const RowChange& previous, RowChange& next) {
  if (previous.kind != RowChange::Kind::kUpsert) return;
  std::vector<std::string> still;
  for (const auto& name : next.unchanged) {
    auto from = column_index(previous, name);
    auto to = column_index(next, name);
    if (from && to && !is_unchanged(previous, name)) {
      next.values[*to] = previous.values[*from];
    } else {
      still.push_back(name);
    }
  }
  next.unchanged = std::move(still);
}

// A surviving change: the extracted one, or a copy when unchanged columns were merged into it.
struct Survivor {
  const RowChange* change = nullptr;  // nullptr: superseded by a later change of its key
  std::shared_ptr<RowChange> merged;
  // Whether the key was probably absent from the target before the batch: the first change of
  // the key in the batch created it (c then u is still new, u then anything is not), or a
  // truncate of the table came first.
  bool likely_new = false;

  const RowChange& get() const { return merged ? *merged : *change; }
};

}  // namespace

struct BatchBuilder::TableChanges {
  bool truncate = false;
  std::vector<Survivor> rows;  // in source order
  std::unordered_map<std::string, std::size_t> by_key;

  // Adds a change: it supersedes the earlier change of its key, taking over the values of
  // columns it left unchanged where that one has them.
  void add(const RowChange* change) {
    if (change->kind == RowChange::Kind::kTruncate) {
      *this = TableChanges{};
      truncate = true;
      return;
    }
    Survivor next{change, nullptr, truncate || change->likely_new};
    if (!change->key.empty()) {
      std::string k = key_text(change->key);
      auto found = by_key.find(k);
      if (found != by_key.end()) {
        Survivor& previous = rows[found->second];
        if (!change->unchanged.empty()) {
          next.merged = std::make_shared<RowChange>(*change);
          merge_unchanged(previous.get(), *next.merged);
        }
        next.likely_new = previous.likely_new;
        previous = Survivor{};
      }
      by_key[k] = rows.size();
    }
    rows.push_back(std::move(next));
  }
};

BatchBuilder::BatchBuilder(const JdbcSinkConfig& config) : config_(config) {}

std::vector<TableBatch> BatchBuilder::build(const std::vector<RowChange>& changes) const {
  std::vector<const RowChange*> pointers;
  pointers.reserve(changes.size());
  for (const auto& c : changes) pointers.push_back(&c);
  return build(pointers);
}

std::vector<TableBatch> BatchBuilder::build(const std::vector<const RowChange*>& changes) const {
  std::vector<TableId> order;
  std::map<TableId, TableChanges> tables;
  for (const RowChange* change : changes) {
    auto [it, added] = tables.try_emplace(change->table);
    if (added) order.push_back(change->table);
    it->second.add(change);
  }
  std::vector<TableBatch> out;
  for (const auto& id : order) emit_table(id, tables[id], out);
  return out;
}

void BatchBuilder::emit_table(const TableId& id, const TableChanges& t, std::vector<TableBatch>& out) const {
  const std::size_t first = out.size();
  // Upserts go to the batch of their shape (guarded, value columns written); deletes to the first
  // batch of the table with their guard setting.
  std::map<std::pair<bool, std::vector<std::size_t>>, std::size_t> shapes;
  std::map<bool, std::size_t> delete_home;
  for (const auto& slot : t.rows) {
    if (slot.change == nullptr) continue;
    const RowChange& c = slot.get();
    const bool guarded = c.guarded && !config_.position_column.empty();
    std::vector<std::size_t> kept;
    if (c.kind == RowChange::Kind::kUpsert) {
      for (std::size_t i = 0; i < c.columns->size(); ++i) {
        if (!is_unchanged(c, (*c.columns)[i].name)) kept.push_back(i);
      }
      auto [s, added] = shapes.try_emplace({guarded, kept}, out.size());
      if (added) out.push_back(make_batch(id, c, guarded, kept));
      delete_home.try_emplace(guarded, s->second);
      out[s->second].rows.push_back(make_op(c, kept, guarded));
      out[s->second].rows.back().likely_new = slot.likely_new;
      continue;
    }
    auto home = delete_home.find(guarded);
    if (home == delete_home.end()) {
      home = delete_home.emplace(guarded, out.size()).first;
      out.push_back(make_batch(id, c, guarded, kept));
    }
    out[home->second].rows.push_back(make_op(c, kept, guarded));
  }
  if (!t.truncate) return;
  if (out.size() == first) {
    TableBatch b;
    b.table.id = id;
    b.mode = config_.insert_mode;
    out.push_back(std::move(b));
  }
  out[first].truncate_first = true;
}

TableBatch BatchBuilder::make_batch(const TableId& table, const RowChange& sample, bool guarded,
                                    const std::vector<std::size_t>& kept) const {
  TableBatch b;
  b.table.id = table;
  b.mode = config_.insert_mode;
  for (const auto& k : *sample.key_columns) {
    b.table.columns.push_back(k);
    b.table.primary_key.push_back(k.name);
  }
  if (sample.kind == RowChange::Kind::kUpsert) {
    for (std::size_t i : kept) b.table.columns.push_back((*sample.columns)[i]);
  }
  if (guarded) {
    b.position_column = config_.position_column;
    b.table.columns.push_back(ColumnSpec{config_.position_column, kind(ColumnKind::kInt64), true});
  }
  if (config_.delete_mode == DeleteMode::kSoft) {
    b.deleted_flag_column = config_.soft_delete_flag_column;
    b.deleted_at_column = config_.soft_delete_timestamp_column;
    b.table.columns.push_back(ColumnSpec{b.deleted_flag_column, kind(ColumnKind::kBoolean), true});
    b.table.columns.push_back(ColumnSpec{b.deleted_at_column, kind(ColumnKind::kTimestampMillis), true});
  }
  return b;
}

RowOp BatchBuilder::make_op(const RowChange& c, const std::vector<std::size_t>& kept, bool guarded) const {
  RowOp op;
  op.key = c.key;
  op.guard = c.guard;
  op.deleted_at_ms = c.deleted_at_ms;
  if (c.kind == RowChange::Kind::kDelete) {
    op.kind = config_.delete_mode == DeleteMode::kSoft ? RowOpKind::kSoftDelete : RowOpKind::kDelete;
    return op;
  }
  op.kind = RowOpKind::kUpsert;
  op.values = c.key;
  for (std::size_t i : kept) op.values.push_back(c.values[i]);
  if (guarded) op.values.push_back(Value(c.guard));
  if (config_.delete_mode == DeleteMode::kSoft) {
    op.values.push_back(Value(false));
    op.values.push_back(Value());
  }
  return op;
}

}  // namespace sluice::jdbc
