// Helpers shared by the converter tests.
#pragma once

#include <optional>
#include <string>

#include "sluice/converter.h"

namespace sluice::test {

inline Bytes bytes_of(std::string_view text) { return Bytes(text.begin(), text.end()); }

inline std::string text_of(const std::optional<Bytes>& data) {
  return data ? std::string(data->begin(), data->end()) : std::string("<none>");
}

}  // namespace sluice::test
