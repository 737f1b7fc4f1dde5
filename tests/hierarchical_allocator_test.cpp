// The hierarchical allocator on its own: the DRF offer sequence computed by hand, refuse filters,
// suppress/revive, reserved roles, and the random agent order.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "models/mesos/hierarchical_allocator.hpp"

using namespace bootsim;
using bootsim::models::mesos::Allocation;
using bootsim::models::mesos::HierarchicalAllocator;
using bootsim::models::mesos::Resources;

namespace {

// "framework:agent" for each allocation, in the order the allocator returns them.
std::vector<std::string> offers(const std::vector<Allocation>& allocations) {
  std::vector<std::string> out;
  for (const Allocation& a : allocations) out.push_back(a.framework + ":" + a.agent);
  return out;
}

const Resources kAgent{.cpus = 4, .mem = 4096};

HierarchicalAllocator three_agents_two_frameworks() {
  HierarchicalAllocator alloc({.allocation_interval = sim::seconds(1)});
  for (const char* s : {"S1", "S2", "S3"}) alloc.add_agent(s, "*", kAgent);
  alloc.add_framework("A", "*");
  alloc.add_framework("B", "*");
  return alloc;
}

}  // namespace

TEST_CASE("DRF: the offer sequence of three allocation rounds, computed by hand", "[allocator]") {
  HierarchicalAllocator alloc = three_agents_two_frameworks();
  const sim::SimTime t0{};
  // Round 1, agents in id order. S1: both at share 0 and 0 allocations, A by name. S2: A has
  // the whole pool (share 1), B 0 → B. S3: A and B at 1/2 with one allocation each → A by name.
  CHECK(offers(alloc.allocate(t0, nullptr)) == std::vector<std::string>{"A:S1", "A:S3", "B:S2"});
  CHECK(alloc.framework_share("A") == Approx(2.0 / 3));

  // A launches (1 cpu, 1024 MB) on S1, the rest back with the default 5 s filter, and declines
  // S3 for 5 s; B launches (3 cpus, 512 MB) on S2 and returns the rest without a filter.
  alloc.recover("A", "S1", {.cpus = 3, .mem = 3072}, t0, sim::seconds(5));
  alloc.recover("A", "S3", kAgent, t0, sim::seconds(5));
  alloc.recover("B", "S2", {.cpus = 1, .mem = 3584}, t0, sim::SimTime{});
  // The role's pool is (4 cpus, 1536 MB): A = max(1/4, 1024/1536) = 2/3, B = max(3/4, 1/3).
  CHECK(alloc.framework_share("A") == Approx(2.0 / 3));
  CHECK(alloc.framework_share("B") == Approx(3.0 / 4));

  // Round 2 at 1 s. S1: A sorts first but filters it → B (pool 7 cpus, 4608 MB: A 2/9, B 6/7).
  // S2: A, not filtered there → A (A 0.5625, B 0.75). S3: A first, filtered → B.
  const sim::SimTime t1 = sim::seconds(1);
  CHECK(offers(alloc.allocate(t1, nullptr)) == std::vector<std::string>{"A:S2", "B:S1", "B:S3"});
  // After the round the pool is the whole cluster: A (2 cpus, 4608 MB) = 4608/12288 = 0.375,
  // B (10 cpus, 7680 MB) = 10/12.
  CHECK(alloc.framework_share("A") == Approx(0.375));
  CHECK(alloc.framework_share("B") == Approx(10.0 / 12));

  // Everything declined: A refuses S2 for 10 s, B refuses S1 and S3 for 5 s.
  alloc.recover("A", "S2", {.cpus = 1, .mem = 3584}, t1, sim::seconds(10));
  alloc.recover("B", "S1", {.cpus = 3, .mem = 3072}, t1, sim::seconds(5));
  alloc.recover("B", "S3", kAgent, t1, sim::seconds(5));

  // Round 3 at 2 s: S1 and S3 are filtered by both; S2 only by A → B.
  CHECK(offers(alloc.allocate(sim::seconds(2), nullptr)) == std::vector<std::string>{"B:S2"});
  alloc.recover("B", "S2", {.cpus = 1, .mem = 3584}, sim::seconds(2), sim::SimTime{});

  // At 5 s A's filters on S1 and S3 have expired (B's last until 6 s): A gets both.
  CHECK(offers(alloc.allocate(sim::seconds(5), nullptr)) ==
        std::vector<std::string>{"A:S1", "A:S3", "B:S2"});
}

