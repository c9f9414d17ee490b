#include "change_event_builder.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <limits>
#include <regex>

#include "sluice/errors.h"

namespace sluice::postgres {
namespace {

constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
// Envelope field indices, in Debezium's order.
enum EnvelopeField : std::size_t { kBefore, kAfter, kSource, kOp, kTsMs, kTsUs, kTsNs, kTransaction };
// Source block field indices.
enum SourceField : std::size_t {
  kSrcVersion, kSrcConnector, kSrcName, kSrcTsMs, kSrcSnapshot, kSrcDb, kSrcSequence, kSrcTsUs,
  kSrcTsNs, kSrcSchema, kSrcTable, kSrcTxId, kSrcLsn, kSrcXmin
};
constexpr std::string_view kMessageCollection = "LOGICAL_DECODING_MESSAGE";

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

std::regex compile(const std::string& pattern) {
  return std::regex(pattern, std::regex::ECMAScript | std::regex::icase | std::regex::optimize);
}

bool any_match(const std::vector<std::regex>& patterns, const std::string& text) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::regex& r) { return std::regex_match(text, r); });
}

// "s.t:c1,c2;s2.t2:c3" -> rules; throws ConfigError(key, ...) when malformed.
std::map<std::string, std::vector<std::string>> parse_key_columns(const std::string& text) {
  std::map<std::string, std::vector<std::string>> rules;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = std::min(text.find(';', start), text.size());
    std::string rule = trim(std::string_view(text).substr(start, end - start));
    start = end + 1;
    if (rule.empty()) continue;
    auto colon = rule.find(':');
    std::string table = colon == std::string::npos ? "" : trim(rule.substr(0, colon));
    std::vector<std::string> columns =
        colon == std::string::npos ? std::vector<std::string>{} : split_list(rule.substr(colon + 1));
    if (table.empty() || columns.empty())
      throw ConfigError(std::string(EventOptions::kMessageKeyColumnsKey),
                        fmt::format("'{}' is not of the form <table regex>:<column>[,<column>...]", rule));
    rules[table] = std::move(columns);
  }
  return rules;
}

Bytes placeholder_bytes(const std::string& placeholder) {
  // Debezium's "hex:" form gives arbitrary bytes.
  if (placeholder.rfind("hex:", 0) == 0 && placeholder.size() % 2 == 0) {
    Bytes out;
    auto nibble = [](char c) {
      return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    };
    bool ok = true;
    for (std::size_t i = 4; i + 1 < placeholder.size(); i += 2) {
      int hi = nibble(placeholder[i]), lo = nibble(placeholder[i + 1]);
      if (hi < 0 || lo < 0) { ok = false; break; }
      out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
    }
    if (ok) return out;
  }
  return Bytes(placeholder.begin(), placeholder.end());
}

// Debezium's UnchangedToastedPlaceholder, by the shape of the column's schema.
Value toast_placeholder(const Schema& schema, const Bytes& bytes) {
  std::string text(bytes.begin(), bytes.end());
  auto ints = [&](Type t) {
    Array a;
    for (std::uint8_t b : bytes) {
      auto v = static_cast<std::int8_t>(b);  // Java bytes are signed
      if (t == Type::kInt16) a.emplace_back(static_cast<std::int16_t>(v));
      else if (t == Type::kInt32) a.emplace_back(static_cast<std::int32_t>(v));
      else a.emplace_back(static_cast<std::int64_t>(v));
    }
    return Value(std::move(a));
  };
  switch (schema.type()) {
    case Type::kString: return Value(text);
    case Type::kBytes: return schema.name().empty() ? Value(bytes) : Value();
    case Type::kMap: return Value(Map{{Value(text), Value(text)}});
    case Type::kArray: {
      const Schema& e = *schema.value_schema();
      if (e.type() == Type::kString) return Value(Array{Value(text)});
      if (e.type() == Type::kBytes && e.name().empty()) return Value(Array{Value(bytes)});
      if (e.type() == Type::kInt16 || e.type() == Type::kInt32 || e.type() == Type::kInt64) return ints(e.type());
      return Value();
    }
    default: return Value();
  }
}

std::string base64(std::string_view in, bool url_safe) {
  const char* alphabet = url_safe ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                                  : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < in.size(); i += 3) {
    std::uint32_t n = static_cast<std::uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<std::uint8_t>(in[i + 1]) << 8;
    if (i + 2 < in.size()) n |= static_cast<std::uint8_t>(in[i + 2]);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? alphabet[(n >> 6) & 63] : '=';
    out += i + 2 < in.size() ? alphabet[n & 63] : '=';
  }
  return out;
}

