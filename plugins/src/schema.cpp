#include "sluice/schema.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "sluice/errors.h"

namespace sluice {

namespace {
constexpr const char* kTypeNames[] = {"int8",    "int16",   "int32",  "int64", "float32", "float64",
                                      "boolean", "string",  "bytes",  "array", "map",     "struct"};
}

const char* type_name(Type type) { return kTypeNames[static_cast<int>(type)]; }

std::optional<Type> parse_type(std::string_view name) {
  for (int i = 0; i < 12; ++i) {
    if (name == kTypeNames[i]) return static_cast<Type>(i);
  }
  return std::nullopt;
}

bool is_primitive(Type type) {
  return type != Type::kArray && type != Type::kMap && type != Type::kStruct;
}

const std::string* Schema::parameter(std::string_view key) const {
  auto it = parameters_.find(std::string(key));
  return it == parameters_.end() ? nullptr : &it->second;
}

const std::vector<Field>& Schema::fields() const {
  if (type_ != Type::kStruct) throw DataError("Cannot list fields on non-struct type");
  return fields_;
}

const Field* Schema::field(std::string_view name) const {
  if (type_ != Type::kStruct) throw DataError("Cannot look up fields on non-struct type");
  for (const auto& f : fields_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const SchemaPtr& Schema::value_schema() const {
  if (type_ != Type::kArray && type_ != Type::kMap) {
    throw DataError("Cannot look up value schema on non-array and non-map type");
  }
  return value_schema_;
}

const SchemaPtr& Schema::key_schema() const {
  if (type_ != Type::kMap) throw DataError("Cannot look up key schema on non-map type");
  return key_schema_;
}

bool Schema::operator==(const Schema& o) const {
  if (this == &o) return true;
  if (type_ != o.type_ || optional_ != o.optional_ || has_default_ != o.has_default_ ||
      name_ != o.name_ || version_ != o.version_ || doc_ != o.doc_ ||
      parameters_ != o.parameters_ || !(default_ == o.default_)) {
    return false;
  }
  if (fields_.size() != o.fields_.size()) return false;
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].name != o.fields_[i].name || !schemas_equal(fields_[i].schema, o.fields_[i].schema)) {
      return false;
    }
  }
  return schemas_equal(key_schema_, o.key_schema_) && schemas_equal(value_schema_, o.value_schema_);
}

bool schemas_equal(const SchemaPtr& a, const SchemaPtr& b) {
  if (a == b) return true;
  if (!a || !b) return false;
  return *a == *b;
}

namespace {
// Variant index expected for each Type (see Value::Variant).
constexpr std::size_t kExpectedIndex[] = {2, 3, 4, 5, 6, 7, 1, 8, 9, 10, 11, 12};

std::string where_suffix(std::string_view where) {
  return where.empty() ? std::string() : fmt::format(" for field: \"{}\"", where);
}
}  // namespace

void validate_value(const SchemaPtr& schema, const Value& value, std::string_view where) {
  if (!schema) return;
  if (value.is_null()) {
    if (schema->optional() || schema->has_default()) return;
    throw DataError(fmt::format("Invalid value: null used for required field{}, schema type: {}",
                                where.empty() ? "" : fmt::format(": \"{}\"", where),
                                type_name(schema->type())));
  }
  if (value.index() != kExpectedIndex[static_cast<int>(schema->type())]) {
    throw DataError(fmt::format("Invalid Java object for schema with type {}: {}{}",
                                type_name(schema->type()), value.type_name(), where_suffix(where)));
  }
  switch (schema->type()) {
    case Type::kStruct: {
      const auto& s = value.as<Struct>();
      if (s.schema() != schema && !schemas_equal(s.schema(), schema)) {
        throw DataError(fmt::format("Struct schemas do not match{}", where_suffix(where)));
      }
      break;
    }
    case Type::kArray:
      for (const auto& item : value.as<Array>()) validate_value(schema->value_schema(), item, where);
      break;
    case Type::kMap:
      for (const auto& [k, v] : value.as<Map>()) {
        validate_value(schema->key_schema(), k, where);
        validate_value(schema->value_schema(), v, where);
      }
      break;
    default:
      break;
  }
}

