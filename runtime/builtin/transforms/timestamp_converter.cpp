// TimestampConverter$Key / TimestampConverter$Value: converts a timestamp between a formatted
// string, a unix epoch number and Connect's Date, Time and Timestamp logical types. Every
// conversion goes through epoch milliseconds in UTC, as Kafka's goes through java.util.Date.
#include <array>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "runtime/builtin/transforms/keyed.h"
#include "runtime/builtin/transforms/record_support.h"
#include "sluice/errors.h"

namespace sluice::builtin {

namespace {

constexpr std::int64_t kMsPerDay = 86'400'000;

enum class TimestampType { kString, kUnix, kDate, kTime, kTimestamp };
enum class UnixPrecision { kSeconds, kMilliseconds, kMicroseconds, kNanoseconds };

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// java.util.concurrent.TimeUnit's conversion up: saturates instead of overflowing.
std::int64_t saturating_multiply(std::int64_t v, std::int64_t factor) {
  std::int64_t out;
  if (__builtin_mul_overflow(v, factor, &out)) {
    return v < 0 ? std::numeric_limits<std::int64_t>::min() : std::numeric_limits<std::int64_t>::max();
  }
  return out;
}

TimestampType type_of_schema(const Schema& schema) {
  if (schema.name() == logical::kTimestampName) return TimestampType::kTimestamp;
  if (schema.name() == logical::kDateName) return TimestampType::kDate;
  if (schema.name() == logical::kTimeName) return TimestampType::kTime;
  if (schema.type() == Type::kString) return TimestampType::kString;
  if (schema.type() == Type::kInt64) return TimestampType::kUnix;
  throw DataError(fmt::format("Schema {}{} does not correspond to a known timestamp type format",
                              type_name(schema.type()), schema.name().empty() ? "" : " " + schema.name()));
}

// Without a schema only the Java types survive: a String is a formatted timestamp, a Long a unix one.
TimestampType type_of_value(const Value& value) {
  if (value.is<std::string>()) return TimestampType::kString;
  if (value.is<std::int64_t>()) return TimestampType::kUnix;
  throw DataError(fmt::format("TimestampConverter does not support {} objects as timestamps", value.type_name()));
}

// Owned by one task thread, like every transform.
class TimestampConverter final : public Transform {
 public:
  explicit TimestampConverter(Side side) : side_(side) {}

  const ConfigDef& config_def() const override {
    static const ConfigDef def =
        ConfigDef{}
            .define("field", ConfigType::kString, "", Importance::kHigh,
                    "The field containing the timestamp, or empty if the entire value is a timestamp")
            .define("target.type", ConfigType::kString, kRequired,
                    one_of({"string", "unix", "Date", "Time", "Timestamp"}), Importance::kHigh,
                    "The desired timestamp representation: string, unix, Date, Time, or Timestamp")
            .define("format", ConfigType::kString, "", Importance::kLow,
                    "A SimpleDateFormat-compatible format for the timestamp. Used to generate the output when "
                    "type=string or used to parse the input if the input is a string.")
            .define("unix.precision", ConfigType::kString, "milliseconds",
                    one_of({"nanoseconds", "microseconds", "milliseconds", "seconds"}), Importance::kLow,
                    "The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, or "
                    "nanoseconds. Used to generate the output when type=unix or used to parse the input if the "
                    "input is a Long.Note: This SMT will cause precision loss during conversions from, and to, "
                    "values with sub-millisecond components.")
            .define("replace.null.with.default", ConfigType::kBoolean, true, Importance::kMedium,
                    std::string(kReplaceNullWithDefaultDoc))
            .define("field.syntax.version", ConfigType::kString, "V1", one_of_case_insensitive({"V1", "V2"}),
                    Importance::kHigh, std::string(kFieldSyntaxVersionDoc));
    return def;
  }

