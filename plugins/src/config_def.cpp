#include "sluice/config_def.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <regex>
#include <stdexcept>

#include <fmt/format.h>

#include "sluice/errors.h"

namespace sluice {

const char* config_type_name(ConfigType type) {
  switch (type) {
    case ConfigType::kBoolean: return "BOOLEAN";
    case ConfigType::kString: return "STRING";
    case ConfigType::kInt: return "INT";
    case ConfigType::kShort: return "SHORT";
    case ConfigType::kLong: return "LONG";
    case ConfigType::kDouble: return "DOUBLE";
    case ConfigType::kList: return "LIST";
    case ConfigType::kClass: return "CLASS";
    case ConfigType::kPassword: return "PASSWORD";
  }
  return "STRING";
}

const char* importance_name(Importance importance) {
  switch (importance) {
    case Importance::kHigh: return "HIGH";
    case Importance::kMedium: return "MEDIUM";
    case Importance::kLow: return "LOW";
  }
  return "MEDIUM";
}

const char* width_name(Width width) {
  switch (width) {
    case Width::kNone: return "NONE";
    case Width::kShort: return "SHORT";
    case Width::kMedium: return "MEDIUM";
    case Width::kLong: return "LONG";
  }
  return "NONE";
}

ConfigDefault::ConfigDefault(double value) : kind_(Kind::kValue), text_(fmt::format("{}", value)) {}

ConfigDefault::ConfigDefault(std::initializer_list<const char*> items) : kind_(Kind::kValue) {
  for (const char* item : items) {
    if (!text_.empty()) text_ += ",";
    text_ += item;
  }
}

namespace {

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string value_text(const ConfigValueData& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return "null";
        } else if constexpr (std::is_same_v<T, bool>) {
          return x ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::string>) {
          return x;
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          std::string out;
          for (const auto& item : x) out += (out.empty() ? "" : ",") + item;
          return out;
        } else {
          return fmt::format("{}", x);
        }
      },
      v);
}

[[noreturn]] void invalid(const std::string& name, const ConfigValueData& v, const std::string& reason) {
  throw ConfigError(name, fmt::format("Invalid value {} for configuration {}: {}", value_text(v), name, reason));
}

template <class T>
bool parse_number(const std::string& text, T& out) {
  const char* b = text.data();
  const char* e = b + text.size();
  if (b != e && *b == '+') ++b;
  auto [p, ec] = std::from_chars(b, e, out);
  return ec == std::errc() && p == e && b != e;
}

