#include "runtime/offset_codec.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sluice/errors.h"

namespace sluice::runtime {

namespace {
nlohmann::json to_json(const OffsetMap& map, const char* what) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [k, v] : map) {
    nlohmann::json& slot = out[k];
    std::visit(
        [&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            slot = nullptr;
          } else if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, std::string>) {
            slot = x;
          } else if constexpr (std::is_same_v<T, std::int8_t> || std::is_same_v<T, std::int16_t> ||
                               std::is_same_v<T, std::int32_t> || std::is_same_v<T, std::int64_t>) {
            slot = static_cast<std::int64_t>(x);
          } else if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
            slot = static_cast<double>(x);
          } else {
            throw DataError(fmt::format("{} values must be primitives; '{}' holds a {}", what, k, v.type_name()));
          }
        },
        v.variant());
  }
  return out;
}

OffsetMap from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw DataError("offset maps must be JSON objects");
  OffsetMap out;
  for (const auto& [k, v] : j.items()) {
    if (v.is_null()) out[k] = Value();
    else if (v.is_boolean()) out[k] = v.get<bool>();
    else if (v.is_number_integer()) out[k] = v.get<std::int64_t>();
    else if (v.is_number()) out[k] = v.get<double>();
    else if (v.is_string()) out[k] = v.get<std::string>();
    else throw DataError(fmt::format("offset value '{}' must be a primitive", k));
  }
  return out;
}
}  // namespace

std::string encode_offset_key(const std::string& connector, const OffsetMap& partition) {
  return nlohmann::json::array({connector, to_json(partition, "Partition")}).dump();
}

std::string encode_offset_value(const OffsetMap& offset) { return to_json(offset, "Offset").dump(); }

std::optional<DecodedOffsetKey> decode_offset_key(const std::string& key) {
  try {
    auto j = nlohmann::json::parse(key);
    if (!j.is_array() || j.size() != 2 || !j[0].is_string() || !j[1].is_object()) return std::nullopt;
    return DecodedOffsetKey{j[0].get<std::string>(), from_json(j[1])};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

OffsetMap decode_offset_value(const std::string& value) {
  try {
    return from_json(nlohmann::json::parse(value));
  } catch (const nlohmann::json::exception& e) {
    throw DataError(std::string("malformed offset: ") + e.what());
  }
}

}  // namespace sluice::runtime
