// Cast$Key / Cast$Value: Kafka's org.apache.kafka.connect.transforms.Cast.
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>

#include <fmt/format.h>

#include "runtime/builtin/transforms/field_support.h"
#include "sluice/errors.h"

namespace sluice::builtin {

namespace {

constexpr std::string_view kPurpose = "cast types";

bool is_cast_input(Type t) { return is_primitive(t); }
bool is_cast_output(Type t) { return is_primitive(t) && t != Type::kBytes; }

std::string unsupported(Type t) {
  return "Cast transformation does not support casting to/from " + java_type_name(t);
}

bool is_logical(std::string_view name) {
  return name == logical::kDecimalName || name == logical::kDateName || name == logical::kTimeName ||
         name == logical::kTimestampName;
}

// ---- Java's conversions -------------------------------------------------------------------

// Java's (long) and (int) casts of a double saturate, and NaN becomes 0.
std::int64_t java_d2l(double d) {
  if (std::isnan(d)) return 0;
  if (d >= 9.2233720368547758e18) return INT64_MAX;
  if (d <= -9.2233720368547758e18) return INT64_MIN;
  return static_cast<std::int64_t>(d);
}
std::int32_t java_d2i(double d) {
  if (std::isnan(d)) return 0;
  if (d >= 2147483647.0) return INT32_MAX;
  if (d <= -2147483648.0) return INT32_MIN;
  return static_cast<std::int32_t>(d);
}

// Float.toString / Double.toString: plain notation for 1e-3 <= |v| < 1e7, else "1.0E10".
template <class F>
std::string java_floating_string(F v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  std::array<char, 64> buf;
  auto res = std::to_chars(buf.data(), buf.data() + buf.size(), v, std::chars_format::scientific);
  std::string_view sci(buf.data(), res.ptr - buf.data());
  std::string out = sci.front() == '-' ? "-" : "";
  if (sci.front() == '-') sci.remove_prefix(1);
  auto e = sci.find('e');
  int exp = std::stoi(std::string(sci.substr(e + 1)));
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits += c;
  }
  double magnitude = std::fabs(static_cast<double>(v));
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    if (exp < 0) return out + "0." + std::string(-exp - 1, '0') + digits;
    std::size_t int_len = static_cast<std::size_t>(exp) + 1;
    if (digits.size() <= int_len) return out + digits + std::string(int_len - digits.size(), '0') + ".0";
    return out + digits.substr(0, int_len) + "." + digits.substr(int_len);
  }
  return out + digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0") + "E" +
         std::to_string(exp);
}