SchemaBuilder::SchemaBuilder(Type type) { schema_.type_ = type; }

SchemaBuilder SchemaBuilder::array(SchemaPtr value_schema) {
  SchemaBuilder b(Type::kArray);
  b.schema_.value_schema_ = std::move(value_schema);
  return b;
}

SchemaBuilder SchemaBuilder::map(SchemaPtr key_schema, SchemaPtr value_schema) {
  SchemaBuilder b(Type::kMap);
  b.schema_.key_schema_ = std::move(key_schema);
  b.schema_.value_schema_ = std::move(value_schema);
  return b;
}

SchemaBuilder SchemaBuilder::from(const Schema& schema) {
  SchemaBuilder b(schema.type());
  b.schema_ = schema;
  return b;
}

SchemaBuilder& SchemaBuilder::optional() {
  schema_.optional_ = true;
  return *this;
}

SchemaBuilder& SchemaBuilder::required() {
  schema_.optional_ = false;
  return *this;
}

SchemaBuilder& SchemaBuilder::default_value(Value value) {
  if (!value.is_null()) {
    // Validate against a copy of what is built so far.
    validate_value(std::make_shared<const Schema>(schema_), value, "default");
  }
  schema_.default_ = std::move(value);
  schema_.has_default_ = true;
  return *this;
}

SchemaBuilder& SchemaBuilder::name(std::string name) {
  schema_.name_ = std::move(name);
  return *this;
}

SchemaBuilder& SchemaBuilder::version(std::int32_t version) {
  schema_.version_ = version;
  return *this;
}

SchemaBuilder& SchemaBuilder::doc(std::string doc) {
  schema_.doc_ = std::move(doc);
  return *this;
}

SchemaBuilder& SchemaBuilder::parameter(std::string key, std::string value) {
  schema_.parameters_[std::move(key)] = std::move(value);
  return *this;
}

SchemaBuilder& SchemaBuilder::parameters(const std::map<std::string, std::string>& params) {
  for (const auto& [k, v] : params) schema_.parameters_[k] = v;
  return *this;
}

SchemaBuilder& SchemaBuilder::field(std::string name, SchemaPtr schema) {
  if (schema_.type_ != Type::kStruct) throw DataError("Cannot create fields on type " + std::string(type_name(schema_.type_)));
  if (!schema) throw DataError(fmt::format("field schema for field {} cannot be null", name));
  for (const auto& f : schema_.fields_) {
    if (f.name == name) throw DataError(fmt::format("Cannot create field because of field name duplication {}", name));
  }
  schema_.fields_.push_back(Field{std::move(name), schema_.fields_.size(), std::move(schema)});
  return *this;
}

SchemaPtr SchemaBuilder::build() const { return std::make_shared<const Schema>(schema_); }

