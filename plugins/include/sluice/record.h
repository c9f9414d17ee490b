// Records: what source tasks produce, transforms rewrite, and sink tasks consume.
//
// A Record is a plain aggregate that moves cheaply. Source tasks return SourceRecords (a Record
// plus the source partition and offset it came from); sink tasks receive SinkRecords, which are
// Records whose kafka_partition and kafka_offset are always set. Transforms see only the Record, so
// they cannot touch source offsets.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/schema.h"
#include "sluice/value.h"

namespace sluice {

struct Header {
  std::string key;
  SchemaPtr schema;  // may be null (schemaless)
  Value value;
};

// Record headers. Like Kafka's, keys may repeat; order is kept.
class Headers {
 public:
  Headers() = default;

  void add(std::string key, Value value, SchemaPtr schema = nullptr);
  // The last header with this key, or nullptr.
  const Header* last(std::string_view key) const;
  // Removes every header with this key; returns how many were removed.
  std::size_t remove(std::string_view key);

  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }
  auto begin() { return items_.begin(); }
  auto end() { return items_.end(); }
  const std::vector<Header>& items() const { return items_; }
  std::vector<Header>& items() { return items_; }

  bool operator==(const Headers& other) const;

 private:
  std::vector<Header> items_;
};

struct Record {
  std::string topic;
  std::optional<std::int32_t> kafka_partition;
  SchemaPtr key_schema;  // null = schemaless
  Value key;
  SchemaPtr value_schema;  // null = schemaless
  Value value;
  std::optional<std::int64_t> timestamp_ms;
  Headers headers;
  // Sink side only: the record's position in its topic partition (set by the runtime).
  std::optional<std::int64_t> kafka_offset;
};

// On the sink side, kafka_partition and kafka_offset are always set.
using SinkRecord = Record;

// A source partition or offset map: string keys, primitive values (Kafka's rule for offsets; the
// runtime rejects nested values when it stores them).
using OffsetMap = std::map<std::string, Value, std::less<>>;

// Identifies a stream within the source system (a file, a database server, a table). Immutable and
// cheap to copy: build it once per stream and copy it into every record.
class SourcePartition {
 public:
  SourcePartition() : map_(std::make_shared<const OffsetMap>()) {}
  SourcePartition(OffsetMap map) : map_(std::make_shared<const OffsetMap>(std::move(map))) {}
  SourcePartition(std::initializer_list<OffsetMap::value_type> entries)
      : map_(std::make_shared<const OffsetMap>(entries)) {}

  const OffsetMap& map() const { return *map_; }
  bool operator==(const SourcePartition& other) const {
    return map_ == other.map_ || *map_ == *other.map_;
  }
  bool operator<(const SourcePartition& other) const;

 private:
  std::shared_ptr<const OffsetMap> map_;
};

// Where in its source partition a record came from; the runtime stores the last committed one per
// partition and hands it back to the next task instance. An empty offset marks a record that is no
// resume point of its own: it is delivered and waited for like any other, and the offset committed
// once it is acknowledged is that of the next record after it that has one. A source may thus give
// an offset to the last record of each poll() batch only, sparing a map per record.
using SourceOffset = OffsetMap;

struct SourceRecord {
  SourcePartition source_partition;
  SourceOffset source_offset;
  Record record;
};

struct TopicPartition {
  std::string topic;
  std::int32_t partition = 0;

  bool operator==(const TopicPartition& o) const {
    return partition == o.partition && topic == o.topic;
  }
  bool operator<(const TopicPartition& o) const {
    return topic < o.topic || (topic == o.topic && partition < o.partition);
  }
  // "orders-0", as Kafka prints it.
  std::string to_string() const;
};

// Positions to commit per topic partition: the offset of the next record to consume.
using TopicOffsets = std::map<TopicPartition, std::int64_t>;

}  // namespace sluice
