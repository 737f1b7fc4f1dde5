// Marathon (models/dcos/marathon.hpp) and the install path (models/dcos/cosmos.hpp) in whole
// runs: leadership offered 0.5 s after the latch, the state loaded before the driver starts,
// ZooKeeper trouble while leading exits the process (no doubled backoff after the restart),
// reconciliation 15 s after election and every 600 s, and services' schedulers launched only
// once Cosmos, behind Admin Router, installed them.
#include <catch2/catch.hpp>

#include <string>

#include "models/scenario/fault_spec.hpp"
#include "tests/printers.hpp"
#include "tests/run_helpers.hpp"

using namespace bootsim;
using bootsim::testing::events;
using bootsim::testing::first_with;
using bootsim::testing::records;
using bootsim::testing::run_text;

namespace {

constexpr const char* kMarathonCluster = R"yaml(
name: marathon
profile: dcos-1.9
seed: 13
until: 40m
cluster: {masters: 3, agents: {private: 2, public: 1}}
services:
  - {name: kafka, start: "constant(10s)", instances: 1, cpus: 1, mem: 1024}
)yaml";

}  // namespace

TEST_CASE("Marathon leads 0.5 s after it holds the latch and loads its state first", "[marathon]") {
  const models::RunResult r = run_text(kMarathonCluster, {});
  REQUIRE(r.violations.empty());
  const auto started = records(r, "scheduler.started", "marathon");
  REQUIRE(started.size() == 1);
  const std::string leader(started[0]->detail().substr(std::string("leader on ").size()));
  const auto latch = records(r, "latch_acquired", leader);
  REQUIRE(latch.size() == 1);
  CHECK(started[0]->time - latch[0]->time == sim::milliseconds(500));
  const auto loaded = records(r, "state_loaded", leader);
  REQUIRE(loaded.size() == 1);
  const auto detected = records(r, "scheduler.detected_leader", "marathon");
  REQUIRE(detected.size() == 1);
  CHECK(loaded[0]->time > started[0]->time);  // a ZooKeeper read
  CHECK(detected[0]->time >= loaded[0]->time);
  // Only the leader holds the latch: no other Marathon offered leadership.
  CHECK(records(r, "latch_acquired").size() == 1);
}

TEST_CASE("Marathon reconciles 15 s after election, then every 600 s", "[marathon]") {
  // A fault at 25 minutes keeps the run going past cluster.ready.
  models::RunOptions o;
  auto f = models::parse_fault_line("kind=crash target=agent-2/mesos-slave at=25m",
                                    models::SourceLocation{});
  if (auto* e = std::get_if<models::InputError>(&f)) FAIL(e->format());
  o.faults.push_back(std::get<models::FaultSpec>(f));
  const models::RunResult r = run_text(kMarathonCluster, {}, o);
  const auto started = records(r, "scheduler.started", "marathon");
  REQUIRE(started.size() == 1);
  const std::string leader(started[0]->detail().substr(std::string("leader on ").size()));
  const auto reconciles = records(r, "reconcile", leader);
  REQUIRE(reconciles.size() >= 2);
  CHECK(reconciles[0]->time - started[0]->time == sim::seconds(15));
  CHECK(reconciles[1]->time - reconciles[0]->time == sim::seconds(600));
  if (reconciles.size() >= 3) CHECK(reconciles[2]->time - reconciles[1]->time == sim::seconds(600));
}

TEST_CASE("a service's scheduler is launched only after Cosmos installed it through Admin Router",
          "[marathon][dcos]") {
  const models::RunResult r = run_text(kMarathonCluster, {});
  REQUIRE(r.violations.empty());
  const auto installed = records(r, "package_installed");
  REQUIRE(installed.size() == 1);
  const std::string master(installed[0]->node());
  std::vector<const sim::TraceRecord*> serving;
  for (const sim::TraceRecord* rec : records(r, "serving", master)) {
    if (rec->component() == "cosmos") serving.push_back(rec);
  }
  const auto router = records(r, "adminrouter.started", master);
  REQUIRE(!serving.empty());
  REQUIRE(!router.empty());
  CHECK(installed[0]->time >= serving[0]->time);
  CHECK(installed[0]->time >= router[0]->time);
  const sim::TraceRecord& launch = first_with(r, "launch", "marathon", "kafka-scheduler ");
  CHECK(launch.time > installed[0]->time);
  // Cosmos coming later moves the launch with it.
  const models::RunResult late =
      run_text(kMarathonCluster, {{"units.dcos-cosmos.start", "constant(5m)"}});
  REQUIRE(late.violations.empty());
  const sim::TraceRecord& late_launch = first_with(late, "launch", "marathon", "kafka-scheduler ");
  CHECK(late_launch.time > launch.time + sim::minutes(4));
}

TEST_CASE(
    "Marathon 1.4 exits on losing ZooKeeper while leading, and once restarted offers after 0.5 s",
    "[marathon][faults]") {
  // Every ZooKeeper server paused for 30 s, 5 s after Marathon registered: the leading
  // Marathon loses its connection and exits (Marathon 1.4 aborts on leadership loss), systemd
  // restarts it after RestartSec=15s, and whichever Marathon leads next offered leadership
  // 0.5 s after it held the latch: the backoff that errors double lives in the exited JVM.
  models::RunOptions o;
  auto f = models::parse_fault_line(
      "kind=pause target=all-masters/zookeeper at=scheduler.registered@marathon+5s "
      "resume_after=30s",
      models::SourceLocation{});
  if (auto* e = std::get_if<models::InputError>(&f)) FAIL(e->format());
  o.faults.push_back(std::get<models::FaultSpec>(f));
  const models::RunResult r = run_text(kMarathonCluster, {}, o);
  const auto started = records(r, "scheduler.started", "marathon");
  REQUIRE(started.size() >= 2);
  const std::string first(started[0]->detail().substr(std::string("leader on ").size()));
  const auto exits = events(r, first, "dcos-marathon", "exited");
  REQUIRE(!exits.empty());
  CHECK(exits[0]->time > started[0]->time);
  CHECK(exits[0]->detail().find("ZooKeeper") != std::string::npos);
  const auto restarts = records(r, "marathon.started", first);
  REQUIRE(restarts.size() >= 2);
  CHECK(restarts[1]->time - exits[0]->time >= sim::seconds(15));
  for (const sim::TraceRecord* s : started) {
    INFO(s->detail() << " at " << s->time.to_seconds());
    const std::string host(s->detail().substr(std::string("leader on ").size()));
    bool offered = false;
    for (const sim::TraceRecord* latch : records(r, "latch_acquired", host)) {
      offered |= s->time - latch->time == sim::milliseconds(500);
    }
    CHECK(offered);
  }
  // The new leader re-registered Marathon's framework with the id it stored.
  const auto regs = records(r, "scheduler.registered", "marathon");
  REQUIRE(regs.size() >= 2);
  CHECK(regs.back()->detail().substr(0, regs.back()->detail().find(' ')) ==
        regs[0]->detail().substr(0, regs[0]->detail().find(' ')));
}
