#include "runtime/builtin/converters/primitive_converter.h"

#include <cstring>

#include <fmt/format.h>

#include "runtime/builtin/converters/byte_array_converter.h"
#include "sluice/errors.h"

namespace sluice::builtin {

namespace {

std::size_t width_of(Type type) {
  switch (type) {
    case Type::kInt16: return 2;
    case Type::kInt32: return 4;
    case Type::kFloat32: return 4;
    case Type::kInt64: return 8;
    case Type::kFloat64: return 8;
    default: return 1;
  }
}

// Kafka's names in its error messages.
const char* upper_name(Type type) {
  switch (type) {
    case Type::kInt16: return "INT16";
    case Type::kInt32: return "INT32";
    case Type::kInt64: return "INT64";
    case Type::kFloat32: return "FLOAT32";
    case Type::kFloat64: return "FLOAT64";
    default: return "BOOLEAN";
  }
}

Bytes big_endian(std::uint64_t bits, std::size_t width) {
  Bytes out(width);
  for (std::size_t i = 0; i < width; ++i) {
    out[width - 1 - i] = static_cast<std::uint8_t>(bits >> (8 * i));
  }
  return out;
}

std::uint64_t from_big_endian(const Bytes& data) {
  std::uint64_t bits = 0;
  for (std::uint8_t b : data) bits = (bits << 8) | b;
  return bits;
}

template <class To, class From>
To bit_cast_to(From from) {
  static_assert(sizeof(To) == sizeof(From));
  To to;
  std::memcpy(&to, &from, sizeof to);
  return to;
}

}  // namespace

PrimitiveConverter::PrimitiveConverter(Type type) : type_(type) {}

const ConfigDef& PrimitiveConverter::definition() {
  static const ConfigDef def = converter_type_def();
  return def;
}

void PrimitiveConverter::configure(const ConfigMap& config, bool /*is_key*/) {
  definition().parse(config);
}

void PrimitiveConverter::configure(const ConfigMap& config) { configure(config, false); }

std::optional<Bytes> PrimitiveConverter::from_connect_data(const std::string& /*topic*/,
                                                           const Headers& /*headers*/,
                                                           const SchemaPtr& /*schema*/,
                                                           const Value& value) {
  if (value.is_null()) return std::nullopt;
  auto refuse = [&]() -> Bytes {
    throw DataError(fmt::format("Failed to serialize to {} (was {})", upper_name(type_), value.type_name()));
  };
  switch (type_) {
    case Type::kInt16: {
      const auto* v = value.get_if<std::int16_t>();
      return v ? big_endian(static_cast<std::uint16_t>(*v), 2) : refuse();
    }
    case Type::kInt32: {
      const auto* v = value.get_if<std::int32_t>();
      return v ? big_endian(static_cast<std::uint32_t>(*v), 4) : refuse();
    }
    case Type::kInt64: {
      const auto* v = value.get_if<std::int64_t>();
      return v ? big_endian(static_cast<std::uint64_t>(*v), 8) : refuse();
    }
    case Type::kFloat32: {
      const auto* v = value.get_if<float>();
      return v ? big_endian(bit_cast_to<std::uint32_t>(*v), 4) : refuse();
    }
    case Type::kFloat64: {
      const auto* v = value.get_if<double>();
      return v ? big_endian(bit_cast_to<std::uint64_t>(*v), 8) : refuse();
    }
    default: {
      const auto* v = value.get_if<bool>();
      return v ? Bytes{static_cast<std::uint8_t>(*v ? 1 : 0)} : refuse();
    }
  }
}

SchemaAndValue PrimitiveConverter::to_connect_data(const std::string& /*topic*/,
                                                   const Headers& /*headers*/, const Bytes* data) {
  SchemaPtr schema = schemas::of(type_, true);
  if (!data) return {schema, Value()};
  if (data->size() != width_of(type_)) {
    throw DataError(fmt::format("Failed to deserialize {}: expected {} bytes but got {}",
                                upper_name(type_), width_of(type_), data->size()));
  }
  std::uint64_t bits = from_big_endian(*data);
  switch (type_) {
    case Type::kInt16: return {schema, Value(static_cast<std::int16_t>(bits))};
    case Type::kInt32: return {schema, Value(static_cast<std::int32_t>(bits))};
    case Type::kInt64: return {schema, Value(static_cast<std::int64_t>(bits))};
    case Type::kFloat32:
      return {schema, Value(bit_cast_to<float>(static_cast<std::uint32_t>(bits)))};
    case Type::kFloat64: return {schema, Value(bit_cast_to<double>(bits))};
    default:
      if (bits > 1) {
        throw DataError(fmt::format("Failed to deserialize BOOLEAN: unexpected byte {}", bits));
      }
      return {schema, Value(bits == 1)};
  }
}

std::optional<Bytes> PrimitiveConverter::from_connect_header(const std::string& topic,
                                                             const std::string& /*header_key*/,
                                                             const SchemaPtr& schema,
                                                             const Value& value) {
  return from_connect_data(topic, Headers{}, schema, value);
}

SchemaAndValue PrimitiveConverter::to_connect_header(const std::string& topic,
                                                     const std::string& /*header_key*/,
                                                     const Bytes* data) {
  return to_connect_data(topic, Headers{}, data);
}

}  // namespace sluice::builtin
