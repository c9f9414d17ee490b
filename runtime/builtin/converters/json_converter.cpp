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
