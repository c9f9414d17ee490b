#include "pg_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace sluice::postgres::pgtext {

namespace {
constexpr std::int64_t kMicrosPerDay = 86'400'000'000;
// pgjdbc's DATE_POSITIVE/NEGATIVE_INFINITY, which Debezium reads as epoch microseconds.
constexpr std::int64_t kInfinityMicros = 9223372036825200000;
constexpr std::int64_t kMinusInfinityMicros = -9223372036832400000;
}  // namespace

// Plain decimal text as PostgreSQL prints numeric: [-]digits[.digits]. Returns fraction digits.
std::int32_t check_decimal(std::string_view t) {
  Cursor c{t};
  c.eat('-');
  std::size_t whole = 0, frac = 0;
  c.digits(0, t.size(), &whole);
  if (c.eat('.')) c.digits(1, t.size(), &frac);
  if (!c.done() || whole + frac == 0) throw BadText{"not a decimal number"};
  return static_cast<std::int32_t>(frac);
}

// Java's BigDecimal.toString() of plain decimal text: scientific when the adjusted exponent is
// below -6 ("0.0000001" -> "1E-7").
std::string java_decimal_string(std::string_view t, std::int32_t scale) {
  bool negative = !t.empty() && t[0] == '-';
  std::string digits;
  for (char ch : t) if (ch >= '0' && ch <= '9') digits += ch;
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));
  if (digits.empty()) digits = "0";
  std::int64_t adjusted = static_cast<std::int64_t>(digits.size()) - 1 - scale;
  if (adjusted >= -6) return std::string(t);
  std::string out = negative ? "-" : "";
  out += digits[0];
  if (digits.size() > 1) out += "." + digits.substr(1);
  return out + "E" + std::to_string(adjusted);
}

// Java's Double.toString(): shortest round-trip digits, plain for 1e-3 <= |v| < 1e7.
std::string java_double_string(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(r.ptr - buf));
  bool negative = sci[0] == '-';
  if (negative) sci.remove_prefix(1);
  auto e = sci.find('e');
  std::string digits;
  for (char ch : sci.substr(0, e)) if (ch != '.') digits += ch;
  int exp = std::stoi(std::string(sci.substr(e + 1)));
  std::string out = negative ? "-" : "";
  if (exp >= -3 && exp < 7) {
    if (exp < 0) {
      out += "0." + std::string(static_cast<std::size_t>(-exp - 1), '0') + digits;
    } else {
      if (digits.size() <= static_cast<std::size_t>(exp) + 1) digits.resize(exp + 2, '0');
      out += digits.substr(0, exp + 1) + "." + digits.substr(exp + 1);
    }
    return out;
  }
  out += digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0");
  return out + "E" + std::to_string(exp);
}

// money as printed with lc_monetary=C: "$1,234.56", "-$1,234.56" (or "($1,234.56)").
std::string money_to_plain(std::string_view t) {
  bool negative = false;
  if (t.size() >= 2 && t.front() == '(' && t.back() == ')') negative = true, t = t.substr(1, t.size() - 2);
  std::string out;
  for (char ch : t) {
    if (ch == '-' && out.empty() && !negative) negative = true;
    else if ((ch >= '0' && ch <= '9') || ch == '.') out += ch;
    else if (ch != '$' && ch != ',' && ch != ' ') throw BadText{"not a money amount"};
  }
  if (out.empty()) throw BadText{"not a money amount"};
  check_decimal(out);
  return negative ? "-" + out : out;
}

namespace {
// ---------------------------------------------------------------------------------------------
// Dates and times (proleptic Gregorian, as PostgreSQL and java.time count).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
}  // namespace

namespace {
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
}
}  // namespace

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

namespace {
struct Ymd {
  std::int64_t year;
  unsigned month, day;
};
}  // namespace

namespace {
Ymd scan_date(Cursor& c) {
  Ymd d{c.digits(4, 9), 0, 0};
  c.expect('-');
  d.month = static_cast<unsigned>(c.digits(2, 2));
  c.expect('-');
  d.day = static_cast<unsigned>(c.digits(2, 2));
  if (d.year == 0 || d.month < 1 || d.month > 12 || d.day < 1 || d.day > 31) throw BadText{"not a valid date"};
  return d;
}
}  // namespace

namespace {
// Epoch days of a date; " BC" (PostgreSQL has no year zero) makes year y the ISO year 1 - y.
std::int64_t date_days(Cursor& c, Ymd d) {
  if (c.eat_word(" BC")) d.year = 1 - d.year;
  return days_from_civil(d.year, d.month, d.day);
}
}  // namespace

std::int64_t parse_date_days(std::string_view t) {
  Cursor c{t};
  std::int64_t days = date_days(c, scan_date(c));
  if (!c.done()) throw BadText{"trailing characters"};
  return days;
}

