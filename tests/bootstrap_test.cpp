// The ZooKeeper gates of `bootstrap`: DC/OS 1.9's Exhibitor all-serving wait, later DC/OS's
// local mode wait, and the agents' kazoo session.
#include <catch2/catch.hpp>

#include "models/exhibitor/bootstrap.hpp"
#include "models/zookeeper/server.hpp"
#include "tests/exhibitor_world.hpp"

using namespace bootsim;
using bootsim::models::GateResult;
using bootsim::testing::ExhibitorWorld;

TEST_CASE("bootstrap 1.9: the all-serving gate fails while one master is down", "[bootstrap]") {
  ExhibitorWorld x(3);
  x.start_exhibitor_at(1, sim::SimTime::zero());
  x.start_exhibitor_at(2, sim::SimTime::zero());
  models::ExhibitorAllServingGate all(*x.w.ctx, *x.w.ensemble);
  models::ZooKeeperModeGate mode(*x.w.ctx, *x.w.ensemble);
  std::optional<GateResult> all_early, mode_early, all_before, mode_before, all_after;
  // Before any ZooKeeper runs: the local Exhibitor answers, ZooKeeper refuses.
  x.probe_at(all, 0, "dcos-spartan", sim::seconds(5), all_early);
  x.probe_at(mode, 0, "dcos-spartan", sim::seconds(5), mode_early);
  // A quorum (masters 1 and 2) serves, but master-3 is down: 1.9 waits, later DC/OS does not.
  x.probe_at(all, 0, "dcos-spartan", sim::seconds(100), all_before);
  x.probe_at(mode, 0, "dcos-spartan", sim::seconds(100), mode_before);
  x.start_exhibitor_at(3, sim::seconds(100));
  // Master-3's Exhibitor launches its ZooKeeper at 130 s and sees it serving at 160 s.
  x.probe_at(all, 1, "dcos-spartan", sim::seconds(170), all_after);
  x.w.engine.run_until(sim::seconds(200));
  INFO(x.w.dump());
  REQUIRE(all_early.has_value());
  CHECK_FALSE(all_early->ok);
  CHECK(all_early->reason == "exhibitor: 0 of 3 ZooKeeper serving, 0 leader(s)");
  REQUIRE(mode_early.has_value());
  CHECK_FALSE(mode_early->ok);
  CHECK(mode_early->reason == "srvr: connection refused");
  REQUIRE(all_before.has_value());
  CHECK_FALSE(all_before->ok);
  CHECK(all_before->reason == "exhibitor: 2 of 3 ZooKeeper serving, 1 leader(s)");
  REQUIRE(mode_before.has_value());
  CHECK(mode_before->ok);
  REQUIRE(mode_before->cause.has_value());
  CHECK(x.w.trace.at(*mode_before->cause).name() == "zookeeper.serving");
  CHECK(x.w.trace.at(*mode_before->cause).node() == "master-1");
  REQUIRE(all_after.has_value());
  CHECK(all_after->ok);
  REQUIRE(all_after->cause.has_value());
  CHECK(x.w.trace.at(*all_after->cause).node() == "master-3");
}

TEST_CASE("bootstrap: an agent's kazoo session needs a serving master", "[bootstrap]") {
  ExhibitorWorld x(3, /*agents=*/1);
  for (int m = 1; m <= 3; ++m) x.start_exhibitor_at(m, sim::SimTime::zero());
  models::ZooKeeperConnectGate gate(*x.w.ctx, *x.w.ensemble);
  std::optional<GateResult> early, late;
  sim::SimTime early_at, late_at;
  x.probe_at(gate, 3, "dcos-mesos-slave", sim::seconds(10), early, &early_at);
  x.probe_at(gate, 3, "dcos-mesos-slave", sim::seconds(40), late, &late_at);
  x.w.engine.run_until(sim::seconds(100));
  INFO(x.w.dump());
  REQUIRE(early.has_value());
  CHECK_FALSE(early->ok);
  CHECK(early_at == sim::seconds(10) + sim::seconds(15));  // bootstrap.kazoo_timeout
  REQUIRE(late.has_value());
  CHECK(late->ok);
  CHECK(late_at - sim::seconds(40) < sim::milliseconds(50));
  REQUIRE(late->cause.has_value());
  CHECK(x.w.trace.at(*late->cause).name() == "zookeeper.serving");
}

