// Agents, frameworks and the offer cycle in whole runs: registration and re-registration after
// a master failover, pings and unreachable agents with the real defaults, the registrar's
// store timeout, and the offer cycle that brings every service's tasks up.
#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "models/run/cluster.hpp"
#include "models/run/faults.hpp"
#include "models/scenario/scenario.hpp"
#include "tests/printers.hpp"
#include "tests/run_helpers.hpp"

using namespace bootsim;
using namespace bootsim::models;
using bootsim::testing::fault;
using bootsim::testing::records;
using bootsim::testing::run;

namespace {

// 3 masters, 3 private agents and a public one; Kafka with two instances.
constexpr const char* kSmallCluster = R"yaml(
name: small
profile: dcos-1.9
seed: 7
until: 40m
cluster: {masters: 3, agents: {private: 3, public: 1}}
services:
  - {name: kafka, start: "constant(10s)", instances: 2, cpus: 1, mem: 2048}
)yaml";

Scenario load_yaml(const std::string& yaml) {
  auto loaded = load_scenario_text(yaml, "test.yaml");
  if (auto* e = std::get_if<InputError>(&loaded)) FAIL(e->format());
  return std::get<Scenario>(loaded);
}

// The agent id in a milestone detail such as "admitted master-1-1-S0 by master-1".
std::string agent_id(const std::string& detail) {
  const auto first = detail.find(' ');
  return detail.substr(first + 1, detail.find(' ', first + 1) - first - 1);
}

const std::vector<std::string> kAgents{"agent-1", "agent-2", "agent-3", "public-agent-1"};

}  // namespace

TEST_CASE("agents register once each, with ids from the leading master", "[mesos][agent]") {
  const RunResult r = run(load_yaml(kSmallCluster));
  REQUIRE(r.ready_at.has_value());
  CHECK(r.violations.empty());
  std::set<std::string> ids;
  for (const std::string& a : kAgents) {
    INFO(a);
    const auto regs = records(r, "agent.registered", a);
    REQUIRE(regs.size() == 1);
    CHECK(regs[0]->detail().rfind("admitted ", 0) == 0);
    ids.insert(agent_id(std::string(regs[0]->detail())));
  }
  CHECK(ids.size() == kAgents.size());
  // Every service task ran once: the two Kafka instances and the scheduler.
  for (const char* task : {"kafka-0", "kafka-1", "kafka-scheduler"}) {
    INFO(task);
    int runs = 0;
    for (const auto* rec : records(r, "run_task")) runs += rec->detail().rfind(task, 0) == 0;
    CHECK(runs == 1);
  }
}

TEST_CASE(
    "killing the leading master: every agent re-registers with the new leader, same id, "
    "tasks still running",
    "[mesos][agent][faults]") {
  const Scenario s = load_yaml(kSmallCluster);
  RunOptions o;
  o.faults.push_back(fault("kind=crash target=mesos-leader/mesos-master at=cluster.ready+5s"));
  const RunResult r = run(s, o);
  CHECK(r.violations.empty());
  const auto elected = records(r, "mesos-master.elected");
  REQUIRE(elected.size() == 2);
  for (const std::string& a : kAgents) {
    INFO(a);
    const auto regs = records(r, "agent.registered", a);
    REQUIRE(regs.size() == 2);
    CHECK(regs[1]->time > elected[1]->time);
    CHECK(regs[1]->detail().rfind("re-admitted ", 0) == 0);
    CHECK(agent_id(std::string(regs[1]->detail())) == agent_id(std::string(regs[0]->detail())));
    CHECK(regs[1]->detail().find(elected[1]->detail()) != std::string::npos);
    bool reregistered = false;
    for (const auto* rec : records(r, "reregister", a))
      reregistered |= rec->time > elected[1]->time;
    CHECK(reregistered);
  }
  // No task was lost or launched again.
  CHECK(records(r, "unreachable").empty());
  CHECK(records(r, "task_lost").empty());
  CHECK(records(r, "run_task").size() == 3);
}

TEST_CASE("a crashed agent host is unreachable after agent_ping_timeout x max_agent_ping_timeouts",
          "[mesos][agent][faults]") {
  const Scenario s = load_yaml(kSmallCluster);
  RunOptions o;
  o.faults.push_back(fault("kind=crash target=agent-1 at=cluster.ready+1s"));
  const RunResult r = run(s, o);
  const auto crash = records(r, "host_crash", "agent-1");
  REQUIRE_FALSE(crash.empty());
  const auto marking = records(r, "marking_unreachable", "agent-1");
  REQUIRE(marking.size() == 1);
  // Pings every 15 s; the first unanswered one goes out within 15 s of the crash, and 20
  // timeouts later (15 s x 20 = 300 s, the DC/OS defaults) the agent is marked.
  const double after = (marking[0]->time - crash[0]->time).to_seconds();
  CHECK(after > 300.0);
  CHECK(after <= 315.1);
  const auto gone = records(r, "unreachable", "agent-1");
  REQUIRE(gone.size() == 1);
  CHECK((gone[0]->time - marking[0]->time).to_seconds() < 0.1);  // first permit: at once
}

