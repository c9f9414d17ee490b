#include "runtime/bus/embedded_bus.h"

#include <algorithm>
#include <iterator>

namespace sluice::runtime {

bool Subscription::matches(const std::string& topic) const {
  if (std::find(topics.begin(), topics.end(), topic) != topics.end()) return true;
  if (topics_regex.empty()) return false;
  // Subscriptions are few and topics appear rarely; compiling here keeps the struct copyable.
  return std::regex_match(topic, std::regex(topics_regex));
}

EmbeddedBus::EmbeddedBus(std::size_t max_topic_bytes, const std::string& ephemeral_topics_regex)
    : max_topic_bytes_(max_topic_bytes),
      ephemeral_topics_(ephemeral_topics_regex.empty() ? std::nullopt
                                                       : std::optional<std::regex>(std::regex(ephemeral_topics_regex))) {}

EmbeddedBus::TopicLog& EmbeddedBus::topic_locked(const std::string& name) {
  auto it = topics_.find(name);
  if (it != topics_.end()) return it->second;
  TopicLog& log = topics_[name];
  log.ephemeral = ephemeral_topics_ && std::regex_match(name, *ephemeral_topics_);
  for (auto& [group_name, group] : groups_) {
    if (group.subscription.matches(name)) {
      group.topics.insert(name);
      rebalance_locked(group);
    }
  }
  return log;
}

std::size_t EmbeddedBus::send(std::vector<BusMessage>& messages, const std::function<bool()>& cancelled) {
  Acks acks;
  std::size_t sent;
  {
    std::unique_lock lock(mu_);
    sent = send_locked(lock, messages, cancelled, acks);
  }
  data_cv_.notify_all();
  run_acks(acks);
  return sent;
}

std::size_t EmbeddedBus::send_locked(std::unique_lock<std::mutex>& lock, std::vector<BusMessage>& messages,
                                     const std::function<bool()>& cancelled, Acks& acks) {
  std::size_t sent = 0;
  for (auto& m : messages) {
    TopicLog& log = topic_locked(m.topic);
    std::size_t size = m.size_bytes();
    // An oversized message still goes through once its topic is empty, or it would wait forever.
    while (log.bytes + size > max_topic_bytes_ && !log.messages.empty()) {
      if (sent > 0) data_cv_.notify_all();
      if (cancelled()) return sent;
      space_cv_.wait_for(lock, std::chrono::milliseconds(100));
    }
    // Nobody reads it and nobody needs to: it passes through as if read and committed at once, so
    // the source offset behind it (a heartbeat's) is committable right away.
    const bool pass_through = log.ephemeral && !read_locked(m.topic);
    log.bytes += size;
    log.messages.push_back(std::move(m));
    ++sent;
    if (pass_through) pop_locked(log, log.end(), acks);
  }
  return sent;
}

void EmbeddedBus::subscribe(const std::string& name, const Subscription& subscription) {
  Acks acks;
  {
    std::lock_guard lock(mu_);
    Group& group = groups_[name];
    group.subscription = subscription;
    for (const auto& t : subscription.topics) topic_locked(t);
    auto dropped = std::move(group.topics);
    group.topics.clear();
    for (const auto& [topic, log] : topics_) {
      if (subscription.matches(topic)) group.topics.insert(topic);
    }
    rebalance_locked(group);
    // What only this group held back of the topics it no longer reads may leave now.
    for (const auto& t : dropped) {
      if (!group.topics.count(t)) trim_locked(t, acks);
    }
  }
  space_cv_.notify_all();
  run_acks(acks);
}

void EmbeddedBus::remove_group(const std::string& name) {
  Acks acks;
  {
    std::lock_guard lock(mu_);
    auto it = groups_.find(name);
    if (it == groups_.end()) return;
    auto topics = it->second.topics;
    groups_.erase(it);
    for (const auto& t : topics) trim_locked(t, acks);
  }
  space_cv_.notify_all();
  run_acks(acks);
}

void EmbeddedBus::join(const std::string& group_name, int member) {
  std::lock_guard lock(mu_);
  Group& group = groups_[group_name];
  group.members[member];
  rebalance_locked(group);
}

void EmbeddedBus::leave(const std::string& group_name, int member) {
  {
    std::lock_guard lock(mu_);
    auto it = groups_.find(group_name);
    if (it == groups_.end()) return;
    it->second.members.erase(member);
    rebalance_locked(it->second);
  }
  data_cv_.notify_all();
}

void EmbeddedBus::rebalance_locked(Group& group) {
  std::vector<int> ids;
  for (const auto& [id, m] : group.members) ids.push_back(id);
  std::map<int, std::set<std::string>> wanted;
  std::size_t i = 0;
  for (const auto& topic : group.topics) {
    if (ids.empty()) break;
    wanted[ids[i++ % ids.size()]].insert(topic);
  }
  for (auto& [id, member] : group.members) {
    const auto& topics = wanted[id];
    std::map<std::string, std::int64_t> position;
    for (const auto& t : topics) {
      auto old = member.position.find(t);
      if (old != member.position.end()) {
        position[t] = old->second;
      } else {
        auto c = group.committed.find(t);
        position[t] = c != group.committed.end() ? c->second : topics_[t].base;
      }
    }
    bool changed = position.size() != member.position.size() ||
                   !std::equal(position.begin(), position.end(), member.position.begin(),
                               [](const auto& a, const auto& b) { return a.first == b.first; });
    member.position = std::move(position);
    if (changed) member.assignment_changed = true;
  }
}

PollResult EmbeddedBus::poll(const std::string& group_name, int member_id, std::size_t max,
                             std::chrono::milliseconds timeout) {
  PollResult result;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mu_);
  while (true) {
    auto git = groups_.find(group_name);
    if (git == groups_.end()) return result;
    auto mit = git->second.members.find(member_id);
    if (mit == git->second.members.end()) return result;
    Member& member = mit->second;
    if (member.assignment_changed) {
      member.assignment_changed = false;
      std::vector<TopicPartition> assignment;
      for (const auto& [t, pos] : member.position) assignment.push_back({t, 0});
      result.new_assignment = std::move(assignment);
      return result;  // the caller opens the new partitions before reading them
    }
    for (auto& [topic, pos] : member.position) {
      if (member.paused.count(topic)) continue;
      TopicLog& log = topics_[topic];
      pos = std::max(pos, log.base);
      while (pos < log.end() && result.messages.size() < max) {
        result.messages.push_back({pos, &log.messages[static_cast<std::size_t>(pos - log.base)]});
        ++pos;
      }
      if (result.messages.size() >= max) break;
    }
    if (!result.messages.empty() || member.woken) {
      member.woken = false;
      result.commit_soon = commit_pressure_locked(git->second, member);
      return result;
    }
    if (data_cv_.wait_until(lock, deadline) == std::cv_status::timeout) return result;
  }
}