std::string hex(std::string_view in) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(in.size() * 2);
  for (unsigned char c : in) out += digits[c >> 4], out += digits[c & 15];
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

// One column of the Value (or Key) struct: where it is in the tuple and how it converts.
struct FieldPlan {
  std::size_t column;  // index into Relation::columns and the tuple
  ColumnMapping mapping;
  Value placeholder;   // unchanged-TOAST value (placeholder mode)
};

class TableSchema {
 public:
  Relation definition;  // copy, to recognise the same definition under another Relation object
  const Relation* relation = nullptr;
  std::uint64_t version = 0;
  std::string topic, data_collection;
  std::vector<FieldPlan> value_fields, key_fields;
  SchemaPtr value_schema, key_schema, envelope_schema;
  TxCounter tx;
};

struct ChangeEventBuilder::Compiled {
  std::vector<std::regex> include, exclude;
  std::vector<std::pair<std::regex, const std::vector<std::string>*>> key_rules;
};

// ---------------------------------------------------------------------------------------------
// Options

const ConfigDef& EventOptions::config_def() {
  static const ConfigDef def = ConfigDef{}
      .define(std::string(kTopicPrefixKey), ConfigType::kString, kRequired, non_empty_string(), Importance::kHigh,
              "Namespace of every topic the connector writes: <prefix>.<schema>.<table>, <prefix>.transaction, <prefix>.message.")
      .define(std::string(kTombstonesOnDeleteKey), ConfigType::kBoolean, true, Importance::kMedium,
              "Follow each delete event with a tombstone (same key, null value).")
      .define(std::string(kProvideTransactionMetadataKey), ConfigType::kBoolean, false, Importance::kLow,
              "Emit BEGIN/END records on <prefix>.transaction and a `transaction` block in each event.")
      .define(std::string(kUnavailableValuePlaceholderKey), ConfigType::kString, "__debezium_unavailable_value", Importance::kMedium,
              "Stands for unchanged TOASTed values the server did not send ('hex:' prefix: bytes in hex).")
      .define(std::string(kUnavailableValueHandlingKey), ConfigType::kString, "placeholder",
              one_of_case_insensitive({"placeholder", "omit"}), Importance::kLow,
              "placeholder: unchanged TOASTed values get unavailable.value.placeholder (Debezium); omit (sluice): "
              "they are null and named in the header __debezium_unchanged_columns.")
      .define(std::string(kMessageKeyColumnsKey), ConfigType::kString, kNullDefault, Importance::kLow,
              "Custom keys: <schema.table regex>:<column>,<column>;...")
      .define(std::string(kColumnIncludeListKey), ConfigType::kList, kNullDefault, Importance::kMedium,
              "Regexes of schema.table.column to keep in before/after (key columns stay in the key).")
      .define(std::string(kColumnExcludeListKey), ConfigType::kList, kNullDefault, Importance::kMedium,
              "Regexes of schema.table.column to leave out of before/after.")
      .define(std::string(kSkippedOperationsKey), ConfigType::kList, "t", Importance::kLow,
              "Operations not to emit: any of c, u, d, t, or none.");
  return def;
}

