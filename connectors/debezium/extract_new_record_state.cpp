#include "extract_new_record_state.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "sluice/errors.h"
#include "sluice/log.h"

namespace sluice::debezium {

namespace {

const log::Logger kLog("sluice.transforms.debezium");

constexpr const char* kMode = "delete.tombstone.handling.mode";
constexpr const char* kRouteByField = "route.by.field";
constexpr const char* kAddFieldsPrefix = "add.fields.prefix";
constexpr const char* kAddFields = "add.fields";
constexpr const char* kAddHeadersPrefix = "add.headers.prefix";
constexpr const char* kAddHeaders = "add.headers";
constexpr const char* kDropFieldsHeader = "drop.fields.header.name";
constexpr const char* kDropFieldsFromKey = "drop.fields.from.key";
constexpr const char* kDropFieldsKeepSchemaCompatible = "drop.fields.keep.schema.compatible";
constexpr const char* kReplaceNullWithDefault = "replace.null.with.default";
constexpr const char* kLegacyDropTombstones = "drop.tombstones";
constexpr const char* kLegacyDeleteHandling = "delete.handling.mode";
constexpr std::string_view kEnvelopeSuffix = ".Envelope";

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
}

// Checks the syntax of an add.fields / add.headers list, so validate() reports it too.
Validator metadata_field_list() {
  return validator("comma-separated [<block>.]<field>[:<new name>]",
                   [](const std::string& name, const ConfigValueData& v) {
                     if (const auto* list = std::get_if<std::vector<std::string>>(&v)) {
                       parse_metadata_fields(*list, "", name);
                     }
                   });
}

Value* map_find_mutable(Map& map, std::string_view key) {
  for (auto& [k, v] : map) {
    if (const auto* s = k.get_if<std::string>(); s && *s == key) return &v;
  }
  return nullptr;
}

void map_put(Map& map, std::string_view key, Value value) {
  if (Value* existing = map_find_mutable(map, key)) {
    *existing = std::move(value);
  } else {
    map.emplace_back(Value(key), std::move(value));
  }
}

bool is_truncate(const Value* op) {
  const auto* s = op ? op->get_if<std::string>() : nullptr;
  return s && *s == "t";
}

// A schemaless change event: a string `op` and a `before` or `after` entry (or a truncate).
bool is_schemaless_change_event(const Map& map) {
  const Value* op = map_find(map, "op");
  if (!op || !op->is<std::string>()) return false;
  return is_truncate(op) || map_find(map, "after") || map_find(map, "before");
}

// Moves a value out of the struct or map it lives in before storing it over its parent.
Value take(Value& v) { return Value(std::move(v)); }

}  // namespace

