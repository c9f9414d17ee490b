// How a shared library becomes a sluice plugin.
//
// Every plugin .so exports one C symbol, sluice_plugin_entry(), returning a sluice_plugin_info
// whose first field is the ABI version it was built for. The worker dlopen()s each .so found on
// plugin.path, checks that symbol and the ABI version before touching anything else, then calls
// register_plugin() with a Registrar. A plugin that lacks the symbol, was built for another ABI,
// or throws while registering is refused with its path and the reason; the worker runs on.
//
// Write the entry with the macro, once per .so:
//
//   SLUICE_PLUGIN("file", "1.0.0", registrar) {
//     registrar.add_source<FileStreamSourceConnector>(
//         "org.apache.kafka.connect.file.FileStreamSourceConnector");
//     registrar.add_sink<FileStreamSinkConnector>(
//         "org.apache.kafka.connect.file.FileStreamSinkConnector");
//   }
//
// Class names are what connector JSON says in "connector.class" / "transforms.x.type" /
// "key.converter". The runtime also accepts aliases: the simple name after the last '.' and, for
// connectors, that name without a "Connector" suffix (FileStreamSourceConnector, FileStreamSource),
// plus any extra aliases given here. An alias two plugins claim is dropped with a warning.
//
// The ABI rule: any change under plugins/include bumps kAbiVersion; plugins are rebuilt with the
// worker (same compiler, same libsluice-api.so). Objects cross the boundary only as
// std::unique_ptr<Interface>; the .so is never unloaded.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/connector.h"
#include "sluice/converter.h"
#include "sluice/sink_task.h"
#include "sluice/source_task.h"
#include "sluice/transform.h"

namespace sluice {

inline constexpr std::uint32_t kAbiVersion = 1;

// The sluice release this SDK belongs to.
const char* sdk_version();

enum class PluginType { kSource, kSink, kTransform, kPredicate, kConverter, kHeaderConverter };

// "source", "sink", "transformation", "predicate", "converter", "header_converter" (Kafka's names).
const char* plugin_type_name(PluginType type);

// Receives a plugin's classes. Implemented by the runtime.
class Registrar {
 public:
  using SourceFactory = std::function<std::unique_ptr<SourceConnector>()>;
  using SinkFactory = std::function<std::unique_ptr<SinkConnector>()>;
  using TransformFactory = std::function<std::unique_ptr<Transform>()>;
  using PredicateFactory = std::function<std::unique_ptr<Predicate>()>;
  using ConverterFactory = std::function<std::unique_ptr<Converter>()>;
  using HeaderConverterFactory = std::function<std::unique_ptr<HeaderConverter>()>;

  virtual ~Registrar();

  virtual void add_source(std::string_view class_name, SourceFactory factory,
                          std::vector<std::string> aliases = {}) = 0;
  virtual void add_sink(std::string_view class_name, SinkFactory factory,
                        std::vector<std::string> aliases = {}) = 0;
  virtual void add_transform(std::string_view class_name, TransformFactory factory,
                             std::vector<std::string> aliases = {}) = 0;
  virtual void add_predicate(std::string_view class_name, PredicateFactory factory,
                             std::vector<std::string> aliases = {}) = 0;
  virtual void add_converter(std::string_view class_name, ConverterFactory factory,
                             std::vector<std::string> aliases = {}) = 0;
  virtual void add_header_converter(std::string_view class_name, HeaderConverterFactory factory,
                                    std::vector<std::string> aliases = {}) = 0;

  // Shorthands for default-constructible classes.
  template <class T>
  void add_source(std::string_view class_name, std::vector<std::string> aliases = {}) {
    add_source(class_name, [] { return std::unique_ptr<SourceConnector>(new T()); },
               std::move(aliases));
  }
  template <class T>
  void add_sink(std::string_view class_name, std::vector<std::string> aliases = {}) {
    add_sink(class_name, [] { return std::unique_ptr<SinkConnector>(new T()); },
             std::move(aliases));
  }
  template <class T>
  void add_transform(std::string_view class_name, std::vector<std::string> aliases = {}) {
    add_transform(class_name, [] { return std::unique_ptr<Transform>(new T()); },
                  std::move(aliases));
  }
  template <class T>
  void add_predicate(std::string_view class_name, std::vector<std::string> aliases = {}) {
    add_predicate(class_name, [] { return std::unique_ptr<Predicate>(new T()); },
                  std::move(aliases));
  }
  template <class T>
  void add_converter(std::string_view class_name, std::vector<std::string> aliases = {}) {
    add_converter(class_name, [] { return std::unique_ptr<Converter>(new T()); },
                  std::move(aliases));
  }
  template <class T>
  void add_header_converter(std::string_view class_name, std::vector<std::string> aliases = {}) {
    add_header_converter(class_name, [] { return std::unique_ptr<HeaderConverter>(new T()); },
                         std::move(aliases));
  }
};

}  // namespace sluice

extern "C" {
// Plain data; fields are only ever appended; abi_version must stay first.
struct sluice_plugin_info {
  std::uint32_t abi_version;
  const char* name;     // "file"
  const char* version;  // the plugin's own version, "1.0.0"
  void (*register_plugin)(sluice::Registrar& registrar);
};
}

#define SLUICE_PLUGIN_ENTRY_SYMBOL "sluice_plugin_entry"

// Defines the plugin's entry point; the block that follows is its registration function.
#define SLUICE_PLUGIN(plugin_name, plugin_version, registrar_var)                           \
  static void sluice_register_plugin_(::sluice::Registrar& registrar_var);                  \
  extern "C" __attribute__((visibility("default"))) const sluice_plugin_info*               \
  sluice_plugin_entry() {                                                                   \
    static const sluice_plugin_info info{::sluice::kAbiVersion, plugin_name, plugin_version, \
                                         &sluice_register_plugin_};                         \
    return &info;                                                                           \
  }                                                                                         \
  static void sluice_register_plugin_(::sluice::Registrar& registrar_var)
