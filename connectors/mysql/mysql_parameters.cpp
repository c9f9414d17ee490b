#include "mysql_parameters.h"

#include <cppconn/datatype.h>

#include <cctype>
#include <cmath>
#include <string_view>

#include "sluice/errors.h"
#include "value_text.h"

namespace sluice::jdbc::mysql {

namespace {

constexpr std::int64_t kMicrosPerDay = 86'400'000'000LL;

// Reads exactly `digits` decimal digits at `pos`.
bool read_number(std::string_view text, std::size_t& pos, std::size_t digits, std::int64_t& out) {
  if (pos + digits > text.size()) return false;
  out = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    const char c = text[pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    out = out * 10 + (c - '0');
  }
  pos += digits;
  return true;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

// "HH:MM:SS[.fffffffff]" -> microseconds since midnight (fraction digits past 6 are dropped).
bool read_time(std::string_view text, std::size_t& pos, std::int64_t& micros) {
  std::int64_t h = 0, m = 0, s = 0;
  if (!read_number(text, pos, 2, h) || !expect(text, pos, ':') || !read_number(text, pos, 2, m) ||
      !expect(text, pos, ':') || !read_number(text, pos, 2, s)) {
    return false;
  }
  std::int64_t fraction = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::size_t digits = 0;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      if (digits < 6) fraction = fraction * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return false;
    for (std::size_t d = digits; d < 6; ++d) fraction *= 10;
  }
  micros = ((h * 60 + m) * 60 + s) * 1'000'000 + fraction;
  return true;
}

// "" or "Z" -> 0; "+HH:MM", "+HHMM", "+HH" -> the offset east of UTC in microseconds.
bool read_offset(std::string_view text, std::size_t& pos, std::int64_t& micros) {
  micros = 0;
  if (pos == text.size()) return true;
  if (text[pos] == 'Z' || text[pos] == 'z') return ++pos == text.size();
  const char sign = text[pos];
  if (sign != '+' && sign != '-') return false;
  ++pos;
  std::int64_t h = 0, m = 0;
  if (!read_number(text, pos, 2, h)) return false;
  if (pos < text.size()) {
    expect(text, pos, ':');
    if (!read_number(text, pos, 2, m)) return false;
  }
  micros = (h * 60 + m) * 60'000'000LL * (sign == '-' ? -1 : 1);
  return pos == text.size();
}

// Days since 1970-01-01 of a proleptic Gregorian date.
std::int64_t days_from_civil(std::int64_t y, std::int64_t m, std::int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

[[noreturn]] void bad_text(const char* what, const std::string& text) {
  throw DataError(std::string("not a ") + what + ": \"" + text + "\"");
}

}  // namespace

std::string zoned_timestamp_to_utc(const std::string& text) {
  std::string_view t = text;
  std::size_t pos = 0;
  std::int64_t y = 0, mo = 0, d = 0, time = 0, offset = 0;
  if (!read_number(t, pos, 4, y) || !expect(t, pos, '-') || !read_number(t, pos, 2, mo) || !expect(t, pos, '-') ||
      !read_number(t, pos, 2, d) || pos >= t.size() || (t[pos] != 'T' && t[pos] != ' ')) {
    bad_text("zoned timestamp", text);
  }
  ++pos;
  if (!read_time(t, pos, time) || !read_offset(t, pos, offset)) bad_text("zoned timestamp", text);
  return timestamp_text(days_from_civil(y, mo, d) * kMicrosPerDay + time - offset);
}

std::string zoned_time_to_utc(const std::string& text) {
  std::string_view t = text;
  std::size_t pos = 0;
  std::int64_t time = 0, offset = 0;
  if (!read_time(t, pos, time) || !read_offset(t, pos, offset)) bad_text("zoned time", text);
  return time_text(time - offset);  // time_text wraps around midnight
}

std::size_t estimated_size(const Value& value) {
  constexpr std::size_t kOverhead = 16;
  if (const auto* s = value.get_if<std::string>()) return s->size() + kOverhead;
  if (const auto* b = value.get_if<Bytes>()) return b->size() + kOverhead;
  if (value.is<Array>() || value.is<Map>() || value.is<Struct>()) return value.to_string().size() + kOverhead;
  return kOverhead;
}

void ParameterBinder::bind_int64(std::int64_t value) { statement_.setInt64(next_++, value); }
void ParameterBinder::bind_string(const std::string& value) { statement_.setString(next_++, value); }
void ParameterBinder::bind_bool(bool value) { statement_.setBoolean(next_++, value); }

void ParameterBinder::bind(const Value& value, const ColumnType& type, const std::string& column) {
  if (value.is_null()) {
    statement_.setNull(next_++, sql::DataType::SQLNULL);
    return;
  }
  try {
    switch (type.kind) {
      case ColumnKind::kBoolean:
        if (const auto* b = value.get_if<bool>()) return bind_bool(*b);
        return bind_bool(value.as_int64() != 0);
      case ColumnKind::kInt8:
      case ColumnKind::kInt16:
      case ColumnKind::kInt32:
      case ColumnKind::kInt64:
        return bind_int64(value.as_int64());
      case ColumnKind::kFloat32:
      case ColumnKind::kFloat64: {
        const double d = value.as_double();
        if (!std::isfinite(d)) throw DataError("MySQL cannot store " + value.to_string());
        statement_.setDouble(next_++, d);
        return;
      }
      case ColumnKind::kBytes: {
        const auto& bytes = value.as<Bytes>();
        blobs_.push_back(std::make_unique<std::istringstream>(
            std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size())));
        statement_.setBlob(next_++, blobs_.back().get());
        return;
      }
      default:
        return bind_text_kind(value, type);
    }
  } catch (const DataError& e) {
    throw DataError("column " + column + ": " + e.what());
  }
}

// The kinds sent as text, which the server converts to the column's type.
void ParameterBinder::bind_text_kind(const Value& value, const ColumnType& type) {
  switch (type.kind) {
    case ColumnKind::kDecimal:
      return bind_string(decimal_text(value, type));
    case ColumnKind::kDate:
      return bind_string(date_text(static_cast<std::int32_t>(value.as_int64())));
    case ColumnKind::kTimeMillis:
    case ColumnKind::kTimeMicros:
    case ColumnKind::kTimeNanos:
      return bind_string(time_text(to_micros(type.kind, value)));
    case ColumnKind::kTimestampMillis:
    case ColumnKind::kTimestampMicros:
    case ColumnKind::kTimestampNanos:
      return bind_string(timestamp_text(to_micros(type.kind, value)));
    case ColumnKind::kZonedTime:
      return bind_string(zoned_time_to_utc(value.as<std::string>()));
    case ColumnKind::kZonedTimestamp:
      return bind_string(zoned_timestamp_to_utc(value.as<std::string>()));
    case ColumnKind::kJson:
      if (const auto* s = value.get_if<std::string>()) return bind_string(*s);
      return bind_string(json_text(value, nullptr));
    case ColumnKind::kArray:
      return bind_string(json_text(value, nullptr));
    default:  // kString, kUuid
      return bind_string(value.as<std::string>());
  }
}

}  // namespace sluice::jdbc::mysql
