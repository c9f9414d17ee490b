// Test fixture for the field transforms: creates them by class name through the same
// registration function the runtime calls, configured with their own (prefix-stripped) keys.
#pragma once

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "runtime/builtin/transforms/register.h"
#include "sluice/errors.h"
#include "sluice/plugin.h"

namespace sluice::test {

class CapturingRegistrar final : public Registrar {
 public:
  std::map<std::string, TransformFactory> transforms;
  std::map<std::string, std::vector<std::string>> aliases;

  void add_transform(std::string_view name, TransformFactory factory, std::vector<std::string> a) override {
    transforms[std::string(name)] = std::move(factory);
    aliases[std::string(name)] = std::move(a);
  }
  void add_source(std::string_view, SourceFactory, std::vector<std::string>) override { unexpected(); }
  void add_sink(std::string_view, SinkFactory, std::vector<std::string>) override { unexpected(); }
  void add_predicate(std::string_view, PredicateFactory, std::vector<std::string>) override { unexpected(); }
  void add_converter(std::string_view, ConverterFactory, std::vector<std::string>) override { unexpected(); }
  void add_header_converter(std::string_view, HeaderConverterFactory, std::vector<std::string>) override {
    unexpected();
  }

 private:
  [[noreturn]] static void unexpected() { throw std::logic_error("field transforms register transforms only"); }
};

inline const CapturingRegistrar& field_transforms() {
  static const CapturingRegistrar registrar = [] {
    CapturingRegistrar r;
    builtin::register_field_transforms(r);
    return r;
  }();
  return registrar;
}

// "Cast$Value" is short for "org.apache.kafka.connect.transforms.Cast$Value".
inline std::unique_ptr<Transform> make_transform(const std::string& name, const ConfigMap& config) {
  auto it = field_transforms().transforms.find("org.apache.kafka.connect.transforms." + name);
  if (it == field_transforms().transforms.end()) throw std::logic_error("not registered: " + name);
  auto transform = it->second();
  transform->configure(config);
  return transform;
}

inline Record apply(Transform& transform, Record record) {
  auto out = transform.apply(std::move(record));
  REQUIRE(out.has_value());
  return std::move(*out);
}

inline Record value_record(SchemaPtr schema, Value value) {
  Record r;
  r.topic = "orders";
  r.kafka_partition = 3;
  r.timestamp_ms = 1700000000123;
  r.value_schema = std::move(schema);
  r.value = std::move(value);
  return r;
}

inline Record key_record(SchemaPtr schema, Value key) {
  Record r = value_record(nullptr, Value("the value"));
  r.key_schema = std::move(schema);
  r.key = std::move(key);
  return r;
}

inline Value i8(std::int8_t v) { return Value(v); }
inline Value i16(std::int16_t v) { return Value(v); }
inline Value i32(std::int32_t v) { return Value(v); }
inline Value i64(std::int64_t v) { return Value(v); }

}  // namespace sluice::test
