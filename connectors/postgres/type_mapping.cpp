#include "type_mapping.h"

#include "pg_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "sluice/errors.h"

namespace sluice::postgres {

// ---------------------------------------------------------------------------------------------
// Builtin type oids (pg_type.dat); stable across PostgreSQL versions.
namespace {
enum : Oid {
  kBool = 16, kBytea = 17, kChar = 18, kName = 19, kInt8 = 20, kInt2 = 21, kInt4 = 23, kText = 25,
  kOidType = 26, kJson = 114, kXml = 142, kPoint = 600, kLseg = 601, kPath = 602, kBox = 603,
  kPolygon = 604, kLine = 628, kCidr = 650, kFloat4 = 700, kFloat8 = 701, kCircle = 718,
  kMacaddr8 = 774, kMoney = 790, kMacaddr = 829, kInet = 869, kBpchar = 1042, kVarchar = 1043,
  kDate = 1082, kTime = 1083, kTimestamp = 1114, kTimestamptz = 1184, kInterval = 1186,
  kTimetz = 1266, kBit = 1560, kVarbit = 1562, kNumeric = 1700, kUuid = 2950, kPgLsn = 3220,
  kTsvector = 3614, kTsquery = 3615, kJsonb = 3802, kInt4Range = 3904, kNumRange = 3906,
  kTsRange = 3908, kTsTzRange = 3910, kDateRange = 3912, kInt8Range = 3926,
};

struct BuiltinArray {
  Oid array;
  Oid element;
};
constexpr BuiltinArray kBuiltinArrays[] = {
    {1000, kBool}, {1001, kBytea}, {1002, kChar}, {1003, kName}, {1005, kInt2}, {1007, kInt4},
    {1009, kText}, {1014, kBpchar}, {1015, kVarchar}, {1016, kInt8}, {1021, kFloat4},
    {1022, kFloat8}, {1028, kOidType}, {791, kMoney}, {1041, kInet}, {651, kCidr},
    {1040, kMacaddr}, {775, kMacaddr8}, {1182, kDate}, {1183, kTime}, {1115, kTimestamp},
    {1185, kTimestamptz}, {1187, kInterval}, {1231, kNumeric}, {1270, kTimetz}, {1561, kBit},
    {1563, kVarbit}, {2951, kUuid}, {199, kJson}, {3807, kJsonb}, {143, kXml}, {1017, kPoint},
    {1018, kLseg}, {1019, kPath}, {1020, kBox}, {1027, kPolygon}, {629, kLine}, {719, kCircle},
    {3643, kTsvector}, {3645, kTsquery}, {3221, kPgLsn}, {3905, kInt4Range}, {3907, kNumRange},
    {3909, kTsRange}, {3911, kTsTzRange}, {3913, kDateRange}, {3927, kInt8Range},
};

// Epoch days of Debezium's POSITIVE/NEGATIVE_INFINITY_LOCAL_DATE (-5877611-06-21 / -22).
constexpr std::int32_t kInfinityDays = -2147472692;
constexpr std::int32_t kMinusInfinityDays = -2147472691;
}  // namespace

enum class Kind : std::uint8_t {
  kBool, kBitBool, kInt16, kInt32, kInt64, kFloat32, kFloat64, kString,
  kDecimal, kVariableDecimal, kDecimalDouble, kDecimalString,
  kMoney, kMoneyDouble, kMoneyString, kBytea, kUnknownBinary,
  kDate, kTimeMillis, kTimeMicros, kTimeNanos, kTimestampMillis, kTimestampMicros,
  kTimestampNanos, kZonedTime, kZonedTimestamp, kIntervalMicros, kIntervalString,
  kBits, kHstoreJson, kHstoreMap, kArray,
};

struct ValueConverter {
  Kind kind = Kind::kString;
  std::string type_name;          // for error messages
  std::int32_t scale = 0;         // decimal/money scale, timestamptz fraction width
  BinaryHandlingMode binary = BinaryHandlingMode::kBytes;
  SchemaPtr schema;               // the schema of struct values (VariableScaleDecimal)
  std::shared_ptr<const ValueConverter> element;  // arrays
  char delimiter = ',';
  bool element_required = false;
};

namespace {

[[noreturn]] void fail(const std::string& column, const ValueConverter& c, std::string_view text,
                       std::string_view why) {
  throw DataError(fmt::format("column '{}': cannot convert '{}' to {}: {}", column, text,
                              c.type_name, why));
}

// The text parsers live in pg_text.h; they throw pgtext::BadText.
using namespace pgtext;

Value hstore_value(std::string_view t, Kind kind) {
  auto entries = parse_hstore(t);
  if (kind == Kind::kHstoreMap) {
    Map map;
    map.reserve(entries.size());
    for (auto& [k, v] : entries) map.emplace_back(Value(std::move(k)), v ? Value(std::move(*v)) : Value());
    return Value(std::move(map));
  }
  std::string json = "{";
  for (auto& [k, v] : entries) {
    if (json.size() > 1) json += ',';
    append_json_string(json, k);
    json += ':';
    if (v) append_json_string(json, *v);
    else json += "null";
  }
  return Value(json + "}");
}

Value numeric_value(const ValueConverter& c, std::string_view t) {
  bool special = t == "NaN" || t == "Infinity" || t == "-Infinity";
  if (c.kind == Kind::kDecimalDouble) return Value(parse_floating<double>(t));
  if (special) {
    if (c.kind == Kind::kDecimalString) {
      return Value(t == "NaN" ? "NAN" : t == "Infinity" ? "POSITIVE_INFINITY" : "NEGATIVE_INFINITY");
    }
    throw BadText{"NaN/Infinity cannot be a Decimal; set decimal.handling.mode to string or double"};
  }
  std::int32_t frac = check_decimal(t);
  if (c.kind == Kind::kDecimal) return Value(logical::decimal_from_string(t, c.scale));
  if (c.kind == Kind::kDecimalString) return Value(java_decimal_string(t, frac));
  // VariableScaleDecimal: trailing fraction zeros go (Java's stripTrailingZeros, floored at 0).
  std::string_view stripped = t;
  std::int32_t scale = 0;
  if (frac > 0) {
    stripped = t.substr(0, t.find_last_not_of('0') + 1);
    if (stripped.back() == '.') stripped.remove_suffix(1);
    auto point = stripped.find('.');
    if (point != std::string_view::npos) scale = static_cast<std::int32_t>(stripped.size() - point - 1);
  }
  Struct s(c.schema);
  s.put_unchecked(0, Value(scale));
  s.put_unchecked(1, Value(logical::decimal_from_string(stripped, scale)));
  return Value(std::move(s));
}

Value money_value(const ValueConverter& c, std::string_view t) {
  std::string plain = money_to_plain(t);
  if (c.kind == Kind::kMoney) return Value(logical::decimal_from_string(plain, c.scale));
  double v = std::strtod(plain.c_str(), nullptr);
  if (c.kind == Kind::kMoneyDouble) return Value(v);
  return Value(java_double_string(v));
}

Value temporal_value(const ValueConverter& c, std::string_view t) {
  switch (c.kind) {
    case Kind::kDate:
      if (t == "infinity") return Value(kInfinityDays);
      if (t == "-infinity") return Value(kMinusInfinityDays);
      return Value(static_cast<std::int32_t>(parse_date_days(t)));
    case Kind::kTimeMillis:
    case Kind::kTimeMicros:
    case Kind::kTimeNanos: {
      Cursor cur{t};
      std::int64_t micros = scan_time(cur);
      if (!cur.done()) throw BadText{"trailing characters"};
      if (c.kind == Kind::kTimeMillis) return Value(static_cast<std::int32_t>(micros / 1000));
      return Value(c.kind == Kind::kTimeMicros ? micros : micros * 1000);
    }
    case Kind::kTimestampMillis:
      return Value(floor_div(parse_timestamp_micros(t, false), 1000));
    case Kind::kTimestampMicros:
      return Value(parse_timestamp_micros(t, false));
    case Kind::kTimestampNanos: {
      std::int64_t micros = parse_timestamp_micros(t, false), nanos = 0;
      if (__builtin_mul_overflow(micros, std::int64_t{1000}, &nanos)) {
        nanos = micros > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
      }
      return Value(nanos);
    }
    case Kind::kZonedTime:
      return Value(parse_zoned_time(t));
    case Kind::kZonedTimestamp:
      if (t == "infinity" || t == "-infinity") return Value(t);
      return Value(format_zoned_timestamp(parse_timestamp_micros(t, true), c.scale));
    case Kind::kIntervalMicros:
      return Value(interval_micros(parse_interval(t)));
    default:
      return Value(interval_iso(parse_interval(t)));
  }
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  out.erase(0, std::min(out.find_first_not_of(' '), out.size()));
  return out;
}

// Array text -> elements; throws BadText.
std::vector<std::optional<std::string>> scan_array(std::string_view text, char delimiter) {
  {
    Cursor c{text};
    if (c.peek() == '[') {  // explicit bounds: "[0:2]={...}"
      auto eq = text.find('=');
      if (eq == std::string_view::npos) throw BadText{"'=' expected after array bounds"};
      if (text.find('[', 1) != std::string_view::npos && text.find('[', 1) < eq) throw BadText{"multi-dimensional arrays are not supported"};
      c.i = eq + 1;
    }
    c.expect('{');
    std::vector<std::optional<std::string>> out;
    if (c.eat('}')) {
      if (!c.done()) throw BadText{"trailing characters"};
      return out;
    }
    while (true) {
      while (c.peek() == ' ') ++c.i;
      if (c.peek() == '{') throw BadText{"multi-dimensional arrays are not supported"};
      if (c.peek() == '"') {
        out.emplace_back(scan_quoted(c));
      } else {
        std::string item;
        while (!c.done() && c.peek() != delimiter && c.peek() != '}') {
          char ch = c.s[c.i++];
          if (ch == '\\' && !c.done()) ch = c.s[c.i++];
          item += ch;
        }
        while (!item.empty() && item.back() == ' ') item.pop_back();
        if (item.empty()) throw BadText{"empty array element"};
        if (lower(item) == "null") out.emplace_back(std::nullopt);
        else out.emplace_back(std::move(item));
      }
      while (c.peek() == ' ') ++c.i;
      if (c.eat('}')) break;
      if (!c.eat(delimiter)) throw BadText{"delimiter or '}' expected"};
    }
    if (!c.done()) throw BadText{"trailing characters"};
    return out;
  }
}


Value convert_text(const ValueConverter& c, std::string_view t, const std::string& column);

Value array_value(const ValueConverter& c, std::string_view t, const std::string& column) {
  auto items = scan_array(t, c.delimiter);
  Array out;
  out.reserve(items.size());
  for (auto& item : items) {
    if (!item) {
      if (c.element_required) throw BadText{"NULL element in an array of required elements"};
      out.emplace_back();
    } else {
      out.push_back(convert_text(*c.element, *item, column));
    }
  }
  return Value(std::move(out));
}

Value convert_text(const ValueConverter& c, std::string_view t, const std::string& column) {
  try {
    switch (c.kind) {
      case Kind::kBool:
        if (t == "t") return Value(true);
        if (t == "f") return Value(false);
        throw BadText{"expected 't' or 'f'"};
      case Kind::kBitBool:
        if (t == "1") return Value(true);
        if (t == "0") return Value(false);
        throw BadText{"expected '0' or '1'"};
      case Kind::kInt16: return Value(parse_integer<std::int16_t>(t));
      case Kind::kInt32: return Value(parse_integer<std::int32_t>(t));
      case Kind::kInt64: return Value(parse_integer<std::int64_t>(t));
      case Kind::kFloat32: return Value(parse_floating<float>(t));
      case Kind::kFloat64: return Value(parse_floating<double>(t));
      case Kind::kString: return Value(t);
      case Kind::kDecimal: case Kind::kVariableDecimal: case Kind::kDecimalDouble:
      case Kind::kDecimalString:
        return numeric_value(c, t);
      case Kind::kMoney: case Kind::kMoneyDouble: case Kind::kMoneyString:
        return money_value(c, t);
      case Kind::kBytea: return binary_value(parse_bytea(t), c.binary);
      case Kind::kUnknownBinary: return binary_value(Bytes(t.begin(), t.end()), c.binary);
      case Kind::kBits: return Value(parse_bits(t));
      case Kind::kHstoreJson: case Kind::kHstoreMap: return hstore_value(t, c.kind);
      case Kind::kArray: return array_value(c, t, column);
      default: return temporal_value(c, t);
    }
  } catch (const BadText& e) {
    fail(column, c, t, e.why);
  } catch (const DataError& e) {
    if (c.kind == Kind::kArray) throw;  // an element's error already names the column
    fail(column, c, t, e.what());
  }
}

}  // namespace

std::vector<std::optional<std::string>> parse_array_text(std::string_view text, char delimiter) {
  try {
    return scan_array(text, delimiter);
  } catch (const BadText& e) {
    throw DataError(fmt::format("'{}' is not a PostgreSQL array: {}", text, e.why));
  }
}

// -----------------------------------------------------------------------------------------------
// TypeRegistry

void TypeRegistry::add(TypeInfo info) {
  Oid oid = info.oid;
  types_.insert_or_assign(oid, std::move(info));
}

void TypeRegistry::add_row(std::span<const std::optional<std::string_view>> row) {
  if (row.size() < 10 || !row[0] || !row[1] || !row[2] || !row[3] || !row[4]) {
    throw ConnectError("pg_type row does not have the columns of TypeRegistry::kLoadQuery");
  }
  auto number = [&](std::size_t i) -> std::int64_t {
    try {
      return row[i] ? parse_integer<std::int64_t>(*row[i]) : 0;
    } catch (const BadText&) {
      throw ConnectError(fmt::format("pg_type row: column {} is not a number: '{}'", i, *row[i]));
    }
  };
  TypeInfo info;
  info.oid = static_cast<Oid>(number(0));
  info.namespace_name = std::string(*row[1]);
  info.name = std::string(*row[2]);
  info.type_kind = row[3]->empty() ? 'b' : (*row[3])[0];
  info.category = row[4]->empty() ? 'U' : (*row[4])[0];
  info.element_oid = static_cast<Oid>(number(5));
  info.base_oid = static_cast<Oid>(number(6));
  info.base_typmod = static_cast<std::int32_t>(row[7] ? number(7) : -1);
  info.delimiter = row[8] && !row[8]->empty() ? (*row[8])[0] : ',';
  if (row[9]) {
    try {
      for (auto& label : parse_array_text(*row[9])) info.enum_labels.push_back(label.value_or("NULL"));
    } catch (const DataError& e) {
      throw ConnectError(fmt::format("pg_type row for '{}': {}", info.name, e.what()));
    }
  }
  add(std::move(info));
}

const TypeInfo* TypeRegistry::find(Oid oid) const {
  auto it = types_.find(oid);
  return it == types_.end() ? nullptr : &it->second;
}

// -----------------------------------------------------------------------------------------------
// Options

namespace {
template <class E, std::size_t N>
void read_enum(const ConfigMap& config, std::string_view key,
               const std::pair<const char*, E> (&choices)[N], E& out,
               std::vector<ConfigProblem>& problems) {
  auto it = config.find(std::string(key));
  if (it == config.end()) return;
  std::string v = lower(it->second);
  std::string names;
  for (auto& [name, value] : choices) {
    if (v == name) { out = value; return; }
    names += names.empty() ? name : std::string(", ") + name;
  }
  problems.push_back({std::string(key), fmt::format("'{}' is not one of: {}", it->second, names)});
}
}  // namespace

TypeMappingOptions TypeMappingOptions::from_config(const ConfigMap& config) {
  using D = DecimalHandlingMode;
  using T = TimePrecisionMode;
  using B = BinaryHandlingMode;
  static const std::pair<const char*, D> decimals[] = {{"precise", D::kPrecise}, {"double", D::kDouble}, {"string", D::kString}};
  static const std::pair<const char*, T> times[] = {
      {"adaptive", T::kAdaptive}, {"adaptive_time_microseconds", T::kAdaptiveTimeMicroseconds},
      {"connect", T::kConnect}, {"microseconds", T::kMicroseconds}, {"nanoseconds", T::kNanoseconds}};
  static const std::pair<const char*, B> binaries[] = {
      {"bytes", B::kBytes}, {"base64", B::kBase64}, {"base64-url-safe", B::kBase64UrlSafe}, {"hex", B::kHex}};
  static const std::pair<const char*, HstoreHandlingMode> hstores[] = {
      {"json", HstoreHandlingMode::kJson}, {"map", HstoreHandlingMode::kMap}};
  static const std::pair<const char*, IntervalHandlingMode> intervals[] = {
      {"numeric", IntervalHandlingMode::kNumeric}, {"string", IntervalHandlingMode::kString}};
  static const std::pair<const char*, bool> booleans[] = {{"true", true}, {"false", false}};

  TypeMappingOptions o;
  std::vector<ConfigProblem> problems;
  read_enum(config, kDecimalHandlingModeKey, decimals, o.decimal_mode, problems);
  read_enum(config, kTimePrecisionModeKey, times, o.time_precision_mode, problems);
  read_enum(config, kBinaryHandlingModeKey, binaries, o.binary_mode, problems);
  read_enum(config, kHstoreHandlingModeKey, hstores, o.hstore_mode, problems);
  read_enum(config, kIntervalHandlingModeKey, intervals, o.interval_mode, problems);
  read_enum(config, kIncludeUnknownDatatypesKey, booleans, o.include_unknown_datatypes, problems);
  if (auto it = config.find(std::string(kMoneyFractionDigitsKey)); it != config.end()) {
    std::string v = lower(it->second);
    std::int32_t digits = -1;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), digits);
    if (ec != std::errc{} || p != v.data() + v.size() || digits < 0 || digits > 100) {
      problems.push_back({std::string(kMoneyFractionDigitsKey), fmt::format("'{}' is not an integer between 0 and 100", it->second)});
    } else {
      o.money_fraction_digits = digits;
    }
  }
  if (!problems.empty()) throw ConfigError(std::move(problems));
  return o;
}