TEST_CASE("a refuse filter lasts at least one allocation interval", "[allocator]") {
  HierarchicalAllocator alloc({.allocation_interval = sim::seconds(2)});
  alloc.add_agent("S1", "*", kAgent);
  alloc.add_framework("A", "*");
  REQUIRE(offers(alloc.allocate(sim::SimTime{}, nullptr)) == std::vector<std::string>{"A:S1"});
  alloc.recover("A", "S1", kAgent, sim::SimTime{}, sim::milliseconds(100));
  CHECK(alloc.allocate(sim::seconds(1), nullptr).empty());
  CHECK(offers(alloc.allocate(sim::seconds(2), nullptr)) == std::vector<std::string>{"A:S1"});
}

TEST_CASE("a suppressed framework gets nothing, and revive clears its filters", "[allocator]") {
  HierarchicalAllocator alloc = three_agents_two_frameworks();
  alloc.suppress("A");
  CHECK(offers(alloc.allocate(sim::SimTime{}, nullptr)) ==
        std::vector<std::string>{"B:S1", "B:S2", "B:S3"});
  for (const char* s : {"S1", "S2", "S3"}) {
    alloc.recover("B", s, kAgent, sim::SimTime{}, sim::seconds(300));
  }
  CHECK(alloc.allocate(sim::seconds(1), nullptr).empty());
  alloc.revive("B");
  CHECK(offers(alloc.allocate(sim::seconds(2), nullptr)) ==
        std::vector<std::string>{"B:S1", "B:S2", "B:S3"});
}

TEST_CASE("a suppressed framework holds no filters, as none could filter again", "[allocator]") {
  HierarchicalAllocator alloc = three_agents_two_frameworks();
  REQUIRE(offers(alloc.allocate(sim::SimTime{}, nullptr)) ==
          std::vector<std::string>{"A:S1", "A:S3", "B:S2"});
  alloc.recover("A", "S1", kAgent, sim::SimTime{}, sim::seconds(300));
  alloc.recover("A", "S3", kAgent, sim::SimTime{}, sim::seconds(300));
  alloc.recover("B", "S2", kAgent, sim::SimTime{}, sim::seconds(300));
  CHECK(alloc.filtered_pairs() == 3);
  alloc.suppress("A");
  CHECK(alloc.filtered_pairs() == 1);  // B's
  // Revived, A filters nothing (REVIVE would have cleared them); B's filter on S2 holds.
  alloc.revive("A");
  CHECK(offers(alloc.allocate(sim::seconds(1), nullptr)) ==
        std::vector<std::string>{"A:S2", "B:S1", "B:S3"});
}

TEST_CASE("deactivating a framework clears its filters, as deactivateFramework does",
          "[allocator]") {
  HierarchicalAllocator alloc = three_agents_two_frameworks();
  alloc.remove_framework("B");
  REQUIRE(offers(alloc.allocate(sim::SimTime{}, nullptr)) ==
          std::vector<std::string>{"A:S1", "A:S2", "A:S3"});
  for (const char* s : {"S1", "S2", "S3"}) {
    alloc.recover("A", s, kAgent, sim::SimTime{}, sim::seconds(300));
  }
  CHECK(alloc.allocate(sim::seconds(1), nullptr).empty());
  alloc.set_framework_active("A", false);
  CHECK(alloc.allocate(sim::seconds(2), nullptr).empty());  // inactive: not offered
  alloc.set_framework_active("A", true);
  CHECK(offers(alloc.allocate(sim::seconds(3), nullptr)) ==
        std::vector<std::string>{"A:S1", "A:S2", "A:S3"});
}