bool EmbeddedBus::commit_pressure_locked(const Group& group, const Member& member) const {
  for (const auto& [topic, pos] : member.position) {
    const TopicLog& log = topics_.at(topic);
    if (log.bytes * 2 <= max_topic_bytes_) continue;
    auto c = group.committed.find(topic);
    std::int64_t committed = c != group.committed.end() ? std::max(c->second, log.base) : log.base;
    if ((pos - committed) * 2 >= log.end() - log.base) return true;
  }
  return false;
}

void EmbeddedBus::wakeup(const std::string& group_name, int member_id) {
  {
    std::lock_guard lock(mu_);
    auto git = groups_.find(group_name);
    if (git == groups_.end()) return;
    auto mit = git->second.members.find(member_id);
    if (mit != git->second.members.end()) mit->second.woken = true;
  }
  data_cv_.notify_all();
}

void EmbeddedBus::seek(const std::string& group_name, int member_id, const TopicOffsets& offsets) {
  std::lock_guard lock(mu_);
  auto& member = groups_[group_name].members[member_id];
  for (const auto& [tp, offset] : offsets) {
    auto it = member.position.find(tp.topic);
    if (it != member.position.end()) it->second = std::clamp(offset, topics_[tp.topic].base, topics_[tp.topic].end());
  }
}

void EmbeddedBus::pause(const std::string& group_name, int member_id, const std::vector<TopicPartition>& partitions) {
  std::lock_guard lock(mu_);
  auto& member = groups_[group_name].members[member_id];
  for (const auto& tp : partitions) member.paused.insert(tp.topic);
}

void EmbeddedBus::resume(const std::string& group_name, int member_id, const std::vector<TopicPartition>& partitions) {
  {
    std::lock_guard lock(mu_);
    auto& member = groups_[group_name].members[member_id];
    for (const auto& tp : partitions) member.paused.erase(tp.topic);
  }
  data_cv_.notify_all();
}