// -----------------------------------------------------------------------------------------------
// Planning: one schema + converter per column.

namespace {
struct Plan {
  SchemaPtr schema;  // nullptr: the column is left out
  std::shared_ptr<const ValueConverter> converter;
};

SchemaBuilder named(Type type, std::string_view name) {
  SchemaBuilder b(type);
  b.name(std::string(name)).version(1);
  return b;
}

struct Planner {
  const TypeRegistry& registry;
  const TypeMappingOptions& options;

  Plan make(SchemaBuilder b, bool optional, Kind kind, std::string type_name, std::int32_t scale = 0) const {
    if (optional) b.optional();
    auto c = std::make_shared<ValueConverter>();
    c->kind = kind;
    c->type_name = std::move(type_name);
    c->scale = scale;
    c->binary = options.binary_mode;
    Plan p{b.build(), nullptr};
    if (kind == Kind::kVariableDecimal) c->schema = p.schema;
    p.converter = std::move(c);
    return p;
  }

  Plan binary(bool optional, Kind kind, std::string type_name) const {
    Type t = options.binary_mode == BinaryHandlingMode::kBytes ? Type::kBytes : Type::kString;
    return make(SchemaBuilder(t), optional, kind, std::move(type_name));
  }

  // The fraction digits a time/timestamp typmod allows (6 without one).
  static std::int32_t time_precision(std::int32_t typmod) { return typmod < 0 ? 6 : std::min(typmod, 6); }

