#include "table_model.h"

#include <string_view>
#include <unordered_map>

#include "sluice/errors.h"

namespace sluice::jdbc {

bool ColumnType::operator==(const ColumnType& o) const {
  if (kind != o.kind || scale != o.scale || precision != o.precision || length != o.length) {
    return false;
  }
  if (!element || !o.element) return !element && !o.element;
  return *element == *o.element;
}

const ColumnSpec* TableSpec::column(const std::string& name) const {
  for (const auto& c : columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

const ExistingColumn* ExistingTable::column(const std::string& name) const {
  for (const auto& c : columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

namespace {

std::optional<std::int32_t> int_parameter(const Schema& schema, std::string_view key) {
  const std::string* text = schema.parameter(key);
  if (text == nullptr) return std::nullopt;
  try {
    std::size_t used = 0;
    int v = std::stoi(*text, &used);
    if (used != text->size()) return std::nullopt;
    return v;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// Semantic names whose kind does not depend on anything but the name. The physical type is
// checked afterwards, so a schema that borrows a name for another physical type is refused.
const std::unordered_map<std::string_view, ColumnKind>& named_kinds() {
  static const std::unordered_map<std::string_view, ColumnKind> kinds = {
      {logical::kDateName, ColumnKind::kDate},
      {logical::kTimeName, ColumnKind::kTimeMillis},
      {logical::kTimestampName, ColumnKind::kTimestampMillis},
      {"io.debezium.time.Date", ColumnKind::kDate},
      {"io.debezium.time.Time", ColumnKind::kTimeMillis},
      {"io.debezium.time.MicroTime", ColumnKind::kTimeMicros},
      {"io.debezium.time.NanoTime", ColumnKind::kTimeNanos},
      {"io.debezium.time.ZonedTime", ColumnKind::kZonedTime},
      {"io.debezium.time.Timestamp", ColumnKind::kTimestampMillis},
      {"io.debezium.time.MicroTimestamp", ColumnKind::kTimestampMicros},
      {"io.debezium.time.NanoTimestamp", ColumnKind::kTimestampNanos},
      {"io.debezium.time.ZonedTimestamp", ColumnKind::kZonedTimestamp},
      {"io.debezium.data.Json", ColumnKind::kJson},
      {"io.debezium.data.Uuid", ColumnKind::kUuid},
  };
  return kinds;
}

// The Connect physical type each kind is carried in (kDecimal and kArray are handled apart).
Type physical_type_of(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kDate:
    case ColumnKind::kTimeMillis:
      return Type::kInt32;
    case ColumnKind::kTimeMicros:
    case ColumnKind::kTimeNanos:
    case ColumnKind::kTimestampMillis:
    case ColumnKind::kTimestampMicros:
    case ColumnKind::kTimestampNanos:
      return Type::kInt64;
    default:
      return Type::kString;
  }
}

ColumnType of_kind(ColumnKind kind) {
  ColumnType t;
  t.kind = kind;
  return t;
}

ColumnType physical_column_type(const Schema& schema, const std::string& field_name) {
  switch (schema.type()) {
    case Type::kBoolean: return of_kind(ColumnKind::kBoolean);
    case Type::kInt8: return of_kind(ColumnKind::kInt8);
    case Type::kInt16: return of_kind(ColumnKind::kInt16);
    case Type::kInt32: return of_kind(ColumnKind::kInt32);
    case Type::kInt64: return of_kind(ColumnKind::kInt64);
    case Type::kFloat32: return of_kind(ColumnKind::kFloat32);
    case Type::kFloat64: return of_kind(ColumnKind::kFloat64);
    case Type::kBytes: return of_kind(ColumnKind::kBytes);
    case Type::kMap:
    case Type::kStruct: return of_kind(ColumnKind::kJson);
    case Type::kString: {
      ColumnType t = of_kind(ColumnKind::kString);
      t.length = int_parameter(schema, "__debezium.source.column.length");
      return t;
    }
    case Type::kArray: {
      ColumnType t = of_kind(ColumnKind::kArray);
      t.element = std::make_shared<const ColumnType>(
          column_type_for(*schema.value_schema(), field_name));
      return t;
    }
  }
  throw DataError("field '" + field_name + "' has a schema type with no column form");
}

}  // namespace

ColumnType column_type_for(const Schema& schema, const std::string& field_name) {
  const std::string& name = schema.name();
  if (name == logical::kDecimalName) {
    if (schema.type() != Type::kBytes) {
      throw DataError("field '" + field_name + "': a Decimal schema must be bytes, not " +
                      type_name(schema.type()));
    }
    ColumnType t = of_kind(ColumnKind::kDecimal);
    t.scale = logical::decimal_scale(schema);
    t.precision = int_parameter(schema, logical::kPrecisionParameter);
    return t;
  }
  if (name == "io.debezium.data.VariableScaleDecimal") {
    if (schema.type() != Type::kStruct) {
      throw DataError("field '" + field_name + "': a VariableScaleDecimal schema must be a struct");
    }
    return of_kind(ColumnKind::kDecimal);
  }
  auto it = named_kinds().find(name);
  if (it != named_kinds().end()) {
    if (schema.type() != physical_type_of(it->second)) {
      throw DataError("field '" + field_name + "': schema " + name + " cannot be carried in " +
                      type_name(schema.type()));
    }
    return of_kind(it->second);
  }
  // io.debezium.data.Enum, EnumSet, Xml, Ltree, Bits, io.debezium.time.Year, Interval,
  // MicroDuration and the like keep their physical type: text, bytes or a number.
  return physical_column_type(schema, field_name);
}

}  // namespace sluice::jdbc