  void configure(const ConfigMap& config) override {
    Config parsed = config_def().parse(config);
    const std::string& field = parsed.get_string("field");
    bool v2 = parsed.get_string("field.syntax.version") == "V2" || parsed.get_string("field.syntax.version") == "v2";
    path_ = field.empty() ? std::vector<std::string>{} : field_path(field, v2);
    target_ = parse_target(parsed.get_string("target.type"));
    precision_ = parse_precision(parsed.get_string("unix.precision"));
    replace_null_with_default_ = parsed.get_bool("replace.null.with.default");
    const std::string& format = parsed.get_string("format");
    format_.reset();
    if (!format.empty()) {
      format_ = date_format_for_config("format", format,
                                       "TimestampConverter requires a SimpleDateFormat-compatible pattern for string "
                                       "timestamps: ");
    } else if (target_ == TimestampType::kString) {
      throw ConfigError("format", "TimestampConverter requires format option to be specified when using string timestamps");
    }
    target_schemas_ = {target_schema_builder().build(), target_schema_builder().optional().build()};
    schemas_ = SchemaCache{};
  }

  std::optional<Record> apply(Record record) override {
    SchemaPtr schema = operating_schema(record, side_);
    Value& value = side_ == Side::kKey ? record.key : record.value;
    if (!schema) {
      if (path_.empty() || value.is_null()) {
        value = convert(value, value.is_null() ? target_ : type_of_value(value));
      } else {
        convert_in_map(value, 0);
      }
      return record;
    }
    if (path_.empty()) {
      Value converted = convert(value, type_of_schema(*schema));
      return with_operating(std::move(record), side_, target_schemas_[schema->optional()], std::move(converted));
    }
    if (!value.is_null() && !value.is<Struct>()) {
      throw DataError(fmt::format("Only Struct objects supported for [converting timestamp formats], found: {}",
                                  value.type_name()));
    }
    const SchemaPtr& updated = schemas_.get(schema, [&](const Schema& s) { return updated_schema(s, 0); });
    Value converted = convert_struct(std::move(value), updated, 0);
    return with_operating(std::move(record), side_, updated, std::move(converted));
  }

 private:
  static TimestampType parse_target(const std::string& name) {
    if (name == "string") return TimestampType::kString;
    if (name == "unix") return TimestampType::kUnix;
    if (name == "Date") return TimestampType::kDate;
    if (name == "Time") return TimestampType::kTime;
    return TimestampType::kTimestamp;
  }
  static UnixPrecision parse_precision(const std::string& name) {
    if (name == "seconds") return UnixPrecision::kSeconds;
    if (name == "microseconds") return UnixPrecision::kMicroseconds;
    if (name == "nanoseconds") return UnixPrecision::kNanoseconds;
    return UnixPrecision::kMilliseconds;
  }

  SchemaBuilder target_schema_builder() const {
    switch (target_) {
      case TimestampType::kString: return SchemaBuilder::string();
      case TimestampType::kUnix: return SchemaBuilder::int64();
      case TimestampType::kDate: return logical::date();
      case TimestampType::kTime: return logical::time();
      case TimestampType::kTimestamp: break;
    }
    return logical::timestamp();
  }

  // The struct schema with the field at path_[depth..] converted. A default of the struct itself
  // is not carried over (a converted default would need the schema it is part of).
  SchemaPtr updated_schema(const Schema& schema, std::size_t depth) const {
    SchemaBuilder builder = copy_schema_basics(schema, SchemaBuilder::struct_());
    bool last = depth + 1 == path_.size();
    for (const auto& f : schema.fields()) {
      if (f.name != path_[depth]) {
        builder.field(f.name, f.schema);
      } else if (last) {
        builder.field(f.name, target_schemas_[f.schema->optional()]);
      } else if (f.schema->type() == Type::kStruct) {
        builder.field(f.name, updated_schema(*f.schema, depth + 1));
      } else {
        builder.field(f.name, f.schema);
      }
    }
    if (schema.optional()) builder.optional();
    return builder.build();
  }

