// Marathon (models/dcos/marathon.hpp) and the install path (models/dcos/cosmos.hpp) in whole
// runs: leadership offered 0.5 s after the latch, the state loaded before the driver starts,
// reconciliation 15 s after election and every 600 s, and services' schedulers launched only
// once Cosmos, behind Admin Router, installed them.
#include <catch2/catch.hpp>

#include <string>

#include "models/scenario/fault_spec.hpp"
#include "tests/printers.hpp"
#include "tests/run_helpers.hpp"

using namespace bootsim;
using bootsim::testing::first_with;
using bootsim::testing::records;
using bootsim::testing::run_text;

namespace {

constexpr const char* kCluster = R"yaml(
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
  const models::RunResult r = run_text(kCluster, {});
  REQUIRE(r.violations.empty());
  const auto started = records(r, "scheduler.started", "marathon");
  REQUIRE(started.size() == 1);
  const std::string leader = started[0]->detail.substr(std::string("leader on ").size());
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
  const models::RunResult r = run_text(kCluster, {}, o);
  const auto started = records(r, "scheduler.started", "marathon");
  REQUIRE(started.size() == 1);
  const std::string leader = started[0]->detail.substr(std::string("leader on ").size());
  const auto reconciles = records(r, "reconcile", leader);
  REQUIRE(reconciles.size() >= 2);
  CHECK(reconciles[0]->time - started[0]->time == sim::seconds(15));
  CHECK(reconciles[1]->time - reconciles[0]->time == sim::seconds(600));
  if (reconciles.size() >= 3) CHECK(reconciles[2]->time - reconciles[1]->time == sim::seconds(600));
}

TEST_CASE("a service's scheduler is launched only after Cosmos installed it through Admin Router",
          "[marathon][dcos]") {
  const models::RunResult r = run_text(kCluster, {});
  REQUIRE(r.violations.empty());
  const auto installed = records(r, "package_installed");
  REQUIRE(installed.size() == 1);
  const std::string master = installed[0]->node;
  std::vector<const sim::TraceRecord*> serving;
  for (const sim::TraceRecord* rec : records(r, "serving", master)) {
    if (rec->component == "cosmos") serving.push_back(rec);
  }
  const auto router = records(r, "adminrouter.started", master);
  REQUIRE(!serving.empty());
  REQUIRE(!router.empty());
  CHECK(installed[0]->time >= serving[0]->time);
  CHECK(installed[0]->time >= router[0]->time);
  const sim::TraceRecord& launch = first_with(r, "launch", "marathon", "kafka-scheduler ");
  CHECK(launch.time > installed[0]->time);
  // Cosmos coming later moves the launch with it.
  const models::RunResult late = run_text(kCluster, {{"units.dcos-cosmos.start", "constant(5m)"}});
  REQUIRE(late.violations.empty());
  const sim::TraceRecord& late_launch = first_with(late, "launch", "marathon", "kafka-scheduler ");
  CHECK(late_launch.time > launch.time + sim::minutes(4));
}