TEST_CASE("max_agent_ping_timeouts moves the time to unreachable", "[mesos][agent][faults]") {
  Scenario s = load_yaml(kSmallCluster);
  RunOptions o;
  o.faults.push_back(fault("kind=crash target=agent-1 at=cluster.ready+1s"));
  o.settings.push_back({"mesos-master.max_agent_ping_timeouts", "5", {}});
  const RunResult r = run(s, o);
  const auto crash = records(r, "host_crash", "agent-1");
  const auto marking = records(r, "marking_unreachable", "agent-1");
  REQUIRE(crash.size() == 1);
  REQUIRE(marking.size() == 1);
  const double after = (marking[0]->time - crash[0]->time).to_seconds();
  CHECK(after > 75.0);
  CHECK(after <= 90.1);
}

TEST_CASE(
    "a crashed agent's tasks are reported lost when it is marked unreachable, 75 s with Mesos' "
    "defaults",
    "[mesos][agent][faults]") {
  // Mesos' own defaults: agent_ping_timeout 15 s x max_agent_ping_timeouts 5 = 75 s (DC/OS 1.9
  // sets 20: 300 s, the test above). The host crashed is the one running Kafka's scheduler.
  const Scenario s = load_yaml(kSmallCluster);
  const RunResult first = run(s);
  const auto sched = records(first, "scheduler.started", "kafka");
  REQUIRE(sched.size() == 1);
  const std::string host(sched[0]->detail().substr(3));  // "on agent-N"
  RunOptions o;
  o.faults.push_back(fault("kind=crash target=" + host + " at=cluster.ready+1s"));
  o.settings.push_back({"mesos-master.max_agent_ping_timeouts", "5", {}});
  const RunResult r = run(s, o);
  const auto crash = records(r, "host_crash", host);
  const auto marking = records(r, "marking_unreachable", host);
  REQUIRE(crash.size() == 1);
  REQUIRE(marking.size() == 1);
  const double after = (marking[0]->time - crash[0]->time).to_seconds();
  CHECK(after > 75.0);
  CHECK(after <= 90.1);
  const auto gone = records(r, "unreachable", host);
  REQUIRE(gone.size() == 1);
  // Marathon hears that the task running Kafka's scheduler is lost, at once, and launches it
  // again on another agent.
  bool reported = false;
  for (const auto* rec : records(r, "task_lost", "marathon")) {
    reported |= rec->detail().rfind("kafka-scheduler ", 0) == 0 &&
                rec->detail().find(host) != std::string::npos &&
                rec->time - gone[0]->time < sim::milliseconds(100);
  }
  CHECK(reported);
  int launches = 0;
  for (const auto* rec : records(r, "run_task"))
    launches += rec->detail().rfind("kafka-sch", 0) == 0;
  CHECK(launches == 2);
}

TEST_CASE("a registry write slower than registry_store_timeout aborts the master",
          "[mesos][master]") {
  Scenario s = load_yaml(kSmallCluster);
  RunOptions o;
  o.settings.push_back({"mesos-master.registry_store_timeout", "1ms", {}});
  o.settings.push_back({"network.latency", "constant(1ms)", {}});
  const RunResult r = run(s, o);
  bool aborted = false;
  for (const sim::TraceRecord& rec : r.trace.records()) {
    aborted |= rec.detail().find("Registrar aborting") != std::string::npos;
  }
  CHECK(aborted);
}

namespace {

// Kafka with more instances than the private agents hold (3 cpus each on 4-cpu agents, one
// agent also running its scheduler): its last instances never fit, so it keeps taking offers.
std::string starved() {
  std::string yaml = kSmallCluster;
  const std::string from = "instances: 2, cpus: 1";
  yaml.replace(yaml.find(from), from.size(), "instances: 5, cpus: 3");
  return yaml;
}

// The offer ids of the `offer_rescinded` records, with the time each offer was made.
std::map<std::string, sim::SimTime> offer_times(const RunResult& r) {
  std::map<std::string, sim::SimTime> made;
  for (const auto* rec : records(r, "offered")) {
    made[std::string(rec->detail().substr(0, rec->detail().find(" to ")))] = rec->time;
  }
  return made;
}

}  // namespace

