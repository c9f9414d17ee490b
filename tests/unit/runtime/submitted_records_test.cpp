#include <catch2/catch.hpp>

#include "runtime/submitted_records.h"

using namespace sluice;
using namespace sluice::runtime;

TEST_CASE("Only an acknowledged prefix per partition is committable", "[offsets]") {
  SubmittedRecords records;
  SourcePartition a{{"file", Value("a")}};
  SourcePartition b{{"file", Value("b")}};
  auto a1 = records.submit(a, {{"position", Value(std::int64_t{10})}});
  auto b1 = records.submit(b, {{"position", Value(std::int64_t{5})}});
  auto a2 = records.submit(a, {{"position", Value(std::int64_t{20})}});
  records.acknowledge(a2);
  records.acknowledge(b1);
  auto first = records.drain_committable();
  // a2 is acked but a1 is not: nothing for a. b1 is committable on its own.
  REQUIRE(first.count(a) == 0);
  REQUIRE(first.at(b).at("position") == Value(std::int64_t{5}));
  records.acknowledge(a1);
  auto second = records.drain_committable();
  REQUIRE(second.at(a).at("position") == Value(std::int64_t{20}));
  REQUIRE(records.pending() == 0);
}

TEST_CASE("Acknowledgements after close() are ignored", "[offsets]") {
  SubmittedRecords records;
  SourcePartition p{{"k", Value("v")}};
  auto s = records.submit(p, {{"o", Value(std::int64_t{1})}});
  records.close();
  records.acknowledge(s);
  REQUIRE(records.drain_committable().empty());
}

TEST_CASE("Records without a source partition are never committed", "[offsets]") {
  SubmittedRecords records;
  auto s = records.submit(SourcePartition{}, {});
  records.acknowledge(s);
  REQUIRE(records.drain_committable().empty());
  REQUIRE(records.pending() == 0);
}

TEST_CASE("A record with an empty offset is waited for but is no commit point", "[offsets]") {
  SubmittedRecords records;
  SourcePartition p{{"k", Value("v")}};
  auto r1 = records.submit(p, {});
  auto r2 = records.submit(p, {});
  auto r3 = records.submit(p, {{"o", Value(std::int64_t{3})}});
  auto r4 = records.submit(p, {});
  records.acknowledge(r2);
  records.acknowledge(r3);
  // r1 is not acknowledged: r3's offset would cover it, so nothing is committable.
  REQUIRE(records.drain_committable().empty());
  records.acknowledge(r1);
  records.acknowledge(r4);
  // r4 is the newest acknowledged record, but it has no offset: r3's is the one to commit.
  auto committed = records.drain_committable();
  REQUIRE(committed.at(p).at("o") == Value(std::int64_t{3}));
  REQUIRE(records.pending() == 0);
  // Nothing new: the empty-offset record does not commit r3's offset again.
  auto r5 = records.submit(p, {});
  records.acknowledge(r5);
  REQUIRE(records.drain_committable().empty());
}
