#include "runtime/builtin/converters/simple_header_converter.h"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <limits>

#include "runtime/builtin/converters/byte_array_converter.h"
#include "sluice/errors.h"
#include "sluice/json.h"

namespace sluice::builtin {

namespace {

constexpr std::int64_t kMillisPerDay = 86'400'000;

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

void append_date(std::string& out, std::int64_t days) {
  std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
  char buf[32];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                        static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  out.append(buf, static_cast<std::size_t>(n));
}

void append_time(std::string& out, std::int64_t millis_of_day) {
  char buf[32];
  int n = std::snprintf(buf, sizeof buf, "%02d:%02d:%02d.%03dZ", static_cast<int>(millis_of_day / 3'600'000),
                        static_cast<int>(millis_of_day / 60'000 % 60), static_cast<int>(millis_of_day / 1000 % 60),
                        static_cast<int>(millis_of_day % 1000));
  out.append(buf, static_cast<std::size_t>(n));
}

// Digits at text[pos, pos+n) as a number, or -1.
int digits_at(std::string_view text, std::size_t pos, std::size_t n) {
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    v = v * 10 + (text[i] - '0');
  }
  return v;
}

// "yyyy-MM-dd" at the start of text -> days since the epoch.
std::optional<std::int32_t> parse_date(std::string_view text) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int y = digits_at(text, 0, 4), m = digits_at(text, 5, 2), d = digits_at(text, 8, 2);
  if (y < 0 || m < 0 || d < 0) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                  std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return static_cast<std::int32_t>(std::chrono::sys_days{ymd}.time_since_epoch().count());
}

// "HH:mm:ss.SSSZ" at the start of text -> milliseconds since midnight.
std::optional<std::int32_t> parse_time(std::string_view text) {
  if (text.size() < 13 || text[2] != ':' || text[5] != ':' || text[8] != '.' || text[12] != 'Z') {
    return std::nullopt;
  }
  int h = digits_at(text, 0, 2), m = digits_at(text, 3, 2), s = digits_at(text, 6, 2), ms = digits_at(text, 9, 3);
  if (h < 0 || m < 0 || s < 0 || ms < 0 || h > 23 || m > 59 || s > 59) return std::nullopt;
  return ((h * 60 + m) * 60 + s) * 1000 + ms;
}

bool is_integer_text(std::string_view t) {
  std::size_t i = t[0] == '-' ? 1 : 0;
  if (i == t.size()) return false;
  for (; i < t.size(); ++i) {
    if (t[i] < '0' || t[i] > '9') return false;
  }
  return true;
}

SchemaAndValue smallest_integer(std::int64_t v) {
  if (v >= std::numeric_limits<std::int8_t>::min() && v <= std::numeric_limits<std::int8_t>::max()) {
    return {schemas::int8(), Value(static_cast<std::int8_t>(v))};
  }
  if (v >= std::numeric_limits<std::int16_t>::min() && v <= std::numeric_limits<std::int16_t>::max()) {
    return {schemas::int16(), Value(static_cast<std::int16_t>(v))};
  }
  if (v >= std::numeric_limits<std::int32_t>::min() && v <= std::numeric_limits<std::int32_t>::max()) {
    return {schemas::int32(), Value(static_cast<std::int32_t>(v))};
  }
  return {schemas::int64(), Value(v)};
}

bool is_integer_type(Type t) {
  return t == Type::kInt8 || t == Type::kInt16 || t == Type::kInt32 || t == Type::kInt64;
}

Value widen(const Value& v, Type to) {
  if (v.is_null()) return v;
  std::int64_t x = v.as_int64();
  switch (to) {
    case Type::kInt8: return Value(static_cast<std::int8_t>(x));
    case Type::kInt16: return Value(static_cast<std::int16_t>(x));
    case Type::kInt32: return Value(static_cast<std::int32_t>(x));
    default: return Value(x);
  }
}

SchemaAndValue infer(const Value& v);

// The schema every element fits, widening integers; nullptr when they differ (or there are none).
// Integer elements are rewritten to the chosen width.
SchemaPtr common_schema(std::vector<SchemaAndValue>& items) {
  SchemaPtr common;
  bool any_null = false, all_integers = true;
  Type widest = Type::kInt8;
  for (const auto& item : items) {
    if (!item.schema) {
      if (!item.value.is_null()) return nullptr;  // a schemaless element
      any_null = true;
      continue;
    }
    if (is_integer_type(item.schema->type())) {
      widest = std::max(widest, item.schema->type());
    } else {
      all_integers = false;
    }
    if (!common) {
      common = item.schema;
    } else if (!schemas_equal(common, item.schema) && !(all_integers && is_integer_type(common->type()))) {
      return nullptr;
    }
  }
  if (!common) return nullptr;
  if (all_integers) {
    common = schemas::of(widest, false);
    for (auto& item : items) item.value = widen(item.value, widest);
  }
  if (any_null && !common->optional()) common = SchemaBuilder::from(*common).optional().build();
  return common;
}

// A schemaless JSON tree (int64, double, string, bool, Array, Map) to the narrowest schema.
SchemaAndValue infer(const Value& v) {
  if (v.is_null()) return {};
  if (const auto* i = v.get_if<std::int64_t>()) return smallest_integer(*i);
  if (v.is<double>()) return {schemas::float64(), v};
  if (v.is<bool>()) return {schemas::boolean(), v};
  if (v.is<std::string>()) return {schemas::string(), v};
  std::vector<SchemaAndValue> items;
  if (const auto* a = v.get_if<Array>()) {
    for (const auto& e : *a) items.push_back(infer(e));
    SchemaPtr element = common_schema(items);
    if (!element) return {nullptr, v};
    Array out;
    out.reserve(items.size());
    for (auto& item : items) out.push_back(std::move(item.value));
    return {SchemaBuilder::array(element).build(), Value(std::move(out))};
  }
  const auto& m = v.as<Map>();
  for (const auto& [k, e] : m) items.push_back(infer(e));
  SchemaPtr element = common_schema(items);
  if (!element) return {nullptr, v};
  Map out;
  out.reserve(m.size());
  for (std::size_t i = 0; i < m.size(); ++i) out.emplace_back(m[i].first, std::move(items[i].value));
  return {SchemaBuilder::map(schemas::string(), element).build(), Value(std::move(out))};
}

}  // namespace

