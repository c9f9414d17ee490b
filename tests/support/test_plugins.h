#pragma once

// In-process plugins for runtime tests: a scripted source (emits N numbered string records on
// demand, resumes from its committed offset, can be told to fail), a recording sink (keeps what
// put() received; can fail put() retriably), and a pass-through string converter.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "sluice/plugin.h"

namespace sluice::testing {

struct ScriptState {
  std::mutex mu;
  std::int64_t available = 0;  // records 0..available-1 may be emitted
  std::atomic<int> fail_polls{0};  // next polls throw a non-retriable error
  std::atomic<int> retriable_puts{0};  // next puts throw RetriableError
  std::vector<std::string> received;  // values put() into the sink, in order
  std::vector<std::map<SourcePartition, SourceOffset>> commits;
  std::atomic<int> task_configs_calls{0};
  std::atomic<int> tasks_wanted{1};
  ConnectorContext* context = nullptr;

  std::vector<std::string> snapshot() {
    std::lock_guard lock(mu);
    return received;
  }
};

inline ScriptState& script() {
  static ScriptState s;
  return s;
}

inline const ConfigDef& empty_def() {
  static const ConfigDef d = ConfigDef{}.define("topic", ConfigType::kString, "numbers", Importance::kLow, "Topic.");
  return d;
}

class ScriptedTask : public SourceTask {
 public:
  void start(const ConfigMap& config, SourceTaskContext& context) override {
    topic_ = config.count("topic") ? config.at("topic") : "numbers";
    if (auto o = context.offset(partition_)) next_ = o->at("n").as_int64() + 1;
  }
  std::vector<SourceRecord> poll() override {
    if (script().fail_polls > 0) {
      --script().fail_polls;
      throw ConnectError("scripted poll failure");
    }
    std::vector<SourceRecord> out;
    {
      std::lock_guard lock(script().mu);
      while (next_ < script().available && out.size() < 100) {
        Record r;
        r.topic = topic_;
        r.value_schema = schemas::string();
        r.value = "n" + std::to_string(next_);
        out.push_back({partition_, {{"n", Value(next_)}}, std::move(r)});
        ++next_;
      }
    }
    if (out.empty()) {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(20), [&] { return stopped_; });
    }
    return out;
  }
  void stop() override {
    std::lock_guard lock(mu_);
    stopped_ = true;
    cv_.notify_all();
  }
  void commit(const std::map<SourcePartition, SourceOffset>& committed) override {
    std::lock_guard lock(script().mu);
    script().commits.push_back(committed);
  }

 private:
  SourcePartition partition_{{"script", Value("numbers")}};
  std::string topic_;
  std::int64_t next_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;
};

class ScriptedSource : public SourceConnector {
 public:
  const ConfigDef& config_def() const override { return empty_def(); }
  void start(const ConfigMap& config, ConnectorContext& context) override {
    config_ = config;
    script().context = &context;
  }
  std::vector<ConfigMap> task_configs(int max) override {
    ++script().task_configs_calls;
    int n = std::min(max, script().tasks_wanted.load());
    return std::vector<ConfigMap>(static_cast<std::size_t>(n), config_);
  }
  void stop() override {}
  std::unique_ptr<SourceTask> create_task() override { return std::make_unique<ScriptedTask>(); }

 private:
  ConfigMap config_;
};

class RecordingTask : public SinkTask {
 public:
  void start(const ConfigMap&, SinkTaskContext&) override {}
  void put(const std::vector<SinkRecord>& records) override {
    if (script().retriable_puts > 0) {
      --script().retriable_puts;
      throw RetriableError("scripted transient put failure");
    }
    std::lock_guard lock(script().mu);
    for (const auto& r : records) script().received.push_back(r.value.is_null() ? "null" : r.value.as<std::string>());
  }
  void stop() override {}
};

class RecordingSink : public SinkConnector {
 public:
  const ConfigDef& config_def() const override {
    static const ConfigDef d;
    return d;
  }
  void start(const ConfigMap& config, ConnectorContext&) override { config_ = config; }
  std::vector<ConfigMap> task_configs(int max) override { return std::vector<ConfigMap>(static_cast<std::size_t>(max), config_); }
  void stop() override {}
  std::unique_ptr<SinkTask> create_task() override { return std::make_unique<RecordingTask>(); }

 private:
  ConfigMap config_;
};

// Strings to UTF-8 bytes and back; anything else is a DataError.
class PlainStringConverter : public Converter, public HeaderConverter {
 public:
  const ConfigDef& config_def() const override {
    static const ConfigDef d;
    return d;
  }
  void configure(const ConfigMap&, bool) override {}
  void configure(const ConfigMap&) override {}
  std::optional<Bytes> from_connect_data(const std::string&, const Headers&, const SchemaPtr&, const Value& v) override {
    if (v.is_null()) return std::nullopt;
    const auto& s = v.as<std::string>();
    return Bytes(s.begin(), s.end());
  }
  SchemaAndValue to_connect_data(const std::string&, const Headers&, const Bytes* data) override {
    if (!data) return {schemas::optional_string(), Value()};
    std::string s(data->begin(), data->end());
    if (s.find("poison") != std::string::npos) throw DataError("poison record: " + s);
    return {schemas::optional_string(), Value(std::move(s))};
  }
  std::optional<Bytes> from_connect_header(const std::string& t, const std::string&, const SchemaPtr& s, const Value& v) override {
    return from_connect_data(t, {}, s, v);
  }
  SchemaAndValue to_connect_header(const std::string& t, const std::string&, const Bytes* d) override {
    return to_connect_data(t, {}, d);
  }
};

inline void register_test_plugins(Registrar& r) {
  r.add_source<ScriptedSource>("test.ScriptedSourceConnector");
  r.add_sink<RecordingSink>("test.RecordingSinkConnector");
  r.add_converter<PlainStringConverter>("test.PlainStringConverter");
  r.add_header_converter<PlainStringConverter>("test.PlainStringConverter");
}

}  // namespace sluice::testing
