#include "value_text.h"

#include <cstdio>

#include "sluice/errors.h"
#include "sluice/json.h"

namespace sluice::jdbc {

namespace {

// Floor division and modulo: timestamps before 1970 must not round towards the epoch.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
std::int64_t floor_mod(std::int64_t a, std::int64_t b) { return a - floor_div(a, b) * b; }

constexpr std::int64_t kMicrosPerDay = 86'400'000'000LL;

// Appends ".ffffff" without trailing zeros; nothing when the fraction is zero.
void append_fraction(std::string& out, std::int64_t micros) {
  if (micros == 0) return;
  char buf[32];
  std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(micros));
  std::string frac(buf);
  while (frac.back() == '0') frac.pop_back();
  out += frac;
}

}  // namespace

std::string decimal_text(const Value& value, const ColumnType& type) {
  if (const auto* bytes = value.get_if<Bytes>()) {
    return logical::decimal_to_string(*bytes, type.scale.value_or(0));
  }
  if (const auto* s = value.get_if<Struct>()) {
    // io.debezium.data.VariableScaleDecimal: {scale: int32, value: bytes}.
    const auto scale = static_cast<std::int32_t>(s->get("scale").as_int64());
    return logical::decimal_to_string(s->get("value").as<Bytes>(), scale);
  }
  throw DataError(std::string("a decimal must be bytes or a VariableScaleDecimal struct, not ") +
                  value.type_name());
}

std::string date_text(std::int32_t days) {
  // Days to a proleptic Gregorian civil date, counting 400-year eras from 0000-03-01.
  const std::int64_t z = static_cast<std::int64_t>(days) + 719468;
  const std::int64_t era = floor_div(z, 146097);
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", static_cast<long long>(year),
                static_cast<long long>(month), static_cast<long long>(day));
  return buf;
}

std::string time_text(std::int64_t micros_of_day) {
  // PostgreSQL's time and MySQL's TIME both hold 24:00:00, and Debezium sends it as a full day.
  if (micros_of_day == kMicrosPerDay) return "24:00:00";
  const std::int64_t m = floor_mod(micros_of_day, kMicrosPerDay);
  const std::int64_t secs = m / 1'000'000;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  std::string out(buf);
  append_fraction(out, m % 1'000'000);
  return out;
}

std::string timestamp_text(std::int64_t micros_since_epoch) {
  const std::int64_t days = floor_div(micros_since_epoch, kMicrosPerDay);
  const std::int64_t rest = floor_mod(micros_since_epoch, kMicrosPerDay);
  return date_text(static_cast<std::int32_t>(days)) + " " + time_text(rest);
}

std::int64_t to_micros(ColumnKind kind, const Value& value) {
  const std::int64_t v = value.as_int64();
  switch (kind) {
    case ColumnKind::kTimeMillis:
    case ColumnKind::kTimestampMillis:
      return v * 1000;
    case ColumnKind::kTimeMicros:
    case ColumnKind::kTimestampMicros:
      return v;
    case ColumnKind::kTimeNanos:
    case ColumnKind::kTimestampNanos:
      return floor_div(v, 1000);
    default:
      throw DataError("to_micros: not a time or timestamp column kind");
  }
}

std::string json_text(const Value& value, const Schema* schema) {
  // A non-owning SchemaPtr: the caller keeps the schema alive for the call.
  SchemaPtr borrowed(SchemaPtr(), schema);
  json::EncodeOptions options;
  options.decimal_numeric = true;
  return json::encode_value(borrowed, value, options);
}

}  // namespace sluice::jdbc
