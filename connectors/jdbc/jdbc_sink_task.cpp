#include "jdbc_sink_task.h"

#include <chrono>

#include "sluice/errors.h"

namespace sluice::jdbc {

JdbcSinkTask::JdbcSinkTask(SinkDatabaseFactory factory) : factory_(std::move(factory)) {}

JdbcSinkTask::~JdbcSinkTask() = default;

void JdbcSinkTask::start(const ConfigMap& config, SinkTaskContext& context) {
  context_ = &context;
  config_ = JdbcSinkConfig::parse(config);
  if (config_->connector_name.empty()) {
    // "<connector>-<index>" without the index.
    const std::string& id = context.task_id();
    auto dash = id.rfind('-');
    config_->connector_name = dash == std::string::npos ? id : id.substr(0, dash);
  }
  DatabaseOptions options;
  options.quote_identifiers = config_->quote_identifiers;
  options.checkpoint_table = config_->checkpoint_table;
  options.connector_name = config_->connector_name;
  database_ = factory_(config_->url.scheme, config_->url.connection, options);
  if (!database_) throw ConfigError("connection.url", "no database for '" + config_->url.scheme + "'");
  extractor_.emplace(*config_);
  builder_.emplace(*config_);
  evolver_.emplace(config_->schema_evolution, config_->quote_identifiers);
  try {
    ensure_connected();
  } catch (const RetriableError&) {
    // The database is not reachable yet: the first put() connects (and the runtime retries it).
  }
}

void JdbcSinkTask::open(const std::vector<TopicPartition>& /*partitions*/) {
  // No seek to the stored checkpoints: on the embedded bus offsets are not durable (they restart
  // at 0 after a worker restart), so a stored Kafka offset could skip records never applied.
  // Redelivered records are skipped by source position instead (CheckpointTracker).
}

void JdbcSinkTask::ensure_connected() {
  if (!needs_connect_) return;
  database_->connect();
  // Reloaded after every reconnect, not only at start: a COMMIT whose reply the lost connection
  // swallowed may have gone through, and the stored checkpoint is the truth.
  checkpoints_.load(database_->load_checkpoints());
  needs_connect_ = false;
}

std::vector<JdbcSinkTask::Extracted> JdbcSinkTask::extract(const std::vector<SinkRecord>& records) {
  std::vector<Extracted> out;
  out.reserve(records.size());
  for (const auto& r : records) {
    Extracted e{&r, {}, false};
    try {
      extractor_->extract(r, e.changes);
    } catch (const DataError& error) {
      context_->report(r, error);  // throws with errors.tolerance=none
      e.reported = true;
    }
    out.push_back(std::move(e));
  }
  return out;
}

void JdbcSinkTask::put(const std::vector<SinkRecord>& records) {
  if (records.empty()) return;
  try {
    ensure_connected();
  } catch (const RetriableError&) {
    needs_connect_ = true;
    throw;
  }
  std::vector<Extracted> items = extract(records);
  const std::size_t step = static_cast<std::size_t>(config_->batch_size);
  for (std::size_t begin = 0; begin < items.size(); begin += step) {
    if (stopping_) throw RetriableError("task stopping");
    apply_range(items, begin, std::min(items.size(), begin + step));
  }
  publish_metrics();
}

void JdbcSinkTask::apply_range(std::vector<Extracted>& items, std::size_t begin, std::size_t end) {
  try {
    apply_once(items, begin, end);
  } catch (const RetriableError&) {
    needs_connect_ = true;
    evolver_->forget();
    throw;
  } catch (const ConfigError&) {
    throw;
  } catch (const ConnectError& error) {
    evolver_->forget();
    if (end - begin == 1) {
      context_->report(*items[begin].record, error);
      items[begin].reported = true;
      return;
    }
    const std::size_t mid = begin + (end - begin) / 2;
    apply_range(items, begin, mid);
    apply_range(items, mid, end);
  }
}

void JdbcSinkTask::apply_once(std::vector<Extracted>& items, std::size_t begin, std::size_t end) {
  const auto started = std::chrono::steady_clock::now();
  std::vector<const RowChange*> changes;
  std::vector<std::pair<TopicPartition, std::int64_t>> offsets;
  std::int64_t applied = 0, skipped = 0;
  for (std::size_t i = begin; i < end; ++i) {
    const SinkRecord& r = *items[i].record;
    offsets.emplace_back(TopicPartition{r.topic, r.kafka_partition.value_or(0)}, r.kafka_offset.value_or(0));
    if (items[i].reported) continue;
    bool any = false, all_skipped = !items[i].changes.empty();
    for (const auto& c : items[i].changes) {
      if (checkpoints_.already_applied(c)) continue;
      all_skipped = false;
      any = true;
      changes.push_back(&c);
    }
    if (all_skipped) ++skipped;
    if (any) ++applied;
  }
  std::vector<TableBatch> batches = builder_->build(changes);
  evolver_->prepare(*database_, batches);
  std::vector<Checkpoint> next = checkpoints_.advance(offsets, changes);
  database_->apply(batches, next);
  checkpoints_.commit(next);

  records_applied_ += applied;
  records_skipped_ += skipped;
  ++batches_;
  last_batch_rows_ = 0;
  for (const auto& b : batches) last_batch_rows_ += static_cast<std::int64_t>(b.rows.size());
  last_batch_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
}

void JdbcSinkTask::publish_metrics() {
  TaskMetrics& m = context_->metrics();
  m.set("records_applied_total", static_cast<double>(records_applied_));
  m.set("records_skipped_total", static_cast<double>(records_skipped_));
  m.set("batches_total", static_cast<double>(batches_));
  m.set("last_batch_rows", static_cast<double>(last_batch_rows_));
  m.set("last_batch_ms", last_batch_ms_);
}

TopicOffsets JdbcSinkTask::pre_commit(const TopicOffsets& current) {
  // put() applied everything it was given before returning.
  return current;
}

void JdbcSinkTask::stop() { stopping_ = true; }

}  // namespace sluice::jdbc