  Value convert_struct(Value value, const SchemaPtr& updated, std::size_t depth) const {
    if (value.is_null()) return value;
    Struct& in = value.as<Struct>();
    const auto& in_fields = in.schema()->fields();
    bool last = depth + 1 == path_.size();
    Struct out(updated);
    for (const auto& f : in_fields) {
      Value v = std::move(in.at(f.index));
      if (v.is_null() && replace_null_with_default_ && f.schema->has_default()) v = f.schema->default_value();
      if (f.name == path_[depth]) {
        if (last) {
          v = convert(v, type_of_schema(*f.schema));
        } else if (f.schema->type() == Type::kStruct) {
          v = convert_struct(std::move(v), updated->fields()[f.index].schema, depth + 1);
        }
      }
      out.put_unchecked(f.index, std::move(v));
    }
    return Value(std::move(out));
  }

  // Schemaless: the record is ours, so the map is changed in place.
  void convert_in_map(Value& value, std::size_t depth) const {
    Map* map = value.get_if<Map>();
    if (!map) {
      throw DataError(fmt::format("Only Map objects supported in absence of schema for [converting timestamp "
                                  "formats], found: {}", value.type_name()));
    }
    for (auto& [key, v] : *map) {
      const auto* name = key.get_if<std::string>();
      if (!name || *name != path_[depth]) continue;
      if (depth + 1 == path_.size()) {
        if (!v.is_null()) v = convert(v, type_of_value(v));
      } else if (v.is<Map>()) {
        convert_in_map(v, depth + 1);
      }
    }
  }

  Value convert(const Value& value, TimestampType from) const {
    if (value.is_null()) return Value();
    return from_millis(to_millis(value, from));
  }

  std::int64_t to_millis(const Value& value, TimestampType from) const {
    switch (from) {
      case TimestampType::kString: {
        if (!format_) {
          throw DataError("TimestampConverter requires format option to be specified when using string timestamps");
        }
        const auto& text = value.as<std::string>();
        try {
          return format_->parse(text);
        } catch (const DataError&) {
          throw DataError(fmt::format("Could not parse timestamp: value ({}) does not match pattern ({})", text,
                                      format_->pattern()));
        }
      }
      case TimestampType::kUnix: {
        std::int64_t v = value.as<std::int64_t>();
        switch (precision_) {
          case UnixPrecision::kSeconds: return saturating_multiply(v, 1000);
          case UnixPrecision::kMicroseconds: return v / 1000;
          case UnixPrecision::kNanoseconds: return v / 1'000'000;
          case UnixPrecision::kMilliseconds: break;
        }
        return v;
      }
      case TimestampType::kDate: return static_cast<std::int64_t>(value.as<std::int32_t>()) * kMsPerDay;
      case TimestampType::kTime: return value.as<std::int32_t>();
      case TimestampType::kTimestamp: break;
    }
    return value.as<std::int64_t>();
  }

  Value from_millis(std::int64_t ms) const {
    switch (target_) {
      case TimestampType::kString: return Value(format_->format(ms));
      case TimestampType::kUnix:
        switch (precision_) {
          case UnixPrecision::kSeconds: return Value(ms / 1000);
          case UnixPrecision::kMicroseconds: return Value(saturating_multiply(ms, 1000));
          case UnixPrecision::kNanoseconds: return Value(saturating_multiply(ms, 1'000'000));
          case UnixPrecision::kMilliseconds: break;
        }
        return Value(ms);
      case TimestampType::kDate: return Value(static_cast<std::int32_t>(floor_div(ms, kMsPerDay)));
      case TimestampType::kTime: return Value(static_cast<std::int32_t>(ms - floor_div(ms, kMsPerDay) * kMsPerDay));
      case TimestampType::kTimestamp: break;
    }
    return Value(ms);
  }

  Side side_;
  std::vector<std::string> path_;  // empty: the whole key/value is the timestamp
  TimestampType target_ = TimestampType::kTimestamp;
  UnixPrecision precision_ = UnixPrecision::kMilliseconds;
  std::optional<DateFormat> format_;
  bool replace_null_with_default_ = true;
  std::array<SchemaPtr, 2> target_schemas_;  // [optional]
  SchemaCache schemas_;                      // input struct schema -> converted struct schema
};

}  // namespace

void add_timestamp_converter(Registrar& registrar) {
  add_keyed_transform<TimestampConverter>(registrar, std::string(kTransformsPackage) + "TimestampConverter");
}

}  // namespace sluice::builtin
