// SchedulerDriver (models/mesos/scheduler_driver.hpp) in whole runs with constant latencies:
// the first registration goes at once on detecting the leader (hand-computed: one round trip);
// the framework id is written when the master's answer came, and stored after.
#include <catch2/catch.hpp>

#include <string>

#include "tests/printers.hpp"
#include "tests/run_helpers.hpp"

using namespace bootsim;
using bootsim::testing::records;
using bootsim::testing::run_text;

namespace {

constexpr const char* kDriverCluster = R"yaml(
name: driver
profile: dcos-1.9
seed: 9
until: 40m
cluster: {masters: 3, agents: {private: 2, public: 1}}
services:
  - {name: kafka, start: "constant(10s)", instances: 1, cpus: 1, mem: 1024}
)yaml";

const std::vector<std::pair<std::string, std::string>> kConstant{
    {"network.latency", "constant(1ms)"}, {"network.loopback_latency", "constant(1ms)"}};

}  // namespace

TEST_CASE("a driver registers at once on detecting the leader: one round trip",
          "[mesos][scheduler]") {
  const models::RunResult r = run_text(kDriverCluster, kConstant);
  REQUIRE(r.violations.empty());
  // Kafka's scheduler starts long after the master leads. (Marathon may detect a master still
  // recovering its registry, which drops the registration: Marathon then retries.)
  const auto detected = records(r, "scheduler.detected_leader", "kafka");
  const auto registered = records(r, "scheduler.registered", "kafka");
  REQUIRE(detected.size() == 1);
  REQUIRE(registered.size() == 1);
  // RegisterFrameworkMessage (1 ms), FrameworkRegisteredMessage back (1 ms).
  CHECK(registered[0]->time - detected[0]->time == sim::milliseconds(2));
  // Marathon registered only once its master led, which it detected before.
  const auto leading = records(r, "leading");
  REQUIRE(!leading.empty());
  const auto marathon = records(r, "scheduler.registered", "marathon");
  REQUIRE(marathon.size() == 1);
  CHECK(marathon[0]->time > leading[0]->time);
}

TEST_CASE("the framework id is written on the master's confirmation and stored after",
          "[mesos][scheduler]") {
  const models::RunResult r = run_text(kDriverCluster, kConstant);
  for (const char* framework : {"marathon", "kafka"}) {
    INFO(framework);
    const auto confirmed = records(r, "framework_registered", framework);
    const auto writes = records(r, "framework_id_write", framework);
    const auto stored = records(r, "scheduler.framework_id_stored", framework);
    const auto registered = records(r, "scheduler.registered", framework);
    REQUIRE(confirmed.size() == 1);
    REQUIRE(writes.size() == 1);
    REQUIRE(stored.size() == 1);
    CHECK(r.trace.text_arg(*writes[0], "framework_id") ==
          r.trace.text_arg(*confirmed[0], "framework_id"));
    CHECK(writes[0]->time == registered[0]->time);  // as the answer arrives
    CHECK(stored[0]->time > writes[0]->time);       // after the znode writes
  }
}

TEST_CASE("a registration dropped by a recovering master is retried within the capped backoff",
          "[mesos][scheduler]") {
  // Marathon detects the elected master while it still recovers the registry (seed 9): its
  // first registration is dropped (Master::visit) and a retry registers it. With the retries
  // capped at 500 ms, that retry comes at most 500 ms after the master leads (one round trip
  // of 2 ms on top); with the real cap (1 min) the draws from U(0, 2 s·2^k) may wait longer.
  auto settings = kConstant;
  settings.emplace_back("scheduler.max_registration_backoff", "500ms");
  const models::RunResult r = run_text(kDriverCluster, settings);
  const auto detected = records(r, "scheduler.detected_leader", "marathon");
  const auto registered = records(r, "scheduler.registered", "marathon");
  REQUIRE(detected.size() == 1);
  REQUIRE(registered.size() == 1);
  const auto leading = records(r, "mesos-master.leading");
  REQUIRE(leading.size() == 1);
  CHECK(detected[0]->time < leading[0]->time);  // detected while recovering
  CHECK(registered[0]->time > leading[0]->time);
  CHECK(registered[0]->time - leading[0]->time <= sim::milliseconds(502));
}
