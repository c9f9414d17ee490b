// Kafka Connect schemas: immutable, shared, built with SchemaBuilder.
//
// A Schema has a type, an optional flag, and optionally a default value, a name, a version, a
// doc string and string parameters; structs have fields, arrays an element schema, maps key and
// value schemas. Logical types are named schemas using Kafka's names so the JSON converter's
// schema+payload envelope interoperates with Java consumers.
//
// Schemas are immutable once built and shared by pointer (SchemaPtr). A null SchemaPtr means
// "schemaless". Build a record's schemas once (per table, per connector) and reuse them; do not
// build schemas per record. Thread-safe to share.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/value.h"

namespace sluice {

enum class Type : std::uint8_t {
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kFloat32,
  kFloat64,
  kBoolean,
  kString,
  kBytes,
  kArray,
  kMap,
  kStruct,
};

// Kafka's lower-case names: "int8" ... "float32", "float64", "boolean", "string", "bytes", "array",
// "map", "struct". (The JSON converter spells float32/float64 as "float"/"double" itself.)
const char* type_name(Type type);
std::optional<Type> parse_type(std::string_view name);
bool is_primitive(Type type);

struct Field {
  std::string name;
  std::size_t index = 0;
  SchemaPtr schema;
};

class Schema {
 public:
  Type type() const { return type_; }
  bool optional() const { return optional_; }
  // Has a default value (which may itself be null for an optional schema).
  bool has_default() const { return has_default_; }
  const Value& default_value() const { return default_; }
  const std::string& name() const { return name_; }
  const std::optional<std::int32_t>& version() const { return version_; }
  const std::string& doc() const { return doc_; }
  const std::map<std::string, std::string>& parameters() const { return parameters_; }
  // Parameter value or nullptr.
  const std::string* parameter(std::string_view key) const;

  // Struct fields in declaration order. Throws DataError for non-struct schemas.
  const std::vector<Field>& fields() const;
  // nullptr when there is no such field. Throws DataError for non-struct schemas.
  const Field* field(std::string_view name) const;
  // Element schema of an array, value schema of a map. Throws DataError otherwise.
  const SchemaPtr& value_schema() const;
  // Key schema of a map. Throws DataError otherwise.
  const SchemaPtr& key_schema() const;

  // Deep equality, as Kafka's ConnectSchema.equals (type, optional, default, name, version, doc,
  // parameters, fields, element schemas).
  bool operator==(const Schema& other) const;
  bool operator!=(const Schema& other) const { return !(*this == other); }

 private:
  friend class SchemaBuilder;
  Schema() = default;

  Type type_ = Type::kStruct;
  bool optional_ = false;
  bool has_default_ = false;
  Value default_;
  std::string name_;
  std::optional<std::int32_t> version_;
  std::string doc_;
  std::map<std::string, std::string> parameters_;
  std::vector<Field> fields_;
  SchemaPtr key_schema_;
  SchemaPtr value_schema_;
};

// Deep equality that also treats two null pointers as equal.
bool schemas_equal(const SchemaPtr& a, const SchemaPtr& b);

// Throws DataError unless `value` is valid for `schema` (null only if optional; the alternative
// held matches the type; struct values carry an equal schema; elements are checked recursively).
// A null schema accepts anything.
void validate_value(const SchemaPtr& schema, const Value& value, std::string_view where = {});

// Fluent builder. Each setter may be called at most once (Kafka's rule); build() makes the
// immutable Schema.
//   auto s = SchemaBuilder::struct_().name("inventory.customers.Value")
//                .field("id", schemas::int32()).field("email", schemas::optional_string()).build();
class SchemaBuilder {
 public:
  explicit SchemaBuilder(Type type);

