// Exhibitor: config, first check, supervision of ZooKeeper, cluster status.
#include <catch2/catch.hpp>

#include "tests/exhibitor_world.hpp"

using namespace bootsim;
using bootsim::models::InstanceState;
using bootsim::testing::ExhibitorWorld;

namespace {
constexpr sim::SimTime kCheck = sim::seconds(30);          // exhibitor.check-ms in DC/OS
constexpr sim::SimTime kExhibitorStart = sim::seconds(1);  // zookeeper.server_start in these tests
// A check that finds ZooKeeper down ends after a refused connect (SYN, RST: 2 x 100 us); one
// that gets an answer after SYN, SYN-ACK, srvr, reply (4 x 100 us).
constexpr sim::SimTime kRefusedCheck = sim::microseconds(200);
constexpr sim::SimTime kAnsweredCheck = sim::microseconds(400);
}  // namespace

TEST_CASE("exhibitor: starts at once, launches ZooKeeper at its first check", "[exhibitor]") {
  ExhibitorWorld x(3);
  for (int m = 1; m <= 3; ++m) x.start_exhibitor_at(m, sim::seconds(2));
  x.w.engine.run_until(sim::seconds(100));
  INFO(x.w.dump());
  REQUIRE(x.control.started.size() == 3);
  CHECK(x.control.started[0] == "static ensemble 1:master-1,2:master-2,3:master-3");
  // RepeatingActivityImpl queues the first check one period after start.
  REQUIRE(x.w.times("zookeeper.started") ==
          std::vector<sim::SimTime>(3, sim::seconds(2) + kCheck + kRefusedCheck + kExhibitorStart));
  REQUIRE(x.w.times("zookeeper.quorum").size() == 1);
  CHECK(x.w.times("zookeeper.quorum")[0] < sim::seconds(2) + kCheck + sim::seconds(3));
  // The second check (at 62 s) sees it serving.
  for (int m = 1; m <= 3; ++m) {
    CHECK(x.exhibitors[m - 1]->instance_state() == InstanceState::kServing);
    CHECK(x.exhibitors[m - 1]->restart_count() == 1);  // the first launch
  }
  CHECK(x.exhibitors[2]->is_leader());
}

TEST_CASE("exhibitor: restarts a ZooKeeper that stays not serving for 40 s", "[exhibitor]") {
  ExhibitorWorld x(3);
  x.start_exhibitor_at(1, sim::SimTime::zero());  // alone: its ZooKeeper never gets a quorum
  x.w.engine.run_until(sim::seconds(200));
  INFO(x.w.dump());
  // 30 s: DOWN -> launch. 60 s: NOT_SERVING (a change). 90 s: 30 s of it, wait. 120 s: 60 s
  // > 2·2 s·max(10, 5) = 40 s -> restart, and the timestamp is reset. 150 s: wait. 180 s:
  // 60 s again -> restart.
  REQUIRE(x.w.times("zookeeper.started") ==
          std::vector<sim::SimTime>{kCheck + kRefusedCheck + kExhibitorStart,
                                    kCheck * 4 + kAnsweredCheck + kExhibitorStart,
                                    kCheck * 6 + kAnsweredCheck + kExhibitorStart});
  CHECK(x.exhibitors[0]->restart_count() == 3);
  CHECK(x.exhibitors[0]->instance_state() == InstanceState::kNotServing);
}

TEST_CASE("exhibitor: its ZooKeeper dies with it", "[exhibitor]") {
  ExhibitorWorld x(3);
  for (int m = 1; m <= 3; ++m) x.start_exhibitor_at(m, sim::SimTime::zero());
  x.stop_exhibitor_at(3, sim::seconds(40));
  x.w.engine.run_until(sim::seconds(45));
  INFO(x.w.dump());
  CHECK(x.w.zk(3).state() == models::ZooKeeperState::kDown);
  // The leader went with it: the other two elect again (sid 2, epoch 2).
  REQUIRE(x.w.details("zookeeper.quorum").size() == 2);
  CHECK(x.w.details("zookeeper.quorum")[1] == "leader master-2, epoch 2");
}

TEST_CASE("exhibitor: one master checks every 2 s", "[exhibitor]") {
  ExhibitorWorld x(1);
  x.start_exhibitor_at(1, sim::SimTime::zero());
  x.w.engine.run_until(sim::seconds(10));
  REQUIRE(x.w.times("zookeeper.serving") ==
          std::vector<sim::SimTime>{sim::seconds(2) + kRefusedCheck + kExhibitorStart});
  CHECK(x.exhibitors[0]->instance_state() == InstanceState::kServing);
  CHECK(x.exhibitors[0]->is_leader());
}