TEST_CASE("resources reserved for slave_public go only to that role", "[allocator]") {
  HierarchicalAllocator alloc({});
  alloc.add_agent("private", "*", kAgent);
  alloc.add_agent("public", "slave_public", kAgent);
  alloc.add_framework("kafka", "*");
  CHECK(offers(alloc.allocate(sim::SimTime{}, nullptr)) ==
        std::vector<std::string>{"kafka:private"});
  alloc.add_framework("marathon", "slave_public");
  CHECK(offers(alloc.allocate(sim::SimTime{}, nullptr)) ==
        std::vector<std::string>{"marathon:public"});
  CHECK(alloc.role_share("slave_public") == Approx(0.5));
}

TEST_CASE("an inactive agent is not offered, nor less than the minimum", "[allocator]") {
  HierarchicalAllocator alloc({});
  alloc.add_agent("S1", "*", kAgent);
  alloc.add_agent("S2", "*", {.cpus = 0.001, .mem = 16});
  alloc.add_framework("A", "*");
  alloc.set_agent_active("S1", false);
  CHECK(alloc.allocate(sim::SimTime{}, nullptr).empty());
  alloc.set_agent_active("S1", true);
  const std::set<std::string> only{"S1"};
  CHECK(offers(alloc.allocate(sim::SimTime{}, nullptr, &only)) == std::vector<std::string>{"A:S1"});
}

TEST_CASE("agents are visited in the order the stream shuffles them", "[allocator]") {
  auto order = [](std::uint64_t seed) {
    HierarchicalAllocator alloc({});
    for (int i = 0; i < 8; ++i) alloc.add_agent("S" + std::to_string(i), "*", kAgent);
    alloc.add_framework("A", "*");
    alloc.add_framework("B", "*");
    sim::RandomStream rng(seed, "allocator");
    std::vector<std::string> got;
    // With two equal frameworks, who gets which agent shows the visiting order.
    for (const Allocation& a : alloc.allocate(sim::SimTime{}, &rng)) {
      if (a.framework == "A") got.push_back(a.agent);
    }
    return got;
  };
  CHECK(order(1) == order(1));
  CHECK(order(1).size() == 4);
  std::set<std::vector<std::string>> distinct;
  for (std::uint64_t s = 1; s <= 8; ++s) distinct.insert(order(s));
  CHECK(distinct.size() > 1);
}

TEST_CASE("an event-driven allocation visits only its candidates, in id order", "[allocator]") {
  HierarchicalAllocator alloc = three_agents_two_frameworks();
  alloc.add_agent("S4", "*", kAgent);
  alloc.set_agent_active("S4", false);
  // S2 is not a candidate, S4 is inactive, S9 is unknown. S1 first: A and B tie, A by name;
  // then S3: A holds the whole pool, B nothing → B.
  const std::set<std::string> candidates{"S3", "S1", "S4", "S9"};
  CHECK(offers(alloc.allocate(sim::SimTime{}, nullptr, &candidates)) ==
        std::vector<std::string>{"A:S1", "B:S3"});
  CHECK(alloc.available("S2") == kAgent);
}

TEST_CASE("the role order follows the cluster's total as agents come and go", "[allocator]") {
  // A role's share is of the cluster's total, so adding or removing an agent can reorder the
  // roles between two allocations. S0 is reserved for a role without frameworks: visiting it
  // sorts the roles and allocates nothing. r1 holds 2 cpus, r2 300 MB.
  HierarchicalAllocator alloc({});
  alloc.add_agent("S0", "r3", {.cpus = 1, .mem = 1});
  alloc.add_agent("S1", "*", {.cpus = 10, .mem = 1000});
  alloc.set_agent_active("S1", false);
  alloc.add_framework("A", "r1", {.cpus = 2});
  alloc.add_framework("B", "r2", {.mem = 300});
  // Total (11 cpus, 1001 MB): r1 2/11 = 0.18, r2 300/1001 = 0.30.
  CHECK(alloc.allocate(sim::SimTime{}, nullptr).empty());
  CHECK(alloc.role_share("r1") < alloc.role_share("r2"));

  SECTION("an agent added") {
    // Total (12 cpus, 11001 MB): r1 2/12 = 0.17, r2 300/11001 = 0.03 → B first.
    alloc.add_agent("S2", "*", {.cpus = 1, .mem = 10000});
    CHECK(offers(alloc.allocate(sim::seconds(1), nullptr)) == std::vector<std::string>{"B:S2"});
  }
  SECTION("an agent removed") {
    alloc.add_agent("S2", "*", {.cpus = 1, .mem = 10000});
    alloc.set_agent_active("S2", false);
    CHECK(alloc.allocate(sim::seconds(1), nullptr).empty());  // B ahead of A now
    // Back to (11 cpus, 1001 MB) → A first.
    alloc.remove_agent("S2");
    alloc.set_agent_active("S1", true);
    CHECK(offers(alloc.allocate(sim::seconds(2), nullptr)) == std::vector<std::string>{"A:S1"});
  }
}