namespace schemas {
#define SLUICE_SHARED_SCHEMA(fn, type, opt)                                    \
  const SchemaPtr& fn() {                                                      \
    static const SchemaPtr s = [] {                                            \
      SchemaBuilder b(type);                                                   \
      if (opt) b.optional();                                                   \
      return b.build();                                                        \
    }();                                                                       \
    return s;                                                                  \
  }
SLUICE_SHARED_SCHEMA(int8, Type::kInt8, false)
SLUICE_SHARED_SCHEMA(int16, Type::kInt16, false)
SLUICE_SHARED_SCHEMA(int32, Type::kInt32, false)
SLUICE_SHARED_SCHEMA(int64, Type::kInt64, false)
SLUICE_SHARED_SCHEMA(float32, Type::kFloat32, false)
SLUICE_SHARED_SCHEMA(float64, Type::kFloat64, false)
SLUICE_SHARED_SCHEMA(boolean, Type::kBoolean, false)
SLUICE_SHARED_SCHEMA(string, Type::kString, false)
SLUICE_SHARED_SCHEMA(bytes, Type::kBytes, false)
SLUICE_SHARED_SCHEMA(optional_int8, Type::kInt8, true)
SLUICE_SHARED_SCHEMA(optional_int16, Type::kInt16, true)
SLUICE_SHARED_SCHEMA(optional_int32, Type::kInt32, true)
SLUICE_SHARED_SCHEMA(optional_int64, Type::kInt64, true)
SLUICE_SHARED_SCHEMA(optional_float32, Type::kFloat32, true)
SLUICE_SHARED_SCHEMA(optional_float64, Type::kFloat64, true)
SLUICE_SHARED_SCHEMA(optional_boolean, Type::kBoolean, true)
SLUICE_SHARED_SCHEMA(optional_string, Type::kString, true)
SLUICE_SHARED_SCHEMA(optional_bytes, Type::kBytes, true)
#undef SLUICE_SHARED_SCHEMA

SchemaPtr of(Type type, bool optional) {
  switch (type) {
    case Type::kInt8: return optional ? optional_int8() : int8();
    case Type::kInt16: return optional ? optional_int16() : int16();
    case Type::kInt32: return optional ? optional_int32() : int32();
    case Type::kInt64: return optional ? optional_int64() : int64();
    case Type::kFloat32: return optional ? optional_float32() : float32();
    case Type::kFloat64: return optional ? optional_float64() : float64();
    case Type::kBoolean: return optional ? optional_boolean() : boolean();
    case Type::kString: return optional ? optional_string() : string();
    case Type::kBytes: return optional ? optional_bytes() : bytes();
    default: return nullptr;
  }
}
}  // namespace schemas

namespace logical {

SchemaBuilder decimal(std::int32_t scale) {
  SchemaBuilder b = SchemaBuilder::bytes();
  b.name(std::string(kDecimalName)).version(1).parameter(std::string(kScaleParameter), std::to_string(scale));
  return b;
}

SchemaBuilder date() {
  SchemaBuilder b = SchemaBuilder::int32();
  b.name(std::string(kDateName)).version(1);
  return b;
}

SchemaBuilder time() {
  SchemaBuilder b = SchemaBuilder::int32();
  b.name(std::string(kTimeName)).version(1);
  return b;
}

SchemaBuilder timestamp() {
  SchemaBuilder b = SchemaBuilder::int64();
  b.name(std::string(kTimestampName)).version(1);
  return b;
}

std::int32_t decimal_scale(const Schema& schema) {
  const std::string* s = schema.parameter(kScaleParameter);
  if (!s) throw DataError("Invalid Decimal schema: scale parameter not found.");
  try {
    std::size_t used = 0;
    int v = std::stoi(*s, &used);
    if (used != s->size()) throw std::invalid_argument("trailing");
    return v;
  } catch (const std::exception&) {
    throw DataError("Invalid Decimal schema: bad scale parameter '" + *s + "'");
  }
}

namespace {
// Magnitude arithmetic on little-endian base-256 digit vectors.
void mul_add(std::vector<std::uint8_t>& mag, unsigned mul, unsigned add) {
  unsigned carry = add;
  for (auto& d : mag) {
    unsigned v = d * mul + carry;
    d = static_cast<std::uint8_t>(v & 0xff);
    carry = v >> 8;
  }
  while (carry) {
    mag.push_back(static_cast<std::uint8_t>(carry & 0xff));
    carry >>= 8;
  }
}

// Divides in place, returns the remainder.
unsigned div_small(std::vector<std::uint8_t>& mag, unsigned div) {
  unsigned rem = 0;
  for (std::size_t i = mag.size(); i-- > 0;) {
    unsigned v = (rem << 8) | mag[i];
    mag[i] = static_cast<std::uint8_t>(v / div);
    rem = v % div;
  }
  while (!mag.empty() && mag.back() == 0) mag.pop_back();
  return rem;
}

// Magnitude (little-endian) plus sign to minimal big-endian two's complement.
Bytes to_twos_complement(std::vector<std::uint8_t> mag, bool negative) {
  while (!mag.empty() && mag.back() == 0) mag.pop_back();
  if (mag.empty()) return Bytes{0};
  if (negative) {
    // Two's complement: invert and add one.
    for (auto& d : mag) d = static_cast<std::uint8_t>(~d);
    for (auto& d : mag) {
      if (++d != 0) break;
    }
    if (!(mag.back() & 0x80)) mag.push_back(0xff);
    // Drop redundant leading 0xff bytes.
    while (mag.size() > 1 && mag.back() == 0xff && (mag[mag.size() - 2] & 0x80)) mag.pop_back();
  } else if (mag.back() & 0x80) {
    mag.push_back(0);
  }
  return Bytes(mag.rbegin(), mag.rend());
}

// Big-endian two's complement to magnitude (little-endian) and sign.
std::vector<std::uint8_t> magnitude(const Bytes& unscaled, bool& negative) {
  std::vector<std::uint8_t> mag(unscaled.rbegin(), unscaled.rend());
  negative = !mag.empty() && (mag.back() & 0x80);
  if (negative) {
    for (auto& d : mag) d = static_cast<std::uint8_t>(~d);
    for (auto& d : mag) {
      if (++d != 0) break;
    }
  }
  while (!mag.empty() && mag.back() == 0) mag.pop_back();
  return mag;
}
}  // namespace

Bytes decimal_from_string(std::string_view text, std::int32_t scale) {
  std::string_view t = text;
  bool negative = false;
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) {
    negative = t[0] == '-';
    t.remove_prefix(1);
  }
  std::string digits;
  std::int32_t frac = 0;
  bool seen_point = false;
  for (char c : t) {
    if (c == '.' && !seen_point) {
      seen_point = true;
    } else if (c >= '0' && c <= '9') {
      digits += c;
      if (seen_point) ++frac;
    } else {
      throw DataError(fmt::format("'{}' is not a decimal number", text));
    }
  }
  if (digits.empty()) throw DataError(fmt::format("'{}' is not a decimal number", text));
  bool round_up = false;
  if (frac > scale) {
    std::size_t drop = static_cast<std::size_t>(frac - scale);
    round_up = digits[digits.size() - drop] >= '5';
    digits.resize(digits.size() - drop);
    frac = scale;
  }
  while (frac < scale) {
    digits += '0';
    ++frac;
  }
  std::vector<std::uint8_t> mag;
  for (char c : digits) mul_add(mag, 10, static_cast<unsigned>(c - '0'));
  if (round_up) mul_add(mag, 1, 1);
  return to_twos_complement(std::move(mag), negative);
}

