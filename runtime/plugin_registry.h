// PluginRegistry: every connector, transform, predicate and converter class the worker can
// create, from built-ins and from plugin .so files alike, addressed by class name or alias.
//
// Filled at startup (by the built-in registrations and the PluginLoader), read-only afterwards:
// lookups are then safe from any thread without locking. This is the worker's one piece of
// global-like state; it is passed by reference, not reached through a global.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sluice/plugin.h"

namespace sluice::runtime {

struct PluginClass {
  PluginType type;
  std::string class_name;
  std::string version;
  std::string location;  // path of the .so, or "builtin"
  std::vector<std::string> aliases;
  Registrar::SourceFactory source;
  Registrar::SinkFactory sink;
  Registrar::TransformFactory transform;
  Registrar::PredicateFactory predicate;
  Registrar::ConverterFactory converter;
  Registrar::HeaderConverterFactory header_converter;
};

class PluginRegistry {
 public:
  // Adds one class. A class name already registered for the same type is refused (the first
  // wins) and a warning names both locations.
  void add(PluginClass plugin);

  // Derives aliases (simple name; connectors also without "Connector"), dropping any alias that
  // two classes of the same kind claim. Call once after all registrations.
  void finish();

  // By class name or alias; nullptr when unknown. Connectors are found under kSource or kSink.
  const PluginClass* find(PluginType type, const std::string& name) const;
  const PluginClass* find_connector(const std::string& name) const;

  std::vector<const PluginClass*> all() const;

  std::unique_ptr<SourceConnector> new_source(const std::string& name) const;
  std::unique_ptr<SinkConnector> new_sink(const std::string& name) const;
  std::unique_ptr<Transform> new_transform(const std::string& name) const;
  std::unique_ptr<Predicate> new_predicate(const std::string& name) const;
  std::unique_ptr<Converter> new_converter(const std::string& name) const;
  std::unique_ptr<HeaderConverter> new_header_converter(const std::string& name) const;

 private:
  const PluginClass& require(PluginType type, const std::string& name) const;

  std::vector<std::unique_ptr<PluginClass>> classes_;
  // (kind, name or alias) -> class. Connectors share one kind so an alias is unique across both.
  std::map<std::pair<int, std::string>, const PluginClass*> by_name_;
};

// A Registrar that tags every class with the plugin's version and location and adds it to a
// registry only when commit() is called, so a plugin that throws halfway registers nothing.
class StagingRegistrar : public Registrar {
 public:
  StagingRegistrar(std::string version, std::string location)
      : version_(std::move(version)), location_(std::move(location)) {}

  using Registrar::add_converter;
  using Registrar::add_header_converter;
  using Registrar::add_predicate;
  using Registrar::add_sink;
  using Registrar::add_source;
  using Registrar::add_transform;

  void add_source(std::string_view class_name, SourceFactory factory, std::vector<std::string> aliases) override;
  void add_sink(std::string_view class_name, SinkFactory factory, std::vector<std::string> aliases) override;
  void add_transform(std::string_view class_name, TransformFactory factory, std::vector<std::string> aliases) override;
  void add_predicate(std::string_view class_name, PredicateFactory factory, std::vector<std::string> aliases) override;
  void add_converter(std::string_view class_name, ConverterFactory factory, std::vector<std::string> aliases) override;
  void add_header_converter(std::string_view class_name, HeaderConverterFactory factory,
                            std::vector<std::string> aliases) override;

  std::size_t size() const { return staged_.size(); }
  void commit(PluginRegistry& registry);

 private:
  PluginClass& stage(PluginType type, std::string_view class_name, std::vector<std::string> aliases);

  std::string version_;
  std::string location_;
  std::vector<PluginClass> staged_;
};

}  // namespace sluice::runtime