TEST_CASE("the DRF order is sorted again after each change it depends on", "[allocator]") {
  // Visiting S0 (reserved for a role without frameworks) sorts the frameworks and allocates
  // nothing; each section changes one thing after such a visit, then offers S1.
  HierarchicalAllocator alloc({});
  alloc.add_agent("S0", "r3", {.cpus = 1, .mem = 1});
  alloc.add_agent("S1", "*", kAgent);
  alloc.add_framework("A", "*");
  alloc.add_framework("B", "*", {.cpus = 1});
  const std::set<std::string> s0{"S0"};
  const std::set<std::string> s1{"S1"};
  const auto visit_s0 = [&] { CHECK(alloc.allocate(sim::SimTime{}, nullptr, &s0).empty()); };
  const auto offer_s1 = [&] { return offers(alloc.allocate(sim::SimTime{}, nullptr, &s1)); };
  visit_s0();  // the pool is B's 1 cpu: A 0, B 1 → A first

  SECTION("resources recovered") {
    REQUIRE(offer_s1() == std::vector<std::string>{"A:S1"});
    visit_s0();  // pool (5 cpus, 4096 MB): A 1, B 0.2 → B first
    alloc.recover("A", "S1", kAgent, sim::SimTime{});
    CHECK(offer_s1() == std::vector<std::string>{"A:S1"});  // A 0 again
  }
  SECTION("a framework deactivated") {
    alloc.set_framework_active("A", false);
    CHECK(offer_s1() == std::vector<std::string>{"B:S1"});
  }
  SECTION("a framework reactivated") {
    alloc.set_framework_active("A", false);
    visit_s0();
    alloc.set_framework_active("A", true);
    CHECK(offer_s1() == std::vector<std::string>{"A:S1"});
  }
  SECTION("a framework suppressed") {
    alloc.suppress("A");
    CHECK(offer_s1() == std::vector<std::string>{"B:S1"});
  }
  SECTION("a framework revived") {
    alloc.suppress("A");
    visit_s0();
    alloc.revive("A");
    CHECK(offer_s1() == std::vector<std::string>{"A:S1"});
  }
  SECTION("a framework removed") {
    alloc.remove_framework("A");
    CHECK(offer_s1() == std::vector<std::string>{"B:S1"});
  }
}

TEST_CASE("an agent or a framework removed and added again under its id is the new one",
          "[allocator]") {
  HierarchicalAllocator alloc({});
  alloc.add_agent("S0", "*", kAgent);
  alloc.add_framework("A", "*");
  // Another agent and framework in between, which may take the memory of the removed ones.
  alloc.remove_agent("S0");
  alloc.add_agent("S9", "r9", {.cpus = 8, .mem = 1});
  alloc.add_agent("S0", "*", {.cpus = 2, .mem = 2048});
  alloc.remove_framework("A");
  alloc.add_framework("Z", "r9");
  alloc.suppress("Z");
  alloc.add_framework("A", "r1");
  // S0 has the resources it was added with the second time; A is in its new role's pool.
  const std::vector<Allocation> out = alloc.allocate(sim::SimTime{}, nullptr);
  REQUIRE(offers(out) == std::vector<std::string>{"A:S0"});
  CHECK(out[0].resources.cpus == 2);
  CHECK(alloc.available("S0").cpus == 0);
  CHECK(alloc.allocated("A").mem == 2048);
  CHECK(alloc.framework_share("A") == 1);
  CHECK(alloc.role_share("r1") == Approx(2048.0 / 2049));  // S9 counts in the total
  CHECK(alloc.available("S9").cpus == 8);
  CHECK(alloc.allocated("Z").mem == 0);
}
