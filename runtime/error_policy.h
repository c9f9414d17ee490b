// ErrorPolicy: Kafka Connect's errors.* semantics, in one place (RetryWithToleranceOperator).
//
// Each per-record operation (key/value/header conversion, each transformation, a sink's reported
// record) runs through execute(). A RetriableError is retried with exponential backoff (300 ms
// doubling, capped at errors.retry.delay.max.ms) until errors.retry.timeout has passed (-1: for
// ever, 0: never). Then, or for any other error: with errors.tolerance=none the task fails with
// "Tolerance exceeded in error handler"; with all the record is skipped, logged when
// errors.log.enable, and handed to the dead-letter reporter if there is one.
//
// One instance per task, used on the task thread only.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>

#include "sluice/config_def.h"
#include "sluice/errors.h"
#include "sluice/record.h"

namespace sluice::runtime {

enum class Stage { kKeyConverter, kValueConverter, kHeaderConverter, kTransformation, kTaskPut, kTaskPoll };
// "KEY_CONVERTER", ... as Kafka names them in logs and DLQ headers.
const char* stage_name(Stage stage);

// What failed, for logs and dead-letter headers.
struct ErrorContext {
  Stage stage;
  std::string class_name;  // the converter or transform class
  const Record* record = nullptr;  // the record being processed, if known
  // Sink side: where the original message came from, and its raw bytes for the dead-letter queue.
  std::optional<TopicPartition> source_partition;
  std::optional<std::int64_t> source_offset;
};

// Receives records that failed and were tolerated (the dead-letter queue). Implemented by the
// sink runner; may block (backpressure).
class ErrantRecordSink {
 public:
  virtual ~ErrantRecordSink() = default;
  virtual void report(const ErrorContext& context, const std::exception& error) = 0;
};

class ErrorPolicy {
 public:
  // `config` is the connector's parsed config (errors.* keys).
  ErrorPolicy(const Config& config, std::string task_id, const std::atomic<bool>& stopping);

  void set_errant_sink(ErrantRecordSink* sink) { errant_sink_ = sink; }
  bool tolerate_all() const { return tolerate_all_; }

  // Runs `op`, retrying and tolerating as configured. Returns true if it succeeded, false if it
  // failed and was tolerated (skip the record). Throws ConnectError if the task must fail.
  // A template so the per-record call costs no allocation.
  template <class Op>
  bool execute(const ErrorContext& context, Op&& op) {
    std::optional<std::chrono::steady_clock::time_point> started;
    auto backoff = kInitialBackoff;
    while (true) {
      try {
        op();
        return true;
      } catch (const RetriableError& e) {
        if (!started) started = std::chrono::steady_clock::now();
        if (retry_allowed(*started, backoff)) continue;
        handle(context, e);
        return false;
      } catch (const std::exception& e) {
        handle(context, e);
        return false;
      }
    }
  }

  // True when an operation's input must be kept intact (it may be retried or logged).
  bool keeps_input() const { return retry_timeout_ms_ != 0 || log_messages_; }

  // Handles an error already caught (e.g. a sink task's report()): tolerate or throw.
  void handle(const ErrorContext& context, const std::exception& error);

  std::int64_t total_errors() const { return total_errors_; }
  std::int64_t skipped_records() const { return skipped_; }

 private:
  static constexpr std::chrono::milliseconds kInitialBackoff{300};

  bool retry_allowed(std::chrono::steady_clock::time_point started, std::chrono::milliseconds& backoff);
  void log_error(const ErrorContext& context, const std::exception& error) const;

  const std::string task_id_;
  const std::atomic<bool>& stopping_;
  const std::int64_t retry_timeout_ms_;
  const std::int64_t retry_delay_max_ms_;
  const bool tolerate_all_;
  const bool log_enabled_;
  const bool log_messages_;
  ErrantRecordSink* errant_sink_ = nullptr;
  std::int64_t total_errors_ = 0;
  std::int64_t skipped_ = 0;
};

// "<demangled exception type>: <what()>", the runtime's stand-in for a Java stack trace.
std::string describe_exception(const std::exception& e);
std::string describe_current_exception();

}  // namespace sluice::runtime
