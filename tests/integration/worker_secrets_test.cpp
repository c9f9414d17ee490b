// Config providers through the real worker: placeholders are resolved for the running tasks only;
// REST answers, stored configs and the log keep the placeholder.
#include <catch2/catch.hpp>

#include <fstream>

#include "integration/worker_fixture.h"

using namespace sluice::testing;
using nlohmann::json;

namespace {
std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
}  // namespace

TEST_CASE("Secrets from the file provider reach the task but never REST, the stored config or the log",
          "[system]") {
  TempDir secrets_dir;
  // The secret here is the sink's output path: if it is resolved, the lines land there.
  const std::string secret_name = "s3cr3t-output-7f1c.txt";
  auto secret_path = (secrets_dir / secret_name).string();
  std::ofstream(secrets_dir / "sink.properties") << "path=" << secret_path << "\n";
  const std::string placeholder = "${file:" + (secrets_dir / "sink.properties").string() + ":path}";

  WorkerFixture w(std::map<std::string, std::string>{
      {"config.providers", "file"},
      {"config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider"}});
  w.start();
  auto input = w.dir() / "input.txt";
  std::ofstream(input) << "alpha\nbeta\n";
  REQUIRE(w.request("POST", "/connectors", file_source_json("src", input.string(), "lines")).status == 201);
  REQUIRE(w.request("POST", "/connectors", file_sink_json("sink", placeholder, "lines")).status == 201);

  REQUIRE(eventually([&] { return read_lines(secret_path) == std::vector<std::string>{"alpha", "beta"}; }));

  REQUIRE(w.get_json("/connectors/sink/config")["file"] == placeholder);
  REQUIRE(w.get_json("/connectors/sink")["config"]["file"] == placeholder);
  REQUIRE(w.get_json("/connectors/sink/tasks")[0]["config"]["file"] == placeholder);
  REQUIRE(w.get_json("/connectors?expand=info")["sink"]["info"]["config"]["file"] == placeholder);
  REQUIRE_THAT(slurp(w.dir() / "connectors.json"), !Catch::Contains(secret_name));
  REQUIRE(w.process().stop() == 0);
  REQUIRE_THAT(w.process().log(), !Catch::Contains(secret_name));
}
