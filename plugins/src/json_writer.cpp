#include "sluice/json.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "sluice/errors.h"
#include "json_text_scan.h"

namespace sluice::json {

// ---------------------------------------------------------------------------------------------
// Encoding (the reader is in json_reader.cpp). Hand-written string appends: this runs once per record on the source side.

namespace {

constexpr char kHexDigits[] = "0123456789ABCDEF";
constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The JsonSchema type names differ from Connect's only for the floating types.
const char* json_type_name(Type type) {
  switch (type) {
    case Type::kFloat32: return "float";
    case Type::kFloat64: return "double";
    default: return type_name(type);
  }
}

bool is_decimal(const Schema& schema) {
  return schema.type() == Type::kBytes && schema.name() == logical::kDecimalName;
}

// Rewrites std::to_chars' shortest scientific form ("-1.2345e+01") into Java's toString form.
// Java prints plain notation for 1e-3 <= |v| < 1e7 and d.dddE<exp> otherwise, always with at least
// one fractional digit.
void append_java_form(std::string& out, const char* first, const char* last) {
  if (*first == '-') {
    out += '-';
    ++first;
  }
  char digits[32];
  int n = 0;
  const char* p = first;
  for (; p != last && *p != 'e'; ++p) {
    if (*p != '.') digits[n++] = *p;
  }
  int exp = 0;
  std::from_chars(p + 1 + (p[1] == '+'), last, exp);
  if (exp >= -3 && exp < 7) {
    if (exp < 0) {
      out += "0.";
      out.append(static_cast<std::size_t>(-exp - 1), '0');
      out.append(digits, static_cast<std::size_t>(n));
    } else if (n <= exp + 1) {
      out.append(digits, static_cast<std::size_t>(n));
      out.append(static_cast<std::size_t>(exp + 1 - n), '0');
      out += ".0";
    } else {
      out.append(digits, static_cast<std::size_t>(exp + 1));
      out += '.';
      out.append(digits + exp + 1, static_cast<std::size_t>(n - exp - 1));
    }
    return;
  }
  out += digits[0];
  out += '.';
  if (n > 1) {
    out.append(digits + 1, static_cast<std::size_t>(n - 1));
  } else {
    out += '0';
  }
  out += 'E';
  char buf[8];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, exp);
  out.append(buf, end);
}

template <class Float>
void append_floating(std::string& out, Float v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v < 0 ? "-Infinity" : "Infinity";
  } else {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    append_java_form(out, buf, end);
  }
}

