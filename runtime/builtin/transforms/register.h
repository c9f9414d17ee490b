#pragma once

#include "sluice/plugin.h"

namespace sluice::builtin {

// Registers Apache Kafka's built-in transforms (with their $Key/$Value variants) and predicates
// under their Kafka class names.
void register_transforms(Registrar& registrar);

// The two halves, each in its own file: transforms that reshape fields (Cast, ExtractField,
// Flatten, HoistField, InsertField, MaskField, ReplaceField, SetSchemaMetadata, ValueToKey) ...
void register_field_transforms(Registrar& registrar);
// ... and those that route, filter, convert timestamps or touch headers (TimestampConverter,
// TimestampRouter, RegexRouter, HeaderFrom, InsertHeader, DropHeaders, Filter) plus the
// predicates (TopicNameMatches, HasHeaderKey, RecordIsTombstone).
void register_record_transforms(Registrar& registrar);

}  // namespace sluice::builtin