  Plan time(std::int32_t typmod, bool optional) const {
    using T = TimePrecisionMode;
    auto m = options.time_precision_mode;
    if (m == T::kConnect) return make(logical::time(), optional, Kind::kTimeMillis, "time");
    if (m == T::kNanoseconds) return make(named(Type::kInt64, "io.debezium.time.NanoTime"), optional, Kind::kTimeNanos, "time");
    if (m == T::kAdaptive && time_precision(typmod) <= 3) {
      return make(named(Type::kInt32, "io.debezium.time.Time"), optional, Kind::kTimeMillis, "time");
    }
    return make(named(Type::kInt64, "io.debezium.time.MicroTime"), optional, Kind::kTimeMicros, "time");
  }

  Plan timestamp(std::int32_t typmod, bool optional) const {
    using T = TimePrecisionMode;
    auto m = options.time_precision_mode;
    if (m == T::kConnect) return make(logical::timestamp(), optional, Kind::kTimestampMillis, "timestamp");
    if (m == T::kNanoseconds) {
      return make(named(Type::kInt64, "io.debezium.time.NanoTimestamp"), optional, Kind::kTimestampNanos, "timestamp");
    }
    if (m != T::kMicroseconds && time_precision(typmod) <= 3) {
      return make(named(Type::kInt64, "io.debezium.time.Timestamp"), optional, Kind::kTimestampMillis, "timestamp");
    }
    return make(named(Type::kInt64, "io.debezium.time.MicroTimestamp"), optional, Kind::kTimestampMicros, "timestamp");
  }

