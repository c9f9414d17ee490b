#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "runtime/bus/embedded_bus.h"
#include "runtime/submitted_records.h"
#include "support/eventually.h"

using namespace sluice;
using namespace sluice::runtime;
using namespace std::chrono_literals;

namespace {
struct CountingTracker : AckTracker {
  std::atomic<int> acked{0};
  std::atomic<std::uint64_t> last{0};
  void acknowledge(std::uint64_t seq) override {
    ++acked;
    last = seq;
  }
};

BusMessage message(const std::string& topic, const std::string& value, std::shared_ptr<AckTracker> tracker = nullptr,
                   std::uint64_t seq = 0) {
  BusMessage m;
  m.topic = topic;
  m.value = Bytes(value.begin(), value.end());
  m.tracker = std::move(tracker);
  m.sequence = seq;
  return m;
}

std::vector<BusMessage> batch(std::initializer_list<BusMessage> ms) {
  std::vector<BusMessage> v;
  for (const auto& m : ms) v.push_back(m);
  return v;
}

const auto kNever = [] { return false; };

const std::string kHeartbeats = R"(__debezium-heartbeat\..*)";  // the worker's default

// A source task's records as WorkerSourceTask sends them: one partition, offsets 1, 2, 3, ...
struct Source {
  std::shared_ptr<SubmittedRecords> submitted = std::make_shared<SubmittedRecords>();
  SourcePartition partition{{"server", Value("pg")}};
  std::int64_t next = 1;

  BusMessage record(const std::string& topic) {
    std::uint64_t seq = submitted->submit(partition, SourceOffset{{"lsn", Value(next++)}});
    return message(topic, "v", submitted, seq);
  }
  // The newest offset that may be committed now, or 0.
  std::int64_t committable() {
    auto offsets = submitted->drain_committable();
    return offsets.empty() ? 0 : offsets.at(partition).at("lsn").as_int64();
  }
};

std::string value_of(const ConsumedMessage& c) {
  return std::string(c.message->value->begin(), c.message->value->end());
}
}  // namespace

TEST_CASE("Messages reach the group whose subscription matches, in order", "[bus]") {
  EmbeddedBus bus(1 << 20);
  bus.subscribe("connect-sink", Subscription{{}, "orders\\..*"});
  bus.join("connect-sink", 0);
  auto first = bus.poll("connect-sink", 0, 10, 10ms);
  REQUIRE(first.new_assignment);
  REQUIRE(first.new_assignment->empty());

  auto b = batch({message("orders.eu", "a"), message("orders.eu", "b"), message("other", "x")});
  REQUIRE(bus.send(b, kNever) == 3);
  auto assigned = bus.poll("connect-sink", 0, 10, 10ms);
  REQUIRE(assigned.new_assignment);
  REQUIRE(assigned.new_assignment->size() == 1);
  REQUIRE(assigned.new_assignment->at(0).topic == "orders.eu");
  auto polled = bus.poll("connect-sink", 0, 10, 10ms);
  REQUIRE(polled.messages.size() == 2);
  REQUIRE(value_of(polled.messages[0]) == "a");
  REQUIRE(polled.messages[0].offset == 0);
  REQUIRE(value_of(polled.messages[1]) == "b");
  REQUIRE(polled.messages[1].offset == 1);
}

TEST_CASE("A message is acknowledged only when every reading group committed past it", "[bus]") {
  EmbeddedBus bus(1 << 20);
  bus.subscribe("connect-a", Subscription{{"t"}, ""});
  bus.subscribe("connect-b", Subscription{{"t"}, ""});
  auto tracker = std::make_shared<CountingTracker>();
  auto b = batch({message("t", "1", tracker, 7)});
  bus.send(b, kNever);
  bus.commit("connect-a", {{{"t", 0}, 1}});
  REQUIRE(tracker->acked == 0);
  REQUIRE(bus.topics().at("t").end_offset == 1);
  bus.commit("connect-b", {{{"t", 0}, 1}});
  REQUIRE(tracker->acked == 1);
  REQUIRE(tracker->last == 7);
  REQUIRE(bus.topics().at("t").start_offset == 1);
}

TEST_CASE("Messages of a topic nobody reads wait; a later group reads them from the start", "[bus]") {
  EmbeddedBus bus(1 << 20);
  auto tracker = std::make_shared<CountingTracker>();
  auto b = batch({message("lonely", "x", tracker, 1), message("lonely", "y", tracker, 2)});
  bus.send(b, kNever);
  REQUIRE(tracker->acked == 0);
  bus.subscribe("connect-late", Subscription{{"lonely"}, ""});
  bus.join("connect-late", 0);
  REQUIRE(bus.poll("connect-late", 0, 10, 10ms).new_assignment);
  auto polled = bus.poll("connect-late", 0, 10, 10ms);
  REQUIRE(polled.messages.size() == 2);
  bus.commit("connect-late", {{{"lonely", 0}, 2}});
  REQUIRE(tracker->acked == 2);
}

