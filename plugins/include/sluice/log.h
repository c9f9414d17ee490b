// Logging shared by the runtime and every plugin.
//
// Loggers are named with dots ("sluice.worker", "sluice.connector.file"); a level set on a name
// applies to it and every name below it unless a longer name has its own, as in log4j, which is
// what `GET|PUT /admin/loggers` shows and changes. The root logger is "root" and starts at INFO.
// Levels: info = lifecycle, debug = per batch, trace = per record. An error is logged once, where
// it is handled (usually by the runtime, not by the plugin that threw).
//
// Each line: `2026-11-23T10:00:00.123Z INFO  [orders-0] sluice.worker: message`. The bracketed
// context is the calling thread's (LogContext); task threads set it to their task id.
//
// Thread-safe. A disabled level costs one relaxed atomic load.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace sluice::log {

enum class Level : std::uint8_t { kTrace, kDebug, kInfo, kWarn, kError, kOff };

// "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF".
const char* level_name(Level level);
// Accepts Kafka's names (TRACE, DEBUG, INFO, WARN, ERROR, FATAL, OFF), any case.
std::optional<Level> parse_level(std::string_view name);

class Logger {
 public:
  explicit Logger(std::string name);
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;
  ~Logger();

  const std::string& name() const { return name_; }
  bool enabled(Level level) const {
    return level >= level_.load(std::memory_order_relaxed) && level != Level::kOff;
  }

  void write(Level level, std::string_view message) const;

  template <class... Args>
  void trace(fmt::format_string<Args...> f, Args&&... args) const {
    if (enabled(Level::kTrace)) write(Level::kTrace, fmt::format(f, std::forward<Args>(args)...));
  }
  template <class... Args>
  void debug(fmt::format_string<Args...> f, Args&&... args) const {
    if (enabled(Level::kDebug)) write(Level::kDebug, fmt::format(f, std::forward<Args>(args)...));
  }
  template <class... Args>
  void info(fmt::format_string<Args...> f, Args&&... args) const {
    if (enabled(Level::kInfo)) write(Level::kInfo, fmt::format(f, std::forward<Args>(args)...));
  }
  template <class... Args>
  void warn(fmt::format_string<Args...> f, Args&&... args) const {
    if (enabled(Level::kWarn)) write(Level::kWarn, fmt::format(f, std::forward<Args>(args)...));
  }
  template <class... Args>
  void error(fmt::format_string<Args...> f, Args&&... args) const {
    if (enabled(Level::kError)) write(Level::kError, fmt::format(f, std::forward<Args>(args)...));
  }

 private:
  friend class Registry;
  std::string name_;
  std::atomic<Level> level_{Level::kInfo};
};

// Sets the calling thread's log context for the lifetime of this object (nests).
class LogContext {
 public:
  explicit LogContext(std::string context);
  ~LogContext();
  LogContext(const LogContext&) = delete;
  LogContext& operator=(const LogContext&) = delete;

 private:
  std::string previous_;
};

struct LevelInfo {
  Level level;
  std::optional<std::int64_t> last_modified_ms;  // null when never changed at run time
};

// Levels set explicitly (and "root"), for GET /admin/loggers.
std::map<std::string, LevelInfo> explicit_levels();
// Effective level of a name: its own, else its nearest ancestor's, else root's.
LevelInfo effective_level(std::string_view name);
// Sets the level of `name` ("root" for the root) and of every known logger below it, as Kafka's
// PUT /admin/loggers/{name} does; returns the names of the loggers it set, sorted.
std::vector<std::string> set_level(std::string_view name, Level level);
// True if a logger with this name or below it has been created, or a level was set on it.
bool known(std::string_view name);

// Masks `secret` as "[hidden]" wherever it appears in a log line from now on, whoever logs it.
// The runtime registers every value a config provider resolves, so a connector that logs its
// configuration cannot leak one. Values shorter than kMinRedactedLength are not masked (masking
// "1" everywhere would make logs unreadable); keep secrets longer than that.
inline constexpr std::size_t kMinRedactedLength = 4;
void redact(std::string secret);

}  // namespace sluice::log
