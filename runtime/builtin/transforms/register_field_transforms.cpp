#include "runtime/builtin/transforms/register.h"

namespace sluice::builtin {

void register_field_transforms(Registrar& registrar) {}

}  // namespace sluice::builtin
