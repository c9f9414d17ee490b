#include "runtime/plugin_registry.h"

#include <set>

#include "sluice/errors.h"
#include "sluice/log.h"

namespace sluice::runtime {

namespace {
const log::Logger kLog("sluice.plugins");

// Connectors of both kinds share one namespace of names.
int kind_of(PluginType type) {
  return type == PluginType::kSink ? static_cast<int>(PluginType::kSource) : static_cast<int>(type);
}

std::string simple_name(const std::string& class_name) {
  auto dot = class_name.rfind('.');
  return dot == std::string::npos ? class_name : class_name.substr(dot + 1);
}

bool is_connector(PluginType type) { return type == PluginType::kSource || type == PluginType::kSink; }
}  // namespace

void PluginRegistry::add(PluginClass plugin) {
  auto key = std::make_pair(kind_of(plugin.type), plugin.class_name);
  if (auto it = by_name_.find(key); it != by_name_.end()) {
    kLog.warn("{} {} from {} is already provided by {}; keeping the first", plugin_type_name(plugin.type),
              plugin.class_name, plugin.location, it->second->location);
    return;
  }
  classes_.push_back(std::make_unique<PluginClass>(std::move(plugin)));
  by_name_[key] = classes_.back().get();
}

void PluginRegistry::finish() {
  // Candidate aliases per kind; an alias claimed by two classes, or equal to a class name, is
  // ambiguous and dropped, as Kafka's PluginUtils does.
  std::map<std::pair<int, std::string>, std::vector<const PluginClass*>> claims;
  for (const auto& c : classes_) {
    std::set<std::string> names(c->aliases.begin(), c->aliases.end());
    std::string simple = simple_name(c->class_name);
    names.insert(simple);
    if (is_connector(c->type) && simple.size() > 9 && simple.ends_with("Connector")) {
      names.insert(simple.substr(0, simple.size() - 9));
    }
    names.erase(c->class_name);
    for (const auto& n : names) claims[{kind_of(c->type), n}].push_back(c.get());
  }
  for (auto& [key, owners] : claims) {
    if (by_name_.count(key)) continue;  // a real class name wins over an alias
    if (owners.size() > 1) {
      kLog.warn("alias {} is claimed by {} classes ({} and {}); use the full class name", key.second,
                owners.size(), owners[0]->class_name, owners[1]->class_name);
      continue;
    }
    by_name_[key] = owners.front();
  }
}

const PluginClass* PluginRegistry::find(PluginType type, const std::string& name) const {
  auto it = by_name_.find({kind_of(type), name});
  if (it == by_name_.end()) return nullptr;
  if (is_connector(type) ? !is_connector(it->second->type) : it->second->type != type) return nullptr;
  return it->second;
}

const PluginClass* PluginRegistry::find_connector(const std::string& name) const {
  return find(PluginType::kSource, name);
}

std::vector<const PluginClass*> PluginRegistry::all() const {
  std::vector<const PluginClass*> out;
  for (const auto& c : classes_) out.push_back(c.get());
  return out;
}

const PluginClass& PluginRegistry::require(PluginType type, const std::string& name) const {
  const PluginClass* c = find(type, name);
  if (!c || c->type != type) {
    throw ConfigError(std::string("Failed to find any class that implements ") +
                      (type == PluginType::kSource || type == PluginType::kSink ? "Connector"
                                                                                : plugin_type_name(type)) +
                      " and which name matches " + name);
  }
  return *c;
}

std::unique_ptr<SourceConnector> PluginRegistry::new_source(const std::string& name) const {
  return require(PluginType::kSource, name).source();
}
std::unique_ptr<SinkConnector> PluginRegistry::new_sink(const std::string& name) const {
  return require(PluginType::kSink, name).sink();
}
std::unique_ptr<Transform> PluginRegistry::new_transform(const std::string& name) const {
  return require(PluginType::kTransform, name).transform();
}
std::unique_ptr<Predicate> PluginRegistry::new_predicate(const std::string& name) const {
  return require(PluginType::kPredicate, name).predicate();
}
std::unique_ptr<Converter> PluginRegistry::new_converter(const std::string& name) const {
  return require(PluginType::kConverter, name).converter();
}
std::unique_ptr<HeaderConverter> PluginRegistry::new_header_converter(const std::string& name) const {
  return require(PluginType::kHeaderConverter, name).header_converter();
}

PluginClass& StagingRegistrar::stage(PluginType type, std::string_view class_name, std::vector<std::string> aliases) {
  if (class_name.empty()) throw ConnectError("a plugin class needs a non-empty name");
  PluginClass c;
  c.type = type;
  c.class_name = std::string(class_name);
  c.version = version_;
  c.location = location_;
  c.aliases = std::move(aliases);
  staged_.push_back(std::move(c));
  return staged_.back();
}

void StagingRegistrar::add_source(std::string_view n, SourceFactory f, std::vector<std::string> a) {
  stage(PluginType::kSource, n, std::move(a)).source = std::move(f);
}
void StagingRegistrar::add_sink(std::string_view n, SinkFactory f, std::vector<std::string> a) {
  stage(PluginType::kSink, n, std::move(a)).sink = std::move(f);
}
void StagingRegistrar::add_transform(std::string_view n, TransformFactory f, std::vector<std::string> a) {
  stage(PluginType::kTransform, n, std::move(a)).transform = std::move(f);
}
void StagingRegistrar::add_predicate(std::string_view n, PredicateFactory f, std::vector<std::string> a) {
  stage(PluginType::kPredicate, n, std::move(a)).predicate = std::move(f);
}
void StagingRegistrar::add_converter(std::string_view n, ConverterFactory f, std::vector<std::string> a) {
  stage(PluginType::kConverter, n, std::move(a)).converter = std::move(f);
}
void StagingRegistrar::add_header_converter(std::string_view n, HeaderConverterFactory f,
                                            std::vector<std::string> a) {
  stage(PluginType::kHeaderConverter, n, std::move(a)).header_converter = std::move(f);
}

void StagingRegistrar::commit(PluginRegistry& registry) {
  for (auto& c : staged_) registry.add(std::move(c));
  staged_.clear();
}

}  // namespace sluice::runtime
