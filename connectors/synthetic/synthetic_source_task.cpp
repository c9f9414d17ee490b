#include "synthetic_source_task.h"

#include <algorithm>
#include <cmath>

#include "synthetic_source_connector.h"
#include "sluice/log.h"

namespace sluice::synthetic {
namespace {

const log::Logger kLog("sluice.connector.synthetic");

constexpr auto kMaxWait = std::chrono::seconds(1);
constexpr std::int64_t kBaseTimestampMs = 1700000000000;

}  // namespace

const SchemaPtr& SyntheticSourceTask::value_schema() {
  static const SchemaPtr schema = SchemaBuilder::struct_()
                                      .name("io.sluice.synthetic.Record")
                                      .field("id", schemas::int64())
                                      .field("ts", logical::timestamp().build())
                                      .field("name", schemas::string())
                                      .field("payload", schemas::string())
                                      .build();
  return schema;
}

void SyntheticSourceTask::start(const ConfigMap& config, SourceTaskContext& context) {
  Config parsed = synthetic_task_config_def().parse(config);
  const std::int64_t index = parsed.get_int(kTaskIndexKey);
  stride_ = parsed.get_int(kTaskCountKey);
  topic_ = parsed.get_string("topic");
  end_id_ = parsed.get_long("count");
  rate_ = parsed.get_double("rate");
  batch_size_ = parsed.get_int("batch.size");
  payload_.assign(static_cast<std::size_t>(parsed.get_int("record.size")), 'x');
  partition_ = SourcePartition{{"task", Value(index)}};
  next_id_ = index;
  if (auto offset = context.offset(partition_)) {
    auto it = offset->find("position");
    if (it != offset->end() && !it->second.is_null()) {
      // Round up to an id this task owns, in case tasks.max changed since the offset was stored.
      std::int64_t position = std::max<std::int64_t>(it->second.as_int64(), 0);
      next_id_ = position + ((index - position) % stride_ + stride_) % stride_;
    }
  }
  value_schema();  // built now, not on the first poll
  started_ = Clock::now();
  metrics_ = &context.metrics();
  metrics_->set("records_generated", 0);
  metrics_->set_text("generator_state", finished() ? "finished" : "generating");
  kLog.info("[{}] generating ids from {} every {}{}", context.task_id(), next_id_, stride_,
            end_id_ >= 0 ? " below " + std::to_string(end_id_) : std::string());
}

std::vector<SourceRecord> SyntheticSourceTask::poll() {
  std::vector<SourceRecord> batch;
  if (finished()) {
    wait_until(Clock::now() + kMaxWait);
    return batch;
  }
  Clock::time_point due;
  std::int64_t n = allowed_now(due);
  if (n == 0) {
    wait_until(std::min(due, Clock::now() + kMaxWait));
    return batch;
  }
  if (end_id_ >= 0) n = std::min(n, (end_id_ - next_id_ + stride_ - 1) / stride_);
  batch.reserve(static_cast<std::size_t>(n));
  const SchemaPtr& schema = value_schema();
  for (std::int64_t i = 0; i < n; ++i, next_id_ += stride_) {
    const std::int64_t id = next_id_;
    SourceRecord& out = batch.emplace_back();
    out.source_partition = partition_;
    out.source_offset.emplace("position", Value(id + stride_));
    Record& r = out.record;
    r.topic = topic_;
    r.key_schema = schemas::int64();
    r.key = Value(id);
    Struct value(schema);
    value.put_unchecked(0, Value(id));
    value.put_unchecked(1, Value(kBaseTimestampMs + id));
    value.put_unchecked(2, Value("name-" + std::to_string(id)));
    value.put_unchecked(3, Value(payload_));
    r.value_schema = schema;
    r.value = Value(std::move(value));
  }
  emitted_ += n;
  metrics_->set("records_generated", static_cast<double>(emitted_));
  if (finished()) metrics_->set_text("generator_state", "finished");
  return batch;
}

// The k-th record since start (k from 0) is due at started_ + k / rate.
std::int64_t SyntheticSourceTask::allowed_now(Clock::time_point& due) const {
  if (rate_ <= 0) return batch_size_;
  const double elapsed = std::chrono::duration<double>(Clock::now() - started_).count();
  const auto total = static_cast<std::int64_t>(std::floor(elapsed * rate_)) + 1;
  const std::int64_t allowed = std::min(total - emitted_, batch_size_);
  if (allowed > 0) return allowed;
  due = started_ + std::chrono::duration_cast<Clock::duration>(
                       std::chrono::duration<double>(static_cast<double>(emitted_) / rate_));
  return 0;
}

void SyntheticSourceTask::wait_until(Clock::time_point deadline) {
  std::unique_lock lock(mu_);
  wake_.wait_until(lock, deadline, [&] { return stopping_; });
}

void SyntheticSourceTask::stop() {
  std::lock_guard lock(mu_);
  stopping_ = true;
  wake_.notify_all();
}

}  // namespace sluice::synthetic
