#pragma once

#include "sluice/plugin.h"

namespace sluice::builtin {

// Registers JsonConverter, StringConverter, ByteArrayConverter and SimpleHeaderConverter under
// their Kafka class names.
void register_converters(Registrar& registrar);

}  // namespace sluice::builtin