TEST_CASE("bootstrap: the mode gate accepts standalone with one master", "[bootstrap]") {
  ExhibitorWorld x(1);
  x.start_exhibitor_at(1, sim::SimTime::zero());
  models::ZooKeeperModeGate mode(*x.w.ctx, *x.w.ensemble);
  models::ExhibitorAllServingGate all(*x.w.ctx, *x.w.ensemble);
  std::optional<GateResult> m, a;
  x.probe_at(mode, 0, "dcos-mesos-master", sim::seconds(10), m);
  x.probe_at(all, 0, "dcos-mesos-master", sim::seconds(10), a);
  x.w.engine.run_until(sim::seconds(20));
  REQUIRE(m.has_value());
  CHECK(m->ok);
  REQUIRE(a.has_value());
  CHECK(a->ok);
}

// exhibitor.py wait(): a stash of zk.pid that matches the ZooKeeper still running passes without
// asking Exhibitor; a restarted ZooKeeper (a new zk.pid) does not match.
TEST_CASE("bootstrap 1.9: the zk.pid shortcut holds while the same ZooKeeper runs", "[bootstrap]") {
  ExhibitorWorld x(3);
  for (int m = 1; m <= 3; ++m) x.start_exhibitor_at(m, sim::SimTime::zero());
  models::ExhibitorAllServingGate all(*x.w.ctx, *x.w.ensemble);
  std::optional<GateResult> first, shortcut, no_stash, after_restart;
  // Every server serves: the wait passes on master-1 and stashes its ZooKeeper's zk.pid.
  x.probe_at(all, 0, "dcos-mesos-master", sim::seconds(100), first);
  // Master-3 goes down (its ZooKeeper with it): only 2 of 3 serve from then on.
  x.stop_exhibitor_at(3, sim::seconds(110));
  // Master-1's ZooKeeper is the one it stashed: the wait passes without the status GET.
  x.probe_at(all, 0, "dcos-marathon", sim::seconds(180), shortcut);
  // Master-2 has no stash: it asks Exhibitor and sees 2 of 3 serving.
  x.probe_at(all, 1, "dcos-marathon", sim::seconds(180), no_stash);
  // Master-1's ZooKeeper dies; its Exhibitor starts a new one (a new zk.pid).
  x.w.engine.schedule_at(sim::seconds(190), [&x] { x.w.ensemble->server(1).kill(); });
  std::uint64_t incarnation_before = 0;
  x.w.engine.schedule_at(sim::seconds(185), [&x, &incarnation_before] {
    incarnation_before = x.w.ensemble->server(1).incarnation();
  });
  x.probe_at(all, 0, "dcos-cosmos", sim::seconds(300), after_restart);
  x.w.engine.run_until(sim::seconds(320));
  INFO(x.w.dump());
  REQUIRE(first.has_value());
  CHECK(first->ok);
  REQUIRE(shortcut.has_value());
  CHECK(shortcut->ok);
  REQUIRE(no_stash.has_value());
  CHECK_FALSE(no_stash->ok);
  CHECK(no_stash->reason == "exhibitor: 2 of 3 ZooKeeper serving, 1 leader(s)");
  // The new ZooKeeper runs (so the wait was not failed by a dead one), yet no shortcut.
  CHECK(x.w.ensemble->server(1).incarnation() != incarnation_before);
  CHECK(x.w.ensemble->server(1).state() != models::ZooKeeperState::kDown);
  REQUIRE(after_restart.has_value());
  CHECK_FALSE(after_restart->ok);
  CHECK(after_restart->reason == "exhibitor: 2 of 3 ZooKeeper serving, 1 leader(s)");
}
