#include "runtime/standalone_herder.h"

#include <algorithm>

#include <fmt/format.h>

#include "runtime/connector_config.h"
#include "runtime/connector_validator.h"
#include "runtime/error_policy.h"
#include "runtime/herder_errors.h"
#include "sluice/errors.h"
#include "sluice/log.h"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "0.0.0"
#endif
#ifndef SLUICE_GIT_COMMIT
#define SLUICE_GIT_COMMIT "unknown"
#endif

namespace sluice::runtime {

namespace {
const log::Logger kLog("sluice.herder");

std::string get_or(const ConfigMap& config, const std::string& key, std::string fallback = {}) {
  auto it = config.find(key);
  return it == config.end() ? fallback : it->second;
}

int tasks_max(const ConfigMap& config) {
  try {
    return std::get<std::int32_t>(ConfigDef::parse_value("tasks.max", ConfigType::kInt, get_or(config, "tasks.max", "1")));
  } catch (const std::exception&) {
    return 1;
  }
}
}  // namespace

// What a running connector may ask of the herder, from any of its threads.
class StandaloneHerder::Context : public ConnectorContext {
 public:
  Context(StandaloneHerder& herder, std::string name) : herder_(herder), name_(std::move(name)) {}
  void request_task_reconfiguration() override {
    herder_.enqueue([h = &herder_, n = name_] {
      std::lock_guard lock(h->mu_);
      h->reconfigure_locked(n);
    });
  }
  void raise_error(const std::string& message) override {
    kLog.error("connector {} raised an error: {}", name_, message);
    herder_.status_.put_connector(name_, State::kFailed, message);
  }
  const std::string& connector_name() const override { return name_; }

 private:
  StandaloneHerder& herder_;
  const std::string name_;
};

StandaloneHerder::StandaloneHerder(const WorkerConfig& config, Worker& worker, StatusStore& status,
                                   FileConfigStore& configs, OffsetStore& offsets, EmbeddedBus& bus)
    : config_(config), worker_(worker), status_(status), configs_(configs), offsets_(offsets), bus_(bus) {}

StandaloneHerder::~StandaloneHerder() { stop(); }

void StandaloneHerder::start() {
  queue_thread_ = std::thread([this] { run_queue(); });
  std::lock_guard lock(mu_);
  // Sink groups first, so nothing a source sends is ever without its readers.
  for (const auto& [name, stored] : configs_.connectors()) {
    ConnectorEntry entry;
    entry.config = stored.config;
    entry.target = stored.target_state;
    entry.type = worker_.connector_type(get_or(stored.config, "connector.class"));
    entry.context = std::make_unique<Context>(*this, name);
    connectors_[name] = std::move(entry);
    if (connectors_[name].type == ConnectorType::kSink) {
      bus_.subscribe("connect-" + name, Subscription{split_list(get_or(stored.config, "topics")),
                                                     get_or(stored.config, "topics.regex")});
    }
  }
  for (const auto& [name, entry] : connectors_) start_connector_locked(name);
  ready_ = true;
}

void StandaloneHerder::stop() {
  {
    std::lock_guard lock(queue_mu_);
    if (queue_stop_ && !queue_thread_.joinable()) return;
    queue_stop_ = true;
  }
  queue_cv_.notify_all();
  if (queue_thread_.joinable()) queue_thread_.join();
  std::lock_guard lock(mu_);
  ready_ = false;
  worker_.stop_all();
}

void StandaloneHerder::enqueue(std::function<void()> work) {
  {
    std::lock_guard lock(queue_mu_);
    if (queue_stop_) return;
    queue_.push_back(std::move(work));
  }
  queue_cv_.notify_one();
}

void StandaloneHerder::run_queue() {
  log::LogContext context("herder");
  while (true) {
    std::function<void()> work;
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [&] { return queue_stop_ || !queue_.empty(); });
      if (queue_stop_) return;
      work = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      work();
    } catch (...) {
      kLog.error("herder request failed: {}", describe_current_exception());
    }
  }
}

ServerInfo StandaloneHerder::server_info() { return ServerInfo{SLUICE_VERSION, SLUICE_GIT_COMMIT, ""}; }

