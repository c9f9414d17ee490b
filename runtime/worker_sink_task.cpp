#include "runtime/worker_sink_task.h"

#include <algorithm>

#include <fmt/format.h>

#include "sluice/errors.h"
#include "sluice/log.h"

namespace sluice::runtime {

namespace {
const log::Logger kLog("sluice.worker.sink");

Bytes to_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

// Kafka Connect's names for the same figures (sink-task-metrics, task-metrics).
constexpr std::string_view kReadTotal = "sink-record-read-total";
constexpr std::string_view kSendTotal = "sink-record-send-total";
constexpr std::string_view kCommitTotal = "offset-commit-completion-total";
}  // namespace

// Dead-lettered records not yet released by the bus, per source partition; the sink may not
// commit past the oldest of them.
class WorkerSinkTask::DeadLetterTracker : public AckTracker {
 public:
  std::uint64_t add(const TopicPartition& tp, std::int64_t offset) {
    std::lock_guard lock(mu_);
    std::uint64_t seq = next_++;
    by_seq_[seq] = {tp, offset};
    outstanding_[tp].insert(offset);
    return seq;
  }
  void acknowledge(std::uint64_t sequence) override {
    std::lock_guard lock(mu_);
    auto it = by_seq_.find(sequence);
    if (it == by_seq_.end()) return;
    auto& set = outstanding_[it->second.first];
    set.erase(set.find(it->second.second));
    by_seq_.erase(it);
  }
  // Lowers each offset to the oldest outstanding dead letter of its partition.
  void cap(TopicOffsets& offsets) {
    std::lock_guard lock(mu_);
    for (auto& [tp, offset] : offsets) {
      auto it = outstanding_.find(tp);
      if (it != outstanding_.end() && !it->second.empty()) offset = std::min(offset, *it->second.begin());
    }
  }

