// Test records shaped like the PostgreSQL source's Debezium events (change_event_builder.h):
// table public.customers (id int32 key, name, note optional strings), topic "srv.public.customers".
#pragma once

#include <optional>
#include <string>

#include "sluice/record.h"
#include "sluice/schema.h"

namespace jdbc_test {

using namespace sluice;

struct Row {
  std::int32_t id;
  std::string name;
  std::optional<std::string> note = std::nullopt;
};

inline const SchemaPtr& key_schema() {
  static const SchemaPtr s =
      SchemaBuilder::struct_().name("srv.public.customers.Key").field("id", schemas::int32()).build();
  return s;
}
inline const SchemaPtr& row_schema() {
  static const SchemaPtr s = SchemaBuilder::struct_()
                                 .name("srv.public.customers.Value")
                                 .optional()
                                 .field("id", schemas::int32())
                                 .field("name", schemas::optional_string())
                                 .field("note", schemas::optional_string())
                                 .build();
  return s;
}
inline const SchemaPtr& source_schema() {
  static const SchemaPtr s = SchemaBuilder::struct_()
                                 .name("io.debezium.connector.postgresql.Source")
                                 .field("connector", schemas::string())
                                 .field("ts_ms", schemas::int64())
                                 .field("snapshot", SchemaBuilder::string().optional()
                                                        .name("io.debezium.data.Enum").build())
                                 .field("db", schemas::string())
                                 .field("sequence", schemas::optional_string())
                                 .field("schema", schemas::string())
                                 .field("table", schemas::string())
                                 .field("lsn", schemas::optional_int64())
                                 .build();
  return s;
}
inline const SchemaPtr& envelope_schema() {
  static const SchemaPtr s = SchemaBuilder::struct_()
                                 .name("srv.public.customers.Envelope")
                                 .field("before", row_schema())
                                 .field("after", row_schema())
                                 .field("source", source_schema())
                                 .field("op", schemas::string())
                                 .field("ts_ms", schemas::optional_int64())
                                 .build();
  return s;
}

inline Value row_value(const std::optional<Row>& row) {
  if (!row) return Value();
  Struct s(row_schema());
  s.put("id", row->id).put("name", row->name);
  if (row->note) s.put("note", *row->note);
  return Value(std::move(s));
}

inline Value key_value(std::int32_t id) {
  Struct k(key_schema());
  k.put("id", id);
  return Value(std::move(k));
}

struct Event {
  std::string op;
  std::optional<Row> before;
  std::optional<Row> after;
  std::int64_t lsn = 0;
  std::int64_t prev_commit = 0;
  std::int64_t offset = 0;
  std::string snapshot = "false";
  std::int32_t partition = 0;
};

inline SinkRecord pg_event(const Event& e) {
  Struct source(source_schema());
  source.put("connector", "postgresql")
      .put("ts_ms", std::int64_t{1700000000000})
      .put("snapshot", e.snapshot)
      .put("db", "inventory")
      .put("sequence", "[\"" + std::to_string(e.prev_commit) + "\",\"" + std::to_string(e.lsn) + "\"]")
      .put("schema", "public")
      .put("table", "customers")
      .put("lsn", e.lsn);
  Struct env(envelope_schema());
  env.put("before", row_value(e.before)).put("after", row_value(e.after)).put("source", source).put("op", e.op);
  SinkRecord r;
  r.topic = "srv.public.customers";
  r.kafka_partition = e.partition;
  r.kafka_offset = e.offset;
  const std::optional<Row>& keyed = e.after ? e.after : e.before;
  if (keyed) {
    r.key_schema = key_schema();
    r.key = key_value(keyed->id);
  } else {
    r.key_schema = key_schema();
  }
  r.value_schema = envelope_schema();
  r.value = Value(std::move(env));
  r.timestamp_ms = 1700000000001;
  return r;
}

inline SinkRecord tombstone(std::int32_t id, std::int64_t offset, std::int32_t partition = 0,
                            std::string topic = "srv.public.customers") {
  SinkRecord r;
  r.topic = std::move(topic);
  r.kafka_partition = partition;
  r.kafka_offset = offset;
  r.key_schema = key_schema();
  r.key = key_value(id);
  return r;
}

}  // namespace jdbc_test
