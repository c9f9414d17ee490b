#include "copy_text_writer.h"

#include <sluice/errors.h>

#include <charconv>
#include <cmath>

#include "value_text.h"

namespace sluice::jdbc {
namespace {

[[noreturn]] void throw_mismatch(const Value& value, const ColumnSpec& column, std::string_view wanted) {
  throw DataError("column " + column.name + ": expected " + std::string(wanted) + ", got " + value.type_name());
}

// PostgreSQL text and jsonb cannot hold NUL characters.
const std::string& checked_text(const Value& value, const ColumnSpec& column) {
  const auto* text = value.get_if<std::string>();
  if (text == nullptr) throw_mismatch(value, column, "a string");
  if (text->find('\0') != std::string::npos) {
    throw DataError("column " + column.name + ": PostgreSQL text cannot hold a NUL character");
  }
  return *text;
}

template <class F>
std::string float_text(F v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest form that reads back exactly
  return std::string(buf, end);
}

std::string float_value_text(const Value& value, const ColumnSpec& column) {
  if (const auto* f = value.get_if<float>()) return float_text(*f);
  if (const auto* d = value.get_if<double>()) {
    return column.type.kind == ColumnKind::kFloat32 ? float_text(static_cast<float>(*d)) : float_text(*d);
  }
  return std::to_string(value.as_int64());
}

std::string bytes_text(const Value& value, const ColumnSpec& column) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto* bytes = value.get_if<Bytes>();
  if (bytes == nullptr) throw_mismatch(value, column, "bytes");
  std::string out = "\\x";
  out.reserve(2 + bytes->size() * 2);
  for (std::uint8_t b : *bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

std::string json_value_text(const Value& value, const ColumnSpec& column) {
  if (value.is<std::string>()) return checked_text(value, column);
  if (const auto* s = value.get_if<Struct>()) return json_text(value, s->schema().get());
  return json_text(value, nullptr);
}

// An array literal: every element double-quoted (so no element text needs inspecting), NULL
// unquoted, nested arrays as nested braces.
std::string array_text(const Value& value, const ColumnSpec& column) {
  const auto* items = value.get_if<Array>();
  if (items == nullptr) throw_mismatch(value, column, "an array");
  if (!column.type.element) throw DataError("column " + column.name + ": array without an element type");
  ColumnSpec element{column.name, *column.type.element, true};
  std::string out = "{";
  for (std::size_t i = 0; i < items->size(); ++i) {
    if (i > 0) out += ',';
    const Value& item = (*items)[i];
    if (item.is_null()) {
      out += "NULL";
      continue;
    }
    std::string text = postgres_value_text(item, element);
    if (element.type.kind == ColumnKind::kArray) {
      out += text;
      continue;
    }
    out += '"';
    for (char c : text) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace

std::string postgres_value_text(const Value& value, const ColumnSpec& column) {
  const ColumnKind kind = column.type.kind;
  switch (kind) {
    case ColumnKind::kBoolean:
      if (const auto* b = value.get_if<bool>()) return *b ? "t" : "f";
      return value.as_int64() != 0 ? "t" : "f";
    case ColumnKind::kInt8:
    case ColumnKind::kInt16:
    case ColumnKind::kInt32:
    case ColumnKind::kInt64: return std::to_string(value.as_int64());
    case ColumnKind::kFloat32:
    case ColumnKind::kFloat64: return float_value_text(value, column);
    case ColumnKind::kString:
    case ColumnKind::kZonedTime:
    case ColumnKind::kZonedTimestamp:
    case ColumnKind::kUuid: return checked_text(value, column);
    case ColumnKind::kBytes: return bytes_text(value, column);
    case ColumnKind::kDecimal: return decimal_text(value, column.type);
    case ColumnKind::kDate: return date_text(static_cast<std::int32_t>(value.as_int64()));
    case ColumnKind::kTimeMillis:
    case ColumnKind::kTimeMicros:
    case ColumnKind::kTimeNanos: return time_text(to_micros(kind, value));
    case ColumnKind::kTimestampMillis:
    case ColumnKind::kTimestampMicros:
    case ColumnKind::kTimestampNanos: return timestamp_text(to_micros(kind, value));
    case ColumnKind::kJson: return json_value_text(value, column);
    case ColumnKind::kArray: return array_text(value, column);
  }
  throw DataError("column " + column.name + ": unknown column kind");
}

void CopyTextWriter::add(const Value& value, const ColumnSpec& column) {
  if (value.is_null()) {
    add_null();
    return;
  }
  separate();
  if (const auto* text = value.get_if<std::string>(); text != nullptr && column.type.kind == ColumnKind::kString) {
    // The common case without a copy: text columns.
    if (text->find('\0') != std::string::npos) checked_text(value, column);
    append_escaped(*text);
    return;
  }
  append_escaped(postgres_value_text(value, column));
}

void CopyTextWriter::append_escaped(std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '\\': out_ += "\\\\"; break;
      case '\t': out_ += "\\t"; break;
      case '\n': out_ += "\\n"; break;
      case '\r': out_ += "\\r"; break;
      default: out_ += c;
    }
  }
}

}  // namespace sluice::jdbc
