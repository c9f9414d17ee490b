// Lsn: a PostgreSQL write-ahead log position (XLogRecPtr), printed as PostgreSQL does ("0/16B3748").
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::postgres {

struct Lsn {
  std::uint64_t value = 0;

  bool operator==(const Lsn&) const = default;
  auto operator<=>(const Lsn&) const = default;
  explicit operator bool() const { return value != 0; }

  // "XXXXXXXX/XXXXXXXX" in upper-case hex without leading zeros, as pg_lsn prints.
  std::string to_string() const {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%X/%X", static_cast<unsigned>(value >> 32),
                  static_cast<unsigned>(value & 0xffffffffu));
    return buf;
  }

  // Parses pg_lsn text ("16/B374D848"); nullopt when malformed.
  static std::optional<Lsn> parse(std::string_view text) {
    auto slash = text.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 >= text.size()) return std::nullopt;
    std::uint64_t hi = 0, lo = 0;
    auto hex = [](std::string_view part, std::uint64_t& out) {
      if (part.size() > 8) return false;
      for (char c : part) {
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return false;
        out = out * 16 + static_cast<std::uint64_t>(d);
      }
      return true;
    };
    if (!hex(text.substr(0, slash), hi) || !hex(text.substr(slash + 1), lo)) return std::nullopt;
    return Lsn{(hi << 32) | lo};
  }
};

}  // namespace sluice::postgres