WorkerHealth StandaloneHerder::health() {
  std::unique_lock lock(mu_, std::try_to_lock);
  bool ready = lock.owns_lock() ? ready_ : true;  // busy with a request means it is up
  if (!ready) return {"starting", "Worker is still starting up."};
  return {"healthy", "Worker has completed startup and is ready to handle requests."};
}

std::vector<std::string> StandaloneHerder::connectors() {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, e] : connectors_) out.push_back(name);
  return out;
}

StandaloneHerder::ConnectorEntry& StandaloneHerder::require_locked(const std::string& name) {
  auto it = connectors_.find(name);
  if (it == connectors_.end()) throw NotFoundError("Connector " + name + " not found");
  return it->second;
}

bool StandaloneHerder::is_sink_locked(const std::string& name) {
  return require_locked(name).type == ConnectorType::kSink;
}

ConnectorInfo StandaloneHerder::info_locked(const std::string& name) {
  auto& e = require_locked(name);
  ConnectorInfo info{name, e.config, {}, e.type};
  for (std::size_t i = 0; i < e.task_configs.size(); ++i) info.tasks.push_back(TaskId{name, static_cast<int>(i)});
  return info;
}

ConnectorInfo StandaloneHerder::connector_info(const std::string& name) {
  std::lock_guard lock(mu_);
  return info_locked(name);
}

ConfigMap StandaloneHerder::connector_config(const std::string& name) {
  std::lock_guard lock(mu_);
  return require_locked(name).config;
}

Herder::PutResult StandaloneHerder::put_connector_config(const std::string& name, const ConfigMap& submitted,
                                                         bool allow_replace, std::optional<TargetState> initial_state) {
  ConfigMap config = submitted;
  config["name"] = name;
  std::lock_guard lock(mu_);
  bool exists = connectors_.count(name) > 0;
  if (exists && !allow_replace) throw AlreadyExistsError("Connector " + name + " already exists");
  ConfigInfos infos = runtime::validate_connector_config(worker_.registry(), config);
  if (infos.error_count > 0) throw BadRequestError(invalid_config_message(infos));

  TargetState target = initial_state.value_or(TargetState::kStarted);
  if (exists) {
    target = connectors_[name].target;
    halt_locked(name);
  }
  configs_.put(name, StoredConnector{config, target});
  ConnectorEntry& e = connectors_[name];
  e.config = config;
  e.target = target;
  e.type = worker_.connector_type(get_or(config, "connector.class"));
  if (!e.context) e.context = std::make_unique<Context>(*this, name);
  if (e.type == ConnectorType::kSink) {
    bus_.subscribe("connect-" + name, Subscription{split_list(get_or(config, "topics")), get_or(config, "topics.regex")});
  }
  kLog.info("connector {} {} (target state {})", name, exists ? "reconfigured" : "created", target_state_name(target));
  start_connector_locked(name);
  return PutResult{!exists, info_locked(name)};
}

ConnectorInfo StandaloneHerder::patch_connector_config(const std::string& name,
                                                       const std::map<std::string, std::optional<std::string>>& patch) {
  ConfigMap config;
  {
    std::lock_guard lock(mu_);
    config = require_locked(name).config;
  }
  for (const auto& [key, value] : patch) {
    if (value) {
      config[key] = *value;
    } else {
      config.erase(key);
    }
  }
  if (auto it = config.find("name"); it != config.end() && it->second != name) {
    throw BadRequestError("Connector name configuration (" + it->second + ") doesn't match connector name in the URL (" +
                          name + ")");
  }
  return put_connector_config(name, config, true, std::nullopt).info;
}

void StandaloneHerder::delete_connector(const std::string& name) {
  std::lock_guard lock(mu_);
  bool sink = is_sink_locked(name);
  halt_locked(name);
  configs_.remove(name);
  connectors_.erase(name);
  status_.remove_connector(name);
  // Offsets are kept, as in Kafka: re-creating the connector resumes where it stopped.
  if (sink) bus_.remove_group("connect-" + name);
  kLog.info("connector {} deleted", name);
}