std::string base64(const Bytes& bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t n = bytes[i] << 16;
    if (i + 1 < bytes.size()) n |= bytes[i + 1] << 8;
    if (i + 2 < bytes.size()) n |= bytes[i + 2];
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

// Days since 1970-01-01 to "yyyy-MM-dd" (proleptic Gregorian, as java.util.Date formats in UTC
// for the dates Connect carries).
std::string format_date(std::int64_t days) {
  days += 719468;
  std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  std::int64_t doe = days - era * 146097;
  std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  std::int64_t mp = (5 * doy + 2) / 153;
  std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  std::int64_t y = yoe + era * 400 + (m <= 2);
  return fmt::format("{:04}-{:02}-{:02}", y, m, d);
}

std::string format_time_of_day(std::int64_t millis) {
  return fmt::format("{:02}:{:02}:{:02}.{:03}", millis / 3600000, millis / 60000 % 60, millis / 1000 % 60,
                     millis % 1000);
}

// Values.dateFormatFor: Date "yyyy-MM-dd", Time "HH:mm:ss.SSS", Timestamp
// "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", all UTC.
std::string format_logical(std::string_view name, std::int64_t v) {
  if (name == logical::kDateName) return format_date(v);
  std::int64_t day = v >= 0 ? v / 86400000 : -((-v + 86399999) / 86400000);
  std::int64_t ms = v - day * 86400000;
  if (name == logical::kTimeName) return format_time_of_day(ms);
  return format_date(day) + "T" + format_time_of_day(ms) + "Z";
}

std::string to_java_string(const Value& v, std::string_view logical_name) {
  if (!logical_name.empty() && logical_name != logical::kDecimalName && (v.is<std::int32_t>() || v.is<std::int64_t>())) {
    return format_logical(logical_name, v.as_int64());
  }
  switch (v.index()) {
    case 1: return v.as<bool>() ? "true" : "false";
    case 6: return java_floating_string(v.as<float>());
    case 7: return java_floating_string(v.as<double>());
    case 8: return v.as<std::string>();
    case 9: return base64(v.as<Bytes>());
    default: return std::to_string(v.as_int64());
  }
}

template <class T>
T to_integer(const Value& v, Type target) {
  switch (v.index()) {
    case 1: return v.as<bool>() ? 1 : 0;
    case 6:
    case 7: {
      double d = v.as_double();
      if constexpr (sizeof(T) == 8) {
        return java_d2l(d);
      } else {
        return static_cast<T>(java_d2i(d));
      }
    }
    case 8: return static_cast<T>(parse_java_integer(v.as<std::string>(), target));
    case 9: throw DataError("Unexpected type in Cast transformation: bytes");
    default: return static_cast<T>(v.as_int64());  // Java's narrowing keeps the low bits
  }
}

double to_floating(const Value& v) {
  switch (v.index()) {
    case 1: return v.as<bool>() ? 1 : 0;
    case 8: return parse_java_floating(v.as<std::string>());
    case 9: throw DataError("Unexpected type in Cast transformation: bytes");
    default: return v.as_double();
  }
}

bool to_boolean(const Value& v) {
  switch (v.index()) {
    case 1: return v.as<bool>();
    case 6:
    case 7: return java_d2l(v.as_double()) != 0;
    case 8: {
      const auto& s = v.as<std::string>();
      return s.size() == 4 && (s[0] | 32) == 't' && (s[1] | 32) == 'r' && (s[2] | 32) == 'u' && (s[3] | 32) == 'e';
    }
    case 9: throw DataError("Unexpected type in Cast transformation: bytes");
    default: return v.as_int64() != 0;
  }
}

Value cast_primitive(const Value& v, Type target, std::string_view logical_name) {
  switch (target) {
    case Type::kInt8: return Value(to_integer<std::int8_t>(v, target));
    case Type::kInt16: return Value(to_integer<std::int16_t>(v, target));
    case Type::kInt32: return Value(to_integer<std::int32_t>(v, target));
    case Type::kInt64: return Value(to_integer<std::int64_t>(v, target));
    case Type::kFloat32: return Value(static_cast<float>(to_floating(v)));
    case Type::kFloat64: return Value(to_floating(v));
    case Type::kBoolean: return Value(to_boolean(v));
    case Type::kString: return Value(to_java_string(v, logical_name));
    default: throw DataError(unsupported(target));
  }
}

// A Decimal behaves as Java's BigDecimal: its text for string, Number conversions otherwise.
Value cast_decimal(const Bytes& unscaled, std::int32_t scale, Type target) {
  std::string text = logical::decimal_to_string(unscaled, scale);
  if (target == Type::kString) return Value(std::move(text));
  if (target == Type::kFloat32 || target == Type::kFloat64) {
    return cast_primitive(Value(logical::decimal_to_double(unscaled, scale)), target, {});
  }
  std::string integral = text.substr(0, text.find('.'));
  if (integral == "-0") integral = "0";
  std::int64_t whole = 0;
  auto [end, ec] = std::from_chars(integral.data(), integral.data() + integral.size(), whole);
  if (ec != std::errc() || end != integral.data() + integral.size()) {
    throw DataError(fmt::format("Decimal {} does not fit in {}", text, java_type_name(target)));
  }
  return cast_primitive(Value(whole), target, {});
}

// Kafka's castValueToType: `schema` may be null (schemaless).
Value cast_value(const Schema* schema, Value value, Type target) {
  if (value.is_null()) return value;
  Type from = schema ? schema->type() : *value_type(value);
  if (!is_cast_input(from)) throw DataError(unsupported(from));
  std::string_view logical_name = schema ? std::string_view(schema->name()) : std::string_view();
  if (logical_name == logical::kDecimalName) {
    return cast_decimal(value.as<Bytes>(), logical::decimal_scale(*schema), target);
  }
  if (schema && from == target && logical_name.empty()) return value;
  return cast_primitive(value, target, is_logical(logical_name) ? logical_name : std::string_view());
}

struct CastSpec {
  std::optional<Type> whole_value;
  std::vector<std::pair<std::string, Type>> fields;
};

Type parse_cast_type(const std::string& key, std::string_view text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto type = parse_type(lower);
  if (!type) throw ConfigError(key, fmt::format("Invalid type found in casting spec: {}", text));
  if (!is_cast_output(*type)) throw ConfigError(key, unsupported(*type));
  return *type;
}

std::string trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

CastSpec parse_spec(const std::string& key, const std::vector<std::string>& mappings) {
  if (mappings.empty()) throw ConfigError(key, "Must specify at least one field to cast.");
  CastSpec spec;
  for (const auto& mapping : mappings) {
    auto colon = mapping.find(':');
    if (colon == std::string::npos) {
      spec.whole_value = parse_cast_type(key, trimmed(mapping));
      continue;
    }
    if (mapping.find(':', colon + 1) != std::string::npos) {
      throw ConfigError(key, fmt::format("Invalid cast mapping: {}", mapping));
    }
    spec.fields.emplace_back(trimmed(mapping.substr(0, colon)), parse_cast_type(key, trimmed(mapping.substr(colon + 1))));
  }
  if (spec.whole_value && mappings.size() > 1) {
    throw ConfigError(key, "Cast transformations that specify a type to cast the entire value to may only specify a "
                           "single cast in their spec");
  }
  return spec;
}

class Cast final : public Transform {
 public:
  explicit Cast(Side side) : side_(side) {}

  const ConfigDef& config_def() const override {
    static const ConfigDef def = [] {
      ConfigDef d;
      d.define("spec", ConfigType::kList, kRequired,
               validator("list of colon-delimited pairs, e.g. <code>foo:bar,abc:xyz</code>",
                         [](const std::string& name, const ConfigValueData& v) {
                           parse_spec(name, std::get<std::vector<std::string>>(v));
                         }),
               Importance::kHigh,
               "List of fields and the type to cast them to of the form field1:type,field2:type to cast fields "
               "of Maps or Structs. A single type to cast the entire value. Valid types are int8, int16, "
               "int32, int64, float32, float64, boolean, and string. Note that binary fields can only be cast "
               "to string.");
      return define_replace_null_with_default(d);
    }();
    return def;
  }

  void configure(const ConfigMap& config) override {
    Config parsed = config_def().parse(config);
    spec_ = parse_spec("spec", parsed.get_list("spec"));
    replace_null_ = parsed.get_bool(kReplaceNullWithDefault);
  }

  std::optional<Record> apply(Record record) override {
    Value& value = operating_value_mut(record, side_);
    SchemaPtr& schema = operating_schema_mut(record, side_);
    if (value.is_null()) return record;
    if (spec_.whole_value) {
      SchemaPtr input = std::move(schema);
      if (input) schema = whole_value_cache_.get_or_build(input, [&] { return whole_value_schema(*input); });
      value = cast_value(input.get(), std::move(value), *spec_.whole_value);
      return record;
    }
    if (!schema) {
      cast_map_fields(require_map(value, kPurpose));
      return record;
    }
    Struct& in = require_struct(value, kPurpose);
    const StructCast& plan = struct_cache_.get_or_build(in.schema(), [&] { return struct_cast(*in.schema()); });
    Struct out(plan.schema);
    for (const Field& f : in.schema()->fields()) {
      Value v = take_field(in, f, replace_null_);
      if (auto target = plan.casts[f.index]) v = cast_value(f.schema.get(), std::move(v), *target);
      out.put_unchecked(f.index, std::move(v));
    }
    schema = plan.schema;
    value = Value(std::move(out));
    return record;
  }

 private:
  struct StructCast {
    SchemaPtr schema;
    std::vector<std::optional<Type>> casts;  // per input field index
  };

  // Cast target of a field: the last mapping naming it wins, as in Kafka's map of casts.
  std::optional<Type> cast_for(std::string_view field) const {
    std::optional<Type> found;
    for (const auto& [name, type] : spec_.fields) {
      if (name == field) found = type;
    }
    return found;
  }

  SchemaPtr whole_value_schema(const Schema& in) const;
  StructCast struct_cast(const Schema& in) const;
  void cast_map_fields(Map& map) const;

  Side side_;
  CastSpec spec_;
  bool replace_null_ = true;
  PlanCache<SchemaPtr> whole_value_cache_;
  PlanCache<StructCast> struct_cache_;
};

SchemaPtr Cast::whole_value_schema(const Schema& in) const {
  if (!is_cast_input(in.type())) throw DataError(unsupported(in.type()));
  Type target = *spec_.whole_value;
  SchemaBuilder builder(target);
  // Kafka copies the name and parameters too; a logical type's name on another physical type
  // would make the value undecodable downstream, so those are dropped when the type changes.
  if (!is_logical(in.name()) || in.type() == target) {
    copy_schema_basics_into(in, builder);
  } else if (!in.doc().empty()) {
    builder.doc(in.doc());
  }
  if (in.optional()) builder.optional();
  if (in.has_default() && !in.default_value().is_null()) {
    builder.default_value(cast_value(&in, in.default_value(), target));
  }
  return builder.build();
}

Cast::StructCast Cast::struct_cast(const Schema& in) const {
  StructCast plan;
  SchemaBuilder builder = SchemaBuilder::struct_();
  copy_schema_basics_into(in, builder);
  for (const Field& f : in.fields()) {
    auto target = cast_for(f.name);
    plan.casts.push_back(target);
    if (!target) {
      builder.field(f.name, f.schema);
      continue;
    }
    if (!is_cast_input(f.schema->type())) {
      throw DataError(fmt::format("{} (field \"{}\")", unsupported(f.schema->type()), f.name));
    }
    const Value& default_value = f.schema->default_value();
    if (!f.schema->has_default() || default_value.is_null()) {
      builder.field(f.name, schemas::of(*target, f.schema->optional()));
      continue;
    }
    SchemaBuilder field_builder(*target);
    if (f.schema->optional()) field_builder.optional();
    field_builder.default_value(cast_value(f.schema.get(), default_value, *target));
    builder.field(f.name, field_builder.build());
  }
  if (in.optional()) builder.optional();
  plan.schema = builder.build();
  return plan;
}

// Kafka puts every configured field, so a missing one appears with a null value.
void Cast::cast_map_fields(Map& map) const {
  for (const auto& [name, type] : spec_.fields) {
    if (Value* v = map_find_mutable(map, name)) {
      *v = cast_value(nullptr, std::move(*v), type);
    } else {
      map.emplace_back(Value(name), Value());
    }
  }
}

}  // namespace

void add_cast(Registrar& registrar) {
  add_keyed_transform<Cast>(registrar, std::string(kTransformsPackage) + "Cast");
}

}  // namespace sluice::builtin
