#include "runtime/builtin/transforms/record_support.h"

#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include <fmt/format.h>

#include "sluice/errors.h"

namespace sluice::builtin {

namespace {

constexpr std::int64_t kMsPerDay = 86'400'000;
// About 28,000 years either side of 1970: well inside what the calendar arithmetic handles.
constexpr std::int64_t kMaxEpochMs = 900'000'000'000'000;
constexpr std::string_view kSupportedLetters = "GyMLdDEuaHkKhmsSzZX";

constexpr std::array<std::string_view, 12> kMonths = {"January", "February", "March",     "April",
                                                      "May",     "June",     "July",      "August",
                                                      "September", "October", "November", "December"};
// Sunday first, as std::chrono::weekday counts.
constexpr std::array<std::string_view, 7> kWeekdays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool starts_with_icase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (lower(text[i]) != lower(prefix[i])) return false;
  }
  return true;
}

void append_padded(std::string& out, std::int64_t value, int width) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  for (int pad = width - static_cast<int>(end - buf); pad > 0; --pad) out.push_back('0');
  out.append(buf, end);
}

// Matches the longest of full and three-letter names at `text`; returns the index or -1.
template <std::size_t N>
int match_name(std::string_view text, const std::array<std::string_view, N>& names, std::size_t& length) {
  for (std::size_t i = 0; i < N; ++i) {
    if (starts_with_icase(text, names[i])) {
      length = names[i].size();
      return static_cast<int>(i);
    }
  }
  for (std::size_t i = 0; i < N; ++i) {
    if (starts_with_icase(text, names[i].substr(0, 3))) {
      length = 3;
      return static_cast<int>(i);
    }
  }
  return -1;
}

int current_year() {
  using namespace std::chrono;
  return static_cast<int>(year_month_day{floor<days>(system_clock::now())}.year());
}

}  // namespace

DateFormat::DateFormat(std::string_view pattern) : pattern_(pattern), two_digit_year_start_(current_year() - 80) {
  auto add_literal = [&](std::string_view text) {
    if (tokens_.empty() || tokens_.back().letter != 0) tokens_.push_back(Token{});
    tokens_.back().literal.append(text);
  };
  for (std::size_t i = 0; i < pattern.size();) {
    char c = pattern[i];
    if (c == '\'') {
      if (i + 1 < pattern.size() && pattern[i + 1] == '\'') {
        add_literal("'");
        i += 2;
        continue;
      }
      std::string quoted;
      std::size_t j = i + 1;
      for (;; ++j) {
        if (j >= pattern.size()) throw std::invalid_argument("Unterminated quote");
        if (pattern[j] != '\'') {
          quoted.push_back(pattern[j]);
        } else if (j + 1 < pattern.size() && pattern[j + 1] == '\'') {
          quoted.push_back('\'');
          ++j;
        } else {
          break;
        }
      }
      add_literal(quoted);
      i = j + 1;
    } else if (is_ascii_letter(c)) {
      std::size_t j = i;
      while (j < pattern.size() && pattern[j] == c) ++j;
      int count = static_cast<int>(j - i);
      if (kSupportedLetters.find(c) == std::string_view::npos) {
        throw std::invalid_argument(
            fmt::format("Unsupported pattern letter '{}' (supported: G y M L d D E u a H k K h m s S z Z X)", c));
      }
      if (c == 'X' && count > 3) throw std::invalid_argument("invalid ISO 8601 format: length=" + std::to_string(count));
      tokens_.push_back(Token{c, count, {}});
      i = j;
    } else {
      add_literal(std::string_view(&pattern[i], 1));
      ++i;
    }
  }
}

bool DateFormat::numeric(const Token& t) const {
  switch (t.letter) {
    case 'M':
    case 'L':
      return t.count <= 2;
    case 'y':
    case 'd':
    case 'D':
    case 'u':
    case 'H':
    case 'k':
    case 'K':
    case 'h':
    case 'm':
    case 's':
    case 'S':
      return true;
    default:
      return false;
  }
}