void StandaloneHerder::start_connector_locked(const std::string& name) {
  auto& e = require_locked(name);
  e.task_configs.clear();
  if (e.target == TargetState::kStopped) {
    status_.put_connector(name, State::kStopped);
    status_.remove_tasks(name);
    return;
  }
  try {
    worker_.start_connector(name, e.config, *e.context);
  } catch (...) {
    std::string trace = describe_current_exception();
    kLog.error("connector {} failed to start: {}", name, trace);
    status_.put_connector(name, State::kFailed, trace);
    return;
  }
  status_.put_connector(name, e.target == TargetState::kPaused ? State::kPaused : State::kRunning);
  try {
    e.task_configs = generate_task_configs_locked(name);
  } catch (...) {
    std::string trace = describe_current_exception();
    kLog.error("connector {} failed to generate task configs: {}", name, trace);
    status_.put_connector(name, State::kFailed, trace);
    return;
  }
  start_tasks_locked(name);
}

std::vector<ConfigMap> StandaloneHerder::generate_task_configs_locked(const std::string& name) {
  auto& e = require_locked(name);
  auto generated = worker_.connector_task_configs(name, tasks_max(e.config));
  // Put placeholders back where a task config holds a value a config provider resolved, so
  // secrets are neither kept nor shown (Kafka's reverse transform).
  ConfigMap resolved = worker_.providers().resolve(e.config);
  for (auto& task : generated) {
    for (auto& [key, value] : task) {
      auto raw = e.config.find(key);
      auto res = resolved.find(key);
      if (raw != e.config.end() && res != resolved.end() && raw->second != res->second && value == res->second) {
        value = raw->second;
      }
    }
  }
  return generated;
}

void StandaloneHerder::start_tasks_locked(const std::string& name) {
  auto& e = require_locked(name);
  status_.remove_tasks(name, static_cast<int>(e.task_configs.size()));
  for (std::size_t i = 0; i < e.task_configs.size(); ++i) start_task_locked(TaskId{name, static_cast<int>(i)});
}

void StandaloneHerder::start_task_locked(const TaskId& id) {
  auto& e = require_locked(id.connector);
  status_.put_task(id, State::kUnassigned);
  try {
    worker_.start_task(id, e.task_configs.at(static_cast<std::size_t>(id.task)), e.config, e.target);
  } catch (...) {
    std::string trace = describe_current_exception();
    kLog.error("task {} failed to start: {}", id.to_string(), trace);
    status_.put_task(id, State::kFailed, trace);
  }
}

void StandaloneHerder::halt_locked(const std::string& name) {
  worker_.stop_tasks(worker_.tasks_of(name));
  worker_.stop_connector(name);
}

void StandaloneHerder::reconfigure_locked(const std::string& name) {
  auto it = connectors_.find(name);
  if (it == connectors_.end() || it->second.target == TargetState::kStopped || !worker_.connector_running(name)) return;
  std::vector<ConfigMap> fresh;
  try {
    fresh = generate_task_configs_locked(name);
  } catch (...) {
    status_.put_connector(name, State::kFailed, describe_current_exception());
    return;
  }
  if (fresh == it->second.task_configs) return;
  kLog.info("connector {} asked for task reconfiguration: {} task(s) now", name, fresh.size());
  worker_.stop_tasks(worker_.tasks_of(name));
  it->second.task_configs = std::move(fresh);
  start_tasks_locked(name);
}

void StandaloneHerder::persist_locked(const std::string& name) {
  auto& e = require_locked(name);
  configs_.put(name, StoredConnector{e.config, e.target});
}

ConnectorStateInfo StandaloneHerder::connector_status(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = connectors_.find(name);
  auto state = status_.connector(name);
  if (it == connectors_.end() || !state) throw NotFoundError("No status found for connector " + name);
  ConnectorStateInfo info{name, *state, {}, it->second.type};
  for (auto& t : status_.tasks(name)) {
    if (t.id >= static_cast<int>(it->second.task_configs.size())) continue;
    t.metrics = worker_.metrics().task(TaskId{name, t.id});
    info.tasks.push_back(std::move(t));
  }
  return info;
}

