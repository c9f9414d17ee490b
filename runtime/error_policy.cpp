#include "runtime/error_policy.h"

#include <cxxabi.h>

#include <algorithm>
#include <memory>
#include <thread>
#include <typeinfo>

#include <fmt/format.h>

#include "sluice/errors.h"
#include "sluice/log.h"

namespace sluice::runtime {

namespace {
const log::Logger kLog("sluice.errors");
}  // namespace

const char* stage_name(Stage stage) {
  switch (stage) {
    case Stage::kKeyConverter: return "KEY_CONVERTER";
    case Stage::kValueConverter: return "VALUE_CONVERTER";
    case Stage::kHeaderConverter: return "HEADER_CONVERTER";
    case Stage::kTransformation: return "TRANSFORMATION";
    case Stage::kTaskPut: return "TASK_PUT";
    case Stage::kTaskPoll: return "TASK_POLL";
  }
  return "UNKNOWN";
}

std::string describe_exception(const std::exception& e) {
  const char* mangled = typeid(e).name();
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> demangled(abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  return fmt::format("{}: {}", status == 0 && demangled ? demangled.get() : mangled, e.what());
}

std::string describe_current_exception() {
  try {
    throw;
  } catch (const std::exception& e) {
    return describe_exception(e);
  } catch (...) {
    return "unknown exception (not derived from std::exception)";
  }
}

ErrorPolicy::ErrorPolicy(const Config& config, std::string task_id, const std::atomic<bool>& stopping)
    : task_id_(std::move(task_id)),
      stopping_(stopping),
      retry_timeout_ms_(config.get_long("errors.retry.timeout")),
      retry_delay_max_ms_(config.get_long("errors.retry.delay.max.ms")),
      tolerate_all_(config.get_string("errors.tolerance") == "all" || config.get_string("errors.tolerance") == "ALL"),
      log_enabled_(config.get_bool("errors.log.enable")),
      log_messages_(config.get_bool("errors.log.include.messages")) {}

bool ErrorPolicy::retry_allowed(std::chrono::steady_clock::time_point started, std::chrono::milliseconds& backoff) {
  if (retry_timeout_ms_ == 0 || stopping_) return false;
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  if (retry_timeout_ms_ > 0 && elapsed.count() >= retry_timeout_ms_) return false;
  auto wait = backoff;
  if (retry_timeout_ms_ > 0) wait = std::min(wait, std::chrono::milliseconds(retry_timeout_ms_) - elapsed);
  // Sleep in slices so a stop request is noticed.
  auto until = std::chrono::steady_clock::now() + wait;
  while (!stopping_ && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(std::chrono::milliseconds(50), wait));
  }
  backoff = std::min(backoff * 2, std::chrono::milliseconds(retry_delay_max_ms_));
  return !stopping_;
}

void ErrorPolicy::handle(const ErrorContext& context, const std::exception& error) {
  ++total_errors_;
  if (log_enabled_) log_error(context, error);
  if (!tolerate_all_) {
    throw ConnectError(fmt::format("Tolerance exceeded in error handler: stage {}{}: {}", stage_name(context.stage),
                                   context.class_name.empty() ? "" : " (" + context.class_name + ")",
                                   describe_exception(error)));
  }
  ++skipped_;
  if (errant_sink_) errant_sink_->report(context, error);
}

void ErrorPolicy::log_error(const ErrorContext& context, const std::exception& error) const {
  std::string where;
  if (context.source_partition) {
    where = fmt::format(", where consumed record is {{topic='{}', partition={}, offset={}}}",
                        context.source_partition->topic, context.source_partition->partition,
                        context.source_offset.value_or(-1));
  } else if (context.record) {
    where = fmt::format(", where source record is {{topic='{}'}}", context.record->topic);
  }
  std::string content;
  if (log_messages_ && context.record) {
    content = fmt::format(" Record key: {}, value: {}, headers: {}.", context.record->key.to_string(),
                          context.record->value.to_string(), context.record->headers.size());
  }
  kLog.error("Error encountered in task {}. Executing stage '{}' with class '{}'{}.{} Error: {}", task_id_,
             stage_name(context.stage), context.class_name, where, content, describe_exception(error));
}

}  // namespace sluice::runtime
