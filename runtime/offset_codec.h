// The byte format of source offsets, as Kafka Connect writes its offsets topic (schemaless JSON):
// key `["<connector>",{<partition map>}]`, value `{<offset map>}`. Maps hold string keys and
// primitive values only; anything else is refused with DataError (Kafka's OffsetUtils rule).
#pragma once

#include <optional>
#include <string>

#include "sluice/record.h"

namespace sluice::runtime {

std::string encode_offset_key(const std::string& connector, const OffsetMap& partition);
std::string encode_offset_value(const OffsetMap& offset);

struct DecodedOffsetKey {
  std::string connector;
  OffsetMap partition;
};
// nullopt when the bytes are not a well-formed key.
std::optional<DecodedOffsetKey> decode_offset_key(const std::string& key);
// Integers decode as int64, other numbers as double. Throws DataError on malformed input.
OffsetMap decode_offset_value(const std::string& value);

}  // namespace sluice::runtime
