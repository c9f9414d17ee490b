// SimpleHeaderConverter (org.apache.kafka.connect.storage.SimpleHeaderConverter), the default
// header converter: header values travel as UTF-8 text, and reading infers a schema from the text
// the way Kafka's Values.parseString does.
//
// Writing (value -> text): strings as is; booleans and integers plainly; floats in Java's
// Double.toString form; Decimal as plain decimal text; other bytes as base64; Date as yyyy-MM-dd,
// Time as HH:mm:ss.SSS'Z', Timestamp as yyyy-MM-dd'T'HH:mm:ss.SSS'Z' (UTC); arrays, maps and
// structs as JSON (sluice/json.h, Decimals as numbers). A null value -> no bytes.
//
// Reading (text -> schema + value), the first rule that matches the whole text (blanks around it
// ignored):
//   no bytes                         -> null schema, null
//   ""                               -> string ""
//   null                             -> null schema, null
//   true / false (any case)          -> boolean
//   an integer                       -> int8, int16, int32 or int64, the smallest that holds it;
//                                       beyond int64 a Decimal with scale 0
//   any other JSON number            -> float64 (Kafka picks float32 when the value is in float's
//                                       range, losing digits; sluice keeps the double)
//   yyyy-MM-dd                       -> Date
//   HH:mm:ss.SSS'Z'                  -> Time
//   yyyy-MM-dd'T'HH:mm:ss.SSS'Z'     -> Timestamp
//   a JSON array                     -> array of the elements' common schema (integers widened to
//                                       the widest; optional when some are null), or schemaless
//                                       when the elements differ
//   a JSON object                    -> map with string keys and the values' common schema, or
//                                       schemaless when the values differ
//   anything else                    -> string, the text as given
//
// Config: none beyond converter.type. Threads: one task thread at a time.
#pragma once

#include "sluice/converter.h"

namespace sluice::builtin {

class SimpleHeaderConverter : public HeaderConverter {
 public:
  static const ConfigDef& definition();
  const ConfigDef& config_def() const override { return definition(); }

  void configure(const ConfigMap& config) override;

  std::optional<Bytes> from_connect_header(const std::string& topic, const std::string& header_key,
                                           const SchemaPtr& schema, const Value& value) override;
  SchemaAndValue to_connect_header(const std::string& topic, const std::string& header_key,
                                   const Bytes* data) override;
};

// The text form SimpleHeaderConverter writes for a value, and the schema and value it infers from
// such a text (see above). Exposed for tests and for transforms that parse header text.
std::string header_value_to_string(const SchemaPtr& schema, const Value& value);
SchemaAndValue parse_header_string(std::string_view text);

}  // namespace sluice::builtin
