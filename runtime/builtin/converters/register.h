#pragma once

#include "sluice/plugin.h"

namespace sluice::builtin {

// Registers the built-in converters under their Kafka class names: JsonConverter, StringConverter,
// ByteArrayConverter and the Short/Integer/Long/Float/Double/BooleanConverter as converters and
// as header converters (as in Kafka), SimpleHeaderConverter as a header converter. The registry
// derives the simple-name aliases.
void register_converters(Registrar& registrar);

}  // namespace sluice::builtin
