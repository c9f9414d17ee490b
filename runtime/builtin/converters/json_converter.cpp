#include "runtime/builtin/converters/json_converter.h"

#include "sluice/errors.h"

namespace sluice::builtin {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'a' && a[i] <= 'z' ? static_cast<char>(a[i] - 32) : a[i];
    char y = b[i] >= 'a' && b[i] <= 'z' ? static_cast<char>(b[i] - 32) : b[i];
    if (x != y) return false;
  }
  return true;
}

std::string_view as_text(const Bytes& data) {
  return {reinterpret_cast<const char*>(data.data()), data.size()};
}

bool blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// What encoding `v` under `schema` and decoding it again gives, in place; false where the encoder
// would throw (the caller then converts the record the ordinary way and reports that error).
bool round_trip(const Schema* schema, Value& v, bool replace_null_with_default) {
  if (v.is_null()) {
    if (schema->has_default() && replace_null_with_default) {
      v = schema->default_value();  // what the encoder writes, or null that reads back as it
      return true;
    }
    return schema->optional() || schema->has_default();
  }
  switch (schema->type()) {
    case Type::kInt8: return v.is<std::int8_t>();
    case Type::kInt16: return v.is<std::int16_t>();
    case Type::kInt32: return v.is<std::int32_t>();
    case Type::kInt64: return v.is<std::int64_t>();
    case Type::kFloat32: return v.is<float>();
    case Type::kFloat64: return v.is<double>();
    case Type::kBoolean: return v.is<bool>();
    case Type::kString: return v.is<std::string>();
    case Type::kBytes: return v.is<Bytes>();
    case Type::kArray: {
      auto* items = v.get_if<Array>();
      if (!items) return false;
      const Schema* element = schema->value_schema().get();
      for (auto& item : *items) {
        if (!round_trip(element, item, replace_null_with_default)) return false;
      }
      return true;
    }
    case Type::kMap: {
      auto* entries = v.get_if<Map>();
      if (!entries) return false;
      const Schema* key = schema->key_schema().get();
      const Schema* value = schema->value_schema().get();
      for (auto& [k, e] : *entries) {
        if (!round_trip(key, k, replace_null_with_default) || !round_trip(value, e, replace_null_with_default)) {
          return false;
        }
      }
      return true;
    }
    case Type::kStruct: {
      auto* s = v.get_if<Struct>();
      if (!s || (s->schema().get() != schema && !(*s->schema() == *schema))) return false;
      const auto& fields = schema->fields();
      for (std::size_t i = 0; i < fields.size(); ++i) {
        if (!round_trip(fields[i].schema.get(), s->at(i), replace_null_with_default)) return false;
      }
      return true;
    }
  }
  return false;
}

}  // namespace

const ConfigDef& JsonConverter::definition() {
  static const ConfigDef def =
      ConfigDef{}
          .define("schemas.enable", ConfigType::kBoolean, true, Importance::kHigh,
                  "Write each key or value as {\"schema\":...,\"payload\":...} and require that "
                  "envelope when reading. When false, only the payload is written and reads give "
                  "schemaless data.")
          .define("schemas.cache.size", ConfigType::kInt, 1000, at_least(0), Importance::kHigh,
                  "How many schemas to keep in each direction: encoded schema text per schema "
                  "when writing, parsed schema per schema text when reading.")
          .define("decimal.format", ConfigType::kString, "BASE64",
                  one_of_case_insensitive({"BASE64", "NUMERIC"}), Importance::kLow,
                  "How Decimal values are written: BASE64 (the unscaled two's-complement bytes, "
                  "base64-encoded) or NUMERIC (a plain JSON number). Reading accepts both.")
          .define("replace.null.with.default", ConfigType::kBoolean, true, Importance::kLow,
                  "Write (and read) a null field as its schema's default value when it has one; "
                  "when false the null is kept.")
          .define("converter.type", ConfigType::kString, kNullDefault,
                  one_of({"key", "value", "header"}), Importance::kLow,
                  "How this converter is used: for record keys, values or headers. Set by the "
                  "worker.");
  return def;
}

void JsonConverter::configure(const ConfigMap& config, bool /*is_key*/) {
  Config parsed = definition().parse(config);
  schemas_enabled_ = parsed.get_bool("schemas.enable");
  encode_options_.decimal_numeric = iequals(parsed.get_string("decimal.format"), "NUMERIC");
  encode_options_.replace_null_with_default = parsed.get_bool("replace.null.with.default");
  decode_options_.replace_null_with_default = encode_options_.replace_null_with_default;
  auto size = static_cast<std::size_t>(parsed.get_int("schemas.cache.size"));
  encoded_schemas_.set_capacity(size);
  parsed_schemas_.set_capacity(size);
}

