// Kafka Connect's data values as C++ value types.
//
// A Value is null or one of the Connect primitive types, an Array, a Map or a Struct. Logical
// types are carried in their physical form, as Kafka Connect's serialized form has them:
//   Decimal   -> Bytes, big-endian two's-complement unscaled value (scale in the schema)
//   Date      -> int32 days since 1970-01-01
//   Time      -> int32 milliseconds since midnight
//   Timestamp -> int64 milliseconds since the epoch
// (see sluice/schema.h `logical::` for helpers). Debezium's semantic types (io.debezium.time.*,
// io.debezium.data.*) are likewise plain int32/int64/string values under a named schema.
//
// Values are moved, not copied, on the hot path. They are not thread-safe; a Value handed to
// another thread is handed over whole.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace sluice {

class Schema;
using SchemaPtr = std::shared_ptr<const Schema>;
struct Field;
class Value;

using Bytes = std::vector<std::uint8_t>;
using Array = std::vector<Value>;
// Connect maps may have keys of any type; entries keep insertion order.
using Map = std::vector<std::pair<Value, Value>>;

// A struct value: a schema (kStruct) and one value per field, by field index. put() checks the
// value against the field's schema and throws DataError on a mismatch.
class Struct {
 public:
  explicit Struct(SchemaPtr schema);

  const SchemaPtr& schema() const { return schema_; }

  // Throws DataError if there is no such field.
  const Value& get(std::string_view field_name) const;
  const Value& get(const Field& field) const;
  const Value& at(std::size_t index) const { return values_[index]; }
  Value& at(std::size_t index) { return values_[index]; }

  Struct& put(std::string_view field_name, Value value);
  Struct& put(const Field& field, Value value);
  // Unchecked store by index for code that built the value from the schema itself.
  void put_unchecked(std::size_t index, Value value);

  // Throws DataError if a required field is null or a value does not match its schema.
  void validate() const;

  const std::vector<Value>& values() const { return values_; }

  bool operator==(const Struct& other) const;

 private:
  SchemaPtr schema_;
  std::vector<Value> values_;
};

class Value {
 public:
  using Variant = std::variant<std::monostate, bool, std::int8_t, std::int16_t, std::int32_t,
                               std::int64_t, float, double, std::string, Bytes, Array, Map, Struct>;

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool v) : v_(v) {}
  Value(std::int8_t v) : v_(v) {}
  Value(std::int16_t v) : v_(v) {}
  Value(std::int32_t v) : v_(v) {}
  Value(std::int64_t v) : v_(v) {}
  Value(float v) : v_(v) {}
  Value(double v) : v_(v) {}
  Value(std::string v) : v_(std::move(v)) {}
  Value(std::string_view v) : v_(std::string(v)) {}
  Value(const char* v) : v_(std::string(v)) {}
  Value(Bytes v) : v_(std::move(v)) {}
  Value(Array v) : v_(std::move(v)) {}
  Value(Map v) : v_(std::move(v)) {}
  Value(Struct v) : v_(std::move(v)) {}

  bool is_null() const { return v_.index() == 0; }

  template <class T>
  bool is() const {
    return std::holds_alternative<T>(v_);
  }
  // Throws DataError naming the expected and the actual type when the value is not a T.
  template <class T>
  const T& as() const {
    if (auto* p = std::get_if<T>(&v_)) return *p;
    throw_bad_access(type_index_of<T>());
  }
  template <class T>
  T& as() {
    if (auto* p = std::get_if<T>(&v_)) return *p;
    throw_bad_access(type_index_of<T>());
  }
  template <class T>
  const T* get_if() const {
    return std::get_if<T>(&v_);
  }
  template <class T>
  T* get_if() {
    return std::get_if<T>(&v_);
  }

  // Any integer alternative widened to int64; throws DataError for other types.
  std::int64_t as_int64() const;
  // Any integer or floating alternative as double; throws DataError for other types.
  double as_double() const;

  const Variant& variant() const { return v_; }
  Variant& variant() { return v_; }
  std::size_t index() const { return v_.index(); }

  bool operator==(const Value& other) const;
  bool operator!=(const Value& other) const { return !(*this == other); }

  // Name of the held alternative ("null", "int32", "struct", ...), for error messages.
  const char* type_name() const;

  // A short, human-readable rendering, for logs and error messages (not a wire format).
  std::string to_string() const;

 private:
  template <class T, std::size_t I = 0>
  static constexpr std::size_t type_index_of() {
    if constexpr (std::is_same_v<T, std::variant_alternative_t<I, Variant>>) {
      return I;
    } else {
      return type_index_of<T, I + 1>();
    }
  }
  [[noreturn]] void throw_bad_access(std::size_t wanted) const;

  Variant v_;
};

// Builds a Map with string keys, e.g. string_map({{"a", 1}, {"b", "x"}}).
Map string_map(std::initializer_list<std::pair<std::string, Value>> entries);
// Looks up a string key in a Map; nullptr when absent.
const Value* map_find(const Map& map, std::string_view key);

}  // namespace sluice
