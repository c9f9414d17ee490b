// Kafka Connect's JSON encoding of schemas and values, as org.apache.kafka.connect.json.JsonConverter
// writes and reads it, for converters and for plugins that write or read JSON themselves (the file
// sink, REST-facing code, tests).
//
// Encoding (value -> JSON text), by schema type; a null schema means "schemaless" and the held
// alternative decides:
//   int8..int64        JSON integer
//   float32, float64   shortest round-trip digits in Java's Float/Double.toString form ("1.5",
//                      "1.0E10", "1.0E-5"); NaN and +-Infinity as the strings "NaN", "Infinity",
//                      "-Infinity" (what Jackson writes)
//   boolean, string    JSON literal / string (control characters escaped, other UTF-8 passed through)
//   bytes              standard base64 with padding
//   Decimal            base64 of the unscaled bytes, or a plain JSON number with decimal_numeric
//   Date/Time/Timestamp and Debezium's semantic types: their physical int32/int64/string value
//   array              JSON array
//   map                JSON object when the keys are strings (schemaless: when every key is a
//                      string), otherwise an array of [key, value] pairs
//   struct             JSON object, fields in schema order (a schemaless Struct uses its own schema)
// A null value is written as the schema's default when it has one and replace_null_with_default
// is set, as null when the schema is optional (or absent), and is a DataError otherwise.
//
// Decoding is the inverse, and accepts what Kafka accepts: a Decimal as base64 or as a number
// (rescaled to the schema's scale, rounding half-up), floats as numbers or the NaN/Infinity
// strings, struct fields in any order (unknown ones are skipped, missing ones are null/default).
// It is stricter than Jackson where Jackson silently invents data: a string under an int32 schema,
// an out-of-range or fractional integer, or a number under a string schema is a DataError.
// Schemaless decoding gives: object -> Map with string keys (in document order), array -> Array,
// integer -> int64 (double when it does not fit), fractional or exponent number -> double,
// string -> string, true/false -> bool, null -> null.
//
// All functions are pure and thread-safe. Errors are DataError with a message naming what was
// wrong (and, for bad syntax, the byte offset).
#pragma once

#include <string>
#include <string_view>

#include "sluice/schema.h"
#include "sluice/value.h"

namespace sluice::json {

struct EncodeOptions {
  // Decimal as a JSON number (decimal.format=NUMERIC) instead of base64 (BASE64).
  bool decimal_numeric = false;
  // Write a schema's default for a null value (replace.null.with.default).
  bool replace_null_with_default = true;
};

struct DecodeOptions {
  // Read a JSON null (or a missing struct field) as the schema's default, when it has one.
  bool replace_null_with_default = true;
};

// Appends the JSON encoding of `value` under `schema` (null schema = schemaless) to `out`, exactly
// as Kafka's JsonConverter encodes a payload. Throws DataError when the value does not match the
// schema (the wrong alternative, a null for a required field without default, a struct whose
// schema differs).
void append_value(std::string& out, const SchemaPtr& schema, const Value& value,
                  const EncodeOptions& options = {});
std::string encode_value(const SchemaPtr& schema, const Value& value,
                         const EncodeOptions& options = {});

// Appends Kafka's JsonSchema form of `schema`:
//   {"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":false,
//    "name":"...","version":1,"doc":"...","parameters":{...},"default":...}
// Keys in Kafka's order (type, items|keys,values|fields, optional, name, version, doc, parameters,
// default); a Decimal's "scale" parameter first, the other parameters sorted. Defaults are encoded
// with `options` (Kafka uses the converter's decimal.format there too). A null schema appends
// `null`.
void append_schema(std::string& out, const SchemaPtr& schema, const EncodeOptions& options = {});
std::string encode_schema(const SchemaPtr& schema, const EncodeOptions& options = {});

// Appends `text` as a quoted JSON string (", \ and control characters escaped as Jackson does).
void append_string(std::string& out, std::string_view text);
// Java's Double.toString / Float.toString of a finite value ("0.1", "100.0", "1.0E7", "1.0E-4");
// "NaN", "Infinity", "-Infinity" unquoted for the others.
void append_double(std::string& out, double value);
void append_float(std::string& out, float value);
// Standard base64 (RFC 4648, with padding).
void append_base64(std::string& out, const Bytes& data);
// Accepts padded and unpadded standard base64; throws DataError on any other character.
Bytes decode_base64(std::string_view text);

// Parses Kafka's JsonSchema form back into a schema (the inverse of append_schema). `null` gives a
// null schema. Throws DataError for bad JSON or a schema Kafka would refuse (no "type", unknown
// type, array without "items", map without "keys"/"values", fields that are not an array, a
// field without a name, non-string parameters, a default that does not fit).
SchemaPtr parse_schema(std::string_view text);

// Decodes the JSON text of a payload under `schema` (null = schemaless). The whole text must be
// one JSON value (surrounding whitespace allowed). Throws DataError.
Value decode_value(const SchemaPtr& schema, std::string_view text, const DecodeOptions& options = {});

// The raw text of the two members of a JsonConverter envelope, views into the input.
struct Envelope {
  std::string_view schema;
  std::string_view payload;
};
// Splits {"schema": ..., "payload": ...}. Throws DataError for bad JSON and when the text is not an
// object with exactly those two members (in either order).
Envelope split_envelope(std::string_view text);

}  // namespace sluice::json
