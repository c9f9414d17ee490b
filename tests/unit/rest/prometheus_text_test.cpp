#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "rest/prometheus_text.h"

using namespace sluice::rest;
using sluice::runtime::MetricValues;
using sluice::runtime::TaskId;
using sluice::runtime::TaskMetricsInfo;

TEST_CASE("Gauge names become sluice_ metric names of [a-zA-Z0-9_:] only", "[prometheus]") {
  REQUIRE(prometheus_name("source-record-poll-total") == "sluice_source_record_poll_total");
  REQUIRE(prometheus_name("events_per_second") == "sluice_events_per_second");
  REQUIRE(prometheus_name("lag.behind.source:ms") == "sluice_lag_behind_source:ms");
  REQUIRE(prometheus_name("9 lives/\xc3\xa9") == "sluice_9_lives___");  // each byte of é is replaced
  REQUIRE(prometheus_name("") == "sluice_");
}

TEST_CASE("Label values escape backslash, double quote and line feed only", "[prometheus]") {
  REQUIRE(prometheus_label_value("0/16B3748") == "0/16B3748");
  REQUIRE(prometheus_label_value(R"(C:\dir)") == R"(C:\\dir)");
  REQUIRE(prometheus_label_value(R"(say "hi")") == R"(say \"hi\")");
  REQUIRE(prometheus_label_value("two\nlines") == R"(two\nlines)");
  REQUIRE(prometheus_label_value("tab\tand {braces},=") == "tab\tand {braces},=");
}

TEST_CASE("Sample values are shortest decimals, or NaN and signed Inf", "[prometheus]") {
  REQUIRE(prometheus_value(0) == "0");
  REQUIRE(prometheus_value(1200) == "1200");
  REQUIRE(prometheus_value(-2.5) == "-2.5");
  REQUIRE(prometheus_value(0.1) == "0.1");
  REQUIRE(std::stod(prometheus_value(1e300)) == 1e300);
  REQUIRE(prometheus_value(std::numeric_limits<double>::quiet_NaN()) == "NaN");
  REQUIRE(prometheus_value(std::numeric_limits<double>::infinity()) == "+Inf");
  REQUIRE(prometheus_value(-std::numeric_limits<double>::infinity()) == "-Inf");
}

TEST_CASE("The exposition groups samples by name under one TYPE line, text gauges as _info", "[prometheus]") {
  std::vector<TaskMetricsInfo> tasks{
      {TaskId{"pg", 0}, MetricValues{{"source-record-poll-total", 42.0}, {"last_committed_lsn", std::string("0/1")}}},
      {TaskId{"pg", 1}, MetricValues{{"source-record-poll-total", 8.0}}},
      {TaskId{R"(odd "name"\)", 0}, MetricValues{{"note", std::string("line1\nline2")}}},
  };
  REQUIRE(to_prometheus_text(tasks) ==
          "# TYPE sluice_last_committed_lsn_info gauge\n"
          "sluice_last_committed_lsn_info{connector=\"pg\",task=\"0\",value=\"0/1\"} 1\n"
          "# TYPE sluice_note_info gauge\n"
          "sluice_note_info{connector=\"odd \\\"name\\\"\\\\\",task=\"0\",value=\"line1\\nline2\"} 1\n"
          "# TYPE sluice_source_record_poll_total gauge\n"
          "sluice_source_record_poll_total{connector=\"pg\",task=\"0\"} 42\n"
          "sluice_source_record_poll_total{connector=\"pg\",task=\"1\"} 8\n");
}

TEST_CASE("Gauges that map to one metric name give one series, never a duplicate", "[prometheus]") {
  std::vector<TaskMetricsInfo> tasks{{TaskId{"c", 0}, MetricValues{{"a.b", 1.0}, {"a_b", 2.0}}}};
  // "a.b" sorts before "a_b": it is the one kept.
  REQUIRE(to_prometheus_text(tasks) == "# TYPE sluice_a_b gauge\nsluice_a_b{connector=\"c\",task=\"0\"} 1\n");
}

TEST_CASE("No tasks or no gauges give an empty exposition", "[prometheus]") {
  REQUIRE(to_prometheus_text({}).empty());
  REQUIRE(to_prometheus_text({{TaskId{"c", 0}, MetricValues{}}}).empty());
}
