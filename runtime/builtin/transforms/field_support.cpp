#include "runtime/builtin/transforms/field_support.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "sluice/errors.h"

namespace sluice::builtin {

ConfigDef& define_replace_null_with_default(ConfigDef& def) {
  return def.define(kReplaceNullWithDefault, ConfigType::kBoolean, true, Importance::kMedium,
                    "Whether to replace fields that have a default value and that are null to the "
                    "default value. When set to true, the default value is used, otherwise null is "
                    "used.");
}

namespace {
const char* found_name(const Value& value) { return value.is_null() ? "null" : value.type_name(); }
}  // namespace

Struct& require_struct(Value& value, std::string_view purpose) {
  if (auto* s = value.get_if<Struct>()) return *s;
  throw DataError(fmt::format("Only Struct objects supported for [{}], found: {}", purpose, found_name(value)));
}

const Struct& require_struct(const Value& value, std::string_view purpose) {
  return require_struct(const_cast<Value&>(value), purpose);
}

Map& require_map(Value& value, std::string_view purpose) {
  if (auto* m = value.get_if<Map>()) return *m;
  throw DataError(fmt::format("Only Map objects supported in absence of schema for [{}], found: {}", purpose,
                              found_name(value)));
}

const Map& require_map(const Value& value, std::string_view purpose) {
  return require_map(const_cast<Value&>(value), purpose);
}

void require_schema(const SchemaPtr& schema, std::string_view purpose) {
  if (!schema) throw DataError(fmt::format("Schema required for [{}]", purpose));
}

const std::string& map_key(const Value& key, std::string_view purpose) {
  if (auto* s = key.get_if<std::string>()) return *s;
  throw DataError(fmt::format("Only string map keys supported for [{}], found a key of type {}", purpose,
                              found_name(key)));
}

SchemaBuilder& copy_schema_basics_into(const Schema& source, SchemaBuilder& builder) {
  if (!source.name().empty()) builder.name(source.name());
  if (source.version()) builder.version(*source.version());
  if (!source.doc().empty()) builder.doc(source.doc());
  if (!source.parameters().empty()) builder.parameters(source.parameters());
  return builder;
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

std::optional<Type> value_type(const Value& value) {
  // Value::Variant order: null, bool, int8, int16, int32, int64, float, double, string, bytes,
  // array, map, struct.
  static constexpr Type kTypes[] = {Type::kBoolean, Type::kInt8,   Type::kInt16,  Type::kInt32,
                                    Type::kInt64,   Type::kFloat32, Type::kFloat64, Type::kString,
                                    Type::kBytes,   Type::kArray,  Type::kMap,    Type::kStruct};
  if (value.is_null()) return std::nullopt;
  return kTypes[value.index() - 1];
}

std::string java_type_name(Type type) {
  std::string name = sluice::type_name(type);
  for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

std::int64_t parse_java_integer(std::string_view text, Type type) {
  std::int64_t lo = INT64_MIN, hi = INT64_MAX;
  switch (type) {
    case Type::kInt8: lo = INT8_MIN, hi = INT8_MAX; break;
    case Type::kInt16: lo = INT16_MIN, hi = INT16_MAX; break;
    case Type::kInt32: lo = INT32_MIN, hi = INT32_MAX; break;
    default: break;
  }
  // Java accepts one leading sign, '+' included, and nothing else around the digits.
  std::string_view digits = text;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  bool ok = !digits.empty() && ec == std::errc() && end == digits.data() + digits.size() &&
            !(text.size() > 1 && text[0] == '+' && text[1] == '-') && v >= lo && v <= hi;
  if (!ok) throw DataError(fmt::format("Value \"{}\" is not a valid {}", text, java_type_name(type)));
  return v;
}

double parse_java_floating(std::string_view text) {
  // Java trims whitespace and accepts a trailing f/F/d/D type suffix.
  std::size_t b = 0, e = text.size();
  while (b < e && static_cast<unsigned char>(text[b]) <= ' ') ++b;
  while (e > b && static_cast<unsigned char>(text[e - 1]) <= ' ') --e;
  std::string t(text.substr(b, e - b));
  if (!t.empty() && std::strchr("fFdD", t.back()) && t != "Infinity" && t != "-Infinity") t.pop_back();
  if (t == "Infinity" || t == "+Infinity") return HUGE_VAL;
  if (t == "-Infinity") return -HUGE_VAL;
  if (t == "NaN") return NAN;
  bool plain = !t.empty() && t.find_first_not_of("+-0123456789.eExXpPabcdefABCDEF") == std::string::npos;
  char* end = nullptr;
  double v = plain ? std::strtod(t.c_str(), &end) : 0;
  if (!plain || end != t.c_str() + t.size()) {
    throw DataError(fmt::format("Value \"{}\" is not a valid floating-point number", text));
  }
  return v;
}

}  // namespace sluice::builtin