std::string decimal_to_string(const Bytes& unscaled, std::int32_t scale) {
  bool negative = false;
  std::vector<std::uint8_t> mag = magnitude(unscaled, negative);
  std::string digits;
  while (!mag.empty()) digits += static_cast<char>('0' + div_small(mag, 10));
  if (digits.empty()) digits = "0";
  std::reverse(digits.begin(), digits.end());
  if (scale > 0) {
    if (digits.size() <= static_cast<std::size_t>(scale)) {
      digits.insert(0, static_cast<std::size_t>(scale) - digits.size() + 1, '0');
    }
    digits.insert(digits.size() - static_cast<std::size_t>(scale), ".");
  } else if (scale < 0 && digits != "0") {
    digits.append(static_cast<std::size_t>(-scale), '0');
  }
  if (negative && digits.find_first_not_of("0.") != std::string::npos) digits.insert(0, "-");
  return digits;
}

Bytes decimal_from_unscaled(std::int64_t unscaled) {
  bool negative = unscaled < 0;
  std::uint64_t m = negative ? ~static_cast<std::uint64_t>(unscaled) + 1 : static_cast<std::uint64_t>(unscaled);
  std::vector<std::uint8_t> mag;
  while (m) {
    mag.push_back(static_cast<std::uint8_t>(m & 0xff));
    m >>= 8;
  }
  return to_twos_complement(std::move(mag), negative);
}

double decimal_to_double(const Bytes& unscaled, std::int32_t scale) {
  bool negative = false;
  std::vector<std::uint8_t> mag = magnitude(unscaled, negative);
  double v = 0;
  for (std::size_t i = mag.size(); i-- > 0;) v = v * 256.0 + mag[i];
  v /= std::pow(10.0, scale);
  return negative ? -v : v;
}

}  // namespace logical
}  // namespace sluice
