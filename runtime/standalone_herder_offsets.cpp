// The KIP-875 offsets endpoints of StandaloneHerder: read, alter and reset a connector's offsets.
// Source offsets live in the OffsetStore; sink positions are the embedded bus's committed
// positions of the connector's consumer group.
#include <fmt/format.h>

#include "runtime/herder_errors.h"
#include "runtime/offset_codec.h"
#include "runtime/standalone_herder.h"
#include "sluice/errors.h"

namespace sluice::runtime {

namespace {
constexpr const char* kAlteredHandled = "The offsets for this connector have been altered successfully";
constexpr const char* kAlteredFramework =
    "The Connect framework-managed offsets for this connector have been altered successfully. However, if this "
    "connector manages offsets externally, they will need to be manually altered in the system that the connector "
    "uses.";
constexpr const char* kResetHandled = "The offsets for this connector have been reset successfully";
constexpr const char* kResetFramework =
    "The Connect framework-managed offsets for this connector have been reset successfully. However, if this "
    "connector manages offsets externally, they will need to be manually reset in the system that the connector "
    "uses.";

TopicPartition sink_partition(const OffsetMap& partition) {
  const Value* topic = nullptr;
  const Value* number = nullptr;
  for (const auto& [k, v] : partition) {
    if (k == "kafka_topic") topic = &v;
    else if (k == "kafka_partition") number = &v;
  }
  if (!topic || !topic->is<std::string>()) {
    throw BadRequestError("Kafka topic names must be valid strings that are present in the source partition");
  }
  if (!number || number->is<std::string>() || number->is_null()) {
    throw BadRequestError("Kafka partitions must be valid numbers that are present in the source partition");
  }
  std::int64_t p = number->as_int64();
  if (p != 0) throw BadRequestError(fmt::format("Partition {} does not exist: embedded bus topics have one partition", p));
  return TopicPartition{topic->as<std::string>(), 0};
}

std::int64_t sink_offset(const OffsetMap& offset) {
  auto it = offset.find("kafka_offset");
  if (it == offset.end() || it->second.is_null() || it->second.is<std::string>()) {
    throw BadRequestError("Kafka offsets must be valid numbers that are present in the source offset");
  }
  std::int64_t o = it->second.as_int64();
  if (o < 0) throw BadRequestError("Kafka offsets must be non-negative");
  return o;
}
}  // namespace

void StandaloneHerder::require_stopped_locked(const std::string& name) {
  auto& e = require_locked(name);
  if (e.target != TargetState::kStopped || !worker_.tasks_of(name).empty()) {
    throw BadRequestError("Connectors must be in the STOPPED state before their offsets can be modified. This can be "
                          "done for the specified connector by issuing a 'PUT' request to the '/connectors/" +
                          name + "/stop' endpoint");
  }
}

std::vector<ConnectorOffset> StandaloneHerder::connector_offsets(const std::string& name) {
  std::lock_guard lock(mu_);
  std::vector<ConnectorOffset> out;
  if (is_sink_locked(name)) {
    for (const auto& [tp, offset] : bus_.committed("connect-" + name)) {
      out.push_back({OffsetMap{{"kafka_topic", Value(tp.topic)}, {"kafka_partition", Value(std::int32_t{tp.partition})}},
                     OffsetMap{{"kafka_offset", Value(offset)}}});
    }
    return out;
  }
  for (const auto& [key, value] : offsets_.all()) {
    auto decoded = decode_offset_key(key);
    if (!decoded || decoded->connector != name) continue;
    out.push_back({std::move(decoded->partition), decode_offset_value(value)});
  }
  return out;
}

std::string StandaloneHerder::alter_connector_offsets(const std::string& name,
                                                      const std::vector<ConnectorOffset>& offsets) {
  std::lock_guard lock(mu_);
  require_stopped_locked(name);
  if (offsets.empty()) throw BadRequestError("Partitions / offsets need to be provided for an alter offsets request");
  auto& e = require_locked(name);
  ConfigMap resolved = worker_.providers().resolve(e.config);
  const auto& registry = worker_.registry();
  std::string cls = e.config.at("connector.class");
  bool handled = false;
  if (e.type == ConnectorType::kSink) {
    std::vector<std::pair<TopicPartition, std::optional<std::int64_t>>> positions;
    for (const auto& o : offsets) {
      positions.emplace_back(sink_partition(o.partition), o.offset ? std::optional(sink_offset(*o.offset)) : std::nullopt);
    }
    try {
      handled = registry.new_sink(cls)->alter_offsets(resolved, positions);
    } catch (const std::exception& ex) {
      throw BadRequestError(std::string("Failed to alter offsets for connector ") + name + ": " + ex.what());
    }
    bus_.alter_committed("connect-" + name, positions);
    return handled ? kAlteredHandled : kAlteredFramework;
  }
  std::vector<std::pair<SourcePartition, std::optional<SourceOffset>>> entries;
  std::vector<std::pair<std::string, std::optional<std::string>>> writes;
  for (const auto& o : offsets) {
    try {
      writes.emplace_back(encode_offset_key(name, o.partition),
                          o.offset ? std::optional(encode_offset_value(*o.offset)) : std::nullopt);
    } catch (const DataError& ex) {
      throw BadRequestError(ex.what());
    }
    entries.emplace_back(SourcePartition(o.partition), o.offset);
  }
  try {
    handled = registry.new_source(cls)->alter_offsets(resolved, entries);
  } catch (const std::exception& ex) {
    throw BadRequestError(std::string("Failed to alter offsets for connector ") + name + ": " + ex.what());
  }
  offsets_.set(writes);
  return handled ? kAlteredHandled : kAlteredFramework;
}

std::string StandaloneHerder::reset_connector_offsets(const std::string& name) {
  std::lock_guard lock(mu_);
  require_stopped_locked(name);
  auto& e = require_locked(name);
  ConfigMap resolved = worker_.providers().resolve(e.config);
  const auto& registry = worker_.registry();
  std::string cls = e.config.at("connector.class");
  bool handled = false;
  if (e.type == ConnectorType::kSink) {
    std::vector<std::pair<TopicPartition, std::optional<std::int64_t>>> positions;
    for (const auto& [tp, offset] : bus_.committed("connect-" + name)) positions.emplace_back(tp, std::nullopt);
    handled = registry.new_sink(cls)->alter_offsets(resolved, positions);
    bus_.alter_committed("connect-" + name, positions);
    return handled ? kResetHandled : kResetFramework;
  }
  std::vector<std::pair<SourcePartition, std::optional<SourceOffset>>> entries;
  std::vector<std::pair<std::string, std::optional<std::string>>> writes;
  for (const auto& [key, value] : offsets_.all()) {
    auto decoded = decode_offset_key(key);
    if (!decoded || decoded->connector != name) continue;
    entries.emplace_back(SourcePartition(decoded->partition), std::nullopt);
    writes.emplace_back(key, std::nullopt);
  }
  handled = registry.new_source(cls)->alter_offsets(resolved, entries);
  if (!writes.empty()) offsets_.set(writes);
  return handled ? kResetHandled : kResetFramework;
}

}  // namespace sluice::runtime
