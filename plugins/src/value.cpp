#include "sluice/value.h"

#include <fmt/format.h>

#include "sluice/errors.h"
#include "sluice/schema.h"

namespace sluice {

Struct::Struct(SchemaPtr schema) : schema_(std::move(schema)) {
  if (!schema_ || schema_->type() != Type::kStruct) {
    throw DataError("a Struct needs a struct schema");
  }
  values_.resize(schema_->fields().size());
}

const Value& Struct::get(std::string_view field_name) const {
  const Field* f = schema_->field(field_name);
  if (!f) throw DataError(fmt::format("{} is not a valid field name", field_name));
  return values_[f->index];
}

const Value& Struct::get(const Field& field) const { return values_.at(field.index); }

Struct& Struct::put(std::string_view field_name, Value value) {
  const Field* f = schema_->field(field_name);
  if (!f) throw DataError(fmt::format("{} is not a valid field name", field_name));
  return put(*f, std::move(value));
}

Struct& Struct::put(const Field& field, Value value) {
  if (field.index >= values_.size()) throw DataError("field does not belong to this struct");
  validate_value(field.schema, value, field.name);
  values_[field.index] = std::move(value);
  return *this;
}

void Struct::put_unchecked(std::size_t index, Value value) { values_.at(index) = std::move(value); }

void Struct::validate() const {
  for (const auto& f : schema_->fields()) {
    const Value& v = values_[f.index];
    if (v.is_null() && !f.schema->optional() && !f.schema->has_default()) {
      throw DataError(fmt::format("Invalid value: null used for required field: \"{}\", schema type: {}",
                                  f.name, type_name(f.schema->type())));
    }
    if (!v.is_null()) validate_value(f.schema, v, f.name);
  }
}

bool Struct::operator==(const Struct& other) const {
  return schemas_equal(schema_, other.schema_) && values_ == other.values_;
}

std::int64_t Value::as_int64() const {
  switch (v_.index()) {
    case 2: return std::get<std::int8_t>(v_);
    case 3: return std::get<std::int16_t>(v_);
    case 4: return std::get<std::int32_t>(v_);
    case 5: return std::get<std::int64_t>(v_);
    default: throw DataError(fmt::format("expected an integer, got {}", type_name()));
  }
}

double Value::as_double() const {
  switch (v_.index()) {
    case 6: return std::get<float>(v_);
    case 7: return std::get<double>(v_);
    default: return static_cast<double>(as_int64());
  }
}

bool Value::operator==(const Value& other) const { return v_ == other.v_; }

namespace {
const char* const kTypeNames[] = {"null",  "boolean", "int8",   "int16", "int32", "int64", "float32",
                                  "float64", "string", "bytes", "array", "map",   "struct"};
}

const char* Value::type_name() const { return kTypeNames[v_.index()]; }

void Value::throw_bad_access(std::size_t wanted) const {
  throw DataError(fmt::format("expected a value of type {}, got {}", kTypeNames[wanted], type_name()));
}

std::string Value::to_string() const {
  struct Printer {
    std::string operator()(std::monostate) const { return "null"; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int8_t v) const { return std::to_string(v); }
    std::string operator()(std::int16_t v) const { return std::to_string(v); }
    std::string operator()(std::int32_t v) const { return std::to_string(v); }
    std::string operator()(std::int64_t v) const { return std::to_string(v); }
    std::string operator()(float v) const { return fmt::format("{}", v); }
    std::string operator()(double v) const { return fmt::format("{}", v); }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(const Bytes& b) const { return fmt::format("<{} bytes>", b.size()); }
    std::string operator()(const Array& a) const {
      std::string out = "[";
      for (std::size_t i = 0; i < a.size(); ++i) out += (i ? "," : "") + a[i].to_string();
      return out + "]";
    }
    std::string operator()(const Map& m) const {
      std::string out = "{";
      for (std::size_t i = 0; i < m.size(); ++i) {
        out += (i ? "," : "") + m[i].first.to_string() + "=" + m[i].second.to_string();
      }
      return out + "}";
    }
    std::string operator()(const Struct& s) const {
      std::string out = "Struct{";
      bool first = true;
      for (const auto& f : s.schema()->fields()) {
        const Value& v = s.at(f.index);
        if (v.is_null()) continue;
        out += (first ? "" : ",") + f.name + "=" + v.to_string();
        first = false;
      }
      return out + "}";
    }
  };
  return std::visit(Printer{}, v_);
}

Map string_map(std::initializer_list<std::pair<std::string, Value>> entries) {
  Map m;
  m.reserve(entries.size());
  for (const auto& [k, v] : entries) m.emplace_back(Value(k), v);
  return m;
}

const Value* map_find(const Map& map, std::string_view key) {
  for (const auto& [k, v] : map) {
    if (const auto* s = k.get_if<std::string>(); s && *s == key) return &v;
  }
  return nullptr;
}

}  // namespace sluice
