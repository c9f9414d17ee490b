#include "rest/prometheus_text.h"

#include <cmath>
#include <map>
#include <set>
#include <variant>

#include <fmt/format.h>

namespace sluice::rest {

namespace {
bool valid_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == ':';
}
}  // namespace

std::string prometheus_name(std::string_view gauge) {
  // The prefix also makes the first character a letter, which a metric name needs.
  std::string name = "sluice_";
  name.reserve(name.size() + gauge.size());
  for (char c : gauge) name += valid_name_char(c) ? c : '_';
  return name;
}

std::string prometheus_label_value(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

std::string prometheus_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

std::string to_prometheus_text(const std::vector<runtime::TaskMetricsInfo>& tasks) {
  std::map<std::string, std::vector<std::string>> families;  // metric name -> its sample lines
  std::set<std::pair<std::string, std::string>> written;     // (metric name, task labels)
  for (const auto& task : tasks) {
    const std::string labels =
        fmt::format("connector=\"{}\",task=\"{}\"", prometheus_label_value(task.id.connector), task.id.task);
    for (const auto& [gauge, value] : task.metrics) {
      const auto* number = std::get_if<double>(&value);
      std::string name = prometheus_name(gauge) + (number ? "" : "_info");
      if (!written.emplace(name, labels).second) continue;
      std::string sample =
          number ? fmt::format("{}{{{}}} {}", name, labels, prometheus_value(*number))
                 : fmt::format("{}{{{},value=\"{}\"}} 1", name, labels,
                               prometheus_label_value(std::get<std::string>(value)));
      families[name].push_back(std::move(sample));
    }
  }
  std::string out;
  for (const auto& [name, samples] : families) {
    out += fmt::format("# TYPE {} gauge\n", name);
    for (const auto& sample : samples) {
      out += sample;
      out += '\n';
    }
  }
  return out;
}

}  // namespace sluice::rest