template <class Int>
void append_int(std::string& out, Int v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

// Jackson quotes non-finite numbers (QUOTE_NON_NUMERIC_NUMBERS is on by default).
template <class Float>
void append_json_floating(std::string& out, Float v) {
  if (std::isfinite(v)) {
    append_floating(out, v);
  } else {
    out += '"';
    append_floating(out, v);
    out += '"';
  }
}

class Encoder {
 public:
  Encoder(std::string& out, const EncodeOptions& options) : out_(out), options_(options) {}

  void value(const Schema* schema, const Value& v) {
    if (v.is_null()) return null_value(schema);
    if (!schema) return schemaless(v);
    switch (schema->type()) {
      case Type::kInt8: return append_int(out_, expect<std::int8_t>(*schema, v));
      case Type::kInt16: return append_int(out_, expect<std::int16_t>(*schema, v));
      case Type::kInt32: return append_int(out_, expect<std::int32_t>(*schema, v));
      case Type::kInt64: return append_int(out_, expect<std::int64_t>(*schema, v));
      case Type::kFloat32: return append_json_floating(out_, expect<float>(*schema, v));
      case Type::kFloat64: return append_json_floating(out_, expect<double>(*schema, v));
      case Type::kBoolean: out_ += expect<bool>(*schema, v) ? "true" : "false"; return;
      case Type::kString: return append_string(out_, expect<std::string>(*schema, v));
      case Type::kBytes: return bytes(*schema, expect<Bytes>(*schema, v));
      case Type::kArray: return array(schema->value_schema().get(), expect<Array>(*schema, v));
      case Type::kMap: return map(schema, expect<Map>(*schema, v));
      case Type::kStruct: return struct_(*schema, expect<Struct>(*schema, v));
    }
  }

 private:
  template <class T>
  static const T& expect(const Schema& schema, const Value& v) {
    if (const T* p = v.get_if<T>()) return *p;
    throw DataError(fmt::format("Invalid type for {}: {}", type_name(schema.type()), v.type_name()));
  }

  void null_value(const Schema* schema) {
    if (!schema) {
      out_ += "null";
    } else if (schema->has_default() && !schema->default_value().is_null() &&
               options_.replace_null_with_default) {
      value(schema, schema->default_value());
    } else if (schema->optional() || schema->has_default()) {
      out_ += "null";
    } else {
      throw DataError(
          "Conversion error: null value for field that is required and has no default value");
    }
  }

  void bytes(const Schema& schema, const Bytes& b) {
    if (options_.decimal_numeric && is_decimal(schema)) {
      out_ += logical::decimal_to_string(b, logical::decimal_scale(schema));
    } else {
      out_ += '"';
      append_base64(out_, b);
      out_ += '"';
    }
  }

  void array(const Schema* element_schema, const Array& items) {
    out_ += '[';
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i) out_ += ',';
      value(element_schema, items[i]);
    }
    out_ += ']';
  }

  // Null schema: object form when every key is a string (Kafka's rule).
  void map(const Schema* schema, const Map& entries) {
    bool object_form = true;
    if (schema) {
      object_form = schema->key_schema()->type() == Type::kString;
    } else {
      for (const auto& entry : entries) {
        if (!entry.first.is<std::string>()) {
          object_form = false;
          break;
        }
      }
    }
    const Schema* key_schema = schema ? schema->key_schema().get() : nullptr;
    const Schema* value_schema = schema ? schema->value_schema().get() : nullptr;
    out_ += object_form ? '{' : '[';
    bool first = true;
    for (const auto& [k, v] : entries) {
      if (!first) out_ += ',';
      first = false;
      if (object_form) {
        append_string(out_, k.as<std::string>());
        out_ += ':';
        value(value_schema, v);
      } else {
        out_ += '[';
        value(key_schema, k);
        out_ += ',';
        value(value_schema, v);
        out_ += ']';
      }
    }
    out_ += object_form ? '}' : ']';
  }

  void struct_(const Schema& schema, const Struct& s) {
    if (s.schema().get() != &schema && !(*s.schema() == schema)) {
      throw DataError(fmt::format("Mismatching schema: the struct's schema {} is not the schema {}",
                                  s.schema()->name(), schema.name()));
    }
    out_ += '{';
    const auto& fields = schema.fields();
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i) out_ += ',';
      append_string(out_, fields[i].name);
      out_ += ':';
      value(fields[i].schema.get(), s.at(i));
    }
    out_ += '}';
  }

  void schemaless(const Value& v) {
    std::visit(
        [this](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            out_ += "null";
          } else if constexpr (std::is_same_v<T, bool>) {
            out_ += x ? "true" : "false";
          } else if constexpr (std::is_integral_v<T>) {
            append_int(out_, x);
          } else if constexpr (std::is_floating_point_v<T>) {
            append_json_floating(out_, x);
          } else if constexpr (std::is_same_v<T, std::string>) {
            append_string(out_, x);
          } else if constexpr (std::is_same_v<T, Bytes>) {
            out_ += '"';
            append_base64(out_, x);
            out_ += '"';
          } else if constexpr (std::is_same_v<T, Array>) {
            array(nullptr, x);
          } else if constexpr (std::is_same_v<T, Map>) {
            map(nullptr, x);
          } else {
            struct_(*x.schema(), x);
          }
        },
        v.variant());
  }

  std::string& out_;
  const EncodeOptions& options_;
};

void append_parameters(std::string& out, const Schema& schema) {
  out += ",\"parameters\":{";
  bool first = true;
  auto entry = [&](const std::string& k, const std::string& v) {
    if (!first) out += ',';
    first = false;
    append_string(out, k);
    out += ':';
    append_string(out, v);
  };
  // Kafka's Decimal builder sets "scale" before anything else; keep that order.
  const std::string* scale = is_decimal(schema) ? schema.parameter(logical::kScaleParameter) : nullptr;
  if (scale) entry(std::string(logical::kScaleParameter), *scale);
  for (const auto& [k, v] : schema.parameters()) {
    if (!scale || k != logical::kScaleParameter) entry(k, v);
  }
  out += '}';
}

