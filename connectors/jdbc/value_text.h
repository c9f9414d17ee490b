// Text forms of Connect values that the target databases share: PostgreSQL's COPY text format
// and MySQL literals accept the same spelling for numbers, dates and times.
#pragma once

#include <cstdint>
#include <string>

#include "sluice/schema.h"
#include "sluice/value.h"
#include "table_model.h"

namespace sluice::jdbc {

// A kDecimal value: Bytes (unscaled two's complement, scale from `type`) or a
// VariableScaleDecimal struct {scale, value}. "-12.340", "0.5", "1234".
std::string decimal_text(const Value& value, const ColumnType& type);

// "2024-01-31" for days since 1970-01-01 (proleptic Gregorian; years 1..9999).
std::string date_text(std::int32_t days);

// "13:04:05.123456" for microseconds since midnight (trailing zero fraction digits dropped, no
// fraction when zero). Exactly one day is "24:00:00"; other values wrap around midnight.
std::string time_text(std::int64_t micros_of_day);

// "2024-01-31 13:04:05.123456" for microseconds since the epoch, UTC, no zone.
std::string timestamp_text(std::int64_t micros_since_epoch);

// The value of a kTimeMillis/kTimeMicros/kTimeNanos or kTimestampMillis/Micros/Nanos column in
// microseconds (nanoseconds are truncated to microseconds, the finest both databases store).
std::int64_t to_micros(ColumnKind kind, const Value& value);

// JSON text of a Connect value (structs as objects by field name, maps with string keys as
// objects, others as arrays of [key, value] pairs, bytes as base64), for kJson columns that hold a
// struct or map and for arrays on databases without array columns.
std::string json_text(const Value& value, const Schema* schema);

}  // namespace sluice::jdbc
