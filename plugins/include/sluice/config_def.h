// ConfigDef: one table per component that parses, validates, documents.
//
// Each connector, task, transform, predicate and converter defines its keys once, in a static
// ConfigDef. The same table parses the component's string map into typed values (parse), checks a
// map without throwing and reports every key's problems (validate, which feeds
// `PUT /connector-plugins/{p}/config/validate`), and generates the documentation in docs/.
//
//   static const ConfigDef def = ConfigDef{}
//       .define("file", ConfigType::kString, kRequired, non_empty_string(), Importance::kHigh,
//               "Path of the file to read.")
//       .define("batch.size", ConfigType::kInt, 2000, at_least(1), Importance::kLow,
//               "Most records returned per poll().");
//
// Values follow Kafka's ConfigDef rules: strings and numbers are trimmed, booleans are
// true/false in any case, lists are comma-separated with surrounding blanks dropped, PASSWORD is
// a string that the runtime never shows (REST, logs).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sluice {

// Every configuration crosses boundaries (REST, stores, connectors) as strings, as in Kafka.
using ConfigMap = std::map<std::string, std::string>;

enum class ConfigType { kBoolean, kString, kInt, kShort, kLong, kDouble, kList, kClass, kPassword };
enum class Importance { kHigh, kMedium, kLow };
enum class Width { kNone, kShort, kMedium, kLong };

// "BOOLEAN", "STRING", "INT", ... as Kafka names them.
const char* config_type_name(ConfigType type);
const char* importance_name(Importance importance);
const char* width_name(Width width);

// A parsed value: bool (BOOLEAN), int32 (INT, SHORT), int64 (LONG), double (DOUBLE),
// string (STRING, CLASS, PASSWORD), list of strings (LIST), or monostate for a null default.
using ConfigValueData = std::variant<std::monostate, bool, std::int32_t, std::int64_t, double,
                                     std::string, std::vector<std::string>>;

// Checks one parsed value; throws ConfigError(name, reason) when it is invalid. The description
// ("[1,...]", "one of [none, all]") goes into the generated documentation.
struct Validator {
  std::function<void(const std::string& name, const ConfigValueData& value)> check;
  std::string description;

  explicit operator bool() const { return static_cast<bool>(check); }
};

struct Required {};
struct NullDefault {};
// The key has no default: leaving it out is an error.
inline constexpr Required kRequired{};
// The key defaults to null (absent), which is valid.
inline constexpr NullDefault kNullDefault{};

// A default, kept in string form like Kafka's ConfigKeyInfo.default_value.
class ConfigDefault {
 public:
  ConfigDefault(Required) : kind_(Kind::kRequired) {}
  ConfigDefault(NullDefault) : kind_(Kind::kNull) {}
  ConfigDefault(const char* value) : kind_(Kind::kValue), text_(value) {}
  ConfigDefault(std::string value) : kind_(Kind::kValue), text_(std::move(value)) {}
  ConfigDefault(bool value) : kind_(Kind::kValue), text_(value ? "true" : "false") {}
  ConfigDefault(int value) : kind_(Kind::kValue), text_(std::to_string(value)) {}
  ConfigDefault(long value) : kind_(Kind::kValue), text_(std::to_string(value)) {}
  ConfigDefault(long long value) : kind_(Kind::kValue), text_(std::to_string(value)) {}
  ConfigDefault(double value);
  // A list default; joined with ",".
  ConfigDefault(std::initializer_list<const char*> items);

  bool required() const { return kind_ == Kind::kRequired; }
  bool is_null() const { return kind_ == Kind::kNull; }
  // The default in string form; nullopt for required and null defaults.
  std::optional<std::string> text() const {
    if (kind_ == Kind::kValue) return text_;
    return std::nullopt;
  }

 private:
  enum class Kind { kRequired, kNull, kValue };
  Kind kind_;
  std::string text_;
};

struct ConfigKey {
  std::string name;
  ConfigType type = ConfigType::kString;
  ConfigDefault default_value = kRequired;
  Validator validator;
  Importance importance = Importance::kMedium;
  std::string documentation;
  std::string group;
  int order_in_group = -1;
  Width width = Width::kNone;
  std::string display_name;
  std::vector<std::string> dependents;
  std::vector<std::string> recommended_values;
};