// Kafka builds a field's schema object and then appends "field" to it, so the name comes last.
void append_schema_object(std::string& out, const Schema& schema, const std::string* field_name,
                          const EncodeOptions& options) {
  out += "{\"type\":\"";
  out += json_type_name(schema.type());
  out += '"';
  switch (schema.type()) {
    case Type::kArray:
      out += ",\"items\":";
      append_schema(out, schema.value_schema(), options);
      break;
    case Type::kMap:
      out += ",\"keys\":";
      append_schema(out, schema.key_schema(), options);
      out += ",\"values\":";
      append_schema(out, schema.value_schema(), options);
      break;
    case Type::kStruct: {
      out += ",\"fields\":[";
      const auto& fields = schema.fields();
      for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i) out += ',';
        append_schema_object(out, *fields[i].schema, &fields[i].name, options);
      }
      out += ']';
      break;
    }
    default:
      break;
  }
  out += schema.optional() ? ",\"optional\":true" : ",\"optional\":false";
  if (!schema.name().empty()) {
    out += ",\"name\":";
    append_string(out, schema.name());
  }
  if (schema.version()) {
    out += ",\"version\":";
    append_int(out, *schema.version());
  }
  if (!schema.doc().empty()) {
    out += ",\"doc\":";
    append_string(out, schema.doc());
  }
  if (!schema.parameters().empty()) append_parameters(out, schema);
  if (schema.has_default() && !schema.default_value().is_null()) {
    out += ",\"default\":";
    Encoder(out, options).value(&schema, schema.default_value());
  }
  if (field_name) {
    out += ",\"field\":";
    append_string(out, *field_name);
  }
  out += '}';
}

}  // namespace

void append_string(std::string& out, std::string_view text) {
  out += '"';
  const char* run = text.data();
  const char* end = text.data() + text.size();
  for (const char* p = detail::skip_plain_words(run, end); p != end; ++p) {
    auto c = static_cast<unsigned char>(*p);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(run, p);
    run = p + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default: {
        const char esc[] = {'\\', 'u', '0', '0', kHexDigits[c >> 4], kHexDigits[c & 0xf]};
        out.append(esc, sizeof esc);
      }
    }
    p = detail::skip_plain_words(p + 1, end) - 1;
  }
  out.append(run, end);
  out += '"';
}

void append_double(std::string& out, double value) { append_floating(out, value); }
void append_float(std::string& out, float value) { append_floating(out, value); }

void append_base64(std::string& out, const Bytes& data) {
  std::size_t i = 0;
  const std::size_t n = data.size();
  out.reserve(out.size() + (n + 2) / 3 * 4);
  for (; i + 3 <= n; i += 3) {
    unsigned v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
    const char quad[] = {kBase64Alphabet[v >> 18], kBase64Alphabet[(v >> 12) & 63],
                         kBase64Alphabet[(v >> 6) & 63], kBase64Alphabet[v & 63]};
    out.append(quad, 4);
  }
  if (n - i == 1) {
    unsigned v = data[i] << 16;
    const char quad[] = {kBase64Alphabet[v >> 18], kBase64Alphabet[(v >> 12) & 63], '=', '='};
    out.append(quad, 4);
  } else if (n - i == 2) {
    unsigned v = (data[i] << 16) | (data[i + 1] << 8);
    const char quad[] = {kBase64Alphabet[v >> 18], kBase64Alphabet[(v >> 12) & 63],
                         kBase64Alphabet[(v >> 6) & 63], '='};
    out.append(quad, 4);
  }
}

Bytes decode_base64(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) throw DataError("Invalid base64: truncated input");
  Bytes out;
  out.reserve(text.size() * 3 / 4);
  unsigned acc = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+') {
      v = 62;
    } else if (c == '/') {
      v = 63;
    } else {
      throw DataError(fmt::format("Invalid base64: unexpected character '{}'", c));
    }
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xff));
    }
  }
  return out;
}

void append_value(std::string& out, const SchemaPtr& schema, const Value& value,
                  const EncodeOptions& options) {
  Encoder(out, options).value(schema.get(), value);
}

std::string encode_value(const SchemaPtr& schema, const Value& value, const EncodeOptions& options) {
  std::string out;
  append_value(out, schema, value, options);
  return out;
}

void append_schema(std::string& out, const SchemaPtr& schema, const EncodeOptions& options) {
  if (!schema) {
    out += "null";
    return;
  }
  append_schema_object(out, *schema, nullptr, options);
}

std::string encode_schema(const SchemaPtr& schema, const EncodeOptions& options) {
  std::string out;
  append_schema(out, schema, options);
  return out;
}

}  // namespace sluice::json
