// The synthetic plugin: a generating source and a discarding sink, for benchmarks and tests.
#include "null_sink_connector.h"
#include "sluice/plugin.h"
#include "synthetic_source_connector.h"

SLUICE_PLUGIN("synthetic", "1.0.0", registrar) {
  registrar.add_source<sluice::synthetic::SyntheticSourceConnector>(
      "io.sluice.connect.synthetic.SyntheticSourceConnector");
  registrar.add_sink<sluice::synthetic::NullSinkConnector>(
      "io.sluice.connect.synthetic.NullSinkConnector");
}
