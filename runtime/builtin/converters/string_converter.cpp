#include "runtime/builtin/converters/string_converter.h"

#include "sluice/json.h"

namespace sluice::builtin {

namespace {

const Schema* element_schema(const Schema* schema, bool key) {
  if (!schema) return nullptr;
  return key ? schema->key_schema().get() : schema->value_schema().get();
}

// Java's toString() of the value Kafka would hold.
void render(std::string& out, const Schema* schema, const Value& value) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          out += "null";
        } else if constexpr (std::is_same_v<T, bool>) {
          out += x ? "true" : "false";
        } else if constexpr (std::is_integral_v<T>) {
          out += std::to_string(x);
        } else if constexpr (std::is_same_v<T, float>) {
          json::append_float(out, x);
        } else if constexpr (std::is_same_v<T, double>) {
          json::append_double(out, x);
        } else if constexpr (std::is_same_v<T, std::string>) {
          out += x;
        } else if constexpr (std::is_same_v<T, Bytes>) {
          if (schema && schema->name() == logical::kDecimalName) {
            out += logical::decimal_to_string(x, logical::decimal_scale(*schema));
          } else {
            json::append_base64(out, x);
          }
        } else if constexpr (std::is_same_v<T, Array>) {
          out += '[';
          for (std::size_t i = 0; i < x.size(); ++i) {
            if (i) out += ", ";
            render(out, element_schema(schema, false), x[i]);
          }
          out += ']';
        } else if constexpr (std::is_same_v<T, Map>) {
          out += '{';
          for (std::size_t i = 0; i < x.size(); ++i) {
            if (i) out += ", ";
            render(out, element_schema(schema, true), x[i].first);
            out += '=';
            render(out, element_schema(schema, false), x[i].second);
          }
          out += '}';
        } else {
          out += "Struct{";
          bool first = true;
          for (const auto& field : x.schema()->fields()) {
            const Value& v = x.at(field.index);
            if (v.is_null()) continue;
            if (!first) out += ',';
            first = false;
            out += field.name;
            out += '=';
            render(out, field.schema.get(), v);
          }
          out += '}';
        }
      },
      value.variant());
}

}  // namespace

const ConfigDef& StringConverter::definition() {
  static const ConfigDef def =
      ConfigDef{}
          .define("converter.encoding", ConfigType::kString, "UTF8",
                  one_of_case_insensitive({"UTF8", "UTF-8"}), Importance::kHigh,
                  "Character set of the text. Only UTF-8 is supported.")
          .define("converter.type", ConfigType::kString, kNullDefault,
                  one_of({"key", "value", "header"}), Importance::kLow,
                  "How this converter is used: for record keys, values or headers. Set by the "
                  "worker.");
  return def;
}

void StringConverter::configure(const ConfigMap& config, bool /*is_key*/) {
  definition().parse(config);
}

void StringConverter::configure(const ConfigMap& config) { configure(config, false); }

std::optional<Bytes> StringConverter::from_connect_data(const std::string& /*topic*/,
                                                        const Headers& /*headers*/,
                                                        const SchemaPtr& schema, const Value& value) {
  if (value.is_null()) return std::nullopt;
  if (const auto* s = value.get_if<std::string>()) return Bytes(s->begin(), s->end());
  std::string text;
  render(text, schema.get(), value);
  return Bytes(text.begin(), text.end());
}

SchemaAndValue StringConverter::to_connect_data(const std::string& /*topic*/,
                                                const Headers& /*headers*/, const Bytes* data) {
  if (!data) return {schemas::optional_string(), Value()};
  return {schemas::optional_string(), Value(std::string(data->begin(), data->end()))};
}

std::optional<Bytes> StringConverter::from_connect_header(const std::string& topic,
                                                          const std::string& /*header_key*/,
                                                          const SchemaPtr& schema,
                                                          const Value& value) {
  return from_connect_data(topic, Headers{}, schema, value);
}

SchemaAndValue StringConverter::to_connect_header(const std::string& topic,
                                                  const std::string& /*header_key*/,
                                                  const Bytes* data) {
  return to_connect_data(topic, Headers{}, data);
}

}  // namespace sluice::builtin
