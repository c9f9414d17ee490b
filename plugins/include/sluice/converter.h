// Converters: between a record's key or value (schema + value) and the bytes on the bus.
//
// Source side: from_connect_data() serializes what a source task (after transforms) produced.
// Sink side: to_connect_data() turns bytes back into a schema and value for the transforms and
// put(). The runtime configures one instance for keys and one for values per task, with the keys
// given after `key.converter.` / `value.converter.` (worker defaults, overridden per connector).
//
// Null: a null value is serialized as absent bytes (nullopt) and absent bytes deserialize to a
// null value, so tombstones survive a round trip.
//
// Threads: an instance is used by one task thread at a time.
// Errors: throw DataError for data that cannot be converted (it follows errors.tolerance),
// ConfigError from configure().
#pragma once

#include <optional>
#include <string>

#include "sluice/config_def.h"
#include "sluice/record.h"

namespace sluice {

struct SchemaAndValue {
  SchemaPtr schema;
  Value value;
};

class Converter {
 public:
  virtual ~Converter() = default;
  virtual const ConfigDef& config_def() const = 0;
  virtual void configure(const ConfigMap& config, bool is_key) = 0;
  virtual std::optional<Bytes> from_connect_data(const std::string& topic, const Headers& headers,
                                                 const SchemaPtr& schema, const Value& value) = 0;
  // `data` is null for an absent key or value (tombstone).
  virtual SchemaAndValue to_connect_data(const std::string& topic, const Headers& headers,
                                         const Bytes* data) = 0;
};

// Converts header values (Kafka's HeaderConverter). Configured with the keys after
// `header.converter.`.
class HeaderConverter {
 public:
  virtual ~HeaderConverter() = default;
  virtual const ConfigDef& config_def() const = 0;
  virtual void configure(const ConfigMap& config) = 0;
  virtual std::optional<Bytes> from_connect_header(const std::string& topic,
                                                   const std::string& header_key,
                                                   const SchemaPtr& schema, const Value& value) = 0;
  virtual SchemaAndValue to_connect_header(const std::string& topic, const std::string& header_key,
                                           const Bytes* data) = 0;
};

}  // namespace sluice