  Plan numeric(std::int32_t typmod, bool optional) const {
    using D = DecimalHandlingMode;
    if (options.decimal_mode == D::kDouble) return make(SchemaBuilder::float64(), optional, Kind::kDecimalDouble, "numeric");
    if (options.decimal_mode == D::kString) return make(SchemaBuilder::string(), optional, Kind::kDecimalString, "numeric");
    if (typmod < 4) {
      SchemaBuilder b = named(Type::kStruct, "io.debezium.data.VariableScaleDecimal");
      b.doc("Variable scaled decimal").field("scale", schemas::int32()).field("value", schemas::bytes());
      return make(std::move(b), optional, Kind::kVariableDecimal, "numeric");
    }
    std::int32_t precision = ((typmod - 4) >> 16) & 0xffff;
    std::int32_t scale = std::max(0, ((((typmod - 4) & 0x7ff) ^ 1024) - 1024));
    SchemaBuilder b = logical::decimal(scale);
    b.parameter(std::string(logical::kPrecisionParameter), std::to_string(precision));
    return make(std::move(b), optional, Kind::kDecimal, fmt::format("numeric({},{})", precision, scale), scale);
  }

  Plan money(bool optional) const {
    using D = DecimalHandlingMode;
    if (options.decimal_mode == D::kDouble) return make(SchemaBuilder::float64(), optional, Kind::kMoneyDouble, "money");
    if (options.decimal_mode == D::kString) return make(SchemaBuilder::string(), optional, Kind::kMoneyString, "money");
    return make(logical::decimal(options.money_fraction_digits), optional, Kind::kMoney, "money",
                options.money_fraction_digits);
  }