EventOptions EventOptions::from_config(const ConfigMap& config) {
  std::vector<ConfigProblem> problems;
  for (const ConfigValue& v : config_def().validate(config))
    for (const std::string& e : v.errors) problems.push_back({v.name, e});
  TypeMappingOptions types;
  try {
    types = TypeMappingOptions::from_config(config);
  } catch (const ConfigError& e) {
    problems.insert(problems.end(), e.problems().begin(), e.problems().end());
  }
  if (!problems.empty()) throw ConfigError(std::move(problems));

  Config parsed = config_def().parse(config);
  EventOptions o;
  o.types = types;
  o.topic_prefix = parsed.get_string(kTopicPrefixKey);
  o.tombstones_on_delete = parsed.get_bool(kTombstonesOnDeleteKey);
  o.provide_transaction_metadata = parsed.get_bool(kProvideTransactionMetadataKey);
  o.unavailable_value_placeholder = parsed.get_string(kUnavailableValuePlaceholderKey);
  o.toast_omit_with_header = lower(parsed.get_string(kUnavailableValueHandlingKey)) == "omit";
  auto regexes = [&](std::string_view key, std::vector<std::string>& into) {
    if (parsed.is_null(key)) return;
    into = parsed.get_list(key);
    for (const std::string& r : into) {
      try {
        compile(r);
      } catch (const std::regex_error&) {
        problems.push_back({std::string(key), fmt::format("'{}' is not a valid regular expression", r)});
      }
    }
  };
  regexes(kColumnIncludeListKey, o.column_include_list);
  regexes(kColumnExcludeListKey, o.column_exclude_list);
  if (!o.column_include_list.empty() && !o.column_exclude_list.empty())
    problems.push_back({std::string(kColumnExcludeListKey), "cannot be used together with column.include.list"});
  if (!parsed.is_null(kMessageKeyColumnsKey)) {
    try {
      o.message_key_columns = parse_key_columns(parsed.get_string(kMessageKeyColumnsKey));
      for (const auto& [table, columns] : o.message_key_columns) compile(table);
    } catch (const ConfigError& e) {
      problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    } catch (const std::regex_error&) {
      problems.push_back({std::string(kMessageKeyColumnsKey), "contains a table pattern that is not a valid regular expression"});
    }
  }
  o.skipped_operations.clear();
  for (const std::string& op : parsed.get_list(kSkippedOperationsKey)) {
    std::string l = lower(op);
    if (l == "none") continue;
    if (l.size() == 1 && std::string_view("cudt").find(l[0]) != std::string_view::npos) {
      o.skipped_operations.insert(l[0]);
    } else {
      problems.push_back({std::string(kSkippedOperationsKey), fmt::format("'{}' is not one of c, u, d, t, none", op)});
    }
  }
  if (!problems.empty()) throw ConfigError(std::move(problems));
  return o;
}

// ---------------------------------------------------------------------------------------------
// Builder: fixed schemas

ChangeEventBuilder::ChangeEventBuilder(EventOptions options, const TypeRegistry& registry)
    : options_(std::move(options)), registry_(registry), compiled_(std::make_unique<Compiled>()) {
  try {
    for (const auto& r : options_.column_include_list) compiled_->include.push_back(compile(r));
    for (const auto& r : options_.column_exclude_list) compiled_->exclude.push_back(compile(r));
    for (const auto& [table, columns] : options_.message_key_columns)
      compiled_->key_rules.emplace_back(compile(table), &columns);
  } catch (const std::regex_error& e) {
    throw ConfigError(fmt::format("invalid regular expression in the column filters or message.key.columns: {}", e.what()));
  }
  const std::string& prefix = options_.topic_prefix;
  message_topic_ = prefix + ".message";
  transaction_topic_ = prefix + ".transaction";

  SchemaPtr snapshot = SchemaBuilder::string()
      .name("io.debezium.data.Enum").version(1)
      .parameter("allowed", "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental")
      .default_value(Value("false")).optional().build();
  source_schema_ = SchemaBuilder::struct_().name(std::string(kSourceSchemaName)).version(1)
      .field("version", schemas::string()).field("connector", schemas::string())
      .field("name", schemas::string()).field("ts_ms", schemas::int64())
      .field("snapshot", snapshot).field("db", schemas::string())
      .field("sequence", schemas::optional_string()).field("ts_us", schemas::optional_int64())
      .field("ts_ns", schemas::optional_int64()).field("schema", schemas::string())
      .field("table", schemas::string()).field("txId", schemas::optional_int64())
      .field("lsn", schemas::optional_int64()).field("xmin", schemas::optional_int64()).build();
  block_schema_ = SchemaBuilder::struct_().optional().name("event.block").version(1)
      .field("id", schemas::string()).field("total_order", schemas::int64())
      .field("data_collection_order", schemas::int64()).build();

  message_key_schema_ = SchemaBuilder::struct_().name("io.debezium.connector.postgresql.MessageKey").version(1)
      .field("prefix", schemas::optional_string()).build();
  bool binary = options_.types.binary_mode == BinaryHandlingMode::kBytes;
  message_schema_ = SchemaBuilder::struct_().name("io.debezium.connector.postgresql.Message").version(1)
      .field("prefix", schemas::optional_string())
      .field("content", binary ? schemas::optional_bytes() : schemas::optional_string()).build();
  message_value_schema_ = SchemaBuilder::struct_().name("io.debezium.connector.postgresql.MessageValue").version(1)
      .field("op", schemas::string()).field("ts_ms", schemas::optional_int64())
      .field("source", source_schema_).field("message", message_schema_).build();

  tx_key_schema_ = SchemaBuilder::struct_().name("io.debezium.connector.common.TransactionMetadataKey").version(1)
      .field("id", schemas::string()).build();
  tx_collection_schema_ = SchemaBuilder::struct_().optional().name("event.collection").version(1)
      .field("data_collection", schemas::string()).field("event_count", schemas::int64()).build();
  tx_value_schema_ = SchemaBuilder::struct_().name("io.debezium.connector.common.TransactionMetadataValue").version(1)
      .field("status", schemas::string()).field("id", schemas::string())
      .field("event_count", schemas::optional_int64())
      .field("data_collections", SchemaBuilder::array(tx_collection_schema_).optional().build())
      .field("ts_ms", schemas::int64()).build();
}

