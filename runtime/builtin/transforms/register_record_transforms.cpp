#include "runtime/builtin/transforms/register.h"

namespace sluice::builtin {

void register_record_transforms(Registrar& registrar) {}

}  // namespace sluice::builtin