void EmbeddedBus::commit(const std::string& group_name, const TopicOffsets& offsets) {
  Acks acks;
  {
    std::lock_guard lock(mu_);
    auto git = groups_.find(group_name);
    if (git == groups_.end()) return;
    for (const auto& [tp, offset] : offsets) {
      if (!git->second.topics.count(tp.topic)) continue;
      TopicLog& log = topics_[tp.topic];
      git->second.committed[tp.topic] = std::clamp(offset, log.base, log.end());
      trim_locked(tp.topic, acks);
    }
  }
  if (!acks.empty()) space_cv_.notify_all();
  run_acks(acks);
}

TopicOffsets EmbeddedBus::committed(const std::string& group_name) const {
  std::lock_guard lock(mu_);
  TopicOffsets out;
  auto git = groups_.find(group_name);
  if (git == groups_.end()) return out;
  for (const auto& t : git->second.topics) {
    auto c = git->second.committed.find(t);
    auto log = topics_.find(t);
    out[{t, 0}] = c != git->second.committed.end() ? c->second : (log != topics_.end() ? log->second.base : 0);
  }
  return out;
}

void EmbeddedBus::alter_committed(const std::string& group_name,
                                  const std::vector<std::pair<TopicPartition, std::optional<std::int64_t>>>& offsets) {
  Acks acks;
  {
    std::lock_guard lock(mu_);
    Group& group = groups_[group_name];
    for (const auto& [tp, offset] : offsets) {
      TopicLog& log = topic_locked(tp.topic);
      group.topics.insert(tp.topic);
      group.committed[tp.topic] = offset ? std::clamp(*offset, log.base, log.end()) : log.base;
      trim_locked(tp.topic, acks);
    }
  }
  space_cv_.notify_all();
  run_acks(acks);
}

std::map<std::string, EmbeddedBus::TopicStats> EmbeddedBus::topics() const {
  std::lock_guard lock(mu_);
  std::map<std::string, TopicStats> out;
  for (const auto& [name, log] : topics_) out[name] = TopicStats{log.base, log.end(), log.bytes};
  return out;
}

void EmbeddedBus::trim_locked(const std::string& topic, Acks& acks) {
  auto tit = topics_.find(topic);
  if (tit == topics_.end()) return;
  TopicLog& log = tit->second;
  std::optional<std::int64_t> low;
  for (const auto& [name, group] : groups_) {
    if (!group.topics.count(topic)) continue;
    auto c = group.committed.find(topic);
    std::int64_t committed = c != group.committed.end() ? c->second : log.base;
    low = low ? std::min(*low, committed) : committed;
  }
  if (!low) {
    if (!log.ephemeral) return;  // nobody reads this topic: its messages wait for a reader
    low = log.end();             // nobody reads it and it need not wait: release it all
  }
  pop_locked(log, *low, acks);
}

void EmbeddedBus::pop_locked(TopicLog& log, std::int64_t below, Acks& acks) {
  if (below > log.base) {
    acks.reserve(acks.size() + std::min(log.messages.size(), static_cast<std::size_t>(below - log.base)));
  }
  while (log.base < below && !log.messages.empty()) {
    BusMessage& m = log.messages.front();
    log.bytes -= m.size_bytes();
    acks.push_back(std::move(m));
    log.messages.pop_front();
    ++log.base;
  }
}

bool EmbeddedBus::read_locked(const std::string& topic) const {
  for (const auto& [name, group] : groups_) {
    if (group.topics.count(topic)) return true;
  }
  return false;
}

void EmbeddedBus::run_acks(Acks& acks) {
  // Each producer gets its run of messages at once (messages of one topic are mostly one
  // producer's): one lock on its side instead of one per message.
  Acks run;
  for (std::size_t i = 0; i < acks.size();) {
    std::size_t j = i + 1;
    while (j < acks.size() && acks[j].tracker == acks[i].tracker) ++j;
    if (std::shared_ptr<AckTracker> tracker = acks[i].tracker) {  // held: the run may be its last owner
      run.assign(std::make_move_iterator(acks.begin() + static_cast<std::ptrdiff_t>(i)),
                 std::make_move_iterator(acks.begin() + static_cast<std::ptrdiff_t>(j)));
      tracker->released(run);
      run.clear();
    }
    i = j;
  }
}

}  // namespace sluice::runtime