 private:
  std::mutex mu_;  // guards all below
  std::uint64_t next_ = 0;
  std::map<std::uint64_t, std::pair<TopicPartition, std::int64_t>> by_seq_;
  std::map<TopicPartition, std::multiset<std::int64_t>> outstanding_;
};

WorkerSinkTask::WorkerSinkTask(TaskId id, TargetState initial_state, TaskStatusListener& listener,
                               std::unique_ptr<SinkTask> task, TaskComponents components, SinkTaskSettings settings,
                               EmbeddedBus& bus, std::shared_ptr<TaskMetricsGroup> metrics)
    : WorkerTask(id, initial_state, listener),
      task_id_(id.to_string()),
      task_(std::move(task)),
      components_(std::move(components)),
      settings_(std::move(settings)),
      bus_(bus),
      policy_(components_.connector_config, task_id_, stopping_flag()),
      metrics_(std::move(metrics)),
      key_context_{Stage::kKeyConverter, components_.key_converter_class, nullptr, std::nullopt, std::nullopt},
      value_context_{Stage::kValueConverter, components_.value_converter_class, nullptr, std::nullopt, std::nullopt},
      header_context_{Stage::kHeaderConverter, components_.header_converter_class, nullptr, std::nullopt,
                      std::nullopt},
      dead_letters_(std::make_shared<DeadLetterTracker>()) {
  if (!settings_.dlq_topic.empty()) policy_.set_errant_sink(this);
  // Shown from the start, so a task that has not read yet reads 0, not "no such metric".
  for (auto name : {kReadTotal, kSendTotal, kCommitTotal}) metrics_->set(name, 0);
}

void WorkerSinkTask::initialize() {
  task_->start(settings_.task_config, *this);
  started_ = true;
  bus_.join(settings_.group, id().task);
  next_commit_ = std::chrono::steady_clock::now() + settings_.offset_flush_interval;
}

void WorkerSinkTask::on_stop_requested() {
  bus_.wakeup(settings_.group, id().task);
  if (started_ && !stop_called_.exchange(true)) task_->stop();
}

void WorkerSinkTask::execute() {
  while (!stopping()) {
    if (paused()) {
      await_unpause();
      continue;
    }
    maybe_commit(false);
    auto polled = bus_.poll(settings_.group, id().task, settings_.max_poll_records, std::chrono::milliseconds(500));
    if (polled.new_assignment) {
      on_assignment(std::move(*polled.new_assignment));
      continue;
    }
    if (!polled.messages.empty()) deliver(polled.messages);
    if (polled.commit_soon) commit_requested_ = true;
  }
}

void WorkerSinkTask::on_assignment(std::vector<TopicPartition> partitions) {
  if (!assignment_.empty()) {
    maybe_commit(true);
    task_->close(assignment_);
  }
  assignment_ = std::move(partitions);
  current_.clear();
  TopicOffsets committed = bus_.committed(settings_.group);
  for (const auto& tp : assignment_) current_[tp] = committed.count(tp) ? committed[tp] : 0;
  kLog.info("{} assigned {} topic partition(s)", task_id_, assignment_.size());
  task_->open(assignment_);
}

std::optional<SinkRecord> WorkerSinkTask::convert(const ConsumedMessage& consumed, const TopicPartition& tp) {
  const BusMessage& m = *consumed.message;
  SinkRecord r;
  r.topic = m.topic;
  r.kafka_partition = tp.partition;
  r.kafka_offset = consumed.offset;
  r.timestamp_ms = m.timestamp_ms;
  // One context per stage, made once: per record only where it came from changes.
  auto run = [&](ErrorContext& ctx, auto&& op) {
    if (!ctx.source_partition || ctx.source_partition->topic != tp.topic ||
        ctx.source_partition->partition != tp.partition) {
      ctx.source_partition = tp;
    }
    ctx.source_offset = consumed.offset;
    return policy_.execute(ctx, op);
  };
  const std::optional<Bytes>* key = &m.key;
  const std::optional<Bytes>* value = &m.value;
  std::pair<std::optional<Bytes>, std::optional<Bytes>> written;  // of a passed record, for other converters
  if (m.passed) {
    if (reads_format(m.format)) {
      r.key_schema = m.passed->key_schema;
      r.key = m.passed->key;
      r.value_schema = m.passed->value_schema;
      r.value = m.passed->value;
      key = value = nullptr;
    } else if (!run(value_context_, [&] { written = m.format->serialize(m.topic, *m.passed); })) {
      return std::nullopt;
    } else {
      key = &written.first;
      value = &written.second;
    }
  }
  if (key && !run(key_context_, [&] {
        auto sv = components_.key_converter->to_connect_data(m.topic, r.headers, *key ? &**key : nullptr);
        r.key_schema = std::move(sv.schema);
        r.key = std::move(sv.value);
      })) {
    return std::nullopt;
  }
  if (value && !run(value_context_, [&] {
        auto sv = components_.value_converter->to_connect_data(m.topic, r.headers, *value ? &**value : nullptr);
        r.value_schema = std::move(sv.schema);
        r.value = std::move(sv.value);
      })) {
    return std::nullopt;
  }
  if (!m.headers.empty() && !run(header_context_, [&] {
        for (const auto& h : m.headers) {
          auto sv = components_.header_converter->to_connect_header(m.topic, h.key, h.value ? &*h.value : nullptr);
          r.headers.add(h.key, std::move(sv.value), std::move(sv.schema));
        }
      })) {
    return std::nullopt;
  }
  return components_.transforms.apply(std::move(r), policy_);
}

bool WorkerSinkTask::reads_format(const std::shared_ptr<const RecordFormat>& format) {
  if (format != last_format_) {  // held, so its address is not reused while compared against
    last_format_ = format;
    last_format_matches_ = components_.format && components_.format->fingerprint() == format->fingerprint();
  }
  return last_format_matches_;
}

void WorkerSinkTask::deliver(const std::vector<ConsumedMessage>& messages) {
  metrics_->add(kReadTotal, static_cast<double>(messages.size()));
  std::vector<SinkRecord> records;
  records.reserve(messages.size());
  in_flight_ = &messages;
  TopicPartition tp;  // of the message before: consecutive messages mostly share their topic
  for (const auto& consumed : messages) {
    if (consumed.message->topic != tp.topic || &consumed == messages.data()) {
      tp.topic = consumed.message->topic;
      if (seen_topics_.insert(tp.topic).second) listener().on_topic(id(), tp.topic);
    }
    if (auto record = convert(consumed, tp)) records.push_back(std::move(*record));
  }
  bool delivered = records.empty() || put_with_retries(records);
  in_flight_ = nullptr;
  if (!delivered) return;  // stopping: these positions are not committed, the records come again
  if (!records.empty()) metrics_->add(kSendTotal, static_cast<double>(records.size()));
  auto position = current_.end();
  for (const auto& consumed : messages) {
    if (position == current_.end() || position->first.topic != consumed.message->topic) {
      position = current_.try_emplace(TopicPartition{consumed.message->topic, 0}).first;
    }
    position->second = consumed.offset + 1;
  }
}

bool WorkerSinkTask::put_with_retries(const std::vector<SinkRecord>& records) {
  auto backoff = std::chrono::milliseconds(100);
  const auto max_backoff = std::chrono::milliseconds(components_.connector_config.get_long("errors.retry.delay.max.ms"));
  while (true) {
    try {
      task_->put(records);
      return true;
    } catch (const RetriableError& e) {
      kLog.warn("{} put() of {} record(s) failed, retrying in {} ms: {}", task_id_, records.size(), backoff.count(),
                e.what());
      sleep_for(backoff);
      if (stopping()) return false;
      backoff = std::min(backoff * 2, max_backoff);
    }
  }
}

void WorkerSinkTask::maybe_commit(bool force) {
  auto now = std::chrono::steady_clock::now();
  if (!force && !commit_requested_ && now < next_commit_) return;
  commit_requested_ = false;
  next_commit_ = now + settings_.offset_flush_interval;
  if (current_.empty()) return;
  TopicOffsets offsets;
  try {
    offsets = task_->pre_commit(current_);
  } catch (const std::exception& e) {
    kLog.error("{} pre_commit() failed; not committing this time: {}", task_id_, describe_exception(e));
    return;
  }
  for (auto it = offsets.begin(); it != offsets.end();) {
    auto cur = current_.find(it->first);
    if (cur == current_.end()) {
      it = offsets.erase(it);  // not ours (any more)
    } else {
      it->second = std::min(it->second, cur->second);
      ++it;
    }
  }
  dead_letters_->cap(offsets);
  bus_.commit(settings_.group, offsets);
  metrics_->add(kCommitTotal, 1);
  kLog.debug("{} committed positions of {} partition(s)", task_id_, offsets.size());
}

void WorkerSinkTask::seek(const TopicOffsets& offsets) {
  bus_.seek(settings_.group, id().task, offsets);
  for (const auto& [tp, offset] : offsets) {
    if (current_.count(tp)) current_[tp] = offset;
  }
}

void WorkerSinkTask::pause(const std::vector<TopicPartition>& partitions) {
  bus_.pause(settings_.group, id().task, partitions);
}

void WorkerSinkTask::resume(const std::vector<TopicPartition>& partitions) {
  bus_.resume(settings_.group, id().task, partitions);
}

void WorkerSinkTask::report(const SinkRecord& record, const std::exception& error) {
  TopicPartition tp{record.topic, record.kafka_partition.value_or(0)};
  ErrorContext ctx{Stage::kTaskPut, "", &record, tp, record.kafka_offset};
  // Look up the original message by position so the dead letter carries the consumed bytes.
  policy_.handle(ctx, error);
}

void WorkerSinkTask::report(const ErrorContext& context, const std::exception& error) {
  if (!context.source_partition || !context.source_offset || !in_flight_) return;
  const BusMessage* original = nullptr;
  for (const auto& c : *in_flight_) {
    if (c.offset == *context.source_offset && c.message->topic == context.source_partition->topic) {
      original = c.message;
      break;
    }
  }
  if (!original) return;
  BusMessage dead;
  dead.topic = settings_.dlq_topic;
  dead.key = original->key;
  dead.value = original->value;
  dead.headers = original->headers;
  dead.timestamp_ms = original->timestamp_ms;
  if (settings_.dlq_context_headers) {
    auto add = [&](const char* key, const std::string& value) { dead.headers.push_back({key, to_bytes(value)}); };
    add("__connect.errors.topic", context.source_partition->topic);
    add("__connect.errors.partition", std::to_string(context.source_partition->partition));
    add("__connect.errors.offset", std::to_string(*context.source_offset));
    add("__connect.errors.connector.name", id().connector);
    add("__connect.errors.task.id", std::to_string(id().task));
    add("__connect.errors.stage", stage_name(context.stage));
    add("__connect.errors.class.name", context.class_name);
    std::string described = describe_exception(error);
    add("__connect.errors.exception.class.name", described.substr(0, described.find(':')));
    add("__connect.errors.exception.message", error.what());
    add("__connect.errors.exception.stacktrace", described);
  }
  dead.tracker = dead_letters_;
  dead.sequence = dead_letters_->add(*context.source_partition, *context.source_offset);
  std::vector<BusMessage> batch;
  batch.push_back(std::move(dead));
  bus_.send(batch, [this] { return stopping(); });
}

void WorkerSinkTask::close() noexcept {
  try {
    if (!cancelled() && started_) maybe_commit(true);
  } catch (...) {
    kLog.error("{} final commit failed: {}", task_id_, describe_current_exception());
  }
  try {
    if (started_ && !assignment_.empty()) task_->close(assignment_);
  } catch (...) {
    kLog.warn("{} close() failed: {}", task_id_, describe_current_exception());
  }
  try {
    if (started_ && !stop_called_.exchange(true)) task_->stop();
  } catch (...) {
    kLog.warn("{} stop() failed: {}", task_id_, describe_current_exception());
  }
  bus_.leave(settings_.group, id().task);
}

}  // namespace sluice::runtime