TaskState StandaloneHerder::task_status(const TaskId& id) {
  std::lock_guard lock(mu_);
  auto it = connectors_.find(id.connector);
  auto state = status_.task(id);
  if (it == connectors_.end() || !state || id.task >= static_cast<int>(it->second.task_configs.size())) {
    throw NotFoundError("No status found for task " + id.to_string());
  }
  state->metrics = worker_.metrics().task(id);
  return *state;
}

// Without the herder's lock: the metrics store is thread-safe and outlives every call.
std::vector<TaskMetricsInfo> StandaloneHerder::task_metrics() { return worker_.metrics().all(); }

std::vector<TaskInfo> StandaloneHerder::task_configs(const std::string& name) {
  std::lock_guard lock(mu_);
  auto& e = require_locked(name);
  std::vector<TaskInfo> out;
  for (std::size_t i = 0; i < e.task_configs.size(); ++i) out.push_back({TaskId{name, static_cast<int>(i)}, e.task_configs[i]});
  return out;
}

void StandaloneHerder::restart_task(const TaskId& id) {
  std::lock_guard lock(mu_);
  auto& e = require_locked(id.connector);
  if (id.task < 0 || id.task >= static_cast<int>(e.task_configs.size())) {
    throw NotFoundError("Task " + id.to_string() + " not found");
  }
  worker_.stop_tasks({id});
  start_task_locked(id);
}

std::optional<ConnectorStateInfo> StandaloneHerder::restart_connector(const std::string& name, bool include_tasks,
                                                                      bool only_failed) {
  std::lock_guard lock(mu_);
  auto& e = require_locked(name);
  auto connector_state = status_.connector(name);
  bool legacy = !include_tasks && !only_failed;
  bool restart_connector = !only_failed || (connector_state && connector_state->state == State::kFailed);
  ConnectorStateInfo plan{name, connector_state.value_or(StateInfo{}), {}, e.type};
  std::vector<TaskId> tasks_to_restart;
  for (auto& t : status_.tasks(name)) {
    if (t.id >= static_cast<int>(e.task_configs.size())) continue;
    if (include_tasks && (!only_failed || t.state == State::kFailed)) {
      tasks_to_restart.push_back(TaskId{name, t.id});
      t.state = State::kRestarting;
    }
    plan.tasks.push_back(std::move(t));
  }
  if (restart_connector) plan.connector.state = State::kRestarting;
  if (e.target == TargetState::kStopped) return legacy ? std::nullopt : std::optional(plan);

  if (restart_connector) {
    worker_.stop_connector(name);
    try {
      worker_.start_connector(name, e.config, *e.context);
      status_.put_connector(name, e.target == TargetState::kPaused ? State::kPaused : State::kRunning);
    } catch (...) {
      status_.put_connector(name, State::kFailed, describe_current_exception());
    }
    // Tasks restart only when asked, or when the restarted connector hands out other configs.
    reconfigure_locked(name);
  }
  worker_.stop_tasks(tasks_to_restart);
  auto running = worker_.tasks_of(name);
  for (const auto& id : tasks_to_restart) {
    bool still_wanted = id.task < static_cast<int>(e.task_configs.size());
    if (still_wanted && std::find(running.begin(), running.end(), id) == running.end()) start_task_locked(id);
  }
  if (legacy) return std::nullopt;
  return plan;
}

void StandaloneHerder::pause_connector(const std::string& name) {
  std::lock_guard lock(mu_);
  auto& e = require_locked(name);
  if (e.target == TargetState::kPaused) return;
  bool was_stopped = e.target == TargetState::kStopped;
  e.target = TargetState::kPaused;
  persist_locked(name);
  if (was_stopped) {
    start_connector_locked(name);
    return;
  }
  worker_.set_target_state(name, TargetState::kPaused);
  auto s = status_.connector(name);
  if (s && s->state != State::kFailed) status_.put_connector(name, State::kPaused);
  kLog.info("connector {} paused", name);
}

void StandaloneHerder::resume_connector(const std::string& name) {
  std::lock_guard lock(mu_);
  auto& e = require_locked(name);
  if (e.target == TargetState::kStarted) return;
  bool was_stopped = e.target == TargetState::kStopped;
  e.target = TargetState::kStarted;
  persist_locked(name);
  if (was_stopped) {
    start_connector_locked(name);
  } else {
    worker_.set_target_state(name, TargetState::kStarted);
    auto s = status_.connector(name);
    if (s && s->state != State::kFailed) status_.put_connector(name, State::kRunning);
  }
  kLog.info("connector {} resumed", name);
}

