// bench_jdbc_sink: drives the JDBC sink task (the code the worker runs for
// io.debezium.connector.jdbc.JdbcSinkConnector) with Debezium change events shaped like the
// PostgreSQL source's, and prints how long its put() calls took.
//
//   bench_jdbc_sink <jdbc url> <user> <password> <rows> <insert|update> <batch size> [csv file]
//
// insert: ids 1..rows as op "c"; update: the same ids again as op "u" with new values and higher
// LSNs. Records are built batch by batch outside the timed section; only put() is timed. With a
// csv file, also writes the same rows (id,v,name,amount,created,position) there for the COPY / LOAD DATA
// baseline the calling script times. Prints one line: "<rows> <seconds>".
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "jdbc_sink_task.h"
#include "postgres_sink_database.h"
#include "mysql_sink_database.h"
#include "sluice/errors.h"
#include "value_text.h"

using namespace sluice;

namespace {

class BenchContext : public SinkTaskContext {
 public:
  std::vector<TopicPartition> assignment() const override { return {{"bench.public.t", 0}}; }
  void seek(const TopicOffsets&) override {}
  void pause(const std::vector<TopicPartition>&) override {}
  void resume(const std::vector<TopicPartition>&) override {}
  void request_commit() override {}
  void report(const SinkRecord&, const std::exception& error) override {
    throw ConnectError(std::string("bench record failed: ") + error.what());
  }
  const std::string& task_id() const override { return id_; }

 private:
  std::string id_ = "bench-sink-0";
};

struct Schemas {
  SchemaPtr key = SchemaBuilder::struct_().name("bench.public.t.Key").field("id", schemas::int32()).build();
  SchemaPtr row = SchemaBuilder::struct_()
                      .name("bench.public.t.Value")
                      .optional()
                      .field("id", schemas::int32())
                      .field("v", schemas::int32())
                      .field("name", schemas::string())
                      .field("amount", logical::decimal(2).build())
                      .field("created", SchemaBuilder::int64().name("io.debezium.time.MicroTimestamp").build())
                      .build();
  SchemaPtr source = SchemaBuilder::struct_()
                         .name("io.debezium.connector.postgresql.Source")
                         .field("connector", schemas::string())
                         .field("ts_ms", schemas::int64())
                         .field("snapshot", SchemaBuilder::string().optional().name("io.debezium.data.Enum").build())
                         .field("db", schemas::string())
                         .field("sequence", schemas::optional_string())
                         .field("schema", schemas::string())
                         .field("table", schemas::string())
                         .field("lsn", schemas::optional_int64())
                         .build();
  SchemaPtr envelope = SchemaBuilder::struct_()
                           .name("bench.public.t.Envelope")
                           .field("before", row)
                           .field("after", row)
                           .field("source", source)
                           .field("op", schemas::string())
                           .field("ts_ms", schemas::optional_int64())
                           .build();
};

struct RowValues {
  std::int32_t id, v;
  std::string name;
  std::int64_t amount_cents, at_micros, lsn;
};

RowValues row_values(std::int32_t id, bool update) {
  const std::int64_t base_lsn = update ? 50'000'000'000 : 10'000'000'000;
  return {id, update ? id * 3 : id, (update ? "updated customer " : "customer ") + std::to_string(id),
          (update ? 2 : 1) * (id % 100000) * 101 + 99, 1'700'000'000'000'000 + id * 1000LL,
          base_lsn + static_cast<std::int64_t>(id) * 64};
}

SinkRecord make_record(const Schemas& s, const RowValues& r, std::int64_t offset, bool update) {
  Struct row(s.row);
  row.put_unchecked(0, Value(r.id));
  row.put_unchecked(1, Value(r.v));
  row.put_unchecked(2, Value(r.name));
  row.put_unchecked(3, Value(logical::decimal_from_unscaled(r.amount_cents)));
  row.put_unchecked(4, Value(r.at_micros));
  Struct source(s.source);
  source.put_unchecked(0, Value("postgresql"));
  source.put_unchecked(1, Value(r.at_micros / 1000));
  source.put_unchecked(2, Value("false"));
  source.put_unchecked(3, Value("app"));
  source.put_unchecked(4, Value("[\"" + std::to_string(r.lsn - 32) + "\",\"" + std::to_string(r.lsn) + "\"]"));
  source.put_unchecked(5, Value("public"));
  source.put_unchecked(6, Value("t"));
  source.put_unchecked(7, Value(r.lsn));
  Struct env(s.envelope);
  env.put_unchecked(1, Value(std::move(row)));
  env.put_unchecked(2, Value(std::move(source)));
  env.put_unchecked(3, Value(update ? "u" : "c"));
  env.put_unchecked(4, Value(r.at_micros / 1000));
  Struct key(s.key);
  key.put_unchecked(0, Value(r.id));
  SinkRecord rec;
  rec.topic = "bench.public.t";
  rec.kafka_partition = 0;
  rec.kafka_offset = offset;
  rec.key_schema = s.key;
  rec.key = Value(std::move(key));
  rec.value_schema = s.envelope;
  rec.value = Value(std::move(env));
  return rec;
}

std::unique_ptr<jdbc::SinkDatabase> make_database(const std::string& scheme, const jdbc::ConnectionSettings& c,
                                                  const jdbc::DatabaseOptions& o) {
  if (scheme == "postgresql") return jdbc::make_postgres_sink_database(c, o);
  return jdbc::make_mysql_sink_database(c, o);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 7) {
    std::cerr << "usage: bench_jdbc_sink <jdbc url> <user> <password> <rows> <insert|update> <batch size> [csv]\n";
    return 2;
  }
  const std::int32_t rows = std::atoi(argv[4]);
  const bool update = std::string(argv[5]) == "update";
  const int batch = std::atoi(argv[6]);
  try {
    jdbc::JdbcSinkTask task(&make_database);
    BenchContext context;
    task.start({{"name", "bench-sink"}, {"connection.url", argv[1]}, {"connection.username", argv[2]},
                {"connection.password", argv[3]}, {"insert.mode", "upsert"}, {"primary.key.mode", "record_key"},
                {"delete.enabled", "true"}, {"schema.evolution", "basic"}, {"table.name.format", "t"},
                {"batch.size", std::to_string(batch)}},
               context);
    task.open({{"bench.public.t", 0}});
    Schemas schemas;
    std::ofstream csv;
    if (argc > 7) csv.open(argv[7]);
    std::chrono::nanoseconds timed{0};
    std::vector<SinkRecord> records;
    for (std::int32_t first = 1; first <= rows; first += batch) {
      records.clear();
      for (std::int32_t id = first; id < first + batch && id <= rows; ++id) {
        RowValues r = row_values(id, update);
        records.push_back(make_record(schemas, r, (update ? rows : 0) + id, update));
        if (csv.is_open()) {
          csv << r.id << ',' << r.v << ',' << r.name << ','
              << logical::decimal_to_string(logical::decimal_from_unscaled(r.amount_cents), 2) << ','
              << jdbc::timestamp_text(r.at_micros) << ',' << r.lsn << '\n';
        }
      }
      auto start = std::chrono::steady_clock::now();
      task.put(records);
      timed += std::chrono::steady_clock::now() - start;
    }
    task.stop();
    std::printf("%d %.3f\n", rows, std::chrono::duration<double>(timed).count());
  } catch (const std::exception& e) {
    std::cerr << "bench_jdbc_sink: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