TEST_CASE("A full topic makes send() wait until a commit makes room, dropping nothing", "[bus]") {
  EmbeddedBus bus(400);  // room for a few messages only
  bus.subscribe("connect-s", Subscription{{"t"}, ""});
  std::vector<BusMessage> many;
  for (int i = 0; i < 20; ++i) many.push_back(message("t", std::string(50, 'a' + i % 26)));
  std::atomic<std::size_t> sent{0};
  std::thread producer([&] { sent = bus.send(many, kNever); });
  REQUIRE(sluice::testing::eventually([&] { return bus.topics()["t"].end_offset > 0; }));
  std::this_thread::sleep_for(50ms);
  REQUIRE(bus.topics()["t"].end_offset < 20);  // stalled: over budget
  REQUIRE(sent == 0);
  std::int64_t committed = 0;
  while (committed < 20) {
    REQUIRE(sluice::testing::eventually([&] { return bus.topics()["t"].end_offset > committed; }));
    committed = bus.topics()["t"].end_offset;
    bus.commit("connect-s", {{{"t", 0}, committed}});
  }
  producer.join();
  REQUIRE(sent == 20);
}

TEST_CASE("send() gives up on a full topic when cancelled", "[bus]") {
  EmbeddedBus bus(200);
  std::vector<BusMessage> many;
  for (int i = 0; i < 10; ++i) many.push_back(message("t", std::string(100, 'x')));
  std::atomic<bool> cancel{false};
  std::size_t sent = 99;
  std::thread producer([&] { sent = bus.send(many, [&] { return cancel.load(); }); });
  std::this_thread::sleep_for(50ms);
  cancel = true;
  producer.join();
  REQUIRE(sent < 10);
  REQUIRE(bus.topics()["t"].end_offset == static_cast<std::int64_t>(sent));
}

TEST_CASE("Topics are spread over a group's members, and a leaving member's topics move", "[bus]") {
  EmbeddedBus bus(1 << 20);
  bus.subscribe("g", Subscription{{"t1", "t2"}, ""});
  bus.join("g", 0);
  bus.join("g", 1);
  auto a0 = bus.poll("g", 0, 10, 10ms).new_assignment;
  auto a1 = bus.poll("g", 1, 10, 10ms).new_assignment;
  REQUIRE(a0);
  REQUIRE(a1);
  REQUIRE(a0->size() == 1);
  REQUIRE(a1->size() == 1);
  REQUIRE(a0->at(0).topic != a1->at(0).topic);
  bus.leave("g", 1);
  auto again = bus.poll("g", 0, 10, 10ms).new_assignment;
  REQUIRE(again);
  REQUIRE(again->size() == 2);
}

TEST_CASE("wakeup() makes a waiting poll return", "[bus]") {
  EmbeddedBus bus(1 << 20);
  bus.subscribe("g", Subscription{{"t"}, ""});
  bus.join("g", 0);
  bus.poll("g", 0, 10, 10ms);
  auto started = std::chrono::steady_clock::now();
  std::thread waker([&] {
    std::this_thread::sleep_for(50ms);
    bus.wakeup("g", 0);
  });
  auto r = bus.poll("g", 0, 10, 10s);
  waker.join();
  REQUIRE(r.messages.empty());
  REQUIRE(std::chrono::steady_clock::now() - started < 5s);
}

TEST_CASE("Removing a group releases what only it held back", "[bus]") {
  EmbeddedBus bus(1 << 20);
  bus.subscribe("keep", Subscription{{"t"}, ""});
  bus.subscribe("gone", Subscription{{"t"}, ""});
  auto tracker = std::make_shared<CountingTracker>();
  auto b = batch({message("t", "1", tracker, 1)});
  bus.send(b, kNever);
  bus.commit("keep", {{{"t", 0}, 1}});
  REQUIRE(tracker->acked == 0);
  bus.remove_group("gone");
  REQUIRE(tracker->acked == 1);
}

TEST_CASE("A reader that holds back a filling topic is asked to commit soon", "[bus]") {
  std::string value(100, 'v');
  std::size_t per_message = message("t", value).size_bytes();
  EmbeddedBus bus(per_message * 10);
  bus.subscribe("connect-sink", Subscription{{"t"}, ""});
  bus.join("connect-sink", 0);
  REQUIRE(bus.poll("connect-sink", 0, 10, 10ms).new_assignment);

  auto few = batch({message("t", value), message("t", value), message("t", value)});
  bus.send(few, kNever);
  auto light = bus.poll("connect-sink", 0, 10, 10ms);
  REQUIRE(light.messages.size() == 3);
  REQUIRE_FALSE(light.commit_soon);  // under half full: the periodic commit is soon enough

  auto more = batch({message("t", value), message("t", value), message("t", value)});
  bus.send(more, kNever);
  auto heavy = bus.poll("connect-sink", 0, 10, 10ms);
  REQUIRE(heavy.messages.size() == 3);
  REQUIRE(heavy.commit_soon);  // six of ten slots used, all read and none committed

  bus.commit("connect-sink", {{{"t", 0}, 6}});
  auto refill = batch({message("t", value)});
  bus.send(refill, kNever);
  REQUIRE_FALSE(bus.poll("connect-sink", 0, 10, 10ms).commit_soon);
}

