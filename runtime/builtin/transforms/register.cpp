#include "runtime/builtin/transforms/register.h"

namespace sluice::builtin {

void register_transforms(Registrar& registrar) {
  register_field_transforms(registrar);
  register_record_transforms(registrar);
}

}  // namespace sluice::builtin