std::string DateFormat::format(std::int64_t epoch_ms) const {
  using namespace std::chrono;
  if (epoch_ms > kMaxEpochMs || epoch_ms < -kMaxEpochMs) {
    throw DataError(fmt::format("Timestamp {} ms is out of the range that can be formatted", epoch_ms));
  }
  std::int64_t day_number = floor_div(epoch_ms, kMsPerDay);
  std::int64_t ms_of_day = epoch_ms - day_number * kMsPerDay;
  sys_days day{days{day_number}};
  year_month_day ymd{day};
  int year = static_cast<int>(ymd.year());
  int year_of_era = year > 0 ? year : 1 - year;
  unsigned month = static_cast<unsigned>(ymd.month());
  unsigned weekday_index = weekday{day}.c_encoding();
  std::int64_t hour = ms_of_day / 3'600'000;

  std::string out;
  out.reserve(pattern_.size() + 8);
  for (const auto& t : tokens_) {
    switch (t.letter) {
      case 0: out += t.literal; break;
      case 'G': out += year > 0 ? "AD" : "BC"; break;
      case 'y':
        if (t.count == 2) {
          append_padded(out, year_of_era % 100, 2);
        } else {
          append_padded(out, year_of_era, t.count);
        }
        break;
      case 'M':
      case 'L':
        if (t.count >= 4) {
          out += kMonths[month - 1];
        } else if (t.count == 3) {
          out += kMonths[month - 1].substr(0, 3);
        } else {
          append_padded(out, month, t.count);
        }
        break;
      case 'd': append_padded(out, static_cast<unsigned>(ymd.day()), t.count); break;
      case 'D': append_padded(out, (day - sys_days{ymd.year() / January / 1}).count() + 1, t.count); break;
      case 'E': out += t.count >= 4 ? kWeekdays[weekday_index] : kWeekdays[weekday_index].substr(0, 3); break;
      case 'u': append_padded(out, weekday_index == 0 ? 7 : weekday_index, t.count); break;
      case 'a': out += hour < 12 ? "AM" : "PM"; break;
      case 'H': append_padded(out, hour, t.count); break;
      case 'k': append_padded(out, hour == 0 ? 24 : hour, t.count); break;
      case 'K': append_padded(out, hour % 12, t.count); break;
      case 'h': append_padded(out, hour % 12 == 0 ? 12 : hour % 12, t.count); break;
      case 'm': append_padded(out, ms_of_day / 60'000 % 60, t.count); break;
      case 's': append_padded(out, ms_of_day / 1000 % 60, t.count); break;
      case 'S': append_padded(out, ms_of_day % 1000, t.count); break;
      case 'z': out += t.count >= 4 ? "Coordinated Universal Time" : "UTC"; break;
      case 'Z': out += "+0000"; break;
      case 'X': out += 'Z'; break;
    }
  }
  return out;
}

std::int64_t DateFormat::parse(std::string_view text) const {
  auto fail = [&]() -> std::int64_t { throw DataError(fmt::format("Unparseable date: \"{}\"", text)); };
  std::int64_t year = 1970, month = 1, day = 1, day_of_year = 0, hour = 0, minute = 0, second = 0, milli = 0;
  std::int64_t offset_minutes = 0;
  bool hour12 = false, pm = false, bc = false;
  std::size_t pos = 0;

  for (std::size_t k = 0; k < tokens_.size(); ++k) {
    const Token& t = tokens_[k];
    std::string_view rest = text.substr(pos);
    if (t.letter == 0) {
      if (!rest.starts_with(t.literal)) return fail();
      pos += t.literal.size();
      continue;
    }
    if (numeric(t)) {
      // Abutting numeric fields ("yyyyMMdd") take exactly their width; a field followed by
      // anything else takes all the digits there are.
      bool abutting = k + 1 < tokens_.size() && tokens_[k + 1].letter != 0 && numeric(tokens_[k + 1]);
      std::size_t max_digits = abutting ? static_cast<std::size_t>(t.count) : 9;  // Java's fields are ints
      std::size_t n = 0;
      while (n < rest.size() && n < max_digits && rest[n] >= '0' && rest[n] <= '9') ++n;
      if (n == 0) return fail();
      std::int64_t v = 0;
      std::from_chars(rest.data(), rest.data() + n, v);
      pos += n;
      switch (t.letter) {
        case 'y':
          year = v;
          if (t.count <= 2 && n == 2) {
            year = two_digit_year_start_ / 100 * 100 + v;
            if (year < two_digit_year_start_) year += 100;
          }
          break;
        case 'M':
        case 'L': month = v; break;
        case 'd': day = v; break;
        case 'D': day_of_year = v; break;
        case 'u': break;  // the day of the week follows from the date
        case 'H': hour = v; hour12 = false; break;
        case 'k': hour = v == 24 ? 0 : v; hour12 = false; break;
        case 'K':
        case 'h': hour = v; hour12 = true; break;
        case 'm': minute = v; break;
        case 's': second = v; break;
        case 'S': milli = v; break;
      }
      continue;
    }
    std::size_t length = 0;
    switch (t.letter) {
      case 'G':
        if (starts_with_icase(rest, "AD")) {
          bc = false;
        } else if (starts_with_icase(rest, "BC")) {
          bc = true;
        } else {
          return fail();
        }
        length = 2;
        break;
      case 'M':
      case 'L': {
        int index = match_name(rest, kMonths, length);
        if (index < 0) return fail();
        month = index + 1;
        break;
      }
      case 'E':
        if (match_name(rest, kWeekdays, length) < 0) return fail();
        break;
      case 'a':
        if (starts_with_icase(rest, "AM")) {
          pm = false;
        } else if (starts_with_icase(rest, "PM")) {
          pm = true;
        } else {
          return fail();
        }
        length = 2;
        break;
      default: {  // z Z X: Z, UTC, GMT, UTC+hh:mm, +hh, +hhmm, +hh:mm
        if (!rest.empty() && (rest[0] == 'Z' || rest[0] == 'z')) {
          pos += 1;
          continue;
        }
        if (starts_with_icase(rest, "UTC") || starts_with_icase(rest, "GMT")) {
          length = 3;
          if (rest.size() == 3 || (rest[3] != '+' && rest[3] != '-')) break;
        }
        std::string_view sign_at = rest.substr(length);
        if (sign_at.empty() || (sign_at[0] != '+' && sign_at[0] != '-')) return fail();
        auto digits = [&](std::size_t at, std::size_t max) {
          std::size_t n = 0;
          while (at + n < sign_at.size() && n < max && sign_at[at + n] >= '0' && sign_at[at + n] <= '9') ++n;
          return n;
        };
        std::size_t hours_len = digits(1, 2);
        if (hours_len == 0) return fail();
        std::int64_t hours = 0, minutes = 0;
        std::from_chars(sign_at.data() + 1, sign_at.data() + 1 + hours_len, hours);
        std::size_t at = 1 + hours_len;
        if (at < sign_at.size() && sign_at[at] == ':') ++at;
        std::size_t minutes_len = hours_len == 2 ? digits(at, 2) : 0;
        if (minutes_len == 2) {
          std::from_chars(sign_at.data() + at, sign_at.data() + at + 2, minutes);
          at += 2;
        } else if (at > 1 + hours_len) {
          return fail();  // a ':' without minutes
        }
        offset_minutes = (sign_at[0] == '-' ? -1 : 1) * (hours * 60 + minutes);
        length += at;
        break;
      }
    }
    pos += length;
  }

  using namespace std::chrono;
  if (bc) year = 1 - year;
  year += floor_div(month - 1, 12);
  month = month - 1 - floor_div(month - 1, 12) * 12 + 1;
  if (year < -30000 || year > 30000) return fail();
  std::int64_t day_number;
  if (day_of_year > 0) {
    day_number = sys_days{std::chrono::year{static_cast<int>(year)} / January / 1}.time_since_epoch().count() +
                 day_of_year - 1;
  } else {
    day_number = sys_days{std::chrono::year{static_cast<int>(year)} / static_cast<unsigned>(month) / 1}
                     .time_since_epoch()
                     .count() +
                 day - 1;
  }
  if (hour12) hour = hour % 12 + (pm ? 12 : 0);
  return day_number * kMsPerDay + hour * 3'600'000 + minute * 60'000 + second * 1000 + milli -
         offset_minutes * 60'000;
}

DateFormat date_format_for_config(const std::string& key, const std::string& pattern, std::string_view message) {
  try {
    return DateFormat(pattern);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(key, fmt::format("{}{} ({})", message, pattern, e.what()));
  }
}

std::regex compile_java_regex(const std::string& pattern) {
  if (pattern.starts_with("(?i)")) {
    return std::regex(pattern.substr(4), std::regex::ECMAScript | std::regex::icase);
  }
  return std::regex(pattern, std::regex::ECMAScript);
}

Validator java_regex() {
  return validator("A valid regular expression", [](const std::string& name, const ConfigValueData& v) {
    const auto* s = std::get_if<std::string>(&v);
    if (!s) return;
    try {
      compile_java_regex(*s);
    } catch (const std::regex_error& e) {
      throw ConfigError(name, fmt::format("Invalid value {} for configuration {}: Invalid regex: {}", *s, name, e.what()));
    }
  });
}

Validator non_empty_list() {
  return validator("non-empty list", [](const std::string& name, const ConfigValueData& v) {
    const auto* l = std::get_if<std::vector<std::string>>(&v);
    if (l && l->empty()) throw ConfigError(name, fmt::format("Invalid value  for configuration {}: Empty list", name));
  });
}

std::vector<std::string> field_path(const std::string& text, bool v2) {
  if (!v2) return {text};
  std::vector<std::string> out;
  std::string current;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '`' && current.empty()) {
      ++i;
      while (i < text.size()) {
        if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == '`') {
          current.push_back('`');
          i += 2;
        } else if (text[i] == '`' && (i + 1 == text.size() || text[i + 1] == '.')) {
          ++i;
          break;
        } else {
          current.push_back(text[i++]);
        }
      }
    } else if (text[i] == '.') {
      out.push_back(std::move(current));
      current.clear();
      ++i;
    } else {
      current.push_back(text[i++]);
    }
  }
  out.push_back(std::move(current));
  return out;
}

