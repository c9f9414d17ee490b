// InsertField$Key / InsertField$Value: Kafka's org.apache.kafka.connect.transforms.InsertField.
#include <fmt/format.h>

#include "runtime/builtin/transforms/field_support.h"
#include "sluice/errors.h"

namespace sluice::builtin {

namespace {

constexpr std::string_view kPurpose = "field insertion";
constexpr const char* kOptionality =
    "Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the "
    "default).";

// "name", "name?" (optional, the default) or "name!" (required).
struct InsertionSpec {
  std::string name;
  bool optional = true;

  static std::optional<InsertionSpec> parse(const Config& config, std::string_view key) {
    if (config.is_null(key)) return std::nullopt;
    std::string spec = config.get_string(key);
    if (spec.empty()) return std::nullopt;
    bool optional = true;
    if (spec.back() == '?' || spec.back() == '!') {
      optional = spec.back() == '?';
      spec.pop_back();
    }
    return InsertionSpec{std::move(spec), optional};
  }
};

class InsertField final : public Transform {
 public:
  explicit InsertField(Side side) : side_(side) {}

  const ConfigDef& config_def() const override {
    static const ConfigDef def = [] {
      ConfigDef d;
      d.define("topic.field", ConfigType::kString, kNullDefault, Importance::kMedium,
               std::string("Field name for Kafka topic. ") + kOptionality);
      d.define("partition.field", ConfigType::kString, kNullDefault, Importance::kMedium,
               std::string("Field name for Kafka partition. ") + kOptionality);
      d.define("offset.field", ConfigType::kString, kNullDefault, Importance::kMedium,
               std::string("Field name for Kafka offset - only applicable to sink connectors.<br/>") + kOptionality);
      d.define("timestamp.field", ConfigType::kString, kNullDefault, Importance::kMedium,
               std::string("Field name for record timestamp. ") + kOptionality);
      d.define("static.field", ConfigType::kString, kNullDefault, Importance::kMedium,
               std::string("Field name for static data field. ") + kOptionality);
      d.define("static.value", ConfigType::kString, kNullDefault, Importance::kMedium,
               "Static field value, if field name configured.");
      return define_replace_null_with_default(d);
    }();
    return def;
  }

  void configure(const ConfigMap& config) override {
    Config parsed = config_def().parse(config);
    topic_ = InsertionSpec::parse(parsed, "topic.field");
    partition_ = InsertionSpec::parse(parsed, "partition.field");
    offset_ = InsertionSpec::parse(parsed, "offset.field");
    timestamp_ = InsertionSpec::parse(parsed, "timestamp.field");
    static_ = InsertionSpec::parse(parsed, "static.field");
    if (!parsed.is_null("static.value")) static_value_ = parsed.get_string("static.value");
    replace_null_ = parsed.get_bool(kReplaceNullWithDefault);
  }

  std::optional<Record> apply(Record record) override {
    Value& value = operating_value_mut(record, side_);
    if (value.is_null()) return record;  // tombstones pass through
    if (!operating_schema_mut(record, side_)) {
      insert_schemaless(record, require_map(value, kPurpose));
      return record;
    }
    Struct& in = require_struct(value, kPurpose);
    const SchemaPtr& updated = cache_.get_or_build(in.schema(), [&] { return updated_schema(*in.schema()); });
    Struct out(updated);
    const auto& fields = in.schema()->fields();
    for (const Field& f : fields) out.put_unchecked(f.index, take_field(in, f, replace_null_));
    std::size_t next = fields.size();
    if (topic_) out.put_unchecked(next++, Value(record.topic));
    if (partition_) {
      if (record.kafka_partition) out.put_unchecked(next, Value(*record.kafka_partition));
      ++next;
    }
    if (offset_) out.put_unchecked(next++, Value(sink_offset(record)));
    if (timestamp_) {
      if (record.timestamp_ms) out.put_unchecked(next, Value(*record.timestamp_ms));
      ++next;
    }
    if (static_ && static_value_) out.put_unchecked(next, Value(*static_value_));
    operating_schema_mut(record, side_) = updated;
    value = Value(std::move(out));
    return record;
  }

 private:
  static std::int64_t sink_offset(const Record& record) {
    if (!record.kafka_offset) {
      throw DataError(fmt::format("Only SinkRecord supported for [{}], found a record without a Kafka offset",
                                  kPurpose));
    }
    return *record.kafka_offset;
  }

  void insert_schemaless(const Record& record, Map& map) const {
    if (topic_) map_put(map, topic_->name, Value(record.topic));
    if (partition_ && record.kafka_partition) map_put(map, partition_->name, Value(*record.kafka_partition));
    if (offset_) map_put(map, offset_->name, Value(sink_offset(record)));
    if (timestamp_ && record.timestamp_ms) map_put(map, timestamp_->name, Value(*record.timestamp_ms));
    if (static_ && static_value_) map_put(map, static_->name, Value(*static_value_));
  }

  // The input's fields, then topic, partition, offset, timestamp and static, in Kafka's order.
  SchemaPtr updated_schema(const Schema& in) const {
    SchemaBuilder builder = SchemaBuilder::struct_();
    copy_schema_basics_into(in, builder);
    for (const Field& f : in.fields()) builder.field(f.name, f.schema);
    if (topic_) builder.field(topic_->name, topic_->optional ? schemas::optional_string() : schemas::string());
    if (partition_) {
      builder.field(partition_->name, partition_->optional ? schemas::optional_int32() : schemas::int32());
    }
    if (offset_) builder.field(offset_->name, offset_->optional ? schemas::optional_int64() : schemas::int64());
    if (timestamp_) {
      auto ts = logical::timestamp();
      if (timestamp_->optional) ts.optional();
      builder.field(timestamp_->name, ts.build());
    }
    if (static_) builder.field(static_->name, static_->optional ? schemas::optional_string() : schemas::string());
    return builder.build();
  }

  Side side_;
  std::optional<InsertionSpec> topic_, partition_, offset_, timestamp_, static_;
  std::optional<std::string> static_value_;
  bool replace_null_ = true;
  PlanCache<SchemaPtr> cache_;
};

}  // namespace

void add_insert_field(Registrar& registrar) {
  add_keyed_transform<InsertField>(registrar, std::string(kTransformsPackage) + "InsertField");
}

}  // namespace sluice::builtin
