// Test support: instances of the record transforms and predicates, created the way the runtime
// creates them, through the factories register_record_transforms() hands to a Registrar.
#pragma once

#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "runtime/builtin/transforms/register.h"
#include "sluice/plugin.h"

namespace sluice::test {

class CapturingRegistrar final : public Registrar {
 public:
  CapturingRegistrar() { builtin::register_record_transforms(*this); }

  void add_source(std::string_view, SourceFactory, std::vector<std::string>) override {}
  void add_sink(std::string_view, SinkFactory, std::vector<std::string>) override {}
  void add_converter(std::string_view, ConverterFactory, std::vector<std::string>) override {}
  void add_header_converter(std::string_view, HeaderConverterFactory, std::vector<std::string>) override {}
  void add_transform(std::string_view name, TransformFactory factory, std::vector<std::string> aliases) override {
    transforms[std::string(name)] = std::move(factory);
    transform_aliases[std::string(name)] = std::move(aliases);
  }
  void add_predicate(std::string_view name, PredicateFactory factory, std::vector<std::string>) override {
    predicates[std::string(name)] = std::move(factory);
  }

  std::map<std::string, TransformFactory> transforms;
  std::map<std::string, std::vector<std::string>> transform_aliases;
  std::map<std::string, PredicateFactory> predicates;
};

inline const CapturingRegistrar& registrar() {
  static const CapturingRegistrar r;
  return r;
}

// "RegexRouter" or "TimestampConverter$Value": the class under org.apache.kafka.connect.transforms.
inline std::unique_ptr<Transform> transform(const std::string& simple_name, const ConfigMap& config = {}) {
  auto it = registrar().transforms.find("org.apache.kafka.connect.transforms." + simple_name);
  if (it == registrar().transforms.end()) throw std::logic_error("not registered: " + simple_name);
  auto t = it->second();
  t->configure(config);
  return t;
}

inline std::unique_ptr<Predicate> predicate(const std::string& simple_name, const ConfigMap& config = {}) {
  auto it = registrar().predicates.find("org.apache.kafka.connect.transforms.predicates." + simple_name);
  if (it == registrar().predicates.end()) throw std::logic_error("not registered: " + simple_name);
  auto p = it->second();
  p->configure(config);
  return p;
}

inline Record value_record(SchemaPtr schema, Value value, std::string topic = "orders") {
  Record r;
  r.topic = std::move(topic);
  r.kafka_partition = 0;
  r.value_schema = std::move(schema);
  r.value = std::move(value);
  return r;
}

inline Record key_record(SchemaPtr schema, Value key, std::string topic = "orders") {
  Record r;
  r.topic = std::move(topic);
  r.key_schema = std::move(schema);
  r.key = std::move(key);
  return r;
}

}  // namespace sluice::test
