// The task gauges in Prometheus's text exposition format (version 0.0.4), for GET /metrics.
//
// A numeric gauge is one sample named sluice_<gauge>, every character outside [a-zA-Z0-9_:]
// replaced by '_', labelled with its connector and task:
//   sluice_source_record_poll_total{connector="orders",task="0"} 1200
// A text gauge is an info metric, its text a label value and its value 1:
//   sluice_last_committed_lsn_info{connector="orders",task="0",value="0/16B3748"} 1
// Samples are grouped by metric name (names in order, each under one "# TYPE <name> gauge" line),
// tasks in the order given. Two gauges of one task that map to the same metric name ("a.b" and
// "a_b") would make a duplicate series; only the first in gauge-name order is written.
//
// Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "runtime/herder.h"

namespace sluice::rest {

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4";

// "source-record-poll-total" -> "sluice_source_record_poll_total".
std::string prometheus_name(std::string_view gauge);
// A label value's text with \, " and line feeds escaped (without the surrounding quotes).
std::string prometheus_label_value(std::string_view text);
// A sample value: shortest round-trip decimal, or NaN, +Inf, -Inf.
std::string prometheus_value(double value);

// The whole exposition, one line per gauge; empty when there are no gauges.
std::string to_prometheus_text(const std::vector<runtime::TaskMetricsInfo>& tasks);

}  // namespace sluice::rest