ChangeEventBuilder::~ChangeEventBuilder() = default;

void ChangeEventBuilder::set_table_metadata(const std::string& schema, const std::string& table,
                                            TableMetadata metadata) {
  metadata_[{schema, table}] = std::move(metadata);
  // Rebuild that table's schemas on next use.
  for (auto it = tables_.begin(); it != tables_.end();) {
    if (it->second->definition.schema == schema && it->second->definition.name == table) {
      if (last_ == it->second.get()) last_ = nullptr;
      it = tables_.erase(it);
    } else {
      ++it;
    }
  }
}

std::int64_t ChangeEventBuilder::now_ns() const {
  if (clock_) return clock_();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

// ---------------------------------------------------------------------------------------------
// Per-table schemas

TableSchema& ChangeEventBuilder::table(const Relation& rel) {
  if (last_ && last_->relation == &rel && last_->version == rel.version) return *last_;
  auto& slot = tables_[rel.oid];
  if (slot && slot->relation == &rel && slot->version == rel.version) return *(last_ = slot.get());
  if (slot && slot->definition.same_definition(rel)) {  // the same table under another Relation object
    slot->relation = &rel, slot->version = rel.version;
    return *(last_ = slot.get());
  }

  auto t = std::make_unique<TableSchema>();
  t->definition = rel;
  t->relation = &rel;
  t->version = rel.version;
  t->data_collection = rel.schema + "." + rel.name;
  t->topic = options_.topic_prefix + "." + t->data_collection;
  if (slot) t->tx = slot->tx;  // a schema change inside a transaction keeps counting the same collection

  const TableMetadata* meta = nullptr;
  if (auto it = metadata_.find({rel.schema, rel.name}); it != metadata_.end()) meta = &it->second;

  // Key columns: message.key.columns, else the primary key, else the replica identity index.
  std::vector<std::size_t> key_columns;
  auto index_of = [&](const std::string& name) {
    for (std::size_t i = 0; i < rel.columns.size(); ++i)
      if (rel.columns[i].name == name) return i;
    return kNone;
  };
  const std::vector<std::string>* custom = nullptr;
  for (const auto& [pattern, columns] : compiled_->key_rules)
    if (std::regex_match(t->data_collection, pattern)) { custom = columns; break; }
  if (custom || meta) {
    for (const std::string& name : custom ? *custom : meta->primary_key)
      if (std::size_t i = index_of(name); i != kNone) key_columns.push_back(i);
  } else if (rel.replica_identity == 'd' || rel.replica_identity == 'i') {
    for (std::size_t i = 0; i < rel.columns.size(); ++i)
      if (rel.columns[i].is_key) key_columns.push_back(i);
  }
  auto is_key = [&](std::size_t i) { return std::find(key_columns.begin(), key_columns.end(), i) != key_columns.end(); };
  auto not_null = [&](std::size_t i) {
    bool pk = meta ? std::find(meta->primary_key.begin(), meta->primary_key.end(), rel.columns[i].name) != meta->primary_key.end()
                   : (rel.replica_identity == 'd' || rel.replica_identity == 'i') && rel.columns[i].is_key;
    return pk || (meta && meta->not_null.count(rel.columns[i].name) > 0);
  };
  auto map = [&](std::size_t i, bool optional) {
    const RelationColumn& c = rel.columns[i];
    return map_column({c.name, c.type_oid, c.type_modifier, optional}, registry_, options_.types);
  };

  std::string value_name = t->topic + ".Value";
  SchemaBuilder value = SchemaBuilder::struct_().optional().name(value_name);
  Bytes placeholder = placeholder_bytes(options_.unavailable_value_placeholder);
  for (std::size_t i = 0; i < rel.columns.size(); ++i) {
    std::string qualified = t->data_collection + "." + rel.columns[i].name;
    if (!compiled_->include.empty() && !any_match(compiled_->include, qualified)) continue;
    if (any_match(compiled_->exclude, qualified)) continue;
    bool optional = !not_null(i) || (options_.toast_omit_with_header && !is_key(i));
    ColumnMapping m = map(i, optional);
    if (!m.included()) continue;
    value.field(m.column_name(), m.schema());
    Value ph = toast_placeholder(*m.schema(), placeholder);
    t->value_fields.push_back({i, std::move(m), std::move(ph)});
  }
  t->value_schema = value.build();

  if (!key_columns.empty()) {
    SchemaBuilder key = SchemaBuilder::struct_().name(t->topic + ".Key");
    for (std::size_t i : key_columns) {
      ColumnMapping m = map(i, !not_null(i));
      if (!m.included()) continue;
      key.field(m.column_name(), m.schema());
      t->key_fields.push_back({i, std::move(m), Value()});
    }
    if (!t->key_fields.empty()) t->key_schema = key.build();
  }

  t->envelope_schema = SchemaBuilder::struct_().name(t->topic + ".Envelope").version(2)
      .field("before", t->value_schema).field("after", t->value_schema)
      .field("source", source_schema_).field("op", schemas::string())
      .field("ts_ms", schemas::optional_int64()).field("ts_us", schemas::optional_int64())
      .field("ts_ns", schemas::optional_int64()).field("transaction", block_schema_).build();

  slot = std::move(t);
  return *(last_ = slot.get());
}

bool ChangeEventBuilder::included(const Relation& rel) { return !table(rel).value_fields.empty(); }
std::string ChangeEventBuilder::topic(const Relation& rel) const {
  return options_.topic_prefix + "." + rel.schema + "." + rel.name;
}
SchemaPtr ChangeEventBuilder::key_schema(const Relation& rel) { return table(rel).key_schema; }
SchemaPtr ChangeEventBuilder::envelope_schema(const Relation& rel) { return table(rel).envelope_schema; }

// ---------------------------------------------------------------------------------------------
// Rows

namespace {

Value convert(const TableSchema& t, const FieldPlan& f, const ColumnValue& v) {
  try {
    if (v.kind == ColumnKind::kText) return f.mapping.convert(v.data);
    if (v.kind == ColumnKind::kNull) return Value();
  } catch (const DataError& e) {
    throw DataError(fmt::format("{}: {}", t.data_collection, e.what()));
  }
  throw DataError(fmt::format("{}.{}: binary tuple values are not supported (use the text format)",
                              t.data_collection, f.mapping.column_name()));
}

// One row struct. `old` (a full old row) supplies unchanged TOAST values; `unchanged` collects the
// names of fields left null in omit mode. In a key-only old row (`key_only`) the server sent
// nothing for the other columns: a required field gets its column's fallback, as in Debezium.
Value row(const TableSchema& t, TupleView tuple, const std::optional<TupleView>& old, bool omit,
          std::string* unchanged, bool key_only = false) {
  Struct s(t.value_schema);
  for (std::size_t k = 0; k < t.value_fields.size(); ++k) {
    const FieldPlan& f = t.value_fields[k];
    const ColumnValue& v = tuple[f.column];
    bool required = !f.mapping.schema()->optional();
    if (!v.is_unchanged_toast()) {
      Value converted = convert(t, f, v);
      if (converted.is_null() && required && key_only) converted = f.mapping.fallback();
      s.put_unchecked(k, std::move(converted));
    } else if (old && (*old)[f.column].has_data()) {
      s.put_unchecked(k, convert(t, f, (*old)[f.column]));
    } else if (omit) {
      if (unchanged) *unchanged += (unchanged->empty() ? "" : ","), *unchanged += f.mapping.column_name();
    } else if (f.placeholder.is_null() && required && key_only) {
      s.put_unchecked(k, f.mapping.fallback());
    } else {
      if (f.placeholder.is_null() && required)
        throw DataError(fmt::format("{}.{}: unchanged TOAST value for a required column of a type without a placeholder",
                                    t.data_collection, f.mapping.column_name()));
      s.put_unchecked(k, f.placeholder);
    }
  }
  return Value(std::move(s));
}

Value key(const TableSchema& t, TupleView tuple) {
  if (!t.key_schema) return Value();
  Struct s(t.key_schema);
  for (std::size_t k = 0; k < t.key_fields.size(); ++k)
    s.put_unchecked(k, convert(t, t.key_fields[k], tuple[t.key_fields[k].column]));
  return Value(std::move(s));
}

// ["<last commit lsn>","<lsn>"], null for a missing one; built in one string (once per record).
std::string sequence(const SourceInfo& src) {
  std::string out;
  out.reserve(48);
  auto part = [&](const std::optional<Lsn>& l) {
    if (!l) {
      out += "null";
      return;
    }
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, l->value);
    out += '"';
    out.append(digits, end);
    out += '"';
  };
  out += '[';
  part(src.last_commit_lsn);
  out += ',';
  part(src.lsn);
  out += ']';
  return out;
}

}  // namespace

