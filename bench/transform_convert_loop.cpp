// Baseline for bench/pipeline.sh: the per-record work of the pipeline without the runtime around
// it. Builds the synthetic source's records, runs them through the same three transforms, converts
// key and value with JsonConverter (schemas enabled) to bytes and back, in one thread.
// Prints records/s.
#include <chrono>
#include <cstdio>
#include <string>

#include "runtime/builtin/converters/register.h"
#include "runtime/builtin/transforms/register.h"
#include "runtime/error_policy.h"
#include "runtime/connector_config.h"
#include "runtime/plugin_registry.h"
#include "runtime/transform_chain.h"
#include "sluice/schema.h"

using namespace sluice;
using namespace sluice::runtime;

int main(int argc, char** argv) {
  long count = argc > 1 ? std::stol(argv[1]) : 1000000;
  std::size_t size = argc > 2 ? std::stoul(argv[2]) : 100;
  PluginRegistry registry;
  StagingRegistrar builtins("bench", "builtin");
  builtin::register_converters(builtins);
  builtin::register_transforms(builtins);
  builtins.commit(registry);
  registry.finish();

  ConfigMap config{{"name", "bench"},
                   {"connector.class", "x"},
                   {"transforms", "stamp,rename,cast"},
                   {"transforms.stamp.type", "org.apache.kafka.connect.transforms.InsertField$Value"},
                   {"transforms.stamp.static.field", "origin"},
                   {"transforms.stamp.static.value", "bench"},
                   {"transforms.rename.type", "org.apache.kafka.connect.transforms.ReplaceField$Value"},
                   {"transforms.rename.renames", "name:label"},
                   {"transforms.cast.type", "org.apache.kafka.connect.transforms.Cast$Value"},
                   {"transforms.cast.spec", "id:string"}};
  auto chain = TransformChain::from_config(registry, config);
  std::atomic<bool> stopping{false};
  ErrorPolicy policy(connector_base_def(false).parse(config), "bench-0", stopping);
  auto key_conv = registry.new_converter("org.apache.kafka.connect.json.JsonConverter");
  auto value_conv = registry.new_converter("org.apache.kafka.connect.json.JsonConverter");
  key_conv->configure({}, true);
  value_conv->configure({}, false);

  auto schema = SchemaBuilder::struct_()
                    .name("io.sluice.synthetic.Record")
                    .field("id", schemas::int64())
                    .field("ts", logical::timestamp().build())
                    .field("name", schemas::string())
                    .field("payload", schemas::string())
                    .build();
  std::string payload(size, 'x');
  auto started = std::chrono::steady_clock::now();
  std::size_t bytes = 0;
  for (long i = 0; i < count; ++i) {
    Record r;
    r.topic = "bench";
    r.key_schema = schemas::int64();
    r.key = Value(static_cast<std::int64_t>(i));
    Struct s(schema);
    s.put_unchecked(0, Value(static_cast<std::int64_t>(i)));
    s.put_unchecked(1, Value(static_cast<std::int64_t>(1700000000000 + i)));
    s.put_unchecked(2, Value("name-" + std::to_string(i)));
    s.put_unchecked(3, Value(payload));
    r.value_schema = schema;
    r.value = Value(std::move(s));
    auto out = chain.apply(std::move(r), policy);
    auto k = key_conv->from_connect_data(out->topic, out->headers, out->key_schema, out->key);
    auto v = value_conv->from_connect_data(out->topic, out->headers, out->value_schema, out->value);
    bytes += v->size();
    auto back_k = key_conv->to_connect_data(out->topic, out->headers, &*k);
    auto back_v = value_conv->to_connect_data(out->topic, out->headers, &*v);
    if (back_v.value.is_null() || back_k.value.is_null()) return 1;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("%.0f\n", static_cast<double>(count) / secs);
  std::fprintf(stderr, "average serialized value: %zu bytes\n", bytes / static_cast<std::size_t>(count));
  return 0;
}
