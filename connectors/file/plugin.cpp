// The file plugin: Kafka's FileStreamSource and FileStreamSink under their Kafka class names, so
// "FileStreamSource", "FileStreamSourceConnector" and the full names all work in connector JSON.
#include "file_sink_connector.h"
#include "file_source_connector.h"
#include "sluice/plugin.h"

SLUICE_PLUGIN("file", "1.0.0", registrar) {
  registrar.add_source<sluice::file::FileStreamSourceConnector>(
      "org.apache.kafka.connect.file.FileStreamSourceConnector");
  registrar.add_sink<sluice::file::FileStreamSinkConnector>(
      "org.apache.kafka.connect.file.FileStreamSinkConnector");
}
