// The offer-cycle safety checks (models/mesos/offer_cycle_monitor.hpp), fed the records a
// master broken on purpose would make: an admission by a master that does not lead, an offer
// for an agent that never registered or is unreachable. And the records of a correct master,
// which pass. Then whole runs with a model broken on purpose (TestingVariants, which nothing
// outside the tests sets): a master that launches tasks beyond their offer or offers an agent
// it marked unreachable, a scheduler that stores an id no master confirmed, services in
// Marathon before Cosmos and Admin Router serve.
#include <catch2/catch.hpp>

#include <string>
#include <variant>

#include "models/core/parameters.hpp"
#include "models/core/run_context.hpp"
#include "models/core/topology.hpp"
#include "models/mesos/offer_cycle_monitor.hpp"
#include "models/run/cluster.hpp"
#include "models/scenario/scenario.hpp"
#include "sim/engine.hpp"
#include "sim/network.hpp"
#include "sim/trace.hpp"

namespace sim = bootsim::sim;
namespace models = bootsim::models;

namespace {

struct Harness {
  sim::Engine engine{1};
  sim::Network net{engine, sim::Distribution::constant(sim::milliseconds(1))};
  sim::Trace trace;
  models::Parameters params;
  models::Topology topology;
  models::RunContext ctx{engine, net, trace, params, topology};
  models::OfferCycleMonitor monitor{ctx};

  void lead(const std::string& master) { ctx.event(master, "mesos-master", "leading"); }
  sim::RecordId admit(const std::string& master, const std::string& agent) {
    const auto id = ctx.event(master, "mesos-master", "admit_agent", agent);
    return ctx.milestone(agent, "agent.registered", "admitted", id);
  }
  void offer(const std::string& agent, std::optional<sim::RecordId> cause) {
    ctx.event(agent, "mesos-master", "offered", "offer 1", cause);
  }
};

}  // namespace

TEST_CASE("a correct master's registrations and offers pass the checks", "[checks][mesos]") {
  Harness h;
  h.lead("master-1");
  const auto reg = h.admit("master-1", "agent-1");
  h.offer("agent-1", reg);
  CHECK(h.ctx.violations().empty());
}

TEST_CASE("a launch is checked against what its offer's record says is left of it",
          "[checks][mesos]") {
  Harness h;
  h.lead("master-1");
  const auto reg = h.admit("master-1", "agent-1");
  const auto offered =
      h.ctx.typed_event(sim::RecordType::kPlain, "agent-1", "mesos-master", "offered", "offer 1",
                        {sim::arg_int("cpus_m", 4000), sim::arg_int("mem", 4096),
                         sim::arg_int("disk", 0), sim::arg_int("ports", 0)},
                        reg);
  const auto launch = [&h](sim::RecordId offer) {
    h.ctx.typed_event(
        sim::RecordType::kPlain, "agent-1", "mesos-master", "task_launched", "t",
        {sim::arg_record("offer", offer), sim::arg_int("cpus_m", 3000), sim::arg_int("mem", 1024),
         sim::arg_int("disk", 0), sim::arg_int("ports", 0)});
  };
  launch(offered);
  CHECK(h.ctx.violations().empty());
  launch(offered);  // 1 cpu is left of the offer's 4, not 3
  launch(reg);      // not an offer
  const auto& v = h.ctx.violations();
  REQUIRE(v.size() == 2);
  CHECK(v[0].detail.find("takes cpus_m:3000") != std::string::npos);
  CHECK(v[0].detail.find("with cpus_m:1000;mem:3072") != std::string::npos);
  CHECK(v[1].detail.find("from no offer") != std::string::npos);
}

TEST_CASE("an agent admitted by a master that does not lead is caught", "[checks][mesos]") {
  Harness h;
  h.lead("master-1");
  h.admit("master-2", "agent-1");
  REQUIRE(h.ctx.violations().size() == 1);
  CHECK(h.ctx.violations()[0].rule == "agent-registers-with-leader");
  CHECK(h.ctx.violations()[0].nodes == "agent-1,master-2");
}

TEST_CASE("an agent registered with no admission at all is caught", "[checks][mesos]") {
  Harness h;
  h.ctx.milestone("agent-1", "agent.registered", "admitted");
  REQUIRE(h.ctx.violations().size() == 1);
  CHECK(h.ctx.violations()[0].rule == "agent-registers-with-leader");
}

TEST_CASE("an offer for an agent that never registered is caught", "[checks][mesos]") {
  Harness h;
  h.lead("master-1");
  h.offer("agent-3", std::nullopt);
  REQUIRE(h.ctx.violations().size() == 1);
  CHECK(h.ctx.violations()[0].rule == "offer-for-registered-agent");
  CHECK(h.ctx.violations()[0].nodes == "agent-3");
}