Value ChangeEventBuilder::source_struct(const TableSchema* t, const SourceInfo& src) const {
  Struct s(source_schema_);
  s.put_unchecked(kSrcVersion, Value(std::string(kDebeziumVersion)));
  s.put_unchecked(kSrcConnector, Value(std::string(kConnectorName)));
  s.put_unchecked(kSrcName, Value(options_.topic_prefix));
  s.put_unchecked(kSrcTsMs, Value(floor_div(src.ts_us, 1000)));
  s.put_unchecked(kSrcSnapshot, Value(src.snapshot));
  s.put_unchecked(kSrcDb, Value(src.db));
  s.put_unchecked(kSrcSequence, Value(sequence(src)));
  s.put_unchecked(kSrcTsUs, Value(src.ts_us));
  s.put_unchecked(kSrcTsNs, Value(src.ts_us * 1000));
  s.put_unchecked(kSrcSchema, Value(t ? t->definition.schema : std::string()));
  s.put_unchecked(kSrcTable, Value(t ? t->definition.name : std::string()));
  if (src.txid) s.put_unchecked(kSrcTxId, Value(*src.txid));
  if (src.lsn) s.put_unchecked(kSrcLsn, Value(static_cast<std::int64_t>(src.lsn->value)));
  if (src.xmin) s.put_unchecked(kSrcXmin, Value(*src.xmin));
  return Value(std::move(s));
}