void JsonConverter::configure(const ConfigMap& config) { configure(config, false); }

const std::string& JsonConverter::schema_json(const SchemaPtr& schema) {
  if (EncodedSchema* hit = encoded_schemas_.find(schema.get())) return hit->json;
  std::string text;
  json::append_schema(text, schema, encode_options_);
  return encoded_schemas_.put(schema.get(), EncodedSchema{schema, std::move(text)})->json;
}

SchemaPtr JsonConverter::schema_from_json(std::string_view text) {
  if (SchemaPtr* hit = parsed_schemas_.find(text)) return *hit;
  SchemaPtr schema = json::parse_schema(text);
  parsed_schemas_.put(std::string(text), schema);
  return schema;
}

std::optional<Bytes> JsonConverter::from_connect_data(const std::string& /*topic*/,
                                                      const Headers& /*headers*/,
                                                      const SchemaPtr& schema, const Value& value) {
  if (value.is_null()) return std::nullopt;
  buffer_.clear();
  json::append_value(buffer_, schema, value, encode_options_);
  if (!schemas_enabled_) return Bytes(buffer_.begin(), buffer_.end());
  // The envelope goes straight into the result: the (cached) schema text is copied once.
  constexpr std::string_view kHead = "{\"schema\":", kMiddle = ",\"payload\":";
  std::string_view schema_text = schema ? std::string_view(schema_json(schema)) : std::string_view("null");
  Bytes out;
  out.reserve(kHead.size() + schema_text.size() + kMiddle.size() + buffer_.size() + 1);
  auto append = [&out](std::string_view part) { out.insert(out.end(), part.begin(), part.end()); };
  append(kHead);
  append(schema_text);
  append(kMiddle);
  append(buffer_);
  out.push_back('}');
  return out;
}

SchemaAndValue JsonConverter::to_connect_data(const std::string& /*topic*/,
                                              const Headers& /*headers*/, const Bytes* data) {
  if (!data) return {};
  std::string_view text = as_text(*data);
  if (!schemas_enabled_) {
    if (blank(text)) return {};
    return {nullptr, json::decode_value(nullptr, text, decode_options_)};
  }
  if (auto payload = payload_after_last_schema(text)) {
    try {
      return {last_schema_, json::decode_value(last_schema_, *payload, decode_options_)};
    } catch (const DataError&) {
      // Not the plain two-member form after all (e.g. a repeated key): read it the slow way.
    }
  }
  json::Envelope envelope = json::split_envelope(text);
  SchemaPtr schema = schema_from_json(envelope.schema);
  Value value = json::decode_value(schema, envelope.payload, decode_options_);
  if (parsed_schemas_.capacity() > 0) {  // schemas.cache.size=0 turns every cache off, this one too
    last_prefix_.assign(R"({"schema":)").append(envelope.schema).append(R"(,"payload":)");
    last_schema_ = schema;
  }
  return {std::move(schema), std::move(value)};
}

bool JsonConverter::pass(SchemaPtr& schema, Value& value) const {
  if (value.is_null()) {  // no bytes, which read back as a null schema and value
    schema = nullptr;
    return true;
  }
  return schema && round_trip(schema.get(), value, encode_options_.replace_null_with_default);
}

std::optional<std::string_view> JsonConverter::payload_after_last_schema(std::string_view text) const {
  if (last_prefix_.empty() || text.size() <= last_prefix_.size() || text.back() != '}' ||
      text.compare(0, last_prefix_.size(), last_prefix_) != 0) {
    return std::nullopt;
  }
  return text.substr(last_prefix_.size(), text.size() - last_prefix_.size() - 1);
}

std::optional<Bytes> JsonConverter::from_connect_header(const std::string& topic,
                                                        const std::string& /*header_key*/,
                                                        const SchemaPtr& schema, const Value& value) {
  return from_connect_data(topic, Headers{}, schema, value);
}

SchemaAndValue JsonConverter::to_connect_header(const std::string& topic,
                                                const std::string& /*header_key*/,
                                                const Bytes* data) {
  return to_connect_data(topic, Headers{}, data);
}

}  // namespace sluice::builtin