const ConfigDef& ExtractNewRecordState::definition() {
  static const ConfigDef def = [] {
    ConfigDef d;
    d.define(kMode, ConfigType::kString, "tombstone",
             one_of_case_insensitive({"drop", "tombstone", "rewrite", "rewrite-with-tombstone", "delete-to-tombstone"}),
             Importance::kMedium,
             "How delete events and tombstones are handled. drop: remove both the delete event and the "
             "tombstone. tombstone (default): keep only a tombstone for each delete. rewrite: replace the "
             "delete event with its 'before' row plus a '__deleted' field set to \"true\" (other events get "
             "\"false\") and remove tombstones. rewrite-with-tombstone: as rewrite, but keep tombstones. "
             "delete-to-tombstone: turn delete events into tombstones and remove the original tombstones.",
             {}, -1, Width::kMedium, "Handle delete and tombstone records");
    d.define(kRouteByField, ConfigType::kString, "", Importance::kLow,
             "Name of a row field whose value becomes the record's topic: a field of 'after', or of "
             "'before' for delete events. Empty (default) keeps the topic.",
             {}, -1, Width::kLong, "Route by field name");
    d.define(kAddFieldsPrefix, ConfigType::kString, "__", Importance::kLow,
             "Prefix of the metadata fields added by add.fields.", {}, -1, Width::kShort,
             "Field prefix to be added to each field.");
    d.define(kAddFields, ConfigType::kList, "", metadata_field_list(), Importance::kLow,
             "Metadata fields of the change event to append to the flattened value, e.g. "
             "'op,table,lsn,source.ts_ms'. A field is named prefix+field ('__op'), or prefix+block+'_'+field "
             "when its block is given ('__source_ts_ms'); 'field:NEW' names it prefix+NEW (case-sensitive). "
             "'op' and 'ts_ms' are the envelope's, 'id', 'total_order' and 'data_collection_order' the "
             "transaction block's, any other unqualified name the source block's.",
             {}, -1, Width::kLong, "Adds the specified field(s) to the message if they exist.");
    d.define(kAddHeadersPrefix, ConfigType::kString, "__", Importance::kLow,
             "Prefix of the headers added by add.headers.", {}, -1, Width::kShort,
             "Header prefix to be added to each header.");
    d.define(kAddHeaders, ConfigType::kList, "", metadata_field_list(), Importance::kLow,
             "Metadata fields of the change event to add as headers, with the syntax of add.fields. A field "
             "the event does not have adds no header; tombstones get the 'op' header with value \"d\".",
             {}, -1, Width::kLong, "Adds the specified fields to the header if they exist.");
    d.define(kDropFieldsHeader, ConfigType::kString, kNullDefault, Importance::kLow,
             "Name of a header listing fields to remove from the flattened value (and, with "
             "drop.fields.from.key, from the key).",
             {}, -1, Width::kShort, "Specifies a header that contains a list of field names to be removed");
    d.define(kDropFieldsFromKey, ConfigType::kBoolean, false, Importance::kLow,
             "Whether the fields listed in drop.fields.header.name are also removed from the key.", {}, -1,
             Width::kShort, "Specifies whether the fields to be dropped should also be omitted from the key");
    d.define(kDropFieldsKeepSchemaCompatible, ConfigType::kBoolean, true, Importance::kLow,
             "true: only optional fields listed in drop.fields.header.name are removed, so schemas stay "
             "compatible; false: listed fields are removed whether optional or not.",
             {}, -1, Width::kShort, "Specifies if fields are dropped, will the event's schemas be compatible");
    d.define(kReplaceNullWithDefault, ConfigType::kBoolean, true, Importance::kLow,
             "Whether null column values are replaced by the column's default when the record is rewritten "
             "(the rewrite modes).",
             {}, -1, Width::kShort, "replace null field value with default");
    d.define(kLegacyDropTombstones, ConfigType::kBoolean, kNullDefault, Importance::kLow,
             "Deprecated (Debezium 2.x); use delete.tombstone.handling.mode, which wins when set. Drops "
             "tombstones when true (the legacy default).",
             {}, -1, Width::kShort, "Drop tombstones");
    d.define(kLegacyDeleteHandling, ConfigType::kString, kNullDefault,
             one_of_case_insensitive({"drop", "rewrite", "none"}), Importance::kLow,
             "Deprecated (Debezium 2.x); use delete.tombstone.handling.mode, which wins when set. drop (the "
             "legacy default) removes delete events, none keeps them with a null value, rewrite adds a "
             "'__deleted' field.",
             {}, -1, Width::kMedium, "Handle delete records");
    return d;
  }();
  return def;
}

void ExtractNewRecordState::configure(const ConfigMap& config) {
  const Config parsed = definition().parse(config);
  std::vector<ConfigProblem> problems;
  auto collect = [&](auto&& fn) {
    try {
      fn();
    } catch (const ConfigError& e) {
      problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    }
  };
  collect([&] { add_fields_ = parse_metadata_fields(parsed.get_list(kAddFields), parsed.get_string(kAddFieldsPrefix), kAddFields); });
  collect([&] {
    add_headers_ = parse_metadata_fields(parsed.get_list(kAddHeaders), parsed.get_string(kAddHeadersPrefix), kAddHeaders);
  });
  if (!problems.empty()) throw ConfigError(std::move(problems));

  op_headers_.clear();
  for (const auto& spec : add_headers_) {
    if (spec.field == "op") op_headers_.push_back(spec.output_name);
  }
  route_by_field_ = parsed.get_string(kRouteByField);
  if (is_blank(route_by_field_)) route_by_field_.clear();
  replace_null_with_default_ = parsed.get_bool(kReplaceNullWithDefault);

  const bool legacy = !config.contains(kMode) && (config.contains(kLegacyDropTombstones) || config.contains(kLegacyDeleteHandling));
  if (legacy) {
    kLog.warn("'{}' and '{}' are deprecated; use '{}'", kLegacyDropTombstones, kLegacyDeleteHandling, kMode);
    const bool drop_tombstones = parsed.is_null(kLegacyDropTombstones) || parsed.get_bool(kLegacyDropTombstones);
    const std::string deletes = parsed.is_null(kLegacyDeleteHandling) ? "drop" : lower(parsed.get_string(kLegacyDeleteHandling));
    tombstone_action_ = drop_tombstones ? TombstoneAction::kDrop : TombstoneAction::kKeep;
    delete_action_ = deletes == "rewrite" ? DeleteAction::kRewrite
                     : deletes == "none"  ? DeleteAction::kNullValue
                                          : DeleteAction::kDrop;
  } else {
    const std::string mode = lower(parsed.get_string(kMode));
    tombstone_action_ = mode == "rewrite-with-tombstone" ? TombstoneAction::kKeep : TombstoneAction::kDrop;
    delete_action_ = mode == "drop"                                          ? DeleteAction::kDrop
                     : mode == "tombstone"                                   ? DeleteAction::kNullValue
                     : mode == "delete-to-tombstone"                         ? DeleteAction::kToTombstone
                                                                             : DeleteAction::kRewrite;
  }

  dropper_.reset();
  if (!parsed.is_null(kDropFieldsHeader) && !is_blank(parsed.get_string(kDropFieldsHeader))) {
    dropper_.emplace(parsed.get_string(kDropFieldsHeader), parsed.get_bool(kDropFieldsFromKey),
                     parsed.get_bool(kDropFieldsKeepSchemaCompatible));
  }
  envelopes_ = {};
  rows_ = {};
}