// Counts one event of the open transaction; returns its `transaction` block (null outside one).
Value ChangeEventBuilder::transaction_block(TableSchema* t) {
  if (!tx_open_) return Value();
  TxCounter& c = t ? t->tx : message_tx_;
  if (c.generation != tx_generation_) {
    c.generation = tx_generation_;
    c.slot = tx_counts_.size();
    tx_counts_.emplace_back(t ? t->data_collection : std::string(kMessageCollection), 0);
  }
  std::int64_t collection_order = ++tx_counts_[c.slot].second;
  ++tx_total_;
  if (!t) return Value();  // Debezium's message value has no transaction field
  Struct b(block_schema_);
  b.put_unchecked(0, Value(tx_id_));
  b.put_unchecked(1, Value(tx_total_));
  b.put_unchecked(2, Value(collection_order));
  return Value(std::move(b));
}

void ChangeEventBuilder::emit(TableSchema& t, char op, Value key_value, Value before, Value after,
                              std::string unchanged, const SourceInfo& src, const SourcePartition& p,
                              const SourceOffset& o, std::vector<SourceRecord>& out, const Header* extra) {
  std::int64_t ns = now_ns();
  Struct e(t.envelope_schema);
  e.put_unchecked(kBefore, std::move(before));
  e.put_unchecked(kAfter, std::move(after));
  e.put_unchecked(kSource, source_struct(&t, src));
  e.put_unchecked(kOp, Value(std::string(1, op)));
  e.put_unchecked(kTsMs, Value(floor_div(ns, 1'000'000)));
  e.put_unchecked(kTsUs, Value(floor_div(ns, 1'000)));
  e.put_unchecked(kTsNs, Value(ns));
  e.put_unchecked(kTransaction, transaction_block(&t));

  SourceRecord& r = out.emplace_back();
  r.source_partition = p;
  r.source_offset = o;
  r.record.topic = t.topic;
  r.record.key_schema = t.key_schema;
  r.record.key = std::move(key_value);
  r.record.value_schema = t.envelope_schema;
  r.record.value = Value(std::move(e));
  if (extra) r.record.headers.add(extra->key, extra->value, extra->schema);
  if (options_.toast_omit_with_header && !unchanged.empty())
    r.record.headers.add(std::string(kUnchangedColumnsHeader), Value(std::move(unchanged)), schemas::optional_string());
}

void ChangeEventBuilder::tombstone(TableSchema& t, const SourceRecord& deleted,
                                   std::vector<SourceRecord>& out) const {
  if (!options_.tombstones_on_delete) return;
  SourceRecord r;
  r.source_partition = deleted.source_partition;
  r.source_offset = deleted.source_offset;
  r.record.topic = t.topic;
  r.record.key_schema = deleted.record.key_schema;
  r.record.key = deleted.record.key;
  r.record.headers = deleted.record.headers;
  out.push_back(std::move(r));
}

void ChangeEventBuilder::read(const Relation& rel, TupleView tuple, const SourceInfo& src,
                              const SourcePartition& p, const SourceOffset& o, std::vector<SourceRecord>& out) {
  TableSchema& t = table(rel);
  if (t.value_fields.empty()) return;
  emit(t, 'r', key(t, tuple), Value(), row(t, tuple, std::nullopt, false, nullptr), {}, src, p, o, out);
}

void ChangeEventBuilder::insert(const Relation& rel, TupleView after, const SourceInfo& src,
                                const SourcePartition& p, const SourceOffset& o, std::vector<SourceRecord>& out) {
  if (options_.skipped_operations.count('c')) return;
  TableSchema& t = table(rel);
  if (t.value_fields.empty()) return;
  emit(t, 'c', key(t, after), Value(), row(t, after, std::nullopt, false, nullptr), {}, src, p, o, out);
}

void ChangeEventBuilder::update(const Relation& rel, std::optional<TupleView> old_or_key, bool old_is_full_tuple,
                                TupleView after, const SourceInfo& src, const SourcePartition& p,
                                const SourceOffset& o, std::vector<SourceRecord>& out) {
  if (options_.skipped_operations.count('u')) return;
  TableSchema& t = table(rel);
  if (t.value_fields.empty()) return;
  bool omit = options_.toast_omit_with_header;
  std::optional<TupleView> full = old_is_full_tuple ? old_or_key : std::nullopt;
  std::string unchanged;
  Value new_key = key(t, after);
  Value after_row = row(t, after, full, omit, &unchanged);
  Value old_key = old_or_key ? key(t, *old_or_key) : Value();
  Value before = old_or_key ? row(t, *old_or_key, std::nullopt, omit, nullptr, !old_is_full_tuple) : Value();
  if (!old_or_key || !t.key_schema || old_key == new_key) {
    emit(t, 'u', std::move(new_key), std::move(before), std::move(after_row), std::move(unchanged), src, p, o, out);
    return;
  }
  // The key changed: Debezium's delete (+ tombstone) of the old key, then a create of the new one.
  Header new_key_header{std::string(kNewKeyHeader), t.key_schema, new_key};
  emit(t, 'd', old_key, std::move(before), Value(), {}, src, p, o, out, &new_key_header);
  tombstone(t, out.back(), out);
  Header old_key_header{std::string(kOldKeyHeader), t.key_schema, std::move(old_key)};
  emit(t, 'c', std::move(new_key), Value(), std::move(after_row), std::move(unchanged), src, p, o, out,
       &old_key_header);
}

void ChangeEventBuilder::remove(const Relation& rel, TupleView old_or_key, bool old_is_full_tuple,
                                const SourceInfo& src, const SourcePartition& p, const SourceOffset& o,
                                std::vector<SourceRecord>& out) {
  if (options_.skipped_operations.count('d')) return;
  TableSchema& t = table(rel);
  if (t.value_fields.empty()) return;
  Value before = row(t, old_or_key, std::nullopt, options_.toast_omit_with_header, nullptr, !old_is_full_tuple);
  emit(t, 'd', key(t, old_or_key), std::move(before), Value(), {}, src, p, o, out);
  tombstone(t, out.back(), out);
}

void ChangeEventBuilder::truncate(const Relation& rel, const SourceInfo& src, const SourcePartition& p,
                                  const SourceOffset& o, std::vector<SourceRecord>& out) {
  if (options_.skipped_operations.count('t')) return;
  TableSchema& t = table(rel);
  if (t.value_fields.empty()) return;
  emit(t, 't', Value(), Value(), Value(), {}, src, p, o, out);
}

void ChangeEventBuilder::message(bool transactional, std::string_view prefix, std::string_view content,
                                 const SourceInfo& src, const SourcePartition& p, const SourceOffset& o,
                                 std::vector<SourceRecord>& out) {
  Struct block(message_schema_);
  block.put_unchecked(0, Value(prefix));
  switch (options_.types.binary_mode) {
    case BinaryHandlingMode::kBytes: block.put_unchecked(1, Value(Bytes(content.begin(), content.end()))); break;
    case BinaryHandlingMode::kBase64: block.put_unchecked(1, Value(base64(content, false))); break;
    case BinaryHandlingMode::kBase64UrlSafe: block.put_unchecked(1, Value(base64(content, true))); break;
    case BinaryHandlingMode::kHex: block.put_unchecked(1, Value(hex(content))); break;
  }
  Struct k(message_key_schema_);
  k.put_unchecked(0, Value(prefix));
  Struct v(message_value_schema_);
  v.put_unchecked(0, Value("m"));
  v.put_unchecked(1, Value(floor_div(now_ns(), 1'000'000)));
  v.put_unchecked(2, source_struct(nullptr, src));
  v.put_unchecked(3, Value(std::move(block)));
  if (transactional) transaction_block(nullptr);

  SourceRecord& r = out.emplace_back();
  r.source_partition = p;
  r.source_offset = o;
  r.record.topic = message_topic_;
  r.record.key_schema = message_key_schema_;
  r.record.key = Value(std::move(k));
  r.record.value_schema = message_value_schema_;
  r.record.value = Value(std::move(v));
}

// ---------------------------------------------------------------------------------------------
// Transaction metadata

void ChangeEventBuilder::begin_transaction(const SourceInfo& src, const SourcePartition& p,
                                           const SourceOffset& o, std::vector<SourceRecord>& out) {
  if (!options_.provide_transaction_metadata) return;
  tx_open_ = true;
  ++tx_generation_;
  tx_total_ = 0;
  tx_counts_.clear();
  // Debezium documents the PostgreSQL transaction id as "<txId>:<LSN>".
  tx_id_ = src.txid ? std::to_string(*src.txid) : std::string();
  if (src.lsn) tx_id_ += ":" + std::to_string(src.lsn->value);
  Struct v(tx_value_schema_);
  v.put_unchecked(0, Value("BEGIN"));
  v.put_unchecked(1, Value(tx_id_));
  v.put_unchecked(4, Value(floor_div(src.ts_us, 1000)));
  emit_transaction(std::move(v), p, o, out);
}

void ChangeEventBuilder::end_transaction(const SourceInfo& src, const SourcePartition& p,
                                         const SourceOffset& o, std::vector<SourceRecord>& out) {
  if (!options_.provide_transaction_metadata || !tx_open_) return;
  Array collections;
  for (const auto& [name, count] : tx_counts_) {
    Struct c(tx_collection_schema_);
    c.put_unchecked(0, Value(name));
    c.put_unchecked(1, Value(count));
    collections.emplace_back(std::move(c));
  }
  Struct v(tx_value_schema_);
  v.put_unchecked(0, Value("END"));
  v.put_unchecked(1, Value(tx_id_));
  v.put_unchecked(2, Value(tx_total_));
  v.put_unchecked(3, Value(std::move(collections)));
  v.put_unchecked(4, Value(floor_div(src.ts_us, 1000)));
  emit_transaction(std::move(v), p, o, out);
  tx_open_ = false;
  tx_counts_.clear();
}

void ChangeEventBuilder::emit_transaction(Struct value, const SourcePartition& p, const SourceOffset& o,
                                          std::vector<SourceRecord>& out) const {
  Struct k(tx_key_schema_);
  k.put_unchecked(0, Value(tx_id_));
  SourceRecord& r = out.emplace_back();
  r.source_partition = p;
  r.source_offset = o;
  r.record.topic = transaction_topic_;
  r.record.key_schema = tx_key_schema_;
  r.record.key = Value(std::move(k));
  r.record.value_schema = tx_value_schema_;
  r.record.value = Value(std::move(value));
}

}  // namespace sluice::postgres