  static SchemaBuilder int8() { return SchemaBuilder(Type::kInt8); }
  static SchemaBuilder int16() { return SchemaBuilder(Type::kInt16); }
  static SchemaBuilder int32() { return SchemaBuilder(Type::kInt32); }
  static SchemaBuilder int64() { return SchemaBuilder(Type::kInt64); }
  static SchemaBuilder float32() { return SchemaBuilder(Type::kFloat32); }
  static SchemaBuilder float64() { return SchemaBuilder(Type::kFloat64); }
  static SchemaBuilder boolean() { return SchemaBuilder(Type::kBoolean); }
  static SchemaBuilder string() { return SchemaBuilder(Type::kString); }
  static SchemaBuilder bytes() { return SchemaBuilder(Type::kBytes); }
  static SchemaBuilder struct_() { return SchemaBuilder(Type::kStruct); }
  static SchemaBuilder array(SchemaPtr value_schema);
  static SchemaBuilder map(SchemaPtr key_schema, SchemaPtr value_schema);
  // A builder pre-filled from an existing schema (all attributes and fields), to derive variants.
  static SchemaBuilder from(const Schema& schema);

  SchemaBuilder& optional();
  SchemaBuilder& required();
  // Throws DataError if the default does not validate against the schema built so far.
  SchemaBuilder& default_value(Value value);
  SchemaBuilder& name(std::string name);
  SchemaBuilder& version(std::int32_t version);
  SchemaBuilder& doc(std::string doc);
  SchemaBuilder& parameter(std::string key, std::string value);
  SchemaBuilder& parameters(const std::map<std::string, std::string>& params);
  // Struct only; throws DataError on a duplicate field name.
  SchemaBuilder& field(std::string name, SchemaPtr schema);

  Type type() const { return schema_.type_; }
  bool is_optional() const { return schema_.optional_; }
  const std::vector<Field>& fields() const { return schema_.fields_; }

  SchemaPtr build() const;

 private:
  Schema schema_;
};

// Shared, pre-built schemas for the primitive types (Kafka's Schema.INT32_SCHEMA etc.).
namespace schemas {
const SchemaPtr& int8();
const SchemaPtr& int16();
const SchemaPtr& int32();
const SchemaPtr& int64();
const SchemaPtr& float32();
const SchemaPtr& float64();
const SchemaPtr& boolean();
const SchemaPtr& string();
const SchemaPtr& bytes();
const SchemaPtr& optional_int8();
const SchemaPtr& optional_int16();
const SchemaPtr& optional_int32();
const SchemaPtr& optional_int64();
const SchemaPtr& optional_float32();
const SchemaPtr& optional_float64();
const SchemaPtr& optional_boolean();
const SchemaPtr& optional_string();
const SchemaPtr& optional_bytes();
// The shared schema for a primitive type; nullptr for array/map/struct.
SchemaPtr of(Type type, bool optional);
}  // namespace schemas

// Kafka Connect's logical types. Values use the physical representation (see value.h).
namespace logical {
inline constexpr std::string_view kDecimalName = "org.apache.kafka.connect.data.Decimal";
inline constexpr std::string_view kDateName = "org.apache.kafka.connect.data.Date";
inline constexpr std::string_view kTimeName = "org.apache.kafka.connect.data.Time";
inline constexpr std::string_view kTimestampName = "org.apache.kafka.connect.data.Timestamp";
inline constexpr std::string_view kScaleParameter = "scale";
inline constexpr std::string_view kPrecisionParameter = "connect.decimal.precision";

// bytes named Decimal with parameter scale (version 1).
SchemaBuilder decimal(std::int32_t scale);
// int32 named Date (version 1).
SchemaBuilder date();
// int32 named Time (version 1).
SchemaBuilder time();
// int64 named Timestamp (version 1).
SchemaBuilder timestamp();

// Scale of a Decimal schema; throws DataError when the parameter is missing or bad.
std::int32_t decimal_scale(const Schema& schema);

// Decimal text ("-12.345", "1e3" is not accepted) to the unscaled two's-complement bytes at
// `scale`, rounding half-up when the text has more fractional digits. Throws DataError.
Bytes decimal_from_string(std::string_view text, std::int32_t scale);
// Unscaled bytes at `scale` to plain decimal text ("-12.345", "0.10", "100").
std::string decimal_to_string(const Bytes& unscaled, std::int32_t scale);
// Convenience for values that fit: unscaled int64 to the minimal big-endian two's complement.
Bytes decimal_from_unscaled(std::int64_t unscaled);
// Value as double (may lose precision).
double decimal_to_double(const Bytes& unscaled, std::int32_t scale);
}  // namespace logical

}  // namespace sluice
