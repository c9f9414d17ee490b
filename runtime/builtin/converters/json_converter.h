// JsonConverter (org.apache.kafka.connect.json.JsonConverter): records as JSON, by default in the
// {"schema": ..., "payload": ...} envelope, byte-compatible with Kafka's converter (see
// sluice/json.h for the encoding of each type).
//
// Config: schemas.enable (true), schemas.cache.size (1000), decimal.format (BASE64 | NUMERIC,
// any case), replace.null.with.default (true), converter.type (key | value | header).
//
//   from_connect_data: a null value -> no bytes (a tombstone). Otherwise the payload, wrapped with
//     the schema's JSON when schemas.enable. The schema's JSON text is cached per SchemaPtr, so a
//     stream of records sharing a schema serializes it once.
//   to_connect_data: no bytes -> null schema and value. With schemas.enable the bytes must be an
//     object with exactly "schema" and "payload"; the schema is rebuilt (cached by its JSON text)
//     and the payload decoded under it. Without, the payload is read schemaless (null schema).
//     Empty input without schemas is a null value. Anything unparsable throws DataError.
//
// Also a HeaderConverter: header values are converted exactly like record values.
//
// A PassingConverter (runtime/bus/record_passing.h) with schemas.enable and decimal.format BASE64:
// the round trip rebuilds an equal schema and value, so pass() only has to check the value
// against its schema and put in the defaults replace.null.with.default writes. NUMERIC decimals
// may come back with other (equal-valued) bytes and schemaless values with other types: those
// settings do not pass.
//
// Threads: one task thread at a time (the caches are unsynchronized).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "runtime/builtin/converters/lru_cache.h"
#include "runtime/bus/record_passing.h"
#include "sluice/converter.h"
#include "sluice/json.h"

namespace sluice::builtin {

class JsonConverter : public Converter, public HeaderConverter, public runtime::PassingConverter {
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

  bool passes_records() const override { return schemas_enabled_ && !encode_options_.decimal_numeric; }
  bool pass(SchemaPtr& schema, Value& value) const override;

 private:
  struct EncodedSchema {
    SchemaPtr schema;  // keeps the cache key's address from being reused
    std::string json;
  };

  const std::string& schema_json(const SchemaPtr& schema);
  SchemaPtr schema_from_json(std::string_view text);
  // The payload text when `text` is `{"schema":<last schema's exact text>,"payload":...}`.
  std::optional<std::string_view> payload_after_last_schema(std::string_view text) const;

  bool schemas_enabled_ = true;
  json::EncodeOptions encode_options_;
  json::DecodeOptions decode_options_;
  LruCache<const Schema*, const Schema*, EncodedSchema> encoded_schemas_{1000};
  LruCache<std::string, std::string_view, SchemaPtr> parsed_schemas_{1000};
  std::string buffer_;  // reused across records
  // The envelope prefix `{"schema":<text>,"payload":` of the last record read and its schema:
  // consecutive records of one table share it, so reading one costs a memcmp, not a parse.
  std::string last_prefix_;
  SchemaPtr last_schema_;
};

}  // namespace sluice::builtin
