#include "change_extractor.h"

#include <algorithm>

#include "sluice/errors.h"
#include "table_model.h"

namespace sluice::jdbc {

namespace {

constexpr std::string_view kUnchangedColumnsHeader = "__debezium_unchanged_columns";

bool is_envelope(const Struct& value) {
  const Schema& s = *value.schema();
  return s.field("op") != nullptr && s.field("after") != nullptr && s.field("before") != nullptr;
}

const Struct* struct_field(const Struct& s, std::string_view name) {
  const Field* f = s.schema()->field(name);
  if (f == nullptr) return nullptr;
  return s.get(*f).get_if<Struct>();
}

// Envelope op (or flattened __op) of a change that creates its row: create or snapshot read.
bool creates_row(const std::string* op) { return op != nullptr && (*op == "c" || *op == "r"); }

bool truthy(const Value& v) {
  if (const auto* b = v.get_if<bool>()) return *b;
  if (const auto* s = v.get_if<std::string>()) return *s == "true";
  return false;
}

std::vector<std::string> split_names(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    std::string name = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    if (!name.empty()) out.push_back(name);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string where(const SinkRecord& r) {
  return "topic '" + r.topic + "' partition " + std::to_string(r.kafka_partition.value_or(0)) +
         " offset " + std::to_string(r.kafka_offset.value_or(0));
}

ColumnSpec key_column(std::string name, const Schema& schema) {
  return ColumnSpec{name, column_type_for(schema, name), false};
}

}  // namespace

ChangeExtractor::ChangeExtractor(const JdbcSinkConfig& config) : config_(config) {
  ColumnType text;
  text.kind = ColumnKind::kString;
  ColumnType int32;
  int32.kind = ColumnKind::kInt32;
  ColumnType int64;
  int64.kind = ColumnKind::kInt64;
  kafka_key_columns_ = std::make_shared<const std::vector<ColumnSpec>>(std::vector<ColumnSpec>{
      {"__connect_topic", text, false},
      {"__connect_partition", int32, false},
      {"__connect_offset", int64, false}});
  no_key_columns_ = std::make_shared<const std::vector<ColumnSpec>>();
}

void ChangeExtractor::extract(const SinkRecord& record, std::vector<RowChange>& out) {
  const std::size_t first = out.size();
  try {
    extract_checked(record, out);
  } catch (const DataError& e) {
    out.resize(first);
    throw DataError("cannot write the record at " + where(record) + ": " + e.what());
  }
  remember(record, out, first);
}

void ChangeExtractor::extract_checked(const SinkRecord& record, std::vector<RowChange>& out) {
  if (record.value.is_null()) return extract_tombstone(record, out);
  const Struct* value = record.value.get_if<Struct>();
  if (value == nullptr) {
    throw DataError(std::string("the value must be a struct with a schema, not ") + record.value.type_name());
  }
  if (is_envelope(*value)) return extract_envelope(record, *value, out);
  extract_flattened(record, *value, out);
}

RowChange ChangeExtractor::base_change(const SinkRecord& record, const SourceFacts& facts) {
  RowChange c;
  c.partition = TopicPartition{record.topic, record.kafka_partition.value_or(0)};
  c.offset = record.kafka_offset.value_or(0);
  try {
    c.table = resolve_table_name(config_.table_name_format,
                                 TableNameParts{record.topic, facts.db, facts.schema, facts.table});
    topic_tables_[record.topic] = c.table;
  } catch (const DataError&) {
    // A tombstone carries no source block: it goes to the table its topic's records went to.
    auto known = topic_tables_.find(record.topic);
    if (!record.value.is_null() || known == topic_tables_.end()) throw;
    c.table = known->second;
  }
  c.guard = facts.guard;
  c.guarded = facts.guarded;
  c.snapshot = facts.snapshot;
  c.position = facts.position;
  c.deleted_at_ms = facts.ts_ms;
  return c;
}

void ChangeExtractor::extract_envelope(const SinkRecord& record, const Struct& envelope,
                                       std::vector<RowChange>& out) {
  const Value& op_value = envelope.get("op");
  const std::string* op = op_value.get_if<std::string>();
  if (op == nullptr) throw DataError("the envelope has no op");
  SourceFacts facts = read_source_facts(record, struct_field(envelope, "source"), nullptr);
  const Struct* before = struct_field(envelope, "before");
  const Struct* after = struct_field(envelope, "after");
  RowChange change = base_change(record, facts);
  if (*op == "c" || *op == "u" || *op == "r") {
    if (after == nullptr) throw DataError("op '" + *op + "' without an after struct");
    fill_key_from_record(record, after, change);
    std::vector<Value> old_key;
    if (*op == "u" && before != nullptr && config_.primary_key_mode == PrimaryKeyMode::kRecordKey &&
        key_from_row(*before, change, old_key) && old_key != change.key) {
      if (config_.delete_enabled) {
        RowChange removal = change;
        removal.kind = RowChange::Kind::kDelete;
        removal.key = std::move(old_key);
        out.push_back(std::move(removal));
      }
    }
    fill_values(record, *after, change);
    change.likely_new = creates_row(op);
    out.push_back(std::move(change));
  } else if (*op == "d") {
    if (!config_.delete_enabled) return;
    change.kind = RowChange::Kind::kDelete;
    fill_key_from_record(record, before, change);
    out.push_back(std::move(change));
  } else if (*op == "t") {
    if (!config_.truncate_enabled) return;
    change.kind = RowChange::Kind::kTruncate;
    out.push_back(std::move(change));
  } else {
    throw DataError("unknown op '" + *op + "'");
  }
}

void ChangeExtractor::extract_flattened(const SinkRecord& record, const Struct& value,
                                        std::vector<RowChange>& out) {
  SourceFacts facts = read_source_facts(record, nullptr, &value);
  RowChange change = base_change(record, facts);
  const Field* deleted = value.schema()->field("__deleted");
  if (config_.delete_enabled && deleted != nullptr && truthy(value.get(*deleted))) {
    change.kind = RowChange::Kind::kDelete;
    fill_key_from_record(record, &value, change);
    out.push_back(std::move(change));
    return;
  }
  fill_key_from_record(record, &value, change);
  fill_values(record, value, change);
  const Field* op = value.schema()->field("__op");
  const Header* op_header = record.headers.last("__op");
  if (op != nullptr) {
    change.likely_new = creates_row(value.get(*op).get_if<std::string>());
  } else if (op_header != nullptr) {
    change.likely_new = creates_row(op_header->value.get_if<std::string>());
  }
  out.push_back(std::move(change));
}

void ChangeExtractor::extract_tombstone(const SinkRecord& record, std::vector<RowChange>& out) {
  if (!config_.delete_enabled || follows_delete_of_same_key(record)) return;
  SourceFacts facts = read_source_facts(record, nullptr, nullptr);
  RowChange change = base_change(record, facts);
  change.kind = RowChange::Kind::kDelete;
  change.guarded = false;
  // It sits in the stream right after the partition's previous record: with that one's position
  // the checkpoint skips it on a replay that already went past it (else it would delete a row
  // re-inserted later, whose insert the checkpoint then skips).
  change.position.reset();
  auto previous = last_position_.find(change.partition);
  if (previous != last_position_.end()) change.position = previous->second;
  fill_key_from_record(record, nullptr, change);
  out.push_back(std::move(change));
}

bool ChangeExtractor::follows_delete_of_same_key(const SinkRecord& record) const {
  auto it = last_delete_.find(TopicPartition{record.topic, record.kafka_partition.value_or(0)});
  return it != last_delete_.end() && it->second.first + 1 == record.kafka_offset.value_or(-1) &&
         it->second.second == record.key;
}

void ChangeExtractor::remember(const SinkRecord& record, const std::vector<RowChange>& out,
                               std::size_t first) {
  TopicPartition tp{record.topic, record.kafka_partition.value_or(0)};
  if (out.size() > first && out.back().position && !record.value.is_null()) {
    last_position_[tp] = *out.back().position;
  }
  bool deleted = out.size() == first + 1 && out[first].kind == RowChange::Kind::kDelete &&
                 !record.value.is_null();
  if (deleted) {
    last_delete_[tp] = {record.kafka_offset.value_or(0), record.key};
  } else {
    last_delete_.erase(tp);
  }
}

void ChangeExtractor::fill_key_from_record(const SinkRecord& record, const Struct* row, RowChange& change) {
  switch (config_.primary_key_mode) {
    case PrimaryKeyMode::kNone:
      change.key_columns = no_key_columns_;
      return;
    case PrimaryKeyMode::kKafka:
      change.key_columns = kafka_key_columns_;
      change.key = {Value(record.topic), Value(record.kafka_partition.value_or(0)),
                    Value(record.kafka_offset.value_or(0))};
      return;
    case PrimaryKeyMode::kRecordValue:
      if (row == nullptr) throw DataError("primary.key.mode=record_value needs a value to take the key from");
      change.key_columns = record_value_key_columns(row->schema());
      if (!key_from_row(*row, change, change.key)) throw DataError("the value lacks a key field");
      return;
    case PrimaryKeyMode::kRecordKey:
      break;
  }
  if (record.key.is_null() || !record.key_schema) {
    throw DataError("primary.key.mode=record_key needs a record key with a schema");
  }
  change.key_columns = key_columns(record.key_schema).columns;
  if (const Struct* key = record.key.get_if<Struct>()) {
    for (const auto& col : *change.key_columns) change.key.push_back(key->get(col.name));
  } else {
    change.key.push_back(record.key);
  }
  for (const auto& v : change.key) {
    if (v.is_null()) throw DataError("a primary key field is null");
  }
}

bool ChangeExtractor::key_from_row(const Struct& row, const RowChange& change, std::vector<Value>& key) const {
  key.clear();
  for (const auto& col : *change.key_columns) {
    const Field* f = row.schema()->field(col.name);
    if (f == nullptr) return false;
    key.push_back(row.get(*f));
  }
  return true;
}

void ChangeExtractor::fill_values(const SinkRecord& record, const Struct& row, RowChange& change) {
  const ValueColumns& vc = value_columns(record.topic, row.schema(), change.key_columns);
  change.columns = vc.columns;
  change.values.reserve(vc.fields.size());
  for (std::size_t index : vc.fields) change.values.push_back(row.at(index));
  const Header* h = record.headers.last(kUnchangedColumnsHeader);
  if (h == nullptr || !h->value.is<std::string>()) return;
  for (auto& name : split_names(h->value.as<std::string>())) {
    auto found = std::find_if(vc.columns->begin(), vc.columns->end(),
                              [&](const ColumnSpec& c) { return c.name == name; });
    if (found != vc.columns->end()) change.unchanged.push_back(std::move(name));
  }
}

const ChangeExtractor::KeyColumns& ChangeExtractor::key_columns(const SchemaPtr& key_schema) {
  auto it = key_columns_.find(key_schema.get());
  if (it != key_columns_.end()) return it->second;
  std::vector<ColumnSpec> cols;
  const auto& wanted = config_.primary_key_fields;
  if (key_schema->type() == Type::kStruct) {
    if (wanted.empty()) {
      for (const auto& f : key_schema->fields()) cols.push_back(key_column(f.name, *f.schema));
    }
    for (const auto& name : wanted) {
      const Field* f = key_schema->field(name);
      if (f == nullptr) throw DataError("primary.key.fields names '" + name + "', which the key lacks");
      cols.push_back(key_column(name, *f->schema));
    }
  } else {
    if (wanted.size() != 1) {
      throw DataError("a primitive record key needs primary.key.fields to name its one column");
    }
    cols.push_back(key_column(wanted[0], *key_schema));
  }
  KeyColumns kc{key_schema, std::make_shared<const std::vector<ColumnSpec>>(std::move(cols))};
  if (key_columns_.size() >= kMaxCachedSchemas) key_columns_.clear();
  return key_columns_.emplace(key_schema.get(), std::move(kc)).first->second;
}

ColumnList ChangeExtractor::record_value_key_columns(const SchemaPtr& value_schema) {
  auto it = record_value_keys_.find(value_schema.get());
  if (it != record_value_keys_.end()) return it->second.second;
  std::vector<ColumnSpec> cols;
  for (const auto& name : config_.primary_key_fields) {
    const Field* f = value_schema->field(name);
    if (f == nullptr) throw DataError("primary.key.fields names '" + name + "', which the value lacks");
    cols.push_back(key_column(name, *f->schema));
  }
  auto list = std::make_shared<const std::vector<ColumnSpec>>(std::move(cols));
  if (record_value_keys_.size() >= kMaxCachedSchemas) record_value_keys_.clear();
  record_value_keys_.emplace(value_schema.get(), std::make_pair(value_schema, list));
  return list;
}

const ChangeExtractor::ValueColumns& ChangeExtractor::value_columns(const std::string& topic,
                                                                    const SchemaPtr& schema,
                                                                    const ColumnList& key) {
  auto cache_key = std::make_tuple(schema.get(), topic, key.get());
  auto it = value_columns_.find(cache_key);
  if (it != value_columns_.end()) return it->second;
  std::vector<std::string> reserved{config_.position_column};
  if (config_.delete_mode == DeleteMode::kSoft) {
    reserved.push_back(config_.soft_delete_flag_column);
    reserved.push_back(config_.soft_delete_timestamp_column);
  }
  // Key columns take their values from the key (record_key, kafka) or are the key (record_value).
  for (const auto& c : *key) reserved.push_back(c.name);
  ValueColumns vc{schema, key, nullptr, {}};
  std::vector<ColumnSpec> cols;
  for (const auto& f : schema->fields()) {
    if (std::find(reserved.begin(), reserved.end(), f.name) != reserved.end()) continue;
    if (!config_.fields.keeps(topic, f.name)) continue;
    cols.push_back(ColumnSpec{f.name, column_type_for(*f.schema, f.name), f.schema->optional()});
    vc.fields.push_back(f.index);
  }
  vc.columns = std::make_shared<const std::vector<ColumnSpec>>(std::move(cols));
  if (value_columns_.size() >= kMaxCachedSchemas) value_columns_.clear();
  return value_columns_.emplace(cache_key, std::move(vc)).first->second;
}

}  // namespace sluice::jdbc
