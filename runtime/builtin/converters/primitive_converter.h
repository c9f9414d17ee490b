// The Kafka primitive-serde converters, one class parameterized by type:
//   org.apache.kafka.connect.converters.ShortConverter    int16, 2 bytes big-endian
//   ...IntegerConverter                                    int32, 4 bytes big-endian
//   ...LongConverter                                       int64, 8 bytes big-endian
//   ...FloatConverter                                      float32, IEEE 754, 4 bytes big-endian
//   ...DoubleConverter                                     float64, IEEE 754, 8 bytes big-endian
//   ...BooleanConverter                                    boolean, 1 byte (0x00 / 0x01)
// exactly as Kafka's Short/Integer/Long/Float/Double/BooleanSerializer write them.
//
//   from_connect_data: the value must hold exactly that type (no widening, as Kafka casts);
//     null -> no bytes.
//   to_connect_data: the optional schema of that type; the wrong length (or a boolean byte other
//     than 0 or 1) is a DataError; no bytes -> null.
//
// Config: converter.type only. Also a HeaderConverter. Threads: one task thread at a time.
#pragma once

#include "sluice/converter.h"

namespace sluice::builtin {

class PrimitiveConverter : public Converter, public HeaderConverter {
 public:
  // One of kInt16, kInt32, kInt64, kFloat32, kFloat64, kBoolean.
  explicit PrimitiveConverter(Type type);

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

 private:
  Type type_;
};

}  // namespace sluice::builtin