TEST_CASE("Records to an ephemeral topic nobody reads are acked at once and hold back no commit", "[bus]") {
  EmbeddedBus bus(1 << 20, kHeartbeats);
  bus.subscribe("connect-sink", Subscription{{"pg.public.t"}, ""});
  Source source;
  auto b = batch({source.record("pg.public.t"), source.record("__debezium-heartbeat.pg"),
                  source.record("pg.public.t")});
  REQUIRE(bus.send(b, kNever) == 3);
  auto heartbeats = bus.topics().at("__debezium-heartbeat.pg");
  REQUIRE(heartbeats.end_offset == 1);  // it was sent ...
  REQUIRE(heartbeats.start_offset == 1);  // ... and is not kept
  REQUIRE(heartbeats.bytes == 0);
  REQUIRE(source.committable() == 0);  // the first data record is not flushed yet
  bus.commit("connect-sink", {{{"pg.public.t", 0}, 1}});
  REQUIRE(source.committable() == 2);  // up to the heartbeat: it does not wait for a reader
  bus.commit("connect-sink", {{{"pg.public.t", 0}, 2}});
  REQUIRE(source.committable() == 3);

  // An idle database sends only heartbeats: each is committable at once.
  auto idle = batch({source.record("__debezium-heartbeat.pg")});
  bus.send(idle, kNever);
  REQUIRE(source.committable() == 4);
}

TEST_CASE("A topic that does not match the ephemeral regex still waits for a reader", "[bus]") {
  EmbeddedBus bus(1 << 20, kHeartbeats);
  bus.subscribe("connect-sink", Subscription{{"pg.public.t"}, ""});
  Source source;
  auto b = batch({source.record("pg.public.t"), source.record("unread"), source.record("pg.public.t")});
  bus.send(b, kNever);
  bus.commit("connect-sink", {{{"pg.public.t", 0}, 2}});
  REQUIRE(source.committable() == 1);  // held back by the record nobody read
  REQUIRE(bus.topics().at("unread").end_offset - bus.topics().at("unread").start_offset == 1);

  // Without a regex (the bus's default) a heartbeat topic is an ordinary one too.
  EmbeddedBus plain(1 << 20);
  Source other;
  auto hb = batch({other.record("__debezium-heartbeat.pg")});
  plain.send(hb, kNever);
  REQUIRE(other.committable() == 0);
  REQUIRE(plain.topics().at("__debezium-heartbeat.pg").start_offset == 0);
}

TEST_CASE("An ephemeral topic a sink reads delivers and acks like any topic", "[bus]") {
  EmbeddedBus bus(1 << 20, kHeartbeats);
  bus.subscribe("connect-heartbeats", Subscription{{}, "__debezium-heartbeat\\..*"});
  bus.join("connect-heartbeats", 0);
  REQUIRE(bus.poll("connect-heartbeats", 0, 10, 10ms).new_assignment);
  auto tracker = std::make_shared<CountingTracker>();
  auto b = batch({message("__debezium-heartbeat.pg", "h1", tracker, 1)});
  bus.send(b, kNever);
  REQUIRE(tracker->acked == 0);  // kept for its reader
  auto assigned = bus.poll("connect-heartbeats", 0, 10, 10ms);
  REQUIRE(assigned.new_assignment);
  REQUIRE(assigned.new_assignment->at(0).topic == "__debezium-heartbeat.pg");
  auto polled = bus.poll("connect-heartbeats", 0, 10, 10ms);
  REQUIRE(polled.messages.size() == 1);
  REQUIRE(value_of(polled.messages[0]) == "h1");
  bus.commit("connect-heartbeats", {{{"__debezium-heartbeat.pg", 0}, 1}});
  REQUIRE(tracker->acked == 1);
}

TEST_CASE("When its last reader goes, an ephemeral topic releases what it kept", "[bus]") {
  EmbeddedBus bus(1 << 20, kHeartbeats);
  auto tracker = std::make_shared<CountingTracker>();
  SECTION("the reading connector is deleted") {
    bus.subscribe("connect-reader", Subscription{{"__debezium-heartbeat.pg"}, ""});
    auto b = batch({message("__debezium-heartbeat.pg", "h1", tracker, 1)});
    bus.send(b, kNever);
    REQUIRE(tracker->acked == 0);
    bus.remove_group("connect-reader");
    REQUIRE(tracker->acked == 1);
  }
  SECTION("the reading connector's topics change") {
    bus.subscribe("connect-reader", Subscription{{}, "__debezium-heartbeat\\..*"});
    auto b = batch({message("__debezium-heartbeat.pg", "h1", tracker, 1)});
    bus.send(b, kNever);
    REQUIRE(tracker->acked == 0);
    bus.subscribe("connect-reader", Subscription{{"pg.public.t"}, ""});
    REQUIRE(tracker->acked == 1);
  }
  auto later = batch({message("__debezium-heartbeat.pg", "h2", tracker, 2)});
  bus.send(later, kNever);
  REQUIRE(tracker->acked == 2);  // and passes what follows straight through
  REQUIRE(bus.topics().at("__debezium-heartbeat.pg").bytes == 0);
}