// "HH:MM:SS[.ffffff]" -> microseconds past midnight (24:00:00 allowed).
std::int64_t scan_time(Cursor& c) {
  auto h = c.digits(2, 2);
  c.expect(':');
  auto m = c.digits(2, 2);
  c.expect(':');
  auto s = c.digits(2, 2);
  std::int64_t micros = 0;
  if (c.eat('.')) {
    std::size_t n = 0;
    micros = c.digits(1, 6, &n);
    for (; n < 6; ++n) micros *= 10;
  }
  if (m > 59 || s > 59 || h > 24 || (h == 24 && (m || s || micros))) throw BadText{"not a valid time"};
  return ((h * 60 + m) * 60 + s) * 1'000'000 + micros;
}

namespace {
// "+HH[:MM[:SS]]" -> seconds east of UTC.
std::int64_t scan_offset(Cursor& c) {
  int sign = c.eat('+') ? 1 : c.eat('-') ? -1 : 0;
  if (!sign) throw BadText{"time zone offset expected"};
  std::int64_t secs = c.digits(2, 2) * 3600;
  if (c.eat(':')) secs += c.digits(2, 2) * 60;
  if (c.eat(':')) secs += c.digits(2, 2);
  return sign * secs;
}
}  // namespace

// "YYYY-MM-DD HH:MM:SS[.f][offset][ BC]" -> epoch microseconds (UTC when with_zone, else the
// wall clock read as UTC, as Debezium does).
std::int64_t parse_timestamp_micros(std::string_view t, bool with_zone) {
  if (t == "infinity") return kInfinityMicros;
  if (t == "-infinity") return kMinusInfinityMicros;
  Cursor c{t};
  Ymd date = scan_date(c);
  c.expect(' ');
  std::int64_t micros = scan_time(c);
  std::int64_t offset = with_zone ? scan_offset(c) : 0;
  std::int64_t days = date_days(c, date);
  if (!c.done()) throw BadText{"trailing characters"};
  return days * kMicrosPerDay + micros - offset * 1'000'000;
}

namespace {
void append_fraction(std::string& out, std::int64_t micros, std::int32_t width) {
  if (width > 0) {
    std::string f = fmt::format("{:06}", micros);
    out += "." + f.substr(0, static_cast<std::size_t>(width));
  } else if (micros != 0) {
    std::string f = fmt::format("{:06}", micros);
    out += "." + f.substr(0, f.find_last_not_of('0') + 1);
  }
}
}  // namespace

namespace {
std::string format_time_of_day(std::int64_t micros, std::int32_t width) {
  std::int64_t secs = micros / 1'000'000;
  std::string out = fmt::format("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
  append_fraction(out, micros % 1'000'000, width);
  return out;
}
}  // namespace

// java.time's ISO-8601 rendering in UTC: years beyond 9999 get a '+', BC years count down from 0.
std::string format_zoned_timestamp(std::int64_t epoch_micros, std::int32_t width) {
  std::int64_t days = floor_div(epoch_micros, kMicrosPerDay);
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, y, m, d);
  std::string year = y > 9999 ? fmt::format("+{}", y) : y < 0 ? fmt::format("-{:04}", -y) : fmt::format("{:04}", y);
  return fmt::format("{}-{:02}-{:02}T", year, m, d) +
         format_time_of_day(epoch_micros - days * kMicrosPerDay, width) + "Z";
}

std::string parse_zoned_time(std::string_view t) {
  Cursor c{t};
  std::int64_t micros = scan_time(c) - scan_offset(c) * 1'000'000;
  if (!c.done()) throw BadText{"trailing characters"};
  micros = ((micros % kMicrosPerDay) + kMicrosPerDay) % kMicrosPerDay;
  return format_time_of_day(micros, 0) + "Z";
}

IntervalParts parse_interval(std::string_view t) {
  IntervalParts p;
  Cursor c{t};
  while (!c.done()) {
    int sign = c.eat('-') ? -1 : (c.eat('+'), 1);
    auto n = c.digits(1, 10);
    if (c.eat(':')) {  // the time part: [+-]H+:MM:SS[.f]
      p.hours = static_cast<std::int32_t>(sign * n);
      p.minutes = static_cast<std::int32_t>(sign * c.digits(2, 2));
      c.expect(':');
      std::size_t sec_start = c.i;
      c.digits(2, 2);
      if (c.eat('.')) c.digits(1, 9);
      std::string sec(t.substr(sec_start, c.i - sec_start));
      p.seconds = sign * std::strtod(sec.c_str(), nullptr);
      if (sec.find('.') != std::string::npos) sec.erase(sec.find_last_not_of("0.") + 1);
      sec.erase(0, std::min(sec.find_first_not_of('0'), sec.size()));
      if (sec.empty() || sec[0] == '.') sec.insert(0, "0");
      p.seconds_text = sec == "0" ? sec : (sign < 0 ? "-" : "") + sec;
    } else {
      c.expect(' ');
      auto v = static_cast<std::int32_t>(sign * n);
      if (c.eat_word("years") || c.eat_word("year")) p.years = v;
      else if (c.eat_word("mons") || c.eat_word("mon")) p.months = v;
      else if (c.eat_word("days") || c.eat_word("day")) p.days = v;
      else throw BadText{"unknown interval unit"};
    }
    if (!c.done()) c.expect(' ');
  }
  return p;
}