// The outcome of validating one key.
struct ConfigValue {
  std::string name;
  std::optional<std::string> value;  // the raw value given (or the default); PASSWORDs included
  std::vector<std::string> recommended_values;
  std::vector<std::string> errors;
  bool visible = true;
};

class ConfigDef;

// A parsed configuration. Getters throw ConfigError for an undefined key and DataError-free
// std::bad_variant_access never escapes: asking for the wrong type throws ConfigError too.
class Config {
 public:
  Config() = default;

  bool get_bool(std::string_view key) const;
  std::int32_t get_int(std::string_view key) const;  // INT and SHORT
  std::int64_t get_long(std::string_view key) const;  // LONG (INT widened)
  double get_double(std::string_view key) const;
  // STRING, CLASS, PASSWORD; "" when the value is null.
  const std::string& get_string(std::string_view key) const;
  const std::vector<std::string>& get_list(std::string_view key) const;
  // True when the key's value is null (a kNullDefault key not given).
  bool is_null(std::string_view key) const;
  const ConfigValueData& get(std::string_view key) const;

  const ConfigMap& originals() const { return originals_; }
  // Original entries whose key starts with `prefix`, with the prefix removed when `strip`.
  ConfigMap originals_with_prefix(std::string_view prefix, bool strip = true) const;

 private:
  friend class ConfigDef;
  std::map<std::string, ConfigValueData, std::less<>> values_;
  ConfigMap originals_;
};

class ConfigDef {
 public:
  // Adds a key. Throws std::logic_error on a duplicate name (a programming error).
  ConfigDef& define(ConfigKey key);
  ConfigDef& define(std::string name, ConfigType type, ConfigDefault default_value,
                    Validator validator, Importance importance, std::string documentation,
                    std::string group = {}, int order_in_group = -1, Width width = Width::kNone,
                    std::string display_name = {});
  ConfigDef& define(std::string name, ConfigType type, ConfigDefault default_value,
                    Importance importance, std::string documentation, std::string group = {},
                    int order_in_group = -1, Width width = Width::kNone,
                    std::string display_name = {});

  // Adds every key of `other` not defined here yet.
  ConfigDef& merge(const ConfigDef& other);
  // Adds `child`'s keys under `prefix` in `group` (Kafka's ConfigDef.embed), orders from
  // `starting_order`.
  ConfigDef& embed(std::string_view prefix, std::string_view group, int starting_order,
                   const ConfigDef& child);

  const std::vector<ConfigKey>& keys() const { return keys_; }
  const ConfigKey* find(std::string_view name) const;
  // Groups in the order they first appear.
  std::vector<std::string> groups() const;

  // Parses and validates; throws ConfigError carrying every problem found.
  Config parse(const ConfigMap& props) const;
  // One ConfigValue per defined key, in definition order, with every problem; never throws for
  // bad input.
  std::vector<ConfigValue> validate(const ConfigMap& props) const;

  // Parses one raw value as `type` (trimming, etc.); throws ConfigError(name, reason).
  static ConfigValueData parse_value(const std::string& name, ConfigType type,
                                     const std::string& raw);

 private:
  std::vector<ConfigKey> keys_;
  std::map<std::string, std::size_t, std::less<>> index_;
};

// Validators (Kafka's ConfigDef.Range, ValidString, ValidList, NonEmptyString, ...).
Validator at_least(double min);
Validator between(double min, double max);
Validator one_of(std::vector<std::string> allowed);                   // exact match
Validator one_of_case_insensitive(std::vector<std::string> allowed);  // ASCII case-insensitive
Validator each_one_of(std::vector<std::string> allowed);              // every list element
Validator non_empty_string();                                         // null allowed
Validator non_null();
Validator valid_regex();  // ECMAScript regex that compiles
// A custom check; `check` throws ConfigError(name, reason).
Validator validator(std::string description,
                    std::function<void(const std::string& name, const ConfigValueData& value)> check);

// Splits "a, b ,c" into {"a","b","c"}; "" gives an empty list.
std::vector<std::string> split_list(std::string_view text);

}  // namespace sluice
