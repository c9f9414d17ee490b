// Single message transforms and their predicates.
//
// A Transform rewrites one record at a time: it takes the record by value (so it owns its copy
// and cannot disturb anyone else's) and returns the new record, or nullopt to drop it. On the
// source side transforms run after poll() and before the converter; on the sink side after the
// converter and before put(). A chain runs in the order of the `transforms` list; a transform with
// a predicate runs only for records the predicate accepts (or rejects, with negate=true).
//
// Lifecycle: created, configure(config) once with its own keys (the `transforms.<alias>.` prefix
// removed), apply() per record, close() at the end. Instances are per task, used by one thread,
// never concurrently: no locking needed.
//
// Errors: throw DataError for a record the transform cannot handle (it follows errors.tolerance),
// ConfigError from configure().
#pragma once

#include <optional>

#include "sluice/config_def.h"
#include "sluice/record.h"

namespace sluice {

class Transform {
 public:
  virtual ~Transform() = default;
  virtual const ConfigDef& config_def() const = 0;
  virtual void configure(const ConfigMap& config) = 0;
  virtual std::optional<Record> apply(Record record) = 0;
  virtual void close() {}
};

class Predicate {
 public:
  virtual ~Predicate() = default;
  virtual const ConfigDef& config_def() const = 0;
  virtual void configure(const ConfigMap& config) = 0;
  virtual bool test(const Record& record) = 0;
  virtual void close() {}
};

}  // namespace sluice