std::optional<Record> ExtractNewRecordState::apply(Record record) {
  if (record.value.is_null()) return handle_tombstone(std::move(record));
  if (record.value_schema) {
    if (!record.value_schema->name().ends_with(kEnvelopeSuffix) || !record.value.is<Struct>()) return record;
    return apply_struct(std::move(record));
  }
  if (const auto* map = record.value.get_if<Map>(); map && is_schemaless_change_event(*map)) {
    return apply_map(std::move(record));
  }
  return record;
}

std::optional<Record> ExtractNewRecordState::handle_tombstone(Record record) {
  if (tombstone_action_ == TombstoneAction::kDrop) return std::nullopt;
  for (const auto& name : op_headers_) record.headers.add(name, Value("d"), schemas::string());
  return record;
}

const ExtractNewRecordState::EnvelopePlan& ExtractNewRecordState::envelope_plan(const SchemaPtr& envelope_schema) {
  return envelopes_.get_or_build(envelope_schema, [&] {
    EnvelopePlan plan;
    plan.before = envelope_schema->field("before");
    plan.after = envelope_schema->field("after");
    plan.op = envelope_schema->field("op");
    for (const auto& spec : add_fields_) {
      if (auto r = resolve_metadata_field(spec, *envelope_schema)) plan.fields.push_back(std::move(*r));
    }
    for (const auto& spec : add_headers_) {
      if (auto r = resolve_metadata_field(spec, *envelope_schema)) plan.headers.push_back(std::move(*r));
    }
    return plan;
  });
}

std::optional<Record> ExtractNewRecordState::apply_struct(Record record) {
  Struct& envelope = record.value.as<Struct>();
  // Held here: the plan points into this schema, and the record's value is replaced below.
  const SchemaPtr envelope_schema = envelope.schema();
  const EnvelopePlan& plan = envelope_plan(envelope_schema);
  if (!plan.op) return record;
  if (is_truncate(&envelope.at(plan.op->index))) return std::nullopt;
  if (!plan.before || !plan.after) return record;

  for (const auto& h : plan.headers) record.headers.add(h.output_name, read_metadata_field(h, envelope), h.schema);

  Value& after = envelope.at(plan.after->index);
  if (after.is_null()) {
    Value& before = envelope.at(plan.before->index);
    route(record, before);
    switch (delete_action_) {
      case DeleteAction::kDrop:
        return std::nullopt;
      case DeleteAction::kNullValue:
        record.value_schema = plan.after->schema;
        record.value = Value();
        break;
      case DeleteAction::kToTombstone:
        record.value_schema = nullptr;
        record.value = Value();
        break;
      case DeleteAction::kRewrite:
        if (auto* row = before.get_if<Struct>()) {
          SchemaPtr out_schema;
          Value out = rewrite_row(std::move(*row), envelope, envelope_schema, plan, true, out_schema);
          record.value_schema = std::move(out_schema);
          record.value = std::move(out);
        } else {
          record.value_schema = plan.before->schema;  // nothing to rewrite (REPLICA IDENTITY NOTHING)
          record.value = Value();
        }
        break;
    }
  } else {
    route(record, after);
    if (!rewrites() && plan.fields.empty()) {
      Value row = take(after);
      record.value_schema = plan.after->schema;
      record.value = std::move(row);
    } else {
      SchemaPtr out_schema;
      Value out = rewrite_row(std::move(after.as<Struct>()), envelope, envelope_schema, plan, false, out_schema);
      record.value_schema = std::move(out_schema);
      record.value = std::move(out);
    }
  }
  if (dropper_) dropper_->apply(record);
  return record;
}