  Plan bits(Oid oid, std::int32_t typmod, bool optional) const {
    std::int32_t length = typmod >= 0 ? typmod : (oid == kBit ? 1 : std::numeric_limits<std::int32_t>::max());
    if (length <= 1) return make(SchemaBuilder::boolean(), optional, Kind::kBitBool, "bit(1)");
    SchemaBuilder b = named(Type::kBytes, "io.debezium.data.Bits");
    b.parameter("length", std::to_string(length));
    return make(std::move(b), optional, Kind::kBits, fmt::format("bit({})", length));
  }

  Plan string_named(std::string_view schema_name, bool optional, std::string type_name) const {
    return make(named(Type::kString, schema_name), optional, Kind::kString, std::move(type_name));
  }

  std::optional<Plan> builtin(Oid oid, std::int32_t typmod, bool optional) const {
    switch (oid) {
      case kBool: return make(SchemaBuilder::boolean(), optional, Kind::kBool, "boolean");
      case kInt2: return make(SchemaBuilder::int16(), optional, Kind::kInt16, "smallint");
      case kInt4: return make(SchemaBuilder::int32(), optional, Kind::kInt32, "integer");
      case kInt8: return make(SchemaBuilder::int64(), optional, Kind::kInt64, "bigint");
      case kOidType: return make(SchemaBuilder::int64(), optional, Kind::kInt64, "oid");
      case kFloat4: return make(SchemaBuilder::float32(), optional, Kind::kFloat32, "real");
      case kFloat8: return make(SchemaBuilder::float64(), optional, Kind::kFloat64, "double precision");
      case kNumeric: return numeric(typmod, optional);
      case kMoney: return money(optional);
      case kBytea: return binary(optional, Kind::kBytea, "bytea");
      case kDate: {
        SchemaBuilder b = options.time_precision_mode == TimePrecisionMode::kConnect ? logical::date()
                                                                                     : named(Type::kInt32, "io.debezium.time.Date");
        return make(std::move(b), optional, Kind::kDate, "date");
      }
      case kTime: return time(typmod, optional);
      case kTimestamp: return timestamp(typmod, optional);
      case kTimetz:
        return make(named(Type::kString, "io.debezium.time.ZonedTime"), optional, Kind::kZonedTime, "time with time zone");
      case kTimestamptz:
        return make(named(Type::kString, "io.debezium.time.ZonedTimestamp"), optional, Kind::kZonedTimestamp,
                    "timestamp with time zone", time_precision(typmod));
      case kInterval:
        if (options.interval_mode == IntervalHandlingMode::kString) {
          return make(named(Type::kString, "io.debezium.time.Interval"), optional, Kind::kIntervalString, "interval");
        }
        return make(named(Type::kInt64, "io.debezium.time.MicroDuration"), optional, Kind::kIntervalMicros, "interval");
      case kUuid: return string_named("io.debezium.data.Uuid", optional, "uuid");
      case kJson: case kJsonb: return string_named("io.debezium.data.Json", optional, "json");
      case kXml: return string_named("io.debezium.data.Xml", optional, "xml");
      case kTsvector: return string_named("io.debezium.data.Tsvector", optional, "tsvector");
      case kBit: case kVarbit: return bits(oid, typmod, optional);
      case kText: case kVarchar: case kBpchar: case kChar: case kName: case kInet: case kCidr:
      case kMacaddr: case kMacaddr8: case kInt4Range: case kInt8Range: case kNumRange: case kTsRange:
      case kTsTzRange: case kDateRange: case kTsquery: case kPgLsn: case kPoint: case kLseg:
      case kPath: case kBox: case kPolygon: case kLine: case kCircle:
        return make(SchemaBuilder::string(), optional, Kind::kString, "text");
      default: return std::nullopt;
    }
  }

