#pragma once

// Drives a PostgresSourceTask directly, as the runtime would: a context that hands back the
// "committed" offset, poll() loops with a deadline, and commit() of chosen records.
#include <sluice/errors.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "pg_test_support.h"
#include "postgres_source_task.h"

namespace sluice::testing {

// Keeps the latest value of every gauge a task sets.
class RecordingMetrics : public TaskMetrics {
 public:
  void set(std::string_view name, double value) override {
    std::lock_guard lock(mu_);
    numbers_[std::string(name)] = value;
  }
  void set_text(std::string_view name, std::string_view value) override {
    std::lock_guard lock(mu_);
    texts_[std::string(name)] = std::string(value);
  }
  std::optional<double> number(const std::string& name) const {
    std::lock_guard lock(mu_);
    auto it = numbers_.find(name);
    return it == numbers_.end() ? std::nullopt : std::optional<double>(it->second);
  }
  std::optional<std::string> text(const std::string& name) const {
    std::lock_guard lock(mu_);
    auto it = texts_.find(name);
    return it == texts_.end() ? std::nullopt : std::optional<std::string>(it->second);
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, double> numbers_;
  std::map<std::string, std::string> texts_;
};

class FakeSourceTaskContext : public SourceTaskContext {
 public:
  std::optional<SourceOffset> offset(const SourcePartition& /*partition*/) override { return committed; }
  const std::string& task_id() const override { return id_; }
  void request_commit() override {}
  TaskMetrics& metrics() override { return recorded; }

  std::optional<SourceOffset> committed;
  RecordingMetrics recorded;

 private:
  std::string id_ = "pg-test-0";
};

// A fresh database `db` on `server` with the given setup SQL.
inline void create_database(const PostgresServer& server, const std::string& db, const std::string& setup = {}) {
  server.exec("CREATE DATABASE " + db, "postgres");
  if (!setup.empty()) server.exec(setup, db);
}

inline ConfigMap pg_task_config(const PostgresServer& server, const std::string& db, const std::string& slot,
                                std::map<std::string, std::string> extra = {}) {
  ConfigMap c{{"connector.class", "io.debezium.connector.postgresql.PostgresConnector"},
              {"database.hostname", server.socket_dir().string()},
              {"database.port", std::to_string(server.port())},
              {"database.user", "postgres"},
              {"database.dbname", db},
              {"topic.prefix", "pg"},
              {"slot.name", slot},
              {"poll.interval.ms", "200"}};
  for (auto& [k, v] : extra) c[k] = v;
  return c;
}

// Field `name` of a struct value (null when the value is not a struct).
inline const Value& field(const Value& v, const std::string& name) {
  static const Value kNull;
  const auto* s = v.get_if<Struct>();
  return s ? s->get(name) : kNull;
}

inline std::string op_of(const SourceRecord& r) {
  const Value& op = field(r.record.value, "op");
  return op.is_null() ? "" : op.as<std::string>();
}

// The "id" of the row a record is about (after, else before, else the key); -1 when none.
inline std::int64_t id_of(const SourceRecord& r) {
  for (const char* part : {"after", "before"}) {
    const Value& row = field(r.record.value, part);
    if (!row.is_null()) return field(row, "id").as_int64();
  }
  const Value& key = field(r.record.key, "id");
  return key.is_null() ? -1 : key.as_int64();
}

inline std::int64_t offset_int(const SourceRecord& r, const std::string& key) {
  auto it = r.source_offset.find(key);
  return it == r.source_offset.end() ? -1 : it->second.as_int64();
}

// Drops a replication slot when the test ends (declare it before what uses the slot): the shared
// server has max_replication_slots = 10.
class SlotCleanup {
 public:
  SlotCleanup(const PostgresServer& server, std::string slot) : server_(server), slot_(std::move(slot)) {}
  ~SlotCleanup() {
    try {
      for (int i = 0; i < 100; ++i) {  // the walsender of a closed connection may hold it briefly
        if (server_.query_value("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot_ +
                                "' AND active", "postgres") == "0") {
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      server_.exec("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" +
                   slot_ + "'", "postgres");
    } catch (const std::exception&) {
    }
  }

 private:
  const PostgresServer& server_;
  std::string slot_;
};

class TaskRun {
 public:
  explicit TaskRun(ConfigMap config, std::optional<SourceOffset> committed = std::nullopt)
      : task_(std::make_unique<postgres::PostgresSourceTask>()) {
    context_.committed = std::move(committed);
    task_->start(config, context_);
  }
  ~TaskRun() { close(); }

  void close() {
    if (!task_) return;
    task_->stop();
    task_.reset();
  }

  // Polls until `done(all records so far)` or the timeout; RetriableErrors are retried like the
  // runtime does (counted in retriable_errors).
  std::vector<SourceRecord> poll_until(const std::function<bool(const std::vector<SourceRecord>&)>& done,
                                       std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    std::vector<SourceRecord> all;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done(all) && std::chrono::steady_clock::now() < deadline) {
      try {
        for (auto& r : task_->poll()) all.push_back(std::move(r));
      } catch (const RetriableError&) {
        ++retriable_errors;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    return all;
  }

  // Polls for `d` and returns everything that came.
  std::vector<SourceRecord> poll_for(std::chrono::milliseconds d) {
    return poll_until([](const auto&) { return false; }, d);
  }

  // As the runtime does once `record` and everything before it is durable.
  void commit(const SourceRecord& record) {
    context_.committed = record.source_offset;
    task_->commit({{record.source_partition, record.source_offset}});
  }

  postgres::PostgresSourceTask& task() { return *task_; }
  const RecordingMetrics& metrics() const { return context_.recorded; }
  int retriable_errors = 0;

 private:
  FakeSourceTaskContext context_;
  std::unique_ptr<postgres::PostgresSourceTask> task_;
};

inline std::size_t count_data(const std::vector<SourceRecord>& rs, const std::string& op = {}) {
  std::size_t n = 0;
  for (const auto& r : rs) {
    if (r.record.topic.rfind("pg.", 0) == 0 && !r.record.value.is_null() && (op.empty() || op_of(r) == op)) ++n;
  }
  return n;
}

inline postgres::Lsn confirmed_flush_lsn(const PostgresServer& server, const std::string& slot) {
  auto text = server.query_value("SELECT coalesce(confirmed_flush_lsn::text, '0/0') FROM pg_replication_slots "
                                 "WHERE slot_name = '" + slot + "'", "postgres");
  return postgres::Lsn::parse(text).value_or(postgres::Lsn{});
}

inline postgres::Lsn current_wal_lsn(const PostgresServer& server) {
  return postgres::Lsn::parse(server.query_value("SELECT pg_current_wal_lsn()::text", "postgres"))
      .value_or(postgres::Lsn{});
}

}  // namespace sluice::testing
