// Record passing on the embedded bus: a source task's record reaches the sink tasks as the
// objects the source made, without being serialized and parsed back, when nothing a user could
// observe changes by it.
//
// Kafka needs bytes, so a record goes source -> converter -> bytes -> converter -> sink. Within
// one process that round trip is pure cost (on PostgreSQL -> PostgreSQL replication, a third of
// the worker's CPU) whenever the sink's converter would only rebuild what the source's converter
// was given. That holds when (1) both sides use the same converter class with the same settings
// (the format's fingerprint) and (2) that converter can compute its round trip without the bytes
// (a PassingConverter: JsonConverter with schemas, which rebuilds an equal schema and value, nulls
// replaced by defaults as its settings say). Anything else takes the bytes path, so the sink sees
// exactly what it would have seen over Kafka: a sink whose converters differ from the producer's
// gets the bytes the producer's converters write for the passed record (RecordFormat::serialize).
// Headers always travel as bytes. `embedded.bus.pass.records=false` turns passing off.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "sluice/converter.h"

namespace sluice::runtime {

// A key and a value as the sink's converters would have produced them from the bytes.
struct PassedRecord {
  SchemaPtr key_schema;
  Value key;
  SchemaPtr value_schema;
  Value value;
  std::size_t bytes = 0;  // estimated memory, charged against the topic's byte budget
};

// Implemented by converters whose round trip to_connect_data(from_connect_data(s, v)) can be
// computed on the objects. Methods are const and thread-safe.
class PassingConverter {
 public:
  virtual ~PassingConverter() = default;
  // Whether this converter's settings allow passing at all.
  virtual bool passes_records() const = 0;
  // Turns (schema, value) into what the round trip gives, in place. Returns false, leaving them
  // fit for an ordinary conversion, when the record must take the bytes path (the conversion
  // would fail or give something the objects do not show).
  virtual bool pass(SchemaPtr& schema, Value& value) const = 0;
};

// The converter settings of one task (key and value converter class and configuration) with
// instances of its own, for passing records and for writing the bytes of passed records to a
// reader whose converters differ. Shared by the task and the messages it sent; thread-safe.
class RecordFormat {
 public:
  // Null when one of the converters is no PassingConverter or its settings do not pass records.
  static std::shared_ptr<const RecordFormat> make(std::string fingerprint, std::unique_ptr<Converter> key,
                                                  std::unique_ptr<Converter> value);

  const std::string& fingerprint() const { return fingerprint_; }
  // Moves the record's key and value into a PassedRecord when both pass; otherwise nullopt, and
  // the record is converted as usual.
  std::optional<PassedRecord> pass(Record& record) const;
  // The key and value bytes this format's converters write for a passed record.
  std::pair<std::optional<Bytes>, std::optional<Bytes>> serialize(const std::string& topic,
                                                                  const PassedRecord& record) const;

 private:
  RecordFormat(std::string fingerprint, std::unique_ptr<Converter> key, std::unique_ptr<Converter> value);

  std::string fingerprint_;
  std::unique_ptr<Converter> key_;
  std::unique_ptr<Converter> value_;
  const PassingConverter* key_passing_;
  const PassingConverter* value_passing_;
  mutable std::mutex mu_;  // serialize() uses the converters, which are not thread-safe
};

// Rough heap footprint of a value: what a passed record costs the bus's byte budget.
std::size_t approx_bytes(const Value& value);

}  // namespace sluice::runtime
