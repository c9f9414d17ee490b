// BusMessage: a converted record on its way from a source task to sink tasks, as Kafka would hold
// it: topic, key and value bytes, header bytes, timestamp. Or, passed (runtime/bus/record_passing.h),
// the key and value objects themselves with the format that says which converters they stand for.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/bus/record_passing.h"
#include "sluice/value.h"

namespace sluice::runtime {

struct BusMessage;

// Told when a message has left the bus because every sink group reading its topic committed past
// it (the producer may now commit the source offset behind it). Called from whichever thread
// commits, without bus locks held; must be quick and thread-safe.
class AckTracker {
 public:
  virtual ~AckTracker() = default;
  virtual void acknowledge(std::uint64_t sequence) = 0;
  // The messages (all carrying this tracker, in bus order) that just left the bus. A tracker may
  // take them out of the vector to free them later on its producer's thread: memory freed on the
  // thread that allocated it never contends for another thread's malloc arena. By default each
  // is acknowledged and the caller frees them.
  virtual void released(std::vector<BusMessage>& messages);
};

struct BusHeader {
  std::string key;
  std::optional<Bytes> value;
};

struct BusMessage {
  std::string topic;
  std::optional<Bytes> key;
  std::optional<Bytes> value;
  // When set, key and value above are unset and these stand for them.
  std::shared_ptr<const PassedRecord> passed;
  std::shared_ptr<const RecordFormat> format;  // set with `passed`
  std::vector<BusHeader> headers;
  std::optional<std::int64_t> timestamp_ms;
  std::shared_ptr<AckTracker> tracker;  // may be null: nobody waits for this message
  std::uint64_t sequence = 0;

  // What the message costs against a topic's byte budget.
  std::size_t size_bytes() const {
    std::size_t n = 64 + topic.size() + (key ? key->size() : 0) + (value ? value->size() : 0) +
                    (passed ? passed->bytes : 0);
    for (const auto& h : headers) n += 16 + h.key.size() + (h.value ? h.value->size() : 0);
    return n;
  }
};

inline void AckTracker::released(std::vector<BusMessage>& messages) {
  for (const auto& m : messages) acknowledge(m.sequence);
}

}  // namespace sluice::runtime
