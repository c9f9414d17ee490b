// HelloSource: emits "hello <n>" once a second to a topic, resuming after the last committed n.
// The smallest complete source connector: config table, connector, task, offsets, registration.
#include <chrono>
#include <condition_variable>
#include <mutex>

#include <sluice/plugin.h>

namespace {

using namespace sluice;

const ConfigDef& hello_config() {
  static const ConfigDef def = ConfigDef{}
      .define("topic", ConfigType::kString, kRequired, non_empty_string(), Importance::kHigh,
              "Topic to write greetings to.")
      .define("greeting", ConfigType::kString, "hello", Importance::kLow, "Word to greet with.");
  return def;
}

class HelloTask : public SourceTask {
 public:
  void start(const ConfigMap& config, SourceTaskContext& context) override {
    Config parsed = hello_config().parse(config);
    topic_ = parsed.get_string("topic");
    greeting_ = parsed.get_string("greeting");
    if (auto offset = context.offset(partition_)) next_ = offset->at("n").as_int64() + 1;
  }

  std::vector<SourceRecord> poll() override {
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; })) return {};
    Record record;
    record.topic = topic_;
    record.value_schema = schemas::string();
    record.value = greeting_ + " " + std::to_string(next_);
    std::vector<SourceRecord> out;
    out.push_back(SourceRecord{partition_, {{"n", Value(next_)}}, std::move(record)});
    ++next_;
    return out;
  }

  void stop() override {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }

 private:
  SourcePartition partition_{{"greeter", Value("hello")}};
  std::string topic_;
  std::string greeting_;
  std::int64_t next_ = 0;
  std::mutex mu_;  // guards stopping_
  std::condition_variable cv_;
  bool stopping_ = false;
};

class HelloSourceConnector : public SourceConnector {
 public:
  const ConfigDef& config_def() const override { return hello_config(); }
  void start(const ConfigMap& config, ConnectorContext&) override { config_ = config; }
  std::vector<ConfigMap> task_configs(int) override { return {config_}; }
  void stop() override {}
  std::unique_ptr<SourceTask> create_task() override { return std::make_unique<HelloTask>(); }

 private:
  ConfigMap config_;
};

}  // namespace

SLUICE_PLUGIN("hello", "1.0.0", registrar) {
  registrar.add_source<HelloSourceConnector>("com.example.HelloSourceConnector");
}
