#include "schema_evolver.h"

#include <algorithm>
#include <cctype>

#include "sluice/errors.h"

namespace sluice::jdbc {

namespace {

bool has_upserts(const TableBatch& batch) {
  return std::any_of(batch.rows.begin(), batch.rows.end(),
                     [](const RowOp& r) { return r.kind == RowOpKind::kUpsert; });
}

std::string joined(const std::vector<ColumnSpec>& columns) {
  std::string out;
  for (const auto& c : columns) out += (out.empty() ? "" : ", ") + c.name;
  return out;
}

}  // namespace

SchemaEvolver::SchemaEvolver(SchemaEvolution evolution, bool quote_identifiers)
    : evolution_(evolution), quote_identifiers_(quote_identifiers) {}

std::string SchemaEvolver::fold(const std::string& name) const {
  if (quote_identifiers_) return name;
  std::string out = name;
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

void SchemaEvolver::prepare(SinkDatabase& database, std::vector<TableBatch>& batches) {
  std::vector<TableBatch> kept;
  kept.reserve(batches.size());
  for (auto& b : batches) {
    if (prepare_one(database, b)) kept.push_back(std::move(b));
  }
  batches = std::move(kept);
}

bool SchemaEvolver::prepare_one(SinkDatabase& database, const TableBatch& batch) {
  const TableId& id = batch.table.id;
  auto cached = known_.find(id);
  auto missing_in = [&](const std::set<std::string>& have) {
    std::vector<ColumnSpec> missing;
    for (const auto& c : batch.table.columns) {
      if (have.count(fold(c.name)) == 0) missing.push_back(c);
    }
    return missing;
  };
  if (cached != known_.end() && missing_in(cached->second).empty()) return true;

  ++describes_;
  std::optional<ExistingTable> existing = database.describe(id);
  if (!existing) {
    if (!has_upserts(batch)) return false;
    if (evolution_ == SchemaEvolution::kNone) {
      throw ConnectError("table " + id.to_string() +
                         " does not exist and schema.evolution=none (create it with columns " +
                         joined(batch.table.columns) + ", or set schema.evolution=basic)");
    }
    database.create_table(batch.table);
    auto& have = known_[id];
    for (const auto& c : batch.table.columns) have.insert(fold(c.name));
    return true;
  }
  auto& have = known_[id];
  have.clear();
  for (const auto& c : existing->columns) have.insert(fold(c.name));
  std::vector<ColumnSpec> missing = missing_in(have);
  if (missing.empty()) return true;
  if (evolution_ == SchemaEvolution::kNone) {
    throw ConnectError("table " + id.to_string() + " lacks columns " + joined(missing) +
                       " and schema.evolution=none (add them, or set schema.evolution=basic)");
  }
  database.add_columns(id, missing);
  for (const auto& c : missing) have.insert(fold(c.name));
  return true;
}

}  // namespace sluice::jdbc
