// EmbeddedBus: Kafka-like topics inside the worker process, for running without Kafka.
//
// A source task sends converted messages to a topic; every sink connector (a consumer group,
// "connect-<name>") whose `topics` / `topics.regex` match the topic reads them, split among its
// tasks by topic. A message stays on the bus until every group reading its topic has committed
// past it; only then is its producer's AckTracker told, so the source offset behind it is
// committed only after every sink flushed it. Messages of a topic nobody reads wait, except on
// ephemeral topics (those matching `ephemeral_topics_regex`, e.g. Debezium's heartbeat topics):
// a message sent to one while no group reads it is acknowledged at once and not kept, so it never
// holds back the offsets of later records. While some group reads an ephemeral topic it behaves
// like any other.
//
// Memory is bounded: a topic holds at most `max_topic_bytes`; send() blocks (backpressure) until
// there is room, and never drops anything. Topics have one partition (0) on this bus.
//
// Thread-safe. Any number of producer and consumer threads. One mutex guards all state; the
// APIs take batches so the lock is taken once per batch, not per message.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "runtime/bus/bus_message.h"
#include "sluice/record.h"

namespace sluice::runtime {

struct Subscription {
  std::vector<std::string> topics;
  std::string topics_regex;  // empty = none

  bool matches(const std::string& topic) const;
};

// A message handed to a consumer. `message` stays valid until the consumer's group commits past
// `offset` (it is only read on the consuming thread right after poll()).
struct ConsumedMessage {
  std::int64_t offset;
  const BusMessage* message;
};

struct PollResult {
  std::vector<ConsumedMessage> messages;
  // Set when this member's assignment changed since its last poll (first poll included).
  std::optional<std::vector<TopicPartition>> new_assignment;
  // Set when a topic this member reads is more than half full and at least half of what it
  // holds has been read by this group but not committed: committing now makes room for the
  // producers instead of letting them stall until the next periodic commit.
  bool commit_soon = false;
};

class EmbeddedBus {
 public:
  // An empty regex: no topic is ephemeral. Throws std::regex_error for an invalid one.
  explicit EmbeddedBus(std::size_t max_topic_bytes, const std::string& ephemeral_topics_regex = {});

  // Appends messages in order. Blocks while a topic is over budget until room is made or
  // `cancelled()` returns true (checked at least every 100 ms); returns how many were appended
  // (all of them unless cancelled).
  std::size_t send(std::vector<BusMessage>& messages, const std::function<bool()>& cancelled);

  // Consumer groups. A group reads every topic its subscription matches, existing or future.
  void subscribe(const std::string& group, const Subscription& subscription);
  // Drops a group (its connector was deleted): it no longer holds messages back.
  void remove_group(const std::string& group);
  // Members are a group's tasks; topics are spread over members round-robin in name order.
  void join(const std::string& group, int member);
  void leave(const std::string& group, int member);

  // Up to `max` messages from the member's assigned, unpaused topics, waiting up to `timeout`
  // for the first one (or until wakeup()).
  PollResult poll(const std::string& group, int member, std::size_t max, std::chrono::milliseconds timeout);
  void wakeup(const std::string& group, int member);
  // Moves the member's read position (sink task context seek / rewind after a failed put).
  void seek(const std::string& group, int member, const TopicOffsets& offsets);
  void pause(const std::string& group, int member, const std::vector<TopicPartition>& partitions);
  void resume(const std::string& group, int member, const std::vector<TopicPartition>& partitions);

  // Commits the group's positions (next offset to read) and releases messages every group has
  // passed, acknowledging them to their producers.
  void commit(const std::string& group, const TopicOffsets& offsets);
  TopicOffsets committed(const std::string& group) const;
  // Sets (nullopt: resets to the earliest retained) committed positions; clamped to what the
  // bus still holds. The group must have no members.
  void alter_committed(const std::string& group,
                       const std::vector<std::pair<TopicPartition, std::optional<std::int64_t>>>& offsets);

  struct TopicStats {
    std::int64_t start_offset = 0;
    std::int64_t end_offset = 0;
    std::size_t bytes = 0;
  };
  std::map<std::string, TopicStats> topics() const;

 private:
  struct TopicLog {
    std::deque<BusMessage> messages;  // offsets [base, base + size)
    std::int64_t base = 0;
    std::size_t bytes = 0;
    bool ephemeral = false;  // matches the ephemeral regex: not kept while nobody reads it
    std::int64_t end() const { return base + static_cast<std::int64_t>(messages.size()); }
  };
  struct Member {
    std::map<std::string, std::int64_t> position;  // assigned topic -> next offset to read
    std::set<std::string> paused;
    bool assignment_changed = true;
    bool woken = false;
  };
  struct Group {
    Subscription subscription;
    std::set<std::string> topics;                 // matching topics
    std::map<std::string, std::int64_t> committed;  // topic -> next offset
    std::map<int, Member> members;
  };

  // Messages taken off a log under the lock; acknowledged to their producers and destroyed
  // after unlocking, so freeing them never holds up the other threads.
  using Acks = std::vector<BusMessage>;

  TopicLog& topic_locked(const std::string& name);
  // send() under the lock; collects the acks of messages that passed straight through.
  std::size_t send_locked(std::unique_lock<std::mutex>& lock, std::vector<BusMessage>& messages,
                          const std::function<bool()>& cancelled, Acks& acks);
  void rebalance_locked(Group& group);
  bool commit_pressure_locked(const Group& group, const Member& member) const;
  bool read_locked(const std::string& topic) const;  // some group's subscription matches it
  // Pops messages all groups have committed (all of an unread ephemeral topic); collects their
  // acks to run after unlocking.
  void trim_locked(const std::string& topic, Acks& acks);
  // Pops the log's messages below this offset into `acks`.
  static void pop_locked(TopicLog& log, std::int64_t below, Acks& acks);
  static void run_acks(Acks& acks);

  const std::size_t max_topic_bytes_;
  const std::optional<std::regex> ephemeral_topics_;
  mutable std::mutex mu_;  // guards topics_, groups_
  std::condition_variable space_cv_;  // producers wait for room
  std::condition_variable data_cv_;   // consumers wait for messages
  std::map<std::string, TopicLog> topics_;
  std::map<std::string, Group> groups_;
};

}  // namespace sluice::runtime
