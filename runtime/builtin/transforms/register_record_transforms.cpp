#include "runtime/builtin/transforms/record_support.h"
#include "runtime/builtin/transforms/register.h"

namespace sluice::builtin {

void register_record_transforms(Registrar& registrar) {
  add_timestamp_converter(registrar);
  add_timestamp_router(registrar);
  add_regex_router(registrar);
  add_header_from(registrar);
  add_insert_header(registrar);
  add_drop_headers(registrar);
  add_filter(registrar);
  add_predicates(registrar);
}

}  // namespace sluice::builtin
