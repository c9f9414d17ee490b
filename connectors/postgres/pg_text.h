// Parsers for PostgreSQL's text output of its types (what pgoutput and a text-mode query send) and
// the few formatters the type mapping needs. Pure functions; they throw BadText, which
// ColumnMapping::convert() turns into a DataError naming the column.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "type_mapping.h"

namespace sluice::postgres::pgtext {

struct BadText {
  const char* why;
};

// ---------------------------------------------------------------------------------------------
// Text scanning.
struct Cursor {
  std::string_view s;
  std::size_t i = 0;
  bool done() const { return i >= s.size(); }
  char peek() const { return done() ? '\0' : s[i]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i;
    return true;
  }
  void expect(char c) {
    if (!eat(c)) throw BadText{"unexpected character"};
  }
  std::int64_t digits(std::size_t min, std::size_t max, std::size_t* count = nullptr) {
    std::int64_t v = 0;
    std::size_t n = 0;
    while (n < max && !done() && s[i] >= '0' && s[i] <= '9') v = v * 10 + (s[i++] - '0'), ++n;
    if (n < min) throw BadText{"digits expected"};
    if (count) *count = n;
    return v;
  }
  bool eat_word(std::string_view w) {
    if (s.substr(i, w.size()) != w) return false;
    i += w.size();
    return true;
  }
};

template <class T>
T parse_integer(std::string_view t) {
  T v{};
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc{} || p != t.data() + t.size()) throw BadText{"not an integer in range"};
  return v;
}

template <class T>
T parse_floating(std::string_view t) {
  if (t == "NaN") return std::numeric_limits<T>::quiet_NaN();
  if (t == "Infinity") return std::numeric_limits<T>::infinity();
  if (t == "-Infinity") return -std::numeric_limits<T>::infinity();
  T v{};
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc{} || p != t.data() + t.size()) throw BadText{"not a number"};
  return v;
}

// Plain decimal text as PostgreSQL prints numeric: [-]digits[.digits]. Returns fraction digits.
std::int32_t check_decimal(std::string_view t);

// Java's BigDecimal.toString() of plain decimal text: scientific when the adjusted exponent is
// below -6 ("0.0000001" -> "1E-7").
std::string java_decimal_string(std::string_view t, std::int32_t scale);

// Java's Double.toString(): shortest round-trip digits, plain for 1e-3 <= |v| < 1e7.
std::string java_double_string(double v);

// money as printed with lc_monetary=C: "$1,234.56", "-$1,234.56" (or "($1,234.56)").
std::string money_to_plain(std::string_view t);

std::int64_t floor_div(std::int64_t a, std::int64_t b);

std::int64_t parse_date_days(std::string_view t);

// "HH:MM:SS[.ffffff]" -> microseconds past midnight (24:00:00 allowed).
std::int64_t scan_time(Cursor& c);

// "YYYY-MM-DD HH:MM:SS[.f][offset][ BC]" -> epoch microseconds (UTC when with_zone, else the
// wall clock read as UTC, as Debezium does).
std::int64_t parse_timestamp_micros(std::string_view t, bool with_zone);

// java.time's ISO-8601 rendering in UTC: years beyond 9999 get a '+', BC years count down from 0.
std::string format_zoned_timestamp(std::int64_t epoch_micros, std::int32_t width);

std::string parse_zoned_time(std::string_view t);

// ---------------------------------------------------------------------------------------------
// interval, IntervalStyle 'postgres': "1 year 2 mons -3 days +04:05:06.78".
struct IntervalParts {
  std::int32_t years = 0, months = 0, days = 0, hours = 0, minutes = 0;
  double seconds = 0;
  std::string seconds_text = "0";  // exact, signed, trailing zeros stripped
};

IntervalParts parse_interval(std::string_view t);

// Debezium's MicroDuration.durationMicros, in the same double arithmetic.
std::int64_t interval_micros(const IntervalParts& p);

std::string interval_iso(const IntervalParts& p);

// bytea output: hex ("\x0aff") or escape ("a\\\000") format.
Bytes parse_bytea(std::string_view t);

std::string base64(const Bytes& b, bool url_safe);

Value binary_value(Bytes bytes, BinaryHandlingMode mode);

// bit text "0101" -> little-endian bytes (bit 0 = last character), as long as the highest set bit.
Bytes parse_bits(std::string_view t);

// ---------------------------------------------------------------------------------------------
// hstore: "k"=>"v", "n"=>NULL
std::string scan_quoted(Cursor& c);

std::vector<std::pair<std::string, std::optional<std::string>>> parse_hstore(std::string_view t);

// JSON string as Jackson writes it (quotes, backslash and control characters escaped).
void append_json_string(std::string& out, std::string_view s);

}  // namespace sluice::postgres::pgtext
