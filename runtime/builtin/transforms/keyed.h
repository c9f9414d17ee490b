// Support for transforms that come as a $Key and a $Value variant (Kafka's Cast$Key, ...): which
// half of the record they work on, and one registration call for both variants.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "sluice/plugin.h"
#include "sluice/record.h"

namespace sluice::builtin {

enum class Side { kKey, kValue };

inline const SchemaPtr& operating_schema(const Record& r, Side side) {
  return side == Side::kKey ? r.key_schema : r.value_schema;
}
inline const Value& operating_value(const Record& r, Side side) {
  return side == Side::kKey ? r.key : r.value;
}
// Replaces the half this transform works on.
inline Record with_operating(Record r, Side side, SchemaPtr schema, Value value) {
  if (side == Side::kKey) {
    r.key_schema = std::move(schema);
    r.key = std::move(value);
  } else {
    r.value_schema = std::move(schema);
    r.value = std::move(value);
  }
  return r;
}

// Registers `<class_name>$Key` and `<class_name>$Value`, constructing T(Side). Aliases are the
// simple names ("Cast$Key", "Cast$Value").
template <class T>
void add_keyed_transform(Registrar& registrar, std::string_view class_name) {
  std::string base(class_name);
  std::string simple = base.substr(base.rfind('.') + 1);
  registrar.add_transform(base + "$Key", [] { return std::unique_ptr<Transform>(new T(Side::kKey)); },
                          {simple + "$Key"});
  registrar.add_transform(base + "$Value", [] { return std::unique_ptr<Transform>(new T(Side::kValue)); },
                          {simple + "$Value"});
}

}  // namespace sluice::builtin
