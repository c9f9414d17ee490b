#include "runtime/builtin/transforms/field_support.h"
#include "runtime/builtin/transforms/register.h"

namespace sluice::builtin {

void register_field_transforms(Registrar& registrar) {
  add_cast(registrar);
  add_extract_field(registrar);
  add_flatten(registrar);
  add_hoist_field(registrar);
  add_insert_field(registrar);
  add_mask_field(registrar);
  add_replace_field(registrar);
  add_set_schema_metadata(registrar);
  add_value_to_key(registrar);
}

}  // namespace sluice::builtin