TEST_CASE("an unreachable agent's outstanding offers are rescinded", "[mesos][agent][faults]") {
  const Scenario s = load_yaml(starved());
  const RunResult first = run(s);
  const auto started = records(first, "scheduler.started", "kafka");
  REQUIRE(started.size() == 1);
  const std::string host(started[0]->detail().substr(3));  // "on agent-N"
  const std::string victim = host == "agent-1" ? "agent-2" : "agent-1";
  // Cut Kafka's scheduler off 10 s after it registered: the offers made to it from then on
  // stay outstanding (offer_timeout set past the test). Crash another private agent at 20 s:
  // when it is marked unreachable its outstanding offer to Kafka is rescinded.
  RunOptions o;
  o.settings.push_back({"mesos-master.offer_timeout", "30m", {}});
  o.faults.push_back(
      fault("kind=partition groups=" + host + "|rest at=scheduler.registered@kafka+10s"));
  o.faults.push_back(fault("kind=crash target=" + victim + " at=scheduler.registered@kafka+20s"));
  const RunResult r = run(s, o);
  const auto gone = records(r, "unreachable", victim);
  REQUIRE(gone.size() == 1);
  bool rescinded_with_it = false;
  for (const auto* rec : records(r, "offer_rescinded", victim)) {
    rescinded_with_it |= rec->time == gone[0]->time;
  }
  CHECK(rescinded_with_it);
}

TEST_CASE("offers nobody answers are rescinded after offer_timeout", "[mesos][master][faults]") {
  const Scenario s = load_yaml(starved());
  const RunResult first = run(s);
  const std::string host(records(first, "scheduler.started", "kafka")[0]->detail().substr(3));
  RunOptions o;
  o.faults.push_back(
      fault("kind=partition groups=" + host + "|rest at=scheduler.registered@kafka+10s"));
  const RunResult r = run(s, o);
  const auto made = offer_times(r);
  int at_timeout = 0;
  for (const auto* rec : records(r, "offer_rescinded")) {
    const auto it = made.find(std::string(rec->detail().substr(0, rec->detail().find(" to "))));
    REQUIRE(it != made.end());
    at_timeout += rec->time - it->second == sim::minutes(2);  // DC/OS offer_timeout
  }
  CHECK(at_timeout > 0);
}

TEST_CASE(
    "a restarted agent process recovers its id and re-registers after "
    "executor_reregistration_timeout",
    "[mesos][agent][faults]") {
  const Scenario s = load_yaml(kSmallCluster);
  RunOptions o;
  o.faults.push_back(fault("kind=crash target=agent-1/mesos-slave at=cluster.ready+5s"));
  const RunResult r = run(s, o);
  // The master still has it registered: it answers the re-registration again (no new
  // admission), with the same id.
  CHECK(records(r, "agent.registered", "agent-1").size() == 1);
  const auto available = records(r, "agent.available", "agent-1");
  REQUIRE(available.size() == 2);
  CHECK(available[1]->detail() == available[0]->detail());
  const auto started = records(r, "agent.started", "agent-1");
  REQUIRE(started.size() == 2);
  // With tasks recovered it waits 10 s (DC/OS) before detecting the master; without, at once.
  const bool had_tasks = started[1]->detail().find("with 0 tasks") == std::string::npos;
  const double wait =
      (records(r, "agent.detected_leader", "agent-1").back()->time - started[1]->time).to_seconds();
  CHECK(wait >= (had_tasks ? 10.0 : 0.0));
  CHECK(wait < (had_tasks ? 10.1 : 0.1));
  CHECK(records(r, "task_lost").empty());
}

TEST_CASE("a new Marathon leader re-registers the framework with the id stored in ZooKeeper",
          "[mesos][marathon][faults]") {
  const Scenario s = load_yaml(kSmallCluster);
  const RunResult first = run(s);
  const std::string leader(
      records(first, "scheduler.started", "marathon")[0]->detail().substr(10));  // "leader on …"
  RunOptions o;
  o.faults.push_back(fault("kind=crash target=" + leader + "/marathon at=cluster.ready+5s"));
  const RunResult r = run(s, o);
  const auto regs = records(r, "scheduler.registered", "marathon");
  REQUIRE(regs.size() == 2);
  CHECK(regs[0]->detail().substr(0, regs[0]->detail().find(' ')) ==
        regs[1]->detail().substr(0, regs[1]->detail().find(' ')));
  const auto started = records(r, "scheduler.started", "marathon");
  REQUIRE(started.size() == 2);
  CHECK(started[1]->detail() != started[0]->detail());
  // Its task (Kafka's scheduler) was not launched again.
  int launches = 0;
  for (const auto* rec : records(r, "run_task"))
    launches += rec->detail().rfind("kafka-sch", 0) == 0;
  CHECK(launches == 1);
}