  std::optional<Plan> extension(const TypeInfo& t, bool optional) const {
    if (t.name == "hstore") {
      if (options.hstore_mode == HstoreHandlingMode::kJson) {
        return make(named(Type::kString, "io.debezium.data.Json"), optional, Kind::kHstoreJson, "hstore");
      }
      return make(SchemaBuilder::map(schemas::string(), schemas::optional_string()), optional, Kind::kHstoreMap, "hstore");
    }
    if (t.name == "ltree") return string_named("io.debezium.data.Ltree", optional, "ltree");
    if (t.name == "citext" || t.name == "isbn") return make(SchemaBuilder::string(), optional, Kind::kString, t.name);
    if (t.is_enum()) {
      std::string allowed;
      for (auto& label : t.enum_labels) allowed += (allowed.empty() ? "" : ",") + label;
      SchemaBuilder b = named(Type::kString, "io.debezium.data.Enum");
      b.parameter("allowed", allowed);
      return make(std::move(b), optional, Kind::kString, t.name);
    }
    return std::nullopt;
  }

  Plan array(Oid element_oid, std::int32_t typmod, bool optional, int depth) const {
    const TypeInfo* element_info = registry.find(element_oid);
    bool required = element_info && element_info->is_enum();
    Plan element = resolve(element_oid, typmod, !required, depth + 1);
    if (!element.schema) return element;
    SchemaBuilder b = SchemaBuilder::array(element.schema);
    if (optional) b.optional();
    auto c = std::make_shared<ValueConverter>();
    c->kind = Kind::kArray;
    c->type_name = element.converter->type_name + "[]";
    c->element = element.converter;
    c->element_required = required;
    c->delimiter = element_oid == kBox ? ';' : element_info ? element_info->delimiter : ',';
    return Plan{b.build(), std::move(c)};
  }

