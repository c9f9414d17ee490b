#include "runtime/builtin/converters/byte_array_converter.h"

#include <fmt/format.h>

#include "sluice/errors.h"

namespace sluice::builtin {

ConfigDef converter_type_def() {
  return ConfigDef{}.define("converter.type", ConfigType::kString, kNullDefault,
                            one_of({"key", "value", "header"}), Importance::kLow,
                            "How this converter is used: for record keys, values or headers. Set "
                            "by the worker.");
}

const ConfigDef& ByteArrayConverter::definition() {
  static const ConfigDef def = converter_type_def();
  return def;
}

void ByteArrayConverter::configure(const ConfigMap& config, bool /*is_key*/) {
  definition().parse(config);
}

void ByteArrayConverter::configure(const ConfigMap& config) { configure(config, false); }

std::optional<Bytes> ByteArrayConverter::from_connect_data(const std::string& /*topic*/,
                                                           const Headers& /*headers*/,
                                                           const SchemaPtr& schema,
                                                           const Value& value) {
  if (schema && schema->type() != Type::kBytes) {
    throw DataError(fmt::format("Invalid schema type for ByteArrayConverter: {}", type_name(schema->type())));
  }
  if (value.is_null()) return std::nullopt;
  const auto* bytes = value.get_if<Bytes>();
  if (!bytes) {
    throw DataError(fmt::format("ByteArrayConverter is not compatible with objects of type {}", value.type_name()));
  }
  return *bytes;
}

SchemaAndValue ByteArrayConverter::to_connect_data(const std::string& /*topic*/,
                                                   const Headers& /*headers*/, const Bytes* data) {
  return {schemas::optional_bytes(), data ? Value(*data) : Value()};
}

std::optional<Bytes> ByteArrayConverter::from_connect_header(const std::string& topic,
                                                             const std::string& /*header_key*/,
                                                             const SchemaPtr& schema,
                                                             const Value& value) {
  return from_connect_data(topic, Headers{}, schema, value);
}

SchemaAndValue ByteArrayConverter::to_connect_header(const std::string& topic,
                                                     const std::string& /*header_key*/,
                                                     const Bytes* data) {
  return to_connect_data(topic, Headers{}, data);
}

}  // namespace sluice::builtin
