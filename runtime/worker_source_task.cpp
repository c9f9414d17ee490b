#include "runtime/worker_source_task.h"

#include <pthread.h>

#include <fmt/format.h>

#include "runtime/offset_codec.h"
#include "sluice/errors.h"
#include "sluice/log.h"

namespace sluice::runtime {

namespace {
const log::Logger kLog("sluice.worker.source");

// Kafka Connect's names for the same figures (source-task-metrics, task-metrics).
constexpr std::string_view kPollTotal = "source-record-poll-total";
constexpr std::string_view kWriteTotal = "source-record-write-total";
constexpr std::string_view kPollBatchSize = "source-record-poll-batch-size";
constexpr std::string_view kCommitTotal = "offset-commit-completion-total";

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}
}  // namespace

WorkerSourceTask::WorkerSourceTask(TaskId id, TargetState initial_state, TaskStatusListener& listener,
                                   std::unique_ptr<SourceTask> task, TaskComponents components,
                                   SourceTaskSettings settings, EmbeddedBus& bus, OffsetStore& offsets,
                                   std::shared_ptr<TaskMetricsGroup> metrics)
    : WorkerTask(id, initial_state, listener),
      task_id_(id.to_string()),
      task_(std::move(task)),
      components_(std::move(components)),
      settings_(std::move(settings)),
      bus_(bus),
      offsets_(offsets),
      policy_(components_.connector_config, task_id_, stopping_flag()),
      metrics_(std::move(metrics)),
      header_context_{Stage::kHeaderConverter, components_.header_converter_class, nullptr, std::nullopt, std::nullopt},
      key_context_{Stage::kKeyConverter, components_.key_converter_class, nullptr, std::nullopt, std::nullopt},
      value_context_{Stage::kValueConverter, components_.value_converter_class, nullptr, std::nullopt, std::nullopt} {
  // Shown from the start, so a task that has not polled yet reads 0, not "no such metric".
  for (auto name : {kPollTotal, kWriteTotal, kPollBatchSize, kCommitTotal}) metrics_->set(name, 0);
}

void WorkerSourceTask::initialize() {
  task_->start(settings_.task_config, *this);
  started_ = true;
  next_commit_ = std::chrono::steady_clock::now() + settings_.offset_flush_interval;
}

void WorkerSourceTask::on_stop_requested() {
  if (started_ && !stop_called_.exchange(true)) task_->stop();
}

std::optional<SourceOffset> WorkerSourceTask::offset(const SourcePartition& partition) {
  auto stored = offsets_.get(encode_offset_key(id().connector, partition.map()));
  if (!stored) return std::nullopt;
  return decode_offset_value(*stored);
}

void WorkerSourceTask::execute() {
  sender_ = std::thread([this] {
    log::LogContext context(task_id_);
    pthread_setname_np(pthread_self(), ("send:" + task_id_).substr(0, 15).c_str());
    send_loop();
  });
  try {
    while (!stopping()) {
      rethrow_sender_failure();
      if (paused()) {
        await_unpause();
        continue;
      }
      free_spent();
      // Passed records hold what poll() allocated: they go back on this thread too.
      if (components_.format) submitted_->free_released();
      auto records = poll_task();
      if (!records.empty()) hand_over(records);
      maybe_commit(false);
    }
  } catch (...) {
    stop_sender();
    throw;
  }
  stop_sender();
}

void WorkerSourceTask::hand_over(std::vector<SourceRecord>& records) {
  std::vector<Polled> batch;
  batch.reserve(records.size());
  for (auto& r : records) {
    std::uint64_t seq = submitted_->submit(std::move(r.source_partition), std::move(r.source_offset));
    batch.push_back(Polled{std::move(r.record), seq});
  }
  std::unique_lock lock(handoff_mu_);
  while (handoff_.size() >= kHandoffBatches && !sender_failure_ && !stopping()) {
    // The sink side is behind: offsets it has acknowledged are still committed meanwhile.
    handoff_cv_.wait_for(lock, std::chrono::milliseconds(100));
    lock.unlock();
    maybe_commit(false);
    lock.lock();
  }
  handoff_.push_back(std::move(batch));
  handoff_cv_.notify_all();
}

void WorkerSourceTask::free_spent() {
  std::vector<std::vector<Polled>> spent;
  {
    std::lock_guard lock(handoff_mu_);
    spent.swap(spent_);
  }
}  // destroyed here, on the thread whose poll() allocated them

void WorkerSourceTask::rethrow_sender_failure() {
  std::lock_guard lock(handoff_mu_);
  if (sender_failure_) std::rethrow_exception(sender_failure_);
}

void WorkerSourceTask::stop_sender() {
  if (!sender_.joinable()) return;
  {
    std::lock_guard lock(handoff_mu_);
    sender_stop_ = true;
  }
  handoff_cv_.notify_all();
  sender_.join();
}

void WorkerSourceTask::send_loop() {
  auto quit = [this] {
    std::lock_guard lock(handoff_mu_);
    return sender_stop_;
  };
  try {
    for (;;) {
      std::vector<Polled> batch;
      if (!components_.format) submitted_->free_released();
      {
        std::unique_lock lock(handoff_mu_);
        while (!sender_stop_ && handoff_.empty()) {
          // Idle: what the sinks release meanwhile is freed at least once a second.
          if (handoff_cv_.wait_for(lock, std::chrono::seconds(1)) == std::cv_status::timeout) {
            lock.unlock();
            if (!components_.format) submitted_->free_released();
            lock.lock();
          }
        }
        if (sender_stop_) return;
        batch = std::move(handoff_.front());
        handoff_.pop_front();
      }
      handoff_cv_.notify_all();
      convert(batch);
      {
        std::lock_guard lock(handoff_mu_);
        spent_.push_back(std::move(batch));
      }
      while (!pending_.empty()) {
        if (quit()) return;
        if (paused()) {  // nothing goes out while paused; the task thread reports the state
          std::unique_lock lock(handoff_mu_);
          handoff_cv_.wait_for(lock, std::chrono::milliseconds(50), [&] { return sender_stop_; });
          continue;
        }
        send_pending();
      }
    }
  } catch (...) {
    std::lock_guard lock(handoff_mu_);
    sender_failure_ = std::current_exception();
  }
  handoff_cv_.notify_all();
}