  Plan resolve(Oid oid, std::int32_t typmod, bool optional, int depth = 0) const {
    if (depth > 16) throw ConnectError(fmt::format("type {} nests domains or arrays too deeply", oid));
    for (auto& a : kBuiltinArrays) {
      if (a.array == oid) return array(a.element, typmod, optional, depth);
    }
    if (auto p = builtin(oid, typmod, optional)) return *p;
    const TypeInfo* t = registry.find(oid);
    if (t && t->is_domain()) return resolve(t->base_oid, typmod >= 0 ? typmod : t->base_typmod, optional, depth + 1);
    if (t && t->is_array()) return array(t->element_oid, typmod, optional, depth);
    if (t) {
      if (auto p = extension(*t, optional)) return *p;
    }
    if (!options.include_unknown_datatypes) return Plan{};
    return binary(optional, Kind::kUnknownBinary, t ? t->name : fmt::format("type {}", oid));
  }
};
}  // namespace

ColumnMapping map_column(const ColumnDescriptor& column, const TypeRegistry& registry,
                         const TypeMappingOptions& options) {
  Plan plan = Planner{registry, options}.resolve(column.type_oid, column.type_modifier, column.optional);
  ColumnMapping m;
  m.column_name_ = column.name;
  m.schema_ = std::move(plan.schema);
  m.converter_ = std::move(plan.converter);
  if (m.schema_) {
    Kind kind = m.converter_->kind;
    if (kind == Kind::kDecimalString) m.fallback_ = Value(java_decimal_string("0", 0));
    else if (kind == Kind::kMoneyString) m.fallback_ = Value(java_double_string(0.0));
    else m.fallback_ = fallback_value(m.schema_);
  }
  return m;
}

