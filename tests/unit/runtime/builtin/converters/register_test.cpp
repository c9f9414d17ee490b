#include <catch2/catch.hpp>

#include <set>

#include "runtime/builtin/converters/register.h"

using namespace sluice;

namespace {
// Records what register_converters() registers, and checks each factory makes an object.
class RecordingRegistrar : public Registrar {
 public:
  std::set<std::string> converters, header_converters;

  void add_source(std::string_view, SourceFactory, std::vector<std::string>) override { FAIL("source"); }
  void add_sink(std::string_view, SinkFactory, std::vector<std::string>) override { FAIL("sink"); }
  void add_transform(std::string_view, TransformFactory, std::vector<std::string>) override { FAIL("transform"); }
  void add_predicate(std::string_view, PredicateFactory, std::vector<std::string>) override { FAIL("predicate"); }
  void add_converter(std::string_view name, ConverterFactory f, std::vector<std::string>) override {
    auto c = f();
    REQUIRE(c != nullptr);
    c->configure({}, false);
    converters.emplace(name);
  }
  void add_header_converter(std::string_view name, HeaderConverterFactory f, std::vector<std::string>) override {
    auto c = f();
    REQUIRE(c != nullptr);
    c->configure({});
    header_converters.emplace(name);
  }
};
}  // namespace

TEST_CASE("register_converters registers Kafka's converter classes under their names", "[converters]") {
  RecordingRegistrar r;
  builtin::register_converters(r);
  const std::set<std::string> both{
      "org.apache.kafka.connect.json.JsonConverter",
      "org.apache.kafka.connect.storage.StringConverter",
      "org.apache.kafka.connect.converters.ByteArrayConverter",
      "org.apache.kafka.connect.converters.ShortConverter",
      "org.apache.kafka.connect.converters.IntegerConverter",
      "org.apache.kafka.connect.converters.LongConverter",
      "org.apache.kafka.connect.converters.FloatConverter",
      "org.apache.kafka.connect.converters.DoubleConverter",
      "org.apache.kafka.connect.converters.BooleanConverter",
  };
  REQUIRE(r.converters == both);
  auto headers = both;
  headers.insert("org.apache.kafka.connect.storage.SimpleHeaderConverter");
  REQUIRE(r.header_converters == headers);
}
