// sluice: a Kafka Connect worker in one native process.
//   sluice standalone worker.properties [connector.json|connector.properties ...]
// main() only wires the parts together: config, plugins, stores, bus, worker, herder, REST.
#include <malloc.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>

#include "rest/rest_server.h"
#include "runtime/builtin/converters/register.h"
#include "runtime/builtin/transforms/register.h"
#include "runtime/bus/embedded_bus.h"
#include "runtime/config_docs.h"
#include "runtime/config_providers.h"
#include "runtime/connector_file.h"
#include "runtime/plugin_loader.h"
#include "runtime/properties.h"
#include "runtime/standalone_herder.h"
#include "runtime/status_store.h"
#include "runtime/storage/config_store.h"
#include "runtime/storage/file_offset_store.h"
#include "runtime/worker.h"
#include "runtime/worker_config.h"
#include "sluice/errors.h"
#include "sluice/log.h"

namespace {

// Records are allocated on a source task's thread and freed there in bursts, when the bus releases
// them. With glibc's defaults each burst shrinks the thread's heap and the next ones grow it back
// page by page (sysmalloc and page faults were a quarter of a drain's source-thread CPU). Keep up
// to 32 MB of free heap per arena instead, grow in 4 MB steps, and allocate up to 1 MB from the
// heap. The MALLOC_*_ environment variables still win when set.
void tune_malloc() {
  if (!std::getenv("MALLOC_TRIM_THRESHOLD_")) mallopt(M_TRIM_THRESHOLD, 32 << 20);
  if (!std::getenv("MALLOC_TOP_PAD_")) mallopt(M_TOP_PAD, 4 << 20);
  if (!std::getenv("MALLOC_MMAP_THRESHOLD_")) mallopt(M_MMAP_THRESHOLD, 1 << 20);
}

using namespace sluice;
using namespace sluice::runtime;

const log::Logger kLog("sluice.main");

int usage() {
  std::fprintf(stderr,
               "usage: sluice standalone worker.properties [connector.json|connector.properties ...]\n"
               "       sluice docs [plugin-dir ...]    (Markdown reference of every configuration key)\n"
               "       sluice --version\n");
  return 2;
}

void register_builtins(PluginRegistry& registry) {
  StagingRegistrar builtins(sdk_version(), "builtin");
  builtin::register_converters(builtins);
  builtin::register_transforms(builtins);
  builtins.commit(registry);
}

rest::RestServerOptions rest_options(const WorkerConfig& config) {
  rest::RestServerOptions options;
  options.listeners = config.listeners();
  return options;
}

int print_docs(int argc, char** argv) {
  PluginRegistry registry;
  register_builtins(registry);
  std::vector<std::string> dirs(argv + 2, argv + argc);
  PluginLoader(registry).load_path(dirs);
  registry.finish();
  std::fputs(render_config_docs(registry).c_str(), stdout);
  return 0;
}

int run_standalone(int argc, char** argv) {
  // Block the stop signals before any thread starts, so only sigwait() below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  WorkerConfig config(read_properties_file(argv[2]));
  if (!config.embedded_bus()) {
    throw ConfigError("bootstrap.servers",
                      "Kafka mode is not available in this build yet; remove bootstrap.servers to run on the "
                      "embedded bus");
  }
  PluginRegistry registry;
  register_builtins(registry);
  PluginLoader(registry).load_path(config.plugin_path());
  registry.finish();

  ConfigProviders providers(config.originals());
  FileOffsetStore offsets(config.offsets_file());
  FileConfigStore configs(config.configs_file());
  EmbeddedBus bus(static_cast<std::size_t>(config.bus_buffer_bytes()), config.bus_ephemeral_topics_regex());
  StatusStore status(config.worker_id(8083));
  Worker worker(config, registry, providers, bus, offsets, status);
  StandaloneHerder herder(config, worker, status, configs, offsets, bus);

  rest::RestServer server(herder, rest_options(config));
  server.start();
  auto ports = server.bound_ports();
  status.set_worker_id(config.worker_id(ports.empty() ? 8083 : ports.front()));
  kLog.info("REST API listening on {}", config.advertised_url(ports.empty() ? 8083 : ports.front()));

  herder.start();
  for (int i = 3; i < argc; ++i) {
    auto def = read_connector_file(argv[i]);
    herder.put_connector_config(def.name, def.config, true, std::nullopt);
  }
  kLog.info("sluice worker started");

  int received = 0;
  sigwait(&stop_signals, &received);
  kLog.info("received {}, stopping", strsignal(received));
  server.stop();
  herder.stop();
  kLog.info("sluice worker stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && (std::strcmp(argv[1], "--version") == 0 || std::strcmp(argv[1], "version") == 0)) {
    std::printf("sluice %s\n", sluice::sdk_version());
    return 0;
  }
  if (argc >= 2 && std::strcmp(argv[1], "docs") == 0) return print_docs(argc, argv);
  if (argc < 3 || std::strcmp(argv[1], "standalone") != 0) return usage();
  tune_malloc();
  try {
    return run_standalone(argc, argv);
  } catch (const sluice::ConfigError& e) {
    for (const auto& p : e.problems()) {
      kLog.error("configuration error{}{}: {}", p.key.empty() ? "" : " in ", p.key, p.message);
    }
    return 1;
  } catch (const std::exception& e) {
    kLog.error("fatal: {}", e.what());
    return 1;
  }
}