std::optional<double> numeric(const ConfigValueData& v) {
  if (auto* i = std::get_if<std::int32_t>(&v)) return *i;
  if (auto* l = std::get_if<std::int64_t>(&v)) return static_cast<double>(*l);
  if (auto* d = std::get_if<double>(&v)) return *d;
  return std::nullopt;
}

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  std::string t = trim(text);
  if (t.empty()) return out;
  std::size_t start = 0;
  while (true) {
    std::size_t comma = t.find(',', start);
    out.push_back(trim(std::string_view(t).substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

ConfigValueData ConfigDef::parse_value(const std::string& name, ConfigType type, const std::string& raw) {
  std::string t = trim(raw);
  switch (type) {
    case ConfigType::kBoolean:
      if (iequals(t, "true")) return true;
      if (iequals(t, "false")) return false;
      invalid(name, raw, "Expected value to be either true or false");
    case ConfigType::kString:
    case ConfigType::kClass:
    case ConfigType::kPassword:
      return t;
    case ConfigType::kInt: {
      std::int32_t v;
      if (!parse_number(t, v)) invalid(name, raw, "Not a number of type INT");
      return v;
    }
    case ConfigType::kShort: {
      std::int32_t v;
      if (!parse_number(t, v) || v < -32768 || v > 32767) invalid(name, raw, "Not a number of type SHORT");
      return v;
    }
    case ConfigType::kLong: {
      std::int64_t v;
      if (!parse_number(t, v)) invalid(name, raw, "Not a number of type LONG");
      return v;
    }
    case ConfigType::kDouble: {
      char* end = nullptr;
      double v = std::strtod(t.c_str(), &end);
      if (t.empty() || end != t.c_str() + t.size() || std::isnan(v)) invalid(name, raw, "Not a number of type DOUBLE");
      return v;
    }
    case ConfigType::kList:
      return split_list(t);
  }
  return t;
}

ConfigDef& ConfigDef::define(ConfigKey key) {
  if (index_.count(key.name)) throw std::logic_error("Configuration " + key.name + " is defined twice.");
  index_.emplace(key.name, keys_.size());
  keys_.push_back(std::move(key));
  return *this;
}

ConfigDef& ConfigDef::define(std::string name, ConfigType type, ConfigDefault default_value, Validator validator,
                             Importance importance, std::string documentation, std::string group,
                             int order_in_group, Width width, std::string display_name) {
  ConfigKey key;
  key.name = std::move(name);
  key.type = type;
  key.default_value = std::move(default_value);
  key.validator = std::move(validator);
  key.importance = importance;
  key.documentation = std::move(documentation);
  key.group = std::move(group);
  key.order_in_group = order_in_group;
  key.width = width;
  key.display_name = display_name.empty() ? key.name : std::move(display_name);
  return define(std::move(key));
}

ConfigDef& ConfigDef::define(std::string name, ConfigType type, ConfigDefault default_value, Importance importance,
                             std::string documentation, std::string group, int order_in_group, Width width,
                             std::string display_name) {
  return define(std::move(name), type, std::move(default_value), Validator{}, importance, std::move(documentation),
                std::move(group), order_in_group, width, std::move(display_name));
}

ConfigDef& ConfigDef::merge(const ConfigDef& other) {
  for (const auto& k : other.keys_) {
    if (!index_.count(k.name)) define(k);
  }
  return *this;
}

ConfigDef& ConfigDef::embed(std::string_view prefix, std::string_view group, int starting_order,
                            const ConfigDef& child) {
  int order = starting_order;
  for (const auto& k : child.keys_) {
    ConfigKey copy = k;
    copy.name = std::string(prefix) + k.name;
    copy.group = std::string(group);
    copy.order_in_group = order++;
    copy.display_name = k.display_name.empty() ? k.name : k.display_name;
    for (auto& d : copy.dependents) d = std::string(prefix) + d;
    if (!index_.count(copy.name)) define(std::move(copy));
  }
  return *this;
}

const ConfigKey* ConfigDef::find(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &keys_[it->second];
}

std::vector<std::string> ConfigDef::groups() const {
  std::vector<std::string> out;
  for (const auto& k : keys_) {
    if (!k.group.empty() && std::find(out.begin(), out.end(), k.group) == out.end()) out.push_back(k.group);
  }
  return out;
}

Config ConfigDef::parse(const ConfigMap& props) const {
  Config config;
  config.originals_ = props;
  std::vector<ConfigProblem> problems;
  for (const auto& key : keys_) {
    auto given = props.find(key.name);
    try {
      ConfigValueData v;
      if (given != props.end()) {
        v = parse_value(key.name, key.type, given->second);
      } else if (key.default_value.required()) {
        throw ConfigError(key.name,
                          fmt::format("Missing required configuration \"{}\" which has no default value.", key.name));
      } else if (auto text = key.default_value.text()) {
        v = parse_value(key.name, key.type, *text);
      }
      if (key.validator) key.validator.check(key.name, v);
      config.values_[key.name] = std::move(v);
    } catch (const ConfigError& e) {
      for (const auto& p : e.problems()) problems.push_back({key.name, p.message});
    }
  }
  if (!problems.empty()) throw ConfigError(std::move(problems));
  return config;
}

std::vector<ConfigValue> ConfigDef::validate(const ConfigMap& props) const {
  std::vector<ConfigValue> out;
  out.reserve(keys_.size());
  for (const auto& key : keys_) {
    ConfigValue cv;
    cv.name = key.name;
    cv.recommended_values = key.recommended_values;
    auto given = props.find(key.name);
    if (given != props.end()) {
      cv.value = given->second;
    } else {
      cv.value = key.default_value.text();
    }
    try {
      ConfigValueData v;
      if (given != props.end()) {
        v = parse_value(key.name, key.type, given->second);
      } else if (key.default_value.required()) {
        throw ConfigError(key.name,
                          fmt::format("Missing required configuration \"{}\" which has no default value.", key.name));
      } else if (auto text = key.default_value.text()) {
        v = parse_value(key.name, key.type, *text);
      }
      if (key.validator) key.validator.check(key.name, v);
    } catch (const ConfigError& e) {
      for (const auto& p : e.problems()) cv.errors.push_back(p.message);
    }
    out.push_back(std::move(cv));
  }
  return out;
}

namespace {
template <class T>
const T& typed(const std::map<std::string, ConfigValueData, std::less<>>& values, std::string_view key,
               const char* what) {
  auto it = values.find(key);
  if (it == values.end()) throw ConfigError(std::string(key), fmt::format("Unknown configuration '{}'", key));
  if (auto* p = std::get_if<T>(&it->second)) return *p;
  throw ConfigError(std::string(key), fmt::format("Configuration '{}' is not of type {}", key, what));
}
}  // namespace

bool Config::get_bool(std::string_view key) const { return typed<bool>(values_, key, "BOOLEAN"); }
std::int32_t Config::get_int(std::string_view key) const { return typed<std::int32_t>(values_, key, "INT"); }

std::int64_t Config::get_long(std::string_view key) const {
  const auto& v = get(key);
  if (auto* i = std::get_if<std::int32_t>(&v)) return *i;
  return typed<std::int64_t>(values_, key, "LONG");
}

double Config::get_double(std::string_view key) const { return typed<double>(values_, key, "DOUBLE"); }

const std::string& Config::get_string(std::string_view key) const {
  static const std::string kEmpty;
  if (is_null(key)) return kEmpty;
  return typed<std::string>(values_, key, "STRING");
}

const std::vector<std::string>& Config::get_list(std::string_view key) const {
  static const std::vector<std::string> kEmpty;
  if (is_null(key)) return kEmpty;
  return typed<std::vector<std::string>>(values_, key, "LIST");
}

bool Config::is_null(std::string_view key) const { return std::holds_alternative<std::monostate>(get(key)); }

const ConfigValueData& Config::get(std::string_view key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw ConfigError(std::string(key), fmt::format("Unknown configuration '{}'", key));
  return it->second;
}

ConfigMap Config::originals_with_prefix(std::string_view prefix, bool strip) const {
  ConfigMap out;
  for (auto it = originals_.lower_bound(std::string(prefix)); it != originals_.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    out[strip ? it->first.substr(prefix.size()) : it->first] = it->second;
  }
  return out;
}

Validator at_least(double min) {
  return Validator{[min](const std::string& name, const ConfigValueData& v) {
                     auto n = numeric(v);
                     if (!n) {
                       if (std::holds_alternative<std::monostate>(v)) invalid(name, v, "Value must be non-null");
                       return;
                     }
                     if (*n < min) invalid(name, v, fmt::format("Value must be at least {}", min));
                   },
                   fmt::format("[{},...]", min)};
}

Validator between(double min, double max) {
  return Validator{[min, max](const std::string& name, const ConfigValueData& v) {
                     auto n = numeric(v);
                     if (!n) {
                       if (std::holds_alternative<std::monostate>(v)) invalid(name, v, "Value must be non-null");
                       return;
                     }
                     if (*n < min) invalid(name, v, fmt::format("Value must be at least {}", min));
                     if (*n > max) invalid(name, v, fmt::format("Value must be no more than {}", max));
                   },
                   fmt::format("[{},...,{}]", min, max)};
}

Validator one_of(std::vector<std::string> allowed) {
  std::string desc = "[" + join(allowed, ", ") + "]";
  return Validator{[allowed = std::move(allowed)](const std::string& name, const ConfigValueData& v) {
                     const auto* s = std::get_if<std::string>(&v);
                     if (!s) return;
                     if (std::find(allowed.begin(), allowed.end(), *s) == allowed.end()) {
                       invalid(name, v, "String must be one of: " + join(allowed, ", "));
                     }
                   },
                   desc};
}

Validator one_of_case_insensitive(std::vector<std::string> allowed) {
  std::string desc = "(case insensitive) [" + join(allowed, ", ") + "]";
  return Validator{[allowed = std::move(allowed)](const std::string& name, const ConfigValueData& v) {
                     const auto* s = std::get_if<std::string>(&v);
                     if (!s) return;
                     for (const auto& a : allowed) {
                       if (iequals(a, *s)) return;
                     }
                     invalid(name, v, "String must be one of (case insensitive): " + join(allowed, ", "));
                   },
                   desc};
}

Validator each_one_of(std::vector<std::string> allowed) {
  std::string desc = "[" + join(allowed, ", ") + "]";
  return Validator{[allowed = std::move(allowed)](const std::string& name, const ConfigValueData& v) {
                     const auto* l = std::get_if<std::vector<std::string>>(&v);
                     if (!l) return;
                     for (const auto& item : *l) {
                       if (std::find(allowed.begin(), allowed.end(), item) == allowed.end()) {
                         invalid(name, v, fmt::format("Invalid value {}; must be one of: {}", item, join(allowed, ", ")));
                       }
                     }
                   },
                   desc};
}

Validator non_empty_string() {
  return Validator{[](const std::string& name, const ConfigValueData& v) {
                     const auto* s = std::get_if<std::string>(&v);
                     if (s && s->empty()) invalid(name, v, "String must be non-empty");
                   },
                   "non-empty string"};
}

Validator non_null() {
  return Validator{[](const std::string& name, const ConfigValueData& v) {
                     if (std::holds_alternative<std::monostate>(v)) invalid(name, v, "entry must be non null");
                   },
                   "non-null"};
}

Validator valid_regex() {
  return Validator{[](const std::string& name, const ConfigValueData& v) {
                     const auto* s = std::get_if<std::string>(&v);
                     if (!s) return;
                     try {
                       std::regex re(*s);
                     } catch (const std::regex_error& e) {
                       invalid(name, v, fmt::format("Invalid regex: {}", e.what()));
                     }
                   },
                   "valid regex"};
}

Validator validator(std::string description,
                    std::function<void(const std::string& name, const ConfigValueData& value)> check) {
  return Validator{std::move(check), std::move(description)};
}

}  // namespace sluice