void StandaloneHerder::stop_connector(const std::string& name) {
  std::lock_guard lock(mu_);
  auto& e = require_locked(name);
  e.target = TargetState::kStopped;
  persist_locked(name);
  halt_locked(name);
  e.task_configs.clear();
  status_.put_connector(name, State::kStopped);
  status_.remove_tasks(name);
  kLog.info("connector {} stopped", name);
}

std::vector<std::string> StandaloneHerder::connector_active_topics(const std::string& name) {
  if (!config_.topic_tracking()) throw ForbiddenError("Topic tracking is disabled.");
  std::lock_guard lock(mu_);
  require_locked(name);
  return status_.topics(name);
}

void StandaloneHerder::reset_connector_active_topics(const std::string& name) {
  if (!config_.topic_tracking()) throw ForbiddenError("Topic tracking is disabled.");
  if (!config_.topic_tracking_reset()) throw ForbiddenError("Topic tracking reset is disabled.");
  std::lock_guard lock(mu_);
  require_locked(name);
  status_.reset_topics(name);
}

std::vector<PluginInfo> StandaloneHerder::plugins(bool connectors_only) {
  std::vector<PluginInfo> out;
  for (const auto* c : worker_.registry().all()) {
    bool connector = c->type == PluginType::kSource || c->type == PluginType::kSink;
    if (connectors_only && !connector) continue;
    out.push_back(PluginInfo{c->class_name, c->type, c->version});
  }
  std::sort(out.begin(), out.end(), [](const PluginInfo& a, const PluginInfo& b) {
    return std::tie(a.type, a.class_name) < std::tie(b.type, b.class_name);
  });
  return out;
}

std::vector<ConfigKeyInfo> StandaloneHerder::plugin_config(const std::string& plugin) {
  const auto& registry = worker_.registry();
  const ConfigDef* def = nullptr;
  std::unique_ptr<Connector> connector;
  std::unique_ptr<Transform> transform;
  std::unique_ptr<Predicate> predicate;
  std::unique_ptr<Converter> converter;
  std::unique_ptr<HeaderConverter> header_converter;
  if (const PluginClass* c = registry.find_connector(plugin)) {
    connector = c->type == PluginType::kSink ? std::unique_ptr<Connector>(c->sink()) : std::unique_ptr<Connector>(c->source());
    def = &connector->config_def();
  } else if (const PluginClass* t = registry.find(PluginType::kTransform, plugin)) {
    transform = t->transform();
    def = &transform->config_def();
  } else if (const PluginClass* p = registry.find(PluginType::kPredicate, plugin)) {
    predicate = p->predicate();
    def = &predicate->config_def();
  } else if (const PluginClass* cv = registry.find(PluginType::kConverter, plugin)) {
    converter = cv->converter();
    def = &converter->config_def();
  } else if (const PluginClass* h = registry.find(PluginType::kHeaderConverter, plugin)) {
    header_converter = h->header_converter();
    def = &header_converter->config_def();
  } else {
    throw NotFoundError("Unknown plugin " + plugin + ".");
  }
  std::vector<ConfigKeyInfo> out;
  for (const auto& key : def->keys()) out.push_back(key_info(key));
  return out;
}

ConfigInfos StandaloneHerder::validate_connector_config(const std::string& plugin, const ConfigMap& config) {
  std::string cls = get_or(config, "connector.class");
  if (cls.empty()) throw BadRequestError("Connector config contains no connector type");
  const auto& registry = worker_.registry();
  const PluginClass* requested = registry.find_connector(plugin);
  const PluginClass* included = registry.find_connector(cls);
  if (requested && included && requested != included) {
    throw BadRequestError("Included connector type " + cls + " does not match request type " + plugin);
  }
  if (!requested && included && plugin != cls) {
    throw BadRequestError("Included connector type " + cls + " does not match request type " + plugin);
  }
  return runtime::validate_connector_config(registry, config);
}

}  // namespace sluice::runtime
