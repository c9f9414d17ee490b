// The debezium plugin: Debezium's single message transforms under their Debezium class names, so
// connector JSON written for Debezium ("io.debezium.transforms.ExtractNewRecordState") works
// unchanged; the registry adds the simple name ("ExtractNewRecordState") as an alias.
//
// io.debezium.transforms.UnwrapFromEnvelope, the pre-1.0 name, is not registered: current Debezium
// no longer documents it.
#include "extract_new_record_state.h"
#include "sluice/plugin.h"

SLUICE_PLUGIN("debezium", "1.0.0", registrar) {
  registrar.add_transform<sluice::debezium::ExtractNewRecordState>(
      sluice::debezium::ExtractNewRecordState::kClassName);
}