const Value& field_value(const Struct& value, const Field& field, bool replace_null_with_default) {
  const Value& v = value.get(field);
  if (v.is_null() && replace_null_with_default && field.schema && field.schema->has_default()) {
    return field.schema->default_value();
  }
  return v;
}

SchemaBuilder copy_schema_basics(const Schema& schema, SchemaBuilder builder) {
  if (!schema.name().empty()) builder.name(schema.name());
  if (schema.version()) builder.version(*schema.version());
  if (!schema.doc().empty()) builder.doc(schema.doc());
  if (!schema.parameters().empty()) builder.parameters(schema.parameters());
  return builder;
}

std::pair<SchemaPtr, Value> parse_literal(std::string_view text) {
  if (text.empty()) return {schemas::string(), Value(std::string())};
  if (text.size() == 4 && starts_with_icase(text, "true")) return {schemas::boolean(), Value(true)};
  if (text.size() == 5 && starts_with_icase(text, "false")) return {schemas::boolean(), Value(false)};

  std::string_view digits = text.front() == '-' || text.front() == '+' ? text.substr(1) : text;
  bool integral = !digits.empty() && digits.find_first_not_of("0123456789") == std::string_view::npos;
  if (integral) {
    std::int64_t v = 0;
    const char* begin = text.front() == '+' ? text.data() + 1 : text.data();
    auto [end, ec] = std::from_chars(begin, text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size()) return {schemas::string(), Value(std::string(text))};
    if (v >= INT8_MIN && v <= INT8_MAX) return {schemas::int8(), Value(static_cast<std::int8_t>(v))};
    if (v >= INT16_MIN && v <= INT16_MAX) return {schemas::int16(), Value(static_cast<std::int16_t>(v))};
    if (v >= INT32_MIN && v <= INT32_MAX) return {schemas::int32(), Value(static_cast<std::int32_t>(v))};
    return {schemas::int64(), Value(v)};
  }
  bool decimal_chars = text.find_first_not_of("0123456789.eE+-") == std::string_view::npos &&
                       text.find_first_of("0123456789") != std::string_view::npos;
  if (decimal_chars) {
    std::string copy(text);
    char* end = nullptr;
    double d = std::strtod(copy.c_str(), &end);
    if (end == copy.c_str() + copy.size() && std::isfinite(d)) {
      float f = static_cast<float>(d);
      if (std::isfinite(f)) return {schemas::float32(), Value(f)};
      return {schemas::float64(), Value(d)};
    }
  }
  return {schemas::string(), Value(std::string(text))};
}

}  // namespace sluice::builtin