TEST_CASE("an offer for an agent marked unreachable is caught", "[checks][mesos]") {
  Harness h;
  h.lead("master-1");
  const auto reg = h.admit("master-1", "agent-1");
  h.ctx.event("agent-1", "mesos-master", "unreachable", "removed");
  h.offer("agent-1", reg);
  REQUIRE(h.ctx.violations().size() == 1);
  CHECK(h.ctx.violations()[0].rule == "offer-for-registered-agent");
}

namespace {

// 3 masters, 2 private 4-cpu agents and a public one; Kafka, whose scheduler asks 2 cpus for
// each of its 4 instances.
constexpr const char* kRun = R"yaml(
name: checks
profile: dcos-1.9
seed: 3
until: 40m
cluster: {masters: 3, agents: {private: 2, public: 1}}
services:
  - {name: kafka, start: "constant(10s)", instances: 4, cpus: 2, mem: 1024}
)yaml";

models::RunResult run_broken(const std::string& yaml, const models::TestingVariants& t,
                             sim::TraceLevel level = sim::TraceLevel::kFull) {
  auto loaded = models::load_scenario_text(yaml, "checks.yaml");
  if (auto* e = std::get_if<models::InputError>(&loaded)) FAIL(e->format());
  models::RunOptions o;
  o.testing = t;
  o.trace_level = level;
  auto r = models::run_scenario(std::get<models::Scenario>(loaded), o);
  if (auto* e = std::get_if<models::InputError>(&r)) FAIL(e->format());
  return std::move(std::get<models::RunResult>(r));
}

std::vector<models::Violation> violations_of(const models::RunResult& r, const std::string& rule) {
  std::vector<models::Violation> out;
  for (const models::Violation& v : r.violations) {
    if (v.rule == rule) out.push_back(v);
  }
  return out;
}

