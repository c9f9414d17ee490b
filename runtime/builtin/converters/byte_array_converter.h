// ByteArrayConverter (org.apache.kafka.connect.converters.ByteArrayConverter): bytes pass through.
//
//   from_connect_data: the schema must be absent or bytes and the value bytes (else DataError); a
//     null value -> no bytes.
//   to_connect_data: OPTIONAL_BYTES and the bytes as given (no bytes -> null).
//
// Config: converter.type only. Also a HeaderConverter. Threads: one task thread at a time.
#pragma once

#include "sluice/converter.h"

namespace sluice::builtin {

class ByteArrayConverter : public Converter, public HeaderConverter {
 public:
  static const ConfigDef& definition();
  const ConfigDef& config_def() const override { return definition(); }

  void configure(const ConfigMap& config, bool is_key) override;
  void configure(const ConfigMap& config) override;

  std::optional<Bytes> from_connect_data(const std::string& topic, const Headers& headers,
                                         const SchemaPtr& schema, const Value& value) override;
  SchemaAndValue to_connect_data(const std::string& topic, const Headers& headers,
                                 const Bytes* data) override;

  std::optional<Bytes> from_connect_header(const std::string& topic, const std::string& header_key,
                                           const SchemaPtr& schema, const Value& value) override;
  SchemaAndValue to_connect_header(const std::string& topic, const std::string& header_key,
                                   const Bytes* data) override;
};

// The converter.type key every converter accepts (Kafka's ConverterConfig).
ConfigDef converter_type_def();

}  // namespace sluice::builtin
