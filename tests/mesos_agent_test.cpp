// MesosAgent (models/mesos/agent.hpp) in whole runs with constant distributions: a task's
// STAGING → STARTING → RUNNING timing, computed by hand; the resources an agent advertises;
// public agents' resources kept for slave_public.
#include <catch2/catch.hpp>

#include <string>

#include "tests/printers.hpp"
#include "tests/run_helpers.hpp"

using namespace bootsim;
using bootsim::testing::first_with;
using bootsim::testing::records;
using bootsim::testing::run_text;

namespace {

constexpr const char* kAgentCluster = R"yaml(
name: agent
profile: dcos-1.9
seed: 5
until: 40m
cluster: {masters: 3, agents: {private: 2, public: 1}}
services:
  - {name: kafka, start: "constant(10s)", instances: 2, cpus: 1, mem: 1024}
)yaml";

using Settings = std::vector<std::pair<std::string, std::string>>;
const Settings kAgentTimings{{"network.latency", "constant(1ms)"},
                             {"network.loopback_latency", "constant(1ms)"},
                             {"mesos-agent.fetch", "constant(2s)"},
                             {"mesos-agent.container_start", "constant(1s)"},
                             {"mesos-agent.task_start", "constant(500ms)"}};

}  // namespace

TEST_CASE("a task runs fetch + container_start + task_start after the agent got it",
          "[mesos][agent]") {
  for (const char* fetch : {"2s", "5s"}) {
    INFO("fetch " << fetch);
    Settings s = kAgentTimings;
    s[2].second = std::string("constant(") + fetch + ")";
    const models::RunResult r = run_text(kAgentCluster, s);
    REQUIRE(r.violations.empty());
    const sim::TraceRecord& running = first_with(r, "task_running", "kafka", "kafka-0 ");
    const std::string agent(running.detail().substr(running.detail().rfind(' ') + 1));
    const sim::TraceRecord& got = first_with(r, "run_task", agent, "kafka-0 ");
    // STARTING after fetch + container start (its update acknowledged within 4 ms), RUNNING
    // task_start later; the update then goes agent → master → scheduler: 2 ms.
    const sim::SimTime expected =
        sim::parse_duration(fetch).value() + sim::seconds(1) + sim::milliseconds(502);
    CHECK(running.time - got.time == expected);
  }
}

TEST_CASE("an agent offers the resources it was given, public ones only to slave_public",
          "[mesos][agent]") {
  Settings s = kAgentTimings;
  s.push_back({"mesos-agent.cpus", "8"});
  const models::RunResult r = run_text(kAgentCluster, s);
  REQUIRE(r.violations.empty());
  // The first offer of an agent is the whole agent (nothing runs there yet).
  for (const char* agent : {"agent-1", "agent-2", "public-agent-1"}) {
    INFO(agent);
    const auto offered = records(r, "offered", agent);
    REQUIRE(!offered.empty());
    CHECK(r.trace.int_arg(*offered[0], "cpus_m") == 8000);
    CHECK(r.trace.int_arg(*offered[0], "mem") == 14336);
    CHECK(r.trace.int_arg(*offered[0], "disk") == 100000);
  }
  // Kafka (role kafka-role) never gets the public agent's slave_public resources.
  for (const sim::TraceRecord* launch : records(r, "launch", "kafka")) {
    CHECK(launch->detail().find("public-agent") == std::string::npos);
  }
}