Value ExtractNewRecordState::rewrite_row(Struct row, const Struct& envelope, const SchemaPtr& envelope_schema,
                                         const EnvelopePlan& plan, bool deleted, SchemaPtr& out_schema) {
  const SchemaPtr row_schema = row.schema();
  out_schema = rows_.get_or_build({row_schema, envelope_schema}, [&] {
    SchemaBuilder b = SchemaBuilder::struct_();
    if (!row_schema->name().empty()) b.name(row_schema->name());
    if (row_schema->version()) b.version(*row_schema->version());
    if (!row_schema->doc().empty()) b.doc(row_schema->doc());
    b.parameters(row_schema->parameters());
    for (const Field& f : row_schema->fields()) b.field(f.name, f.schema);
    if (rewrites()) b.field(std::string(kDeletedField), schemas::optional_string());
    for (const auto& m : plan.fields) b.field(m.output_name, m.schema);
    return b.build();
  });
  Struct out(out_schema);
  const auto& fields = row_schema->fields();
  const bool defaults = rewrites() && replace_null_with_default_;
  for (const Field& f : fields) {
    Value& v = row.at(f.index);
    if (defaults && v.is_null() && f.schema->has_default()) {
      out.put_unchecked(f.index, f.schema->default_value());
    } else {
      out.put_unchecked(f.index, std::move(v));
    }
  }
  std::size_t next = fields.size();
  if (rewrites()) out.put_unchecked(next++, Value(deleted ? "true" : "false"));
  for (const auto& m : plan.fields) out.put_unchecked(next++, read_metadata_field(m, envelope));
  return Value(std::move(out));
}

std::optional<Record> ExtractNewRecordState::apply_map(Record record) {
  Map& envelope = record.value.as<Map>();
  if (is_truncate(map_find(envelope, "op"))) return std::nullopt;
  for (const auto& spec : add_headers_) {
    if (const Value* v = find_metadata_field(spec, envelope)) record.headers.add(spec.output_name, *v);
  }
  Value* after = map_find_mutable(envelope, "after");
  if (!after || after->is_null()) {
    Value* before = map_find_mutable(envelope, "before");
    if (before) route(record, *before);
    switch (delete_action_) {
      case DeleteAction::kDrop:
        return std::nullopt;
      case DeleteAction::kNullValue:
      case DeleteAction::kToTombstone:
        record.value = Value();
        break;
      case DeleteAction::kRewrite:
        if (Map* row = before ? before->get_if<Map>() : nullptr) {
          Map out = std::move(*row);
          rewrite_map(out, envelope, true);
          record.value = Value(std::move(out));
        } else {
          record.value = Value();
        }
        break;
    }
  } else {
    route(record, *after);
    Map* row = after->get_if<Map>();
    if (!row) throw DataError(fmt::format("Expected the 'after' of a change event to be a map, found {}", after->type_name()));
    Map out = std::move(*row);
    rewrite_map(out, envelope, false);
    record.value = Value(std::move(out));
  }
  if (dropper_) dropper_->apply(record);
  return record;
}

void ExtractNewRecordState::rewrite_map(Map& row, const Map& envelope, bool deleted) const {
  if (rewrites()) map_put(row, kDeletedField, Value(deleted ? "true" : "false"));
  for (const auto& spec : add_fields_) {
    if (const Value* v = find_metadata_field(spec, envelope)) map_put(row, spec.output_name, *v);
  }
}

void ExtractNewRecordState::route(Record& record, const Value& row) const {
  if (route_by_field_.empty() || row.is_null()) return;
  const Value* value = nullptr;
  if (const auto* s = row.get_if<Struct>()) {
    const Field* f = s->schema()->field(route_by_field_);
    if (!f) throw DataError(fmt::format("{} is not a valid field name (route.by.field)", route_by_field_));
    value = &s->at(f->index);
  } else if (const auto* m = row.get_if<Map>()) {
    value = map_find(*m, route_by_field_);
  }
  if (!value || value->is_null()) return;
  const auto* topic = value->get_if<std::string>();
  if (!topic) {
    throw DataError(fmt::format("Field {} used by route.by.field must be a string, found {}", route_by_field_,
                                value->type_name()));
  }
  if (!is_blank(*topic)) record.topic = *topic;
}

}  // namespace sluice::debezium
