// WorkerConfig: the worker's own keys (worker.properties), Kafka Connect's names where they apply.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sluice/config_def.h"

namespace sluice::runtime {

class WorkerConfig {
 public:
  // Parses and validates; throws ConfigError with every problem, including each unknown key.
  explicit WorkerConfig(const ConfigMap& props);

  static const ConfigDef& config_def();

  const Config& config() const { return config_; }
  const ConfigMap& originals() const { return config_.originals(); }

  bool embedded_bus() const { return config_.is_null("bootstrap.servers"); }
  std::vector<std::string> plugin_path() const { return config_.get_list("plugin.path"); }
  std::string offsets_file() const { return config_.get_string("offset.storage.file.filename"); }
  std::string configs_file() const { return config_.get_string("config.storage.file.filename"); }
  std::int64_t offset_flush_interval_ms() const { return config_.get_long("offset.flush.interval.ms"); }
  std::int64_t offset_flush_timeout_ms() const { return config_.get_long("offset.flush.timeout.ms"); }
  std::int64_t task_shutdown_timeout_ms() const { return config_.get_long("task.shutdown.graceful.timeout.ms"); }
  std::vector<std::string> listeners() const { return config_.get_list("listeners"); }
  std::int64_t bus_buffer_bytes() const { return config_.get_long("embedded.bus.buffer.bytes"); }
  std::string bus_ephemeral_topics_regex() const { return config_.get_string("embedded.bus.ephemeral.topics.regex"); }
  bool topic_tracking() const { return config_.get_bool("topic.tracking.enable"); }
  bool topic_tracking_reset() const { return config_.get_bool("topic.tracking.allow.reset"); }

  // host:port other workers and status output use (Kafka's worker_id), from rest.advertised.* or
  // the first listener.
  std::string advertised_url(std::uint16_t bound_port) const;
  std::string worker_id(std::uint16_t bound_port) const;

 private:
  Config config_;
};

}  // namespace sluice::runtime
