// The error types a plugin throws and the runtime catches.
//
// Plugins report, the runtime decides: a connector, task, converter or transform throws one of
// these where the problem is found and never logs it first. The runtime catches exceptions in
// exactly three places: the task boundary (records FAILED with the trace), the per-record error
// policy (retry, tolerate, dead-letter per `errors.*`), and the REST boundary (maps to a status).
//
// The key functions of these classes live in libsluice-api.so, so their typeinfo is unique and
// `catch (const sluice::RetriableError&)` works across plugin boundaries.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace sluice {

// Any failure of a connector or of the runtime. Not retried; within the per-record error policy it
// is tolerated when `errors.tolerance=all`, otherwise it fails the task.
class ConnectError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  ~ConnectError() override;
};

// A transient failure (connection lost, lock timeout, server restarting). The runtime retries the
// same operation with backoff: poll() and put() are called again with the same input; converters
// and transforms are retried for up to `errors.retry.timeout`.
class RetriableError : public ConnectError {
 public:
  using ConnectError::ConnectError;
  ~RetriableError() override;
};

// A record that cannot be processed (type mismatch, unparsable bytes, missing field). Never
// retried; handled by `errors.tolerance` and the dead-letter queue.
class DataError : public ConnectError {
 public:
  using ConnectError::ConnectError;
  ~DataError() override;
};

// One configuration problem: the key and what is wrong with it.
struct ConfigProblem {
  std::string key;
  std::string message;
};

// Invalid configuration. Carries every problem found, not only the first.
class ConfigError : public ConnectError {
 public:
  explicit ConfigError(std::string message);
  ConfigError(std::string key, std::string message);
  explicit ConfigError(std::vector<ConfigProblem> problems);
  ~ConfigError() override;

  const std::vector<ConfigProblem>& problems() const { return problems_; }

 private:
  std::vector<ConfigProblem> problems_;
};

}  // namespace sluice