Value fallback_value(const SchemaPtr& schema_ptr) {
  const Schema& schema = *schema_ptr;
  const std::string& name = schema.name();
  switch (schema.type()) {
    case Type::kInt8: return Value(std::int8_t{0});
    case Type::kInt16: return Value(std::int16_t{0});
    case Type::kInt32: return Value(std::int32_t{0});
    case Type::kInt64: return Value(std::int64_t{0});
    case Type::kFloat32: return Value(0.0f);
    case Type::kFloat64: return Value(0.0);
    case Type::kBoolean: return Value(false);
    case Type::kString:
      if (name == "io.debezium.data.Json") return Value("{}");
      if (name == "io.debezium.time.ZonedTimestamp") return Value("1970-01-01T00:00:00Z");
      if (name == "io.debezium.time.ZonedTime") return Value("00:00:00Z");
      return Value(std::string());
    case Type::kBytes:
      if (name == logical::kDecimalName) return Value(logical::decimal_from_string("0", logical::decimal_scale(schema)));
      return Value(Bytes{});
    case Type::kArray: return Value(Array{});
    case Type::kMap: return Value(Map{});
    case Type::kStruct: {
      Struct s(schema_ptr);
      for (std::size_t i = 0; i < schema.fields().size(); ++i) {
        const SchemaPtr& f = schema.fields()[i].schema;
        if (!f->optional()) s.put_unchecked(i, fallback_value(f));
      }
      // A VariableScaleDecimal's value is an unscaled integer: zero is one byte, not none.
      if (name == "io.debezium.data.VariableScaleDecimal") s.put_unchecked(1, Value(logical::decimal_from_string("0", 0)));
      return Value(std::move(s));
    }
  }
  return Value();
}

Value ColumnMapping::convert(std::optional<std::string_view> text) const {
  if (!text) return Value();
  return convert(*text);
}

Value ColumnMapping::convert(std::string_view text) const {
  if (!converter_) throw DataError(fmt::format("column '{}' has a type that is not captured", column_name_));
  return convert_text(*converter_, text, column_name_);
}

}  // namespace sluice::postgres