std::vector<SourceRecord> WorkerSourceTask::poll_task() {
  std::vector<SourceRecord> records;
  try {
    records = task_->poll();
  } catch (const RetriableError& e) {
    // Kafka's rule: a retriable poll failure is logged and poll() is simply called again.
    kLog.warn("{} poll failed, retrying: {}", task_id_, e.what());
    sleep_for(std::chrono::milliseconds(100));
    return {};
  }
  const auto polled = static_cast<double>(records.size());
  metrics_->add(kPollTotal, polled);
  metrics_->set(kPollBatchSize, polled);
  return records;
}

void WorkerSourceTask::convert(std::vector<Polled>& records) {
  pending_.reserve(records.size());
  for (auto& r : records) {
    const std::uint64_t seq = r.sequence;
    std::optional<BusMessage> message;
    if (auto transformed = components_.transforms.apply(std::move(r.record), policy_)) {
      r.record = std::move(*transformed);
      message = convert_one(r.record, seq);
    }
    if (message) {
      pending_.push_back(std::move(*message));
    } else {
      submitted_->acknowledge(seq);  // dropped or tolerated: nothing downstream waits for it
    }
  }
}

std::optional<BusMessage> WorkerSourceTask::convert_one(Record& record, std::uint64_t sequence) {
  BusMessage m;
  if (!record.headers.empty()) {
    header_context_.record = &record;
    bool ok = policy_.execute(header_context_, [&] {
      m.headers.clear();
      for (const auto& h : record.headers) {
        m.headers.push_back(
            {h.key, components_.header_converter->from_connect_header(record.topic, h.key, h.schema, h.value)});
      }
    });
    if (!ok) return std::nullopt;
  }
  if (components_.format) {
    if (auto passed = components_.format->pass(record)) {
      m.passed = std::make_shared<const PassedRecord>(std::move(*passed));
      m.format = components_.format;
    }
  }
  if (!m.passed) {
    if (!convert_key_value(record, m)) return std::nullopt;
  }
  if (seen_topics_.insert(record.topic).second) listener().on_topic(id(), record.topic);
  m.topic = std::move(record.topic);
  m.timestamp_ms = record.timestamp_ms ? record.timestamp_ms : std::optional<std::int64_t>(now_ms());
  m.tracker = submitted_;
  m.sequence = sequence;
  return m;
}

bool WorkerSourceTask::convert_key_value(Record& record, BusMessage& m) {
  key_context_.record = &record;
  if (!policy_.execute(key_context_, [&] {
        m.key = components_.key_converter->from_connect_data(record.topic, record.headers, record.key_schema, record.key);
      })) {
    return false;
  }
  value_context_.record = &record;
  if (!policy_.execute(value_context_, [&] {
        m.value = components_.value_converter->from_connect_data(record.topic, record.headers, record.value_schema,
                                                                 record.value);
      })) {
    return false;
  }
  return true;
}

void WorkerSourceTask::send_pending() {
  if (pending_.empty()) return;
  std::size_t sent = bus_.send(pending_, [this] {
    if (stopping() || paused()) return true;
    std::lock_guard lock(handoff_mu_);
    return sender_stop_;
  });
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(sent));
  if (sent > 0) metrics_->add(kWriteTotal, static_cast<double>(sent));
}

void WorkerSourceTask::maybe_commit(bool force) {
  auto now = std::chrono::steady_clock::now();
  if (!force && !commit_requested_ && now < next_commit_) return;
  commit_requested_ = false;
  next_commit_ = now + settings_.offset_flush_interval;
  for (auto& [partition, offset] : submitted_->drain_committable()) uncommitted_[partition] = std::move(offset);
  if (uncommitted_.empty()) return;
  std::vector<std::pair<std::string, std::optional<std::string>>> entries;
  for (const auto& [partition, offset] : uncommitted_) {
    entries.emplace_back(encode_offset_key(id().connector, partition.map()), encode_offset_value(offset));
  }
  try {
    offsets_.set(entries);
  } catch (const std::exception& e) {
    kLog.error("{} failed to commit offsets, will retry: {}", task_id_, e.what());
    return;
  }
  metrics_->add(kCommitTotal, 1);
  kLog.debug("{} committed offsets for {} partition(s)", task_id_, uncommitted_.size());
  auto committed = std::move(uncommitted_);
  uncommitted_.clear();
  try {
    task_->commit(committed);
  } catch (const std::exception& e) {
    kLog.error("{} commit() of the task failed: {}", task_id_, describe_exception(e));
  }
}

void WorkerSourceTask::close() noexcept {
  try {
    if (!cancelled()) maybe_commit(true);
  } catch (...) {
    kLog.error("{} final offset commit failed: {}", task_id_, describe_current_exception());
  }
  submitted_->close();
  try {
    if (started_ && !stop_called_.exchange(true)) task_->stop();
  } catch (...) {
    kLog.warn("{} threw while stopping: {}", task_id_, describe_current_exception());
  }
}

}  // namespace sluice::runtime
