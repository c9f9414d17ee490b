#include "runtime/builtin/converters/register.h"

namespace sluice::builtin {

void register_converters(Registrar& registrar) {}

}  // namespace sluice::builtin
