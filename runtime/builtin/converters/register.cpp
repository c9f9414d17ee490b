#include "runtime/builtin/converters/register.h"

#include "runtime/builtin/converters/byte_array_converter.h"
#include "runtime/builtin/converters/json_converter.h"
#include "runtime/builtin/converters/primitive_converter.h"
#include "runtime/builtin/converters/simple_header_converter.h"
#include "runtime/builtin/converters/string_converter.h"

namespace sluice::builtin {

namespace {

// Kafka's JsonConverter, StringConverter, ByteArrayConverter and the number converters are
// HeaderConverters as well; register each under both kinds.
template <class T>
void add_both(Registrar& registrar, std::string_view class_name) {
  registrar.add_converter<T>(class_name);
  registrar.add_header_converter<T>(class_name);
}

void add_primitive(Registrar& registrar, std::string_view class_name, Type type) {
  registrar.add_converter(class_name, [type] { return std::unique_ptr<Converter>(new PrimitiveConverter(type)); });
  registrar.add_header_converter(
      class_name, [type] { return std::unique_ptr<HeaderConverter>(new PrimitiveConverter(type)); });
}

}  // namespace

void register_converters(Registrar& registrar) {
  add_both<JsonConverter>(registrar, "org.apache.kafka.connect.json.JsonConverter");
  add_both<StringConverter>(registrar, "org.apache.kafka.connect.storage.StringConverter");
  add_both<ByteArrayConverter>(registrar, "org.apache.kafka.connect.converters.ByteArrayConverter");
  registrar.add_header_converter<SimpleHeaderConverter>(
      "org.apache.kafka.connect.storage.SimpleHeaderConverter");
  add_primitive(registrar, "org.apache.kafka.connect.converters.ShortConverter", Type::kInt16);
  add_primitive(registrar, "org.apache.kafka.connect.converters.IntegerConverter", Type::kInt32);
  add_primitive(registrar, "org.apache.kafka.connect.converters.LongConverter", Type::kInt64);
  add_primitive(registrar, "org.apache.kafka.connect.converters.FloatConverter", Type::kFloat32);
  add_primitive(registrar, "org.apache.kafka.connect.converters.DoubleConverter", Type::kFloat64);
  add_primitive(registrar, "org.apache.kafka.connect.converters.BooleanConverter", Type::kBoolean);
}

}  // namespace sluice::builtin