std::string header_value_to_string(const SchemaPtr& schema, const Value& value) {
  if (const auto* s = value.get_if<std::string>()) return *s;
  std::string out;
  const std::string_view name = schema ? std::string_view(schema->name()) : std::string_view();
  if (name == logical::kDateName && value.is<std::int32_t>()) {
    append_date(out, value.as<std::int32_t>());
  } else if (name == logical::kTimeName && value.is<std::int32_t>()) {
    append_time(out, value.as<std::int32_t>());
  } else if (name == logical::kTimestampName && value.is<std::int64_t>()) {
    std::int64_t ms = value.as<std::int64_t>();
    append_date(out, floor_div(ms, kMillisPerDay));
    out += 'T';
    append_time(out, ms - floor_div(ms, kMillisPerDay) * kMillisPerDay);
  } else if (name == logical::kDecimalName && value.is<Bytes>()) {
    out = logical::decimal_to_string(value.as<Bytes>(), logical::decimal_scale(*schema));
  } else if (value.is<Bytes>()) {
    json::append_base64(out, value.as<Bytes>());
  } else if (value.is<Array>() || value.is<Map>() || value.is<Struct>()) {
    json::EncodeOptions options;
    options.decimal_numeric = true;
    json::append_value(out, schema, value, options);
  } else if (value.is<float>()) {
    json::append_float(out, value.as<float>());
  } else if (value.is<double>()) {
    json::append_double(out, value.as<double>());
  } else if (value.is<bool>()) {
    out = value.as<bool>() ? "true" : "false";
  } else {
    out = std::to_string(value.as_int64());
  }
  return out;
}

SchemaAndValue parse_header_string(std::string_view text) {
  if (text.empty()) return {schemas::string(), Value(std::string())};
  std::string_view t = text;
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t' || t.front() == '\r' || t.front() == '\n')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\r' || t.back() == '\n')) t.remove_suffix(1);
  auto as_string = [&] { return SchemaAndValue{schemas::string(), Value(std::string(text))}; };
  if (t.empty()) return as_string();
  if (t == "null") return {};
  if (t.size() <= 5) {
    std::string lower(t);
    for (auto& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    if (lower == "true") return {schemas::boolean(), Value(true)};
    if (lower == "false") return {schemas::boolean(), Value(false)};
  }
  if (is_integer_text(t)) {
    std::int64_t v = 0;
    auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec == std::errc()) return smallest_integer(v);
    return {logical::decimal(0).build(), Value(logical::decimal_from_string(t, 0))};
  }
  if (t.size() == 10) {
    if (auto days = parse_date(t)) return {logical::date().build(), Value(*days)};
  }
  if (t.size() == 13) {
    if (auto ms = parse_time(t)) return {logical::time().build(), Value(*ms)};
  }
  if (t.size() == 24 && t[10] == 'T') {
    auto days = parse_date(t);
    auto ms = parse_time(t.substr(11));
    if (days && ms) {
      return {logical::timestamp().build(), Value(static_cast<std::int64_t>(*days) * kMillisPerDay + *ms)};
    }
  }
  char first = t.front();
  if (first == '[' || first == '{' || first == '-' || (first >= '0' && first <= '9')) {
    try {
      return infer(json::decode_value(nullptr, t));
    } catch (const DataError&) {
      return as_string();  // not JSON after all: plain text
    }
  }
  return as_string();
}

const ConfigDef& SimpleHeaderConverter::definition() {
  static const ConfigDef def = converter_type_def();
  return def;
}

void SimpleHeaderConverter::configure(const ConfigMap& config) { definition().parse(config); }

std::optional<Bytes> SimpleHeaderConverter::from_connect_header(const std::string& /*topic*/,
                                                                const std::string& /*header_key*/,
                                                                const SchemaPtr& schema,
                                                                const Value& value) {
  if (value.is_null()) return std::nullopt;
  std::string text = header_value_to_string(schema, value);
  return Bytes(text.begin(), text.end());
}

SchemaAndValue SimpleHeaderConverter::to_connect_header(const std::string& /*topic*/,
                                                        const std::string& /*header_key*/,
                                                        const Bytes* data) {
  if (!data) return {};
  return parse_header_string(std::string_view(reinterpret_cast<const char*>(data->data()), data->size()));
}

}  // namespace sluice::builtin