namespace {
Scenario lifecycle() {
  auto loaded =
      load_scenario_file(std::string(BOOTSIM_SOURCE_DIR) + "/tests/scenarios/agent-lifecycle.yaml");
  if (auto* e = std::get_if<InputError>(&loaded)) FAIL(e->format());
  return std::get<Scenario>(loaded);
}
}  // namespace

TEST_CASE(
    "an agent of the recovered registry that never re-registers is unreachable after "
    "agent_reregister_timeout",
    "[mesos][master][faults]") {
  const Scenario s = lifecycle();
  for (const auto& [value, seconds] : {std::pair{"10m", 600.0}, std::pair{"15m", 900.0}}) {
    INFO(value);
    RunOptions o;
    o.settings.push_back({"mesos-master.agent_reregister_timeout", value, {}});
    const RunResult r = run(s, o);
    const auto leading = records(r, "mesos-master.leading");
    REQUIRE(leading.size() == 2);
    const auto timeout = records(r, "reregister_timeout", "agent-3");
    REQUIRE(timeout.size() == 1);
    CHECK(timeout[0]->time - leading[1]->time == sim::from_seconds(seconds));
    // agent-2, crashed after re-registering with the new leader, goes by its pings instead.
    CHECK(records(r, "reregister_timeout", "agent-2").empty());
    CHECK(records(r, "unreachable", "agent-2").size() == 1);
  }
}

TEST_CASE("each agent and offer-cycle knob moves the agent-lifecycle run", "[mesos][params]") {
  // The scenario this issue's parameters are exercised by: changing any of them changes it.
  // A registry write takes two network latencies: with 1 ms ones it outlasts a 1 ms
  // registry_store_timeout (the default latencies are often below 0.5 ms).
  struct Knob {
    const char* key;
    const char* value;
    const char* latency;  // network.latency of both runs; nullptr: the default
  };
  const Scenario s = lifecycle();
  const Knob knobs[] = {
      {"mesos-master.agent_ping_timeout", "10s", nullptr},
      {"mesos-master.max_agent_ping_timeouts", "10", nullptr},
      {"mesos-master.agent_reregister_timeout", "12m", nullptr},
      {"mesos-master.registry_store_timeout", "1ms", "constant(1ms)"},
      {"mesos-master.agent_removal_rate_limit", "1", nullptr},
      {"scheduler.refuse_seconds", "60s", nullptr},
      {"mesos-agent.cpus", "8", nullptr},
      {"mesos-agent.fetch", "constant(30s)", nullptr},
  };
  for (const Knob& k : knobs) {
    INFO(k.key << "=" << k.value);
    RunOptions o;
    if (k.latency != nullptr) o.settings.push_back({"network.latency", k.latency, {}});
    const std::uint64_t base = run(s, o).fingerprint;
    o.settings.push_back({k.key, k.value, {}});
    CHECK(run(s, o).fingerprint != base);
  }
}

TEST_CASE("scenarios/large.yaml completes: every agent available, every service's tasks running",
          "[mesos][large]") {
  // 5 masters, 1,000 private and 20 public agents, 20 services (about 13 s of wall time in a
  // RelWithDebInfo build on a busy 2-core machine).
  auto loaded = load_scenario_file(std::string(BOOTSIM_SOURCE_DIR) + "/scenarios/large.yaml");
  if (auto* e = std::get_if<InputError>(&loaded)) FAIL(e->format());
  const Scenario s = std::get<Scenario>(loaded);
  REQUIRE(s.services.size() == 20);
  const RunResult r = run(s);
  REQUIRE(r.ready_at.has_value());
  CHECK(r.violations.empty());
  std::set<std::string> available;
  for (const auto* rec : records(r, "agent.available")) available.emplace(rec->node());
  CHECK(available.size() == 1'020);
  for (const ServiceSpec& service : s.services) {
    INFO(service.name);
    const auto all = records(r, "all_tasks_running", service.name);
    REQUIRE(all.size() == 1);
    CHECK(all[0]->detail() ==
          fmt::format("{} of {} instances", service.instances, service.instances));
    CHECK(all[0]->time <= *r.ready_at);
  }
}