// Debezium's MicroDuration.durationMicros, in the same double arithmetic.
std::int64_t interval_micros(const IntervalParts& p) {
  double days_per_month = 365.25 / 12.0;
  double days = static_cast<double>(p.years * 12 + p.months) * days_per_month + p.days;
  double secs = ((days * 24 + p.hours) * 60 + p.minutes) * 60 + p.seconds;
  return static_cast<std::int64_t>(secs * 1e6);
}

std::string interval_iso(const IntervalParts& p) {
  return fmt::format("P{}Y{}M{}DT{}H{}M{}S", p.years, p.months, p.days, p.hours, p.minutes,
                     p.seconds_text);
}

namespace {
// ---------------------------------------------------------------------------------------------
// Binary.
int hex_digit(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}
}  // namespace

// bytea output: hex ("\x0aff") or escape ("a\\\000") format.
Bytes parse_bytea(std::string_view t) {
  Bytes out;
  if (t.starts_with("\\x")) {
    if (t.size() % 2) throw BadText{"odd number of hex digits"};
    out.reserve(t.size() / 2 - 1);
    for (std::size_t i = 2; i < t.size(); i += 2) {
      int hi = hex_digit(t[i]), lo = hex_digit(t[i + 1]);
      if (hi < 0 || lo < 0) throw BadText{"not a hex digit"};
      out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
    }
    return out;
  }
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] != '\\') { out.push_back(static_cast<std::uint8_t>(t[i])); continue; }
    if (i + 1 < t.size() && t[i + 1] == '\\') { out.push_back('\\'); ++i; continue; }
    if (i + 3 >= t.size()) throw BadText{"bad escape"};
    int v = 0;
    for (int k = 1; k <= 3; ++k) {
      char ch = t[i + k];
      if (ch < '0' || ch > '7') throw BadText{"bad escape"};
      v = v * 8 + (ch - '0');
    }
    out.push_back(static_cast<std::uint8_t>(v));
    i += 3;
  }
  return out;
}

std::string base64(const Bytes& b, bool url_safe) {
  const char* abc = url_safe ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                             : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((b.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < b.size(); i += 3) {
    std::uint32_t v = b[i] << 16;
    if (i + 1 < b.size()) v |= b[i + 1] << 8;
    if (i + 2 < b.size()) v |= b[i + 2];
    out += abc[(v >> 18) & 63];
    out += abc[(v >> 12) & 63];
    out += i + 1 < b.size() ? abc[(v >> 6) & 63] : '=';
    out += i + 2 < b.size() ? abc[v & 63] : '=';
  }
  return out;
}

Value binary_value(Bytes bytes, BinaryHandlingMode mode) {
  switch (mode) {
    case BinaryHandlingMode::kBytes: return Value(std::move(bytes));
    case BinaryHandlingMode::kBase64: return Value(base64(bytes, false));
    case BinaryHandlingMode::kBase64UrlSafe: return Value(base64(bytes, true));
    case BinaryHandlingMode::kHex: break;
  }
  std::string out;
  out.reserve(bytes.size() * 2);
  for (auto v : bytes) out += "0123456789abcdef"[v >> 4], out += "0123456789abcdef"[v & 15];
  return Value(std::move(out));
}

// bit text "0101" -> little-endian bytes (bit 0 = last character), as long as the highest set bit.
Bytes parse_bits(std::string_view t) {
  Bytes out;
  for (std::size_t k = 0; k < t.size(); ++k) {
    char ch = t[t.size() - 1 - k];
    if (ch != '0' && ch != '1') throw BadText{"not a bit string"};
    if (ch == '1') {
      out.resize(std::max(out.size(), k / 8 + 1), 0);
      out[k / 8] |= static_cast<std::uint8_t>(1u << (k % 8));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// hstore: "k"=>"v", "n"=>NULL
std::string scan_quoted(Cursor& c) {
  c.expect('"');
  std::string out;
  while (true) {
    if (c.done()) throw BadText{"unterminated quoted string"};
    char ch = c.s[c.i++];
    if (ch == '"') return out;
    if (ch == '\\') {
      if (c.done()) throw BadText{"unterminated quoted string"};
      ch = c.s[c.i++];
    }
    out += ch;
  }
}

std::vector<std::pair<std::string, std::optional<std::string>>> parse_hstore(std::string_view t) {
  std::vector<std::pair<std::string, std::optional<std::string>>> out;
  Cursor c{t};
  while (!c.done()) {
    std::string key = scan_quoted(c);
    if (!c.eat_word("=>")) throw BadText{"'=>' expected"};
    if (c.eat_word("NULL")) out.emplace_back(std::move(key), std::nullopt);
    else out.emplace_back(std::move(key), scan_quoted(c));
    if (!c.done() && !c.eat_word(", ")) throw BadText{"', ' expected"};
  }
  return out;
}

// JSON string as Jackson writes it (quotes, backslash and control characters escaped).
void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char ch : s) {
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20) out += fmt::format("\\u{:04X}", static_cast<int>(ch));
        else out += ch;
    }
  }
  out += '"';
}

}  // namespace sluice::postgres::pgtext
