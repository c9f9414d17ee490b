// StringConverter (org.apache.kafka.connect.storage.StringConverter): keys or values as UTF-8 text.
//
//   from_connect_data: a null value -> no bytes. A string as is; anything else rendered like
//     Java's toString(): integers and booleans plainly, floats in Double.toString form ("1.5",
//     "1.0E10"), a Decimal as its plain decimal text, other bytes as base64 (Java would print an
//     object id), arrays as "[a, b]", maps as "{k=v, k2=v2}", structs as "Struct{a=1,b=x}" (null
//     fields left out, as Kafka's Struct.toString does). Date/Time/Timestamp print their number.
//   to_connect_data: the bytes as an optional string (no bytes -> null), passed through unchecked.
//
// Config: converter.encoding (UTF-8 only; "UTF8"/"UTF-8" in any case, others are a ConfigError),
// converter.type. Also a HeaderConverter, converting header values the same way.
// Threads: one task thread at a time.
#pragma once

#include "sluice/converter.h"

namespace sluice::builtin {

class StringConverter : public Converter, public HeaderConverter {
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

}  // namespace sluice::builtin
