#pragma once

// A worker process with a fresh directory, its own port, file stores, the built plugins and the
// broken-plugin fixtures on plugin.path.
#include <fstream>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "support/eventually.h"
#include "support/http_client.h"
#include "support/temp_dir.h"
#include "support/worker_process.h"

namespace sluice::testing {

class WorkerFixture {
 public:
  explicit WorkerFixture(std::map<std::string, std::string> extra = {}) : port_(free_port()) {
    std::map<std::string, std::string> props{
        {"listeners", "http://127.0.0.1:" + std::to_string(port_)},
        {"plugin.path", std::string(SLUICE_BUILD_DIR) + "/plugins," + SLUICE_BUILD_DIR + "/fixture-plugins"},
        {"key.converter", "org.apache.kafka.connect.storage.StringConverter"},
        {"value.converter", "org.apache.kafka.connect.json.JsonConverter"},
        {"value.converter.schemas.enable", "false"},
        {"offset.storage.file.filename", (dir_ / "offsets.json").string()},
        {"config.storage.file.filename", (dir_ / "connectors.json").string()},
        {"offset.flush.interval.ms", "200"},
        {"task.shutdown.graceful.timeout.ms", "5000"}};
    for (auto& [k, v] : extra) props[k] = v;
    std::ofstream out(dir_ / "worker.properties");
    for (auto& [k, v] : props) out << k << "=" << v << "\n";
  }

  WorkerProcess& start(std::vector<std::string> connector_files = {}) {
    process_ = std::make_unique<WorkerProcess>(dir_ / "worker.properties", std::move(connector_files),
                                               dir_ / "worker.log", port_);
    process_->start();
    if (!process_->wait_ready()) throw std::runtime_error("worker did not start:\n" + process_->log());
    return *process_;
  }

  WorkerProcess& process() { return *process_; }
  HttpResponse request(const std::string& method, const std::string& target, const std::string& body = {},
                       const std::string& content_type = "application/json") {
    return http(port_, method, target, body, content_type);
  }
  nlohmann::json get_json(const std::string& target) { return nlohmann::json::parse(request("GET", target).body); }

  // Polls the connector's status until it shows this connector state and every task in it.
  bool await_state(const std::string& name, const std::string& state, std::size_t tasks = 1) {
    return eventually([&] {
      auto r = request("GET", "/connectors/" + name + "/status");
      if (r.status != 200) return false;
      auto j = nlohmann::json::parse(r.body);
      if (j["connector"]["state"] != state || j["tasks"].size() != tasks) return false;
      for (const auto& t : j["tasks"]) {
        if (t["state"] != state) return false;
      }
      return true;
    });
  }

  const TempDir& dir() const { return dir_; }
  std::uint16_t port() const { return port_; }

 private:
  TempDir dir_;
  std::uint16_t port_;
  std::unique_ptr<WorkerProcess> process_;
};

inline std::string file_source_json(const std::string& name, const std::string& file, const std::string& topic) {
  return nlohmann::json{{"name", name},
                        {"config",
                         {{"connector.class", "org.apache.kafka.connect.file.FileStreamSourceConnector"},
                          {"file", file},
                          {"topic", topic}}}}
      .dump();
}

inline std::string file_sink_json(const std::string& name, const std::string& file, const std::string& topics,
                                  std::map<std::string, std::string> extra = {}) {
  nlohmann::json config{{"connector.class", "FileStreamSink"}, {"file", file}, {"topics", topics}};
  for (auto& [k, v] : extra) config[k] = v;
  return nlohmann::json{{"name", name}, {"config", config}}.dump();
}

inline std::vector<std::string> read_lines(const std::filesystem::path& p) {
  std::vector<std::string> lines;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

}  // namespace sluice::testing
