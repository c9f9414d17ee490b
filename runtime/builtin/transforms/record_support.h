// Shared pieces of the record transforms (TimestampConverter, TimestampRouter, RegexRouter,
// HeaderFrom, InsertHeader, DropHeaders, Filter) and the predicates: a SimpleDateFormat-compatible
// formatter/parser, Java-flavoured regex compilation, validators Kafka has and the SDK does not,
// and a per-input-schema cache. Internal to sluice-record-transforms.
#pragma once

#include <cstdint>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sluice/config_def.h"
#include "sluice/schema.h"
#include "sluice/value.h"

namespace sluice {
class Registrar;
}

namespace sluice::builtin {

// Each transform's file registers its own classes; register_record_transforms() calls them all.
void add_timestamp_converter(Registrar& registrar);
void add_timestamp_router(Registrar& registrar);
void add_regex_router(Registrar& registrar);
void add_header_from(Registrar& registrar);
void add_insert_header(Registrar& registrar);
void add_drop_headers(Registrar& registrar);
void add_filter(Registrar& registrar);
void add_predicates(Registrar& registrar);

inline constexpr std::string_view kTransformsPackage = "org.apache.kafka.connect.transforms.";
inline constexpr std::string_view kReplaceNullWithDefaultDoc =
    "Whether to replace fields that have a default value and that are null to the default value. "
    "When set to true, the default value is used, otherwise null is used.";

// A java.text.SimpleDateFormat pattern, always in UTC (Kafka's transforms set the format's zone to
// UTC). Supported letters: G y M L d D E u a H k K h m s S z Z X, '...' quoted literals ('' is a
// quote) and any non-letter as a literal. Parsing is lenient like Java's default: out-of-range
// fields roll over (month 13 is January of the next year), a two-digit `yy` year lands within 80
// years before and 20 after now, zone text (Z, UTC, GMT, +hh:mm, +hhmm) shifts the result to UTC,
// and text after the last pattern element is ignored.
//
// Immutable after construction; safe to share.
class DateFormat {
 public:
  // Throws std::invalid_argument naming the problem (an unsupported letter, an unterminated quote).
  explicit DateFormat(std::string_view pattern);

  const std::string& pattern() const { return pattern_; }

  // Throws DataError for instants more than about 28,000 years from 1970.
  std::string format(std::int64_t epoch_ms) const;
  // Throws DataError when `text` does not match the pattern.
  std::int64_t parse(std::string_view text) const;

 private:
  struct Token {
    char letter = 0;  // 0 = literal
    int count = 0;
    std::string literal;
  };
  bool numeric(const Token& token) const;

  std::string pattern_;
  std::vector<Token> tokens_;
  int two_digit_year_start_ = 0;
};

// Parses `pattern` for the config key `key`; throws ConfigError with `message` + the reason.
DateFormat date_format_for_config(const std::string& key, const std::string& pattern,
                                  std::string_view message);

// Compiles a Java regular expression with std::regex (ECMAScript). A leading `(?i)` becomes the
// case-insensitive flag. Throws std::regex_error.
std::regex compile_java_regex(const std::string& pattern);

// Kafka's RegexValidator over compile_java_regex (null allowed).
Validator java_regex();
// Kafka's NonEmptyListValidator.
Validator non_empty_list();
// Kafka's field.syntax.version key (V1 | V2).
inline constexpr std::string_view kFieldSyntaxVersionDoc =
    "Defines the version of the syntax to access fields. If set to `V1`, then the field paths are "
    "limited to access the elements at the root level of the struct or map. If set to `V2`, the "
    "syntax will support accessing nested elements. To access nested elements, dot notation is "
    "used. If dots are already included in the field name, then backtick pairs can be used to "
    "wrap field names containing dots. E.g. to access the subfield `baz` from a field named "
    "\"foo.bar\" in a struct/map the following format can be used to access its elements: "
    "\"`foo.bar`.baz\".";
// Splits a field path: V1 -> the whole text as one name; V2 -> dotted segments, a segment wrapped
// in backticks may contain dots (and \` for a backtick).
std::vector<std::string> field_path(const std::string& text, bool v2);

// A struct field's value; with `replace_null_with_default`, a null field whose schema has a
// default reads as that default (Kafka's Struct.get vs getWithoutDefault).
const Value& field_value(const Struct& value, const Field& field, bool replace_null_with_default);

// A builder pre-filled with `schema`'s name, version, doc and parameters (Kafka's
// SchemaUtil.copySchemaBasics) but none of its fields.
SchemaBuilder copy_schema_basics(const Schema& schema, SchemaBuilder builder);

// Kafka's Values.parseString, for a static header value: "true"/"false" -> boolean, integers ->
// the smallest of int8..int64 that holds them, other numbers -> float32 (float64 when float32
// overflows), anything else (including arrays, maps and dates) -> string.
std::pair<SchemaPtr, Value> parse_literal(std::string_view text);

// Derived schemas by input schema, so a transform rebuilds a schema once per input schema and not
// per record. Keyed by pointer (schemas are shared, not rebuilt per record); holds the input alive
// so its address is not reused. Bounded: cleared when full, like Kafka's small LRU caches.
class SchemaCache {
 public:
  template <class Build>
  const SchemaPtr& get(const SchemaPtr& input, Build&& build) {
    auto it = entries_.find(input.get());
    if (it != entries_.end()) return it->second.second;
    if (entries_.size() >= kCapacity) entries_.clear();
    SchemaPtr built = build(*input);
    return entries_.emplace(input.get(), std::make_pair(input, std::move(built))).first->second.second;
  }

 private:
  static constexpr std::size_t kCapacity = 64;
  std::unordered_map<const Schema*, std::pair<SchemaPtr, SchemaPtr>> entries_;
};

}  // namespace sluice::builtin