std::size_t count(const models::RunResult& r, std::string_view name, std::string_view node = {}) {
  std::size_t n = 0;
  for (const sim::TraceRecord& rec : r.trace.records()) {
    if (rec.name() == name && (node.empty() || rec.node() == node)) ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("a correct run holds every offer-cycle check", "[checks][mesos]") {
  const models::RunResult r = run_broken(kRun, {});
  CHECK(r.violations.empty());
  CHECK(count(r, "task_launched") >= 3);  // the scheduler and two instances at least
  CHECK(count(r, "framework_id_write", "kafka") == 1);
  CHECK(count(r, "package_installed") == 1);
}

TEST_CASE("a scheduler asking beyond its offer is refused by a correct master", "[checks][mesos]") {
  models::TestingVariants t;
  t.scheduler_ignores_offer_resources = true;
  const models::RunResult r = run_broken(kRun, t);
  CHECK(count(r, "task_invalid") > 0);  // Master::accept's validation
  CHECK(violations_of(r, "task-within-offer").empty());
}

TEST_CASE("a master launching tasks beyond their offer is caught", "[checks][mesos]") {
  models::TestingVariants t;
  t.scheduler_ignores_offer_resources = true;
  t.mesos_master_skips_offer_validation = true;
  const models::RunResult r = run_broken(kRun, t);
  CHECK(count(r, "task_invalid") == 0);
  const auto v = violations_of(r, "task-within-offer");
  REQUIRE(!v.empty());
  // 4 cpus offered, 2 per instance: the third instance on one offer breaks it.
  CHECK(v[0].detail.find("takes cpus_m:2000;mem:1024") != std::string::npos);
}

TEST_CASE("at --trace none, the check still reads a launch's offer, which is not kept after",
          "[checks][mesos][trace]") {
  models::TestingVariants t;
  t.scheduler_ignores_offer_resources = true;
  t.mesos_master_skips_offer_validation = true;
  const models::RunResult full = run_broken(kRun, t);
  const models::RunResult none = run_broken(kRun, t, sim::TraceLevel::kNone);
  const auto v = violations_of(none, "task-within-offer");
  REQUIRE(v.size() == violations_of(full, "task-within-offer").size());
  CHECK(v[0].detail == violations_of(full, "task-within-offer")[0].detail);
  CHECK(none.trace.dropped_but_named() == 0);
}

TEST_CASE("at --trace none, an offer's record is kept only while the offer is outstanding",
          "[checks][mesos][trace]") {
  // Kafka asks for more than the cluster has: it is offered and declines until the end.
  std::string yaml = kRun;
  yaml.replace(yaml.find("instances: 4"), 12, "instances: 40");
  const models::RunResult full = run_broken(yaml, {});
  const models::RunResult none = run_broken(yaml, {}, sim::TraceLevel::kNone);
  CHECK(none.fingerprint == full.fingerprint);
  CHECK(none.trace.dropped_but_named() == 0);
  // Every offer is recorded; those kept are the ones outstanding when the run ended: at most
  // one for each framework (Marathon, Kafka) on each of the three agents.
  CHECK(count(full, "offered") > 100);
  CHECK(count(none, "offered") <= 6);
}

TEST_CASE("a framework id stored before a master confirmed it is caught", "[checks][mesos]") {
  models::TestingVariants t;
  t.scheduler_stores_unconfirmed_id = true;
  const models::RunResult r = run_broken(kRun, t);
  const auto v = violations_of(r, "framework-id-confirmed");
  REQUIRE(v.size() == 2);  // Marathon's and Kafka's
  CHECK(v[0].nodes == "marathon");
  CHECK(v[0].detail.find("'marathon-unconfirmed'") != std::string::npos);
  CHECK(v[1].nodes == "kafka");
}

TEST_CASE("services wait for Cosmos and Admin Router, a scheduler task before them is caught",
          "[checks][dcos]") {
  // Cosmos comes up 20 minutes late on every master.
  const std::string late = std::string(kRun) + "units: {dcos-cosmos: {start: \"constant(20m)\"}}\n";
  const models::RunResult ok = run_broken(late, {});
  CHECK(violations_of(ok, "first-task-after-install").empty());
  REQUIRE(ok.trace.latest_milestone("scheduler.first_task_running", "marathon"));
  const auto first = ok.trace.first_milestone("scheduler.first_task_running", "marathon");
  CHECK(ok.trace.at(*first).time >= sim::minutes(20));

  models::TestingVariants t;
  t.services_installed_at_boot = true;
  const models::RunResult broken = run_broken(late, t);
  const auto v = violations_of(broken, "first-task-after-install");
  REQUIRE(!v.empty());
  CHECK(v[0].nodes == "marathon");
}

TEST_CASE("a master that goes on offering an agent it marked unreachable is caught",
          "[checks][mesos]") {
  // agent-lifecycle: agent-1's and agent-2's hosts die and their pings mark them unreachable,
  // while Kafka, wanting more instances than fit, keeps taking offers.
  auto loaded = models::load_scenario_file(std::string(BOOTSIM_SOURCE_DIR) +
                                           "/tests/scenarios/agent-lifecycle.yaml");
  if (auto* e = std::get_if<models::InputError>(&loaded)) FAIL(e->format());
  const models::Scenario s = std::get<models::Scenario>(loaded);
  const auto run = [&](const models::TestingVariants& t) {
    models::RunOptions o;
    o.testing = t;
    auto r = models::run_scenario(s, o);
    if (auto* e = std::get_if<models::InputError>(&r)) FAIL(e->format());
    return std::move(std::get<models::RunResult>(r));
  };
  const models::RunResult ok = run({});
  CHECK(count(ok, "unreachable") >= 2);
  CHECK(violations_of(ok, "offer-for-registered-agent").empty());

  models::TestingVariants t;
  t.mesos_master_keeps_unreachable_agents = true;
  const models::RunResult broken = run(t);
  const auto v = violations_of(broken, "offer-for-registered-agent");
  REQUIRE(!v.empty());
  CHECK((v[0].nodes == "agent-1" || v[0].nodes == "agent-2"));
}

TEST_CASE("a master admitting agents while it still recovers the registry is caught",
          "[checks][mesos]") {
  // Mesos' Master::visit drops every message until the registry is recovered; this master
  // (TestingVariants) handles RegisterSlave and ReregisterSlave from its election on, with no
  // allocator and no registrar yet. The agents that find it elected but not leading are
  // admitted by a master that does not lead: the check names it, and the run goes on.
  const models::RunResult ok = run_broken(kRun, {});
  CHECK(violations_of(ok, "agent-registers-with-leader").empty());

  models::TestingVariants t;
  t.mesos_master_admits_while_recovering = true;
  const models::RunResult broken = run_broken(kRun, t);
  const auto v = violations_of(broken, "agent-registers-with-leader");
  REQUIRE(!v.empty());
  CHECK(v[0].detail.find("which does not lead") != std::string::npos);
  // The admitting master ("agent-N,master-M") led only later: it was recovering then.
  const std::string master = v[0].nodes.substr(v[0].nodes.find(',') + 1);
  CHECK(master.rfind("master-", 0) == 0);
  const auto leading = broken.trace.first_milestone("mesos-master.leading", master);
  REQUIRE(leading);
  CHECK(v[0].time < broken.trace.at(*leading).time);
  // The admitted agents joined the allocator once it recovered: the services still ran.
  CHECK(count(broken, "task_launched") >= 3);
}
