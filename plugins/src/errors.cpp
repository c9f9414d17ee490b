#include "sluice/errors.h"

namespace sluice {

// Out-of-line destructors are the key functions: they pin each class's typeinfo and vtable to
// libsluice-api.so, so exceptions thrown in a plugin are caught by type in the runtime.
ConnectError::~ConnectError() = default;
RetriableError::~RetriableError() = default;
DataError::~DataError() = default;
ConfigError::~ConfigError() = default;

namespace {
std::string join_problems(const std::vector<ConfigProblem>& problems) {
  std::string text;
  for (const auto& p : problems) {
    if (!text.empty()) text += "; ";
    text += p.key.empty() ? p.message : p.key + ": " + p.message;
  }
  return text;
}
}  // namespace

ConfigError::ConfigError(std::string message)
    : ConnectError(message), problems_{{std::string(), std::move(message)}} {}

ConfigError::ConfigError(std::string key, std::string message)
    : ConnectError(message), problems_{{std::move(key), std::move(message)}} {}

ConfigError::ConfigError(std::vector<ConfigProblem> problems)
    : ConnectError(join_problems(problems)), problems_(std::move(problems)) {}

}  // namespace sluice
