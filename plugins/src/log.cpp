#include "sluice/log.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <set>

namespace sluice::log {

const char* level_name(Level level) {
  switch (level) {
    case Level::kTrace: return "TRACE";
    case Level::kDebug: return "DEBUG";
    case Level::kInfo: return "INFO";
    case Level::kWarn: return "WARN";
    case Level::kError: return "ERROR";
    case Level::kOff: return "OFF";
  }
  return "INFO";
}

std::optional<Level> parse_level(std::string_view name) {
  std::string up(name);
  for (auto& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (up == "TRACE") return Level::kTrace;
  if (up == "DEBUG") return Level::kDebug;
  if (up == "INFO") return Level::kInfo;
  if (up == "WARN") return Level::kWarn;
  if (up == "ERROR" || up == "FATAL") return Level::kError;
  if (up == "OFF") return Level::kOff;
  return std::nullopt;
}

namespace {
constexpr std::string_view kRoot = "root";

bool is_descendant(std::string_view name, std::string_view ancestor) {
  if (ancestor == kRoot) return true;
  return name.size() > ancestor.size() && name.compare(0, ancestor.size(), ancestor) == 0 &&
         name[ancestor.size()] == '.';
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

thread_local std::string t_context;
}  // namespace

// The one piece of global state besides the plugin registry: every live logger and the levels set
// on names. Guarded by mu_.
class Registry {
 public:
  static Registry& instance() {
    static Registry* r = new Registry();  // never destroyed: loggers in static objects outlive main
    return *r;
  }

  void add(Logger* logger) {
    std::lock_guard lock(mu_);
    loggers_.insert(logger);
    logger->level_.store(effective_locked(logger->name()).level, std::memory_order_relaxed);
  }

  void remove(Logger* logger) {
    std::lock_guard lock(mu_);
    loggers_.erase(logger);
  }

  LevelInfo effective(std::string_view name) {
    std::lock_guard lock(mu_);
    return effective_locked(name);
  }

  std::map<std::string, LevelInfo> explicit_levels() {
    std::lock_guard lock(mu_);
    auto out = levels_;
    return out;
  }

  std::vector<std::string> set(std::string_view name, Level level) {
    std::lock_guard lock(mu_);
    std::set<std::string> affected;
    LevelInfo info{level, now_ms()};
    std::string target = name.empty() ? std::string(kRoot) : std::string(name);
    levels_[target] = info;
    affected.insert(target);
    for (auto it = levels_.begin(); it != levels_.end(); ++it) {
      if (is_descendant(it->first, target)) {
        it->second = info;
        affected.insert(it->first);
      }
    }
    for (Logger* l : loggers_) {
      if (l->name() == target || is_descendant(l->name(), target)) {
        if (l->name() != target) levels_[l->name()] = info;
        affected.insert(l->name());
      }
    }
    for (Logger* l : loggers_) {
      l->level_.store(effective_locked(l->name()).level, std::memory_order_relaxed);
    }
    return {affected.begin(), affected.end()};
  }

  bool known(std::string_view name) {
    std::lock_guard lock(mu_);
    if (name == kRoot || levels_.count(std::string(name))) return true;
    return std::any_of(loggers_.begin(), loggers_.end(), [&](Logger* l) {
      return l->name() == name || is_descendant(l->name(), name);
    });
  }

  void emit(Level level, const std::string& logger, std::string_view message) {
    auto now = std::chrono::system_clock::now();
    std::time_t secs = std::chrono::system_clock::to_time_t(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    std::string line = fmt::format("{}.{:03}Z {:<5} {}{}{}: {}\n", stamp, ms, level_name(level),
                                   t_context.empty() ? "" : "[", t_context.empty() ? "" : t_context + "] ",
                                   logger, message);
    std::lock_guard lock(out_mu_);
    for (const auto& secret : secrets_) {
      for (auto at = line.find(secret); at != std::string::npos; at = line.find(secret, at + 8)) {
        line.replace(at, secret.size(), "[hidden]");
      }
    }
    std::fwrite(line.data(), 1, line.size(), stderr);
  }

  void redact(std::string secret) {
    if (secret.size() < kMinRedactedLength) return;
    std::lock_guard lock(out_mu_);
    if (std::find(secrets_.begin(), secrets_.end(), secret) == secrets_.end()) secrets_.push_back(std::move(secret));
  }

 private:
  LevelInfo effective_locked(std::string_view name) {
    std::string n(name);
    while (true) {
      if (auto it = levels_.find(n); it != levels_.end()) return it->second;
      auto dot = n.rfind('.');
      if (dot == std::string::npos) break;
      n.resize(dot);
    }
    if (auto it = levels_.find(std::string(kRoot)); it != levels_.end()) return it->second;
    return LevelInfo{Level::kInfo, std::nullopt};
  }

  std::mutex mu_;  // guards loggers_, levels_
  std::set<Logger*> loggers_;
  std::map<std::string, LevelInfo> levels_{{std::string(kRoot), LevelInfo{Level::kInfo, std::nullopt}}};
  std::mutex out_mu_;  // keeps lines whole on stderr; guards secrets_
  std::vector<std::string> secrets_;  // masked in every line (redact())
};

Logger::Logger(std::string name) : name_(std::move(name)) { Registry::instance().add(this); }
Logger::~Logger() { Registry::instance().remove(this); }

void Logger::write(Level level, std::string_view message) const { Registry::instance().emit(level, name_, message); }

LogContext::LogContext(std::string context) : previous_(std::move(t_context)) { t_context = std::move(context); }
LogContext::~LogContext() { t_context = std::move(previous_); }

std::map<std::string, LevelInfo> explicit_levels() { return Registry::instance().explicit_levels(); }
LevelInfo effective_level(std::string_view name) { return Registry::instance().effective(name); }
std::vector<std::string> set_level(std::string_view name, Level level) { return Registry::instance().set(name, level); }
bool known(std::string_view name) { return Registry::instance().known(name); }
void redact(std::string secret) { Registry::instance().redact(std::move(secret)); }

}  // namespace sluice::log
