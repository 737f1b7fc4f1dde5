// MesosMaster (models/mesos/master.hpp) in whole runs with constant latencies: an admission is
// one registry write to a quorum of replicas, computed by hand; offers whose leftovers come
// back launch as many instances as fit, and no more.
#include <catch2/catch.hpp>

#include <string>

#include "tests/printers.hpp"
#include "tests/run_helpers.hpp"

using namespace bootsim;
using bootsim::testing::records;
using bootsim::testing::run_text;

namespace {

using Settings = std::vector<std::pair<std::string, std::string>>;
const Settings kConstantLinks{{"network.latency", "constant(1ms)"},
                              {"network.loopback_latency", "constant(1ms)"}};

}  // namespace

TEST_CASE("the leader admits an agent one registry write after its RegisterSlave",
          "[mesos][master]") {
  constexpr const char* kOneAgent = R"yaml(
name: master
profile: dcos-1.9
seed: 11
until: 30m
cluster: {masters: 3, agents: {private: 1, public: 0}}
)yaml";
  const models::RunResult r = run_text(kOneAgent, kConstantLinks);
  REQUIRE(r.violations.empty());
  const auto admits = records(r, "admit_agent");
  REQUIRE(admits.size() == 1);
  // The attempt that was admitted: the agent's last RegisterSlave before the admission.
  const sim::TraceRecord* attempt = nullptr;
  for (const sim::TraceRecord* reg : records(r, "register", "agent-1")) {
    if (reg->time <= admits[0]->time) attempt = reg;
  }
  REQUIRE(attempt != nullptr);
  // RegisterSlave to the leader (1 ms), then the registrar's write: WriteRequest to every
  // replica and the quorum's (2 of 3) WriteResponses back (2 ms).
  CHECK(admits[0]->time - attempt->time == sim::milliseconds(3));
}

TEST_CASE("accepted offers launch as many instances as fit, the leftovers offered again",
          "[mesos][master]") {
  // Two private 4-cpu agents, no public one: Kafka's scheduler (1 cpu) lands on one of them and
  // leaves 3 + 4 cpus, room for three 2-cpu instances and not the fourth.
  constexpr const char* kTight = R"yaml(
name: tight
profile: dcos-1.9
seed: 3
until: 30m
cluster: {masters: 1, agents: {private: 2, public: 0}}
services:
  - {name: kafka, start: "constant(10s)", instances: 4, cpus: 2, mem: 1024}
)yaml";
  const models::RunResult r = run_text(kTight, kConstantLinks);
  CHECK(r.violations.empty());
  int instances = 0;
  for (const sim::TraceRecord* t : records(r, "task_launched")) {
    instances +=
        t->detail().rfind("kafka-", 0) == 0 && t->detail().rfind("kafka-scheduler", 0) != 0;
  }
  CHECK(instances == 3);
  CHECK(records(r, "task_invalid").empty());
  CHECK(records(r, "all_tasks_running", "kafka").empty());
  // Each agent was offered again after its first offer was accepted or declined.
  for (const char* agent : {"agent-1", "agent-2"}) CHECK(records(r, "offered", agent).size() >= 2);
}
