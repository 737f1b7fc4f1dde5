// Whole-boot behaviour of the built-in DC/OS profiles: the default scenario's milestones and
// ordering, determinism, restart-delay quantisation computed by hand, fault basics, and the
// errors found while building a run.
#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>

#include "models/core/host_store.hpp"
#include "models/core/milestones.hpp"
#include "models/core/parameters.hpp"
#include "models/core/run_context.hpp"
#include "models/core/topology.hpp"
#include "models/dcos/exec_start_pre.hpp"
#include "models/dcos/profiles.hpp"
#include "models/run/cluster.hpp"
#include "models/run/faults.hpp"
#include "models/run/registry.hpp"
#include "models/scenario/scenario.hpp"
#include "sim/engine.hpp"
#include "sim/network.hpp"
#include "sim/trace.hpp"
#include "tests/printers.hpp"
#include "tests/run_helpers.hpp"
#include "tools/report/report.hpp"

using namespace bootsim;
using namespace bootsim::models;
using bootsim::report::format_json;
using bootsim::report::format_text;
using bootsim::testing::fault;
using bootsim::testing::first;
using bootsim::testing::run;

using bootsim::testing::load_text;

namespace {

Scenario default_scenario() {
  auto loaded = load_scenario_file(std::string(BOOTSIM_SOURCE_DIR) + "/scenarios/default.yaml");
  if (auto* e = std::get_if<InputError>(&loaded)) FAIL(e->format());
  return std::get<Scenario>(loaded);
}

}  // namespace

TEST_CASE("the default scenario reaches every milestone of the design", "[cluster]") {
  const RunResult r = run(default_scenario());
  REQUIRE(r.ready_at.has_value());
  std::set<std::string> reached;
  for (const sim::TraceRecord& rec : r.trace.records()) {
    if (rec.kind == sim::RecordKind::kMilestone) reached.emplace(rec.name());
  }
  for (const std::string_view name : milestone_names()) {
    INFO(name);
    CHECK(reached.count(std::string(name)) == 1);
  }
  // And the JSON report lists them.
  const std::string json = format_json(r);
  CHECK(json.find("\"schema\": 1") != std::string::npos);
  for (const std::string_view name : milestone_names()) {
    INFO(name);
    CHECK(json.find(fmt::format("\"name\": \"{}\"", name)) != std::string::npos);
  }
  CHECK(r.violations.empty());
  REQUIRE(r.budgets.size() == 1);
  CHECK(r.budgets[0].ok);
}

TEST_CASE("in the default boot every gate's provider is up before the unit it gates", "[cluster]") {
  // The graph's edges, checked on the outcome: for every unit with a milestone, the milestone of
  // every unit that provides one of its gate conditions (on the same node, or on some master)
  // was reached no later.
  const Scenario s = default_scenario();
  const RunResult r = run(s);
  const Profile profile = *builtin_profile(s.profile);
  int pairs = 0;
  for (const std::string& node : r.nodes) {
    const Role role = node.starts_with("master-")         ? Role::kMaster
                      : node.starts_with("public-agent-") ? Role::kPublicAgent
                      : node.starts_with("agent-")        ? Role::kPrivateAgent
                                                          : Role::kMaster;
    if (!node.starts_with("master-") && !node.starts_with("agent-") &&
        !node.starts_with("public-agent-")) {
      continue;
    }
    for (const UnitDef* u : profile.units_for(role)) {
      if (u->milestone.empty()) continue;
      const auto dependant = first(r, u->milestone, node);
      REQUIRE(dependant.has_value());
      for (const GateDef& g : u->gates) {
        for (const GateProvider& p : gate_providers(profile, g, role)) {
          const UnitDef* provider = profile.find(p.unit);
          if (provider == nullptr || provider->milestone.empty() || provider == u) continue;
          std::optional<sim::SimTime> earliest;
          if (p.on_masters) {
            for (const std::string& m : r.nodes) {
              if (!m.starts_with("master-")) continue;
              const auto t = first(r, provider->milestone, m);
              if (t && (!earliest || *t < *earliest)) earliest = t;
            }
          } else {
            earliest = first(r, provider->milestone, node);
          }
          INFO(node << ": " << u->name << " (" << u->milestone << ") gated by " << g.text()
                    << " on " << p.unit << " (" << provider->milestone << ")");
          REQUIRE(earliest.has_value());
          CHECK(*earliest <= *dependant);
          ++pairs;
        }
      }
    }
  }
  CHECK(pairs > 100);
  // The built-in ordering rules (the seed's order) all hold and were all exercised.
  for (const RuleResult& rr : r.rules) {
    INFO(rr.rule);
    CHECK(rr.violations.empty());
    // A liveness rule is about faults: without one it has nothing to decide, and says so.
    CHECK((rr.within ? rr.not_checked == "no fault fired" : rr.checked > 0));
  }
}

TEST_CASE("same seed, same bytes, another seed, another boot", "[cluster][determinism]") {
  const Scenario s = default_scenario();
  const std::string a = format_json(run(s));
  const std::string b = format_json(run(s));
  CHECK(a == b);
  RunOptions other;
  other.seed = 43;
  const std::string c = format_json(run(s, other));
  CHECK(a != c);
  CHECK(format_text(run(s)) == format_text(run(s)));
}

TEST_CASE("restart delays quantise the boot: times computed by hand", "[cluster]") {
  // One master, no agents, constant start times and zero loopback latency, so every instant
  // follows from RestartSec, Exhibitor's check period and the resolv.conf timer. RestartSec
  // counts from the failed attempt.
  // - dcos-exhibitor: the JVM starts in 1 s (exhibitor.started); its first check comes one
  //   check period later (2 s with one master) and launches ZooKeeper, whose client port is
  //   bound 300 ms later: 3.3 s, serving standalone at once.
  // - dcos-spartan: bootstrap asks Exhibitor, which reports what its last check saw. At 0 s
  //   Exhibitor is not up; at 5 s its check of 5 s has not run yet (the retry was queued first);
  //   at 10 s it passes. The proxy runs 1 s later: 11 s.
  // - dcos-gen-resolvconf at OnBootSec 5 s asks 198.51.100.1, .2, .3 in turn (5 s timeout
  //   each): nothing answers the queries of 5 s and 10 s (Spartan runs from 11 s); the one of
  //   15 s is answered at once (zero loopback): resolv.conf names 198.51.100.3 from 15 s.
  // - dcos-mesos-master: `ping ready.spartan` fails at 0.001 s (the image's resolv.conf: the
  //   resolver outside the cluster answers NXDOMAIN in 1 ms); the retry at 15.001 s finds
  //   resolv.conf pointing at Spartan, which answers at once, and bootstrap passes: exec at
  //   15.001 s, started 500 ms later.
  const Scenario s = load_text(R"yaml(
name: quantised
seed: 1
cluster: {masters: 1, agents: {private: 0, public: 0}}
parameters:
  zookeeper.server_start: 300ms
  network.loopback_latency: "constant(0s)"
  cluster.boot_skew: "constant(0s)"
units:
  dcos-exhibitor: {start: 1s}
  dcos-spartan: {start: 1s}
  dcos-mesos-master: {start: 500ms}
)yaml");
  const RunResult r = run(s);
  CHECK(first(r, "exhibitor.started", "master-1") == sim::seconds(1));
  CHECK(first(r, "zookeeper.started", "master-1") == sim::milliseconds(3300));
  CHECK(first(r, "zookeeper.serving", "master-1") == sim::milliseconds(3300));
  CHECK(first(r, "dns-proxy.started", "master-1") == sim::seconds(11));
  CHECK(first(r, "mesos-master.started", "master-1") == sim::milliseconds(15501));
  CHECK(first(r, "mesos-master.contending", "master-1") == sim::milliseconds(15501));
}

TEST_CASE("cluster.boot_skew: each host boots at its own drawn time", "[cluster]") {
  // The quantised one-master boot (above) with the host powered on at 10 s: every instant moves
  // by exactly 10 s. With a spread, hosts boot at different times, each drawn from its own
  // stream, so one host's draw does not depend on the cluster's size.
  const std::string yaml = R"yaml(
name: skewed
seed: 1
cluster: {masters: 1, agents: {private: 0, public: 0}}
parameters:
  zookeeper.server_start: 300ms
  network.loopback_latency: "constant(0s)"
  cluster.boot_skew: "constant(10s)"
units:
  dcos-exhibitor: {start: 1s}
)yaml";
  const RunResult r = run(load_text(yaml));
  CHECK(first(r, "exhibitor.started", "master-1") == sim::seconds(11));
  CHECK(first(r, "zookeeper.started", "master-1") == sim::milliseconds(13300));

  Scenario spread = default_scenario();
  RunOptions o;
  o.settings.push_back(Setting{"cluster.boot_skew", "uniform(0s, 60s)", {}});
  const RunResult a = run(spread, o);
  std::set<sim::SimTime> boots;
  std::map<std::string, sim::SimTime, std::less<>> boot_of;
  for (const sim::TraceRecord& rec : a.trace.records()) {
    if (rec.component() == "systemd" && rec.name() == "boot" && !boot_of.contains(rec.node())) {
      boot_of[std::string(rec.node())] = rec.time;
      boots.insert(rec.time);
    }
  }
  CHECK(boot_of.size() == 14);  // 3 masters, 10 private and 1 public agent
  CHECK(boots.size() == 14);    // all at different instants
  CHECK(*boots.rbegin() <= sim::seconds(60));
  // master-1 boots at the same time with 20 agents as with 10.
  o.settings.push_back(Setting{"cluster.agents.private", "20", {}});
  const RunResult b = run(spread, o);
  for (const sim::TraceRecord& rec : b.trace.records()) {
    if (rec.node() == "master-1" && rec.component() == "systemd" && rec.name() == "boot") {
      CHECK(rec.time == boot_of["master-1"]);
      break;
    }
  }
}

TEST_CASE("a crashed Mesos leader is replaced after the ZooKeeper session timeout",
          "[cluster][faults]") {
  Scenario s = default_scenario();
  RunOptions o;
  o.faults.push_back(
      fault("kind=crash target=mesos-leader at=agent.registered+1s restart_after=60s"));
  o.until = sim::minutes(10);
  // The timings below were worked out with every host booting at 0 s.
  o.settings.push_back(Setting{"cluster.boot_skew", "constant(0s)", {}});
  const RunResult r = run(s, o);
  const auto elected = r.trace.milestones_named("mesos-master.elected");
  REQUIRE(elected.size() >= 2);
  const sim::TraceRecord& first_leader = r.trace.at(elected[0]);
  const sim::TraceRecord& second_leader = r.trace.at(elected[1]);
  CHECK(first_leader.detail() != second_leader.detail());
  // The crash came 1 s after the first agent registered.
  const auto registered = r.trace.milestones_named("agent.registered");
  const sim::SimTime crash_at = r.trace.at(registered.front()).time + sim::seconds(1);
  // The old leader's znode goes when the ZooKeeper leader expires its session: one session
  // timeout T after it last heard of it (between T/3 + tick/2 before and tick/2 after the
  // crash), at its next whole-tick check. (The ZooKeeper leader, master-2, survives here.)
  const sim::SimTime T = sim::seconds(10), tick = sim::seconds(2);
  CHECK(second_leader.time - crash_at >= T - T / 3 - tick / 2);
  CHECK(second_leader.time - crash_at <= T + tick * 3 / 2 + sim::milliseconds(100));
  CHECK(r.ready_at.has_value());
  for (const Violation& v : r.violations) CHECK(v.rule != "single-mesos-leader");
}

TEST_CASE("a process crash restarts only that unit, after its RestartSec", "[cluster][faults]") {
  Scenario s = default_scenario();
  RunOptions o;
  o.faults.push_back(fault("kind=crash target=master-1/mesos-dns at=cluster.masters_ready+1s"));
  o.until = sim::minutes(10);
  const RunResult r = run(s, o);
  const auto starts = r.trace.milestones_named("mesos-dns.started");
  std::vector<sim::SimTime> on_master_1;
  for (const auto id : starts) {
    if (r.trace.at(id).node() == "master-1") on_master_1.push_back(r.trace.at(id).time);
  }
  REQUIRE(on_master_1.size() == 2);
  const sim::SimTime crash = *first(r, "cluster.masters_ready", "cluster") + sim::seconds(1);
  // dcos-mesos-dns: RestartSec 5 s, then its gates pass at once (ZooKeeper and DNS are up).
  CHECK(on_master_1[1] - crash >= sim::seconds(5));
  CHECK(on_master_1[1] - crash < sim::seconds(7));
  // Other masters' Mesos-DNS were not touched.
  int others = 0;
  for (const auto id : starts) others += r.trace.at(id).node() != "master-1";
  CHECK(others == 2);
}

TEST_CASE("a partition that isolates an agent holds back its registration", "[cluster][faults]") {
  Scenario s = default_scenario();
  RunOptions o;
  o.faults.push_back(fault("kind=partition groups=agent-3|rest at=0s heal_after=5m"));
  o.until = sim::minutes(10);
  const RunResult r = run(s, o);
  REQUIRE(first(r, "agent.available", "agent-3").has_value());
  CHECK(*first(r, "agent.available", "agent-3") >= sim::minutes(5));
  CHECK(*first(r, "agent.available", "agent-1") < sim::minutes(5));
}

TEST_CASE("a host crash before quorum with DC/OS 1.9 holds every master back",
          "[cluster][faults]") {
  // 1.9's bootstrap waits for every ZooKeeper server to serve: one master down stops them all.
  Scenario s = default_scenario();
  RunOptions o;
  o.faults.push_back(fault("kind=crash target=master-3 at=0s"));
  o.until = sim::minutes(5);
  const RunResult r = run(s, o);
  CHECK_FALSE(r.ready_at.has_value());
  CHECK_FALSE(first(r, "mesos-master.started", "master-1").has_value());
  CHECK_FALSE(first(r, "dns-proxy.started", "master-1").has_value());
  CHECK(r.ended_at == sim::minutes(5));
  CHECK_FALSE(r.not_reached.empty());
  // The later profile needs only the local server in quorum.
  s.profile = "dcos-2.3";
  const RunResult later = run(s, o);
  CHECK(first(later, "mesos-master.started", "master-1").has_value());
}

TEST_CASE("building a run reports input errors", "[cluster][errors]") {
  const Scenario s = default_scenario();
  SECTION("a master count DC/OS refuses, from --set") {
    RunOptions o;
    o.settings.push_back(Setting{"cluster.masters", "4", {}});
    auto r = run_scenario(s, o);
    REQUIRE(std::holds_alternative<InputError>(r));
    CHECK(std::get<InputError>(r).format() ==
          "command line: error: cluster.masters: DC/OS accepts 1, 3, 5, 7 or 9 masters, got 4");
  }
  SECTION("an unknown unit in an After= dependency, located at its name") {
    const Scenario bad = load_text(
        "name: x\nunits:\n  dcos-marathon:\n    after: [dcos-mesos-master, dcos-nonesuch]\n");
    auto r = run_scenario(bad);
    REQUIRE(std::holds_alternative<InputError>(r));
    CHECK(std::get<InputError>(r).format() ==
          "test.yaml:4:32: error: unit 'dcos-marathon' is ordered After= unknown unit "
          "'dcos-nonesuch'");
  }
  SECTION("a cycle among After= orderings, named unit by unit") {
    const Scenario bad = load_text(
        "name: x\nprofile: dcos-2.3\nunits:\n  dcos-exhibitor: {after: [dcos-adminrouter]}\n");
    auto r = run_scenario(bad);
    REQUIRE(std::holds_alternative<InputError>(r));
    CHECK(std::get<InputError>(r).format() ==
          "test.yaml:4:3: error: cycle among After= orderings: dcos-exhibitor -> "
          "dcos-adminrouter -> dcos-bouncer -> dcos-cockroach -> dcos-exhibitor");
  }
  SECTION("an unknown unit in a fault target") {
    RunOptions o;
    o.faults.push_back(fault("kind=crash target=master-1/nope at=1s"));
    auto r = run_scenario(s, o);
    REQUIRE(std::holds_alternative<InputError>(r));
    CHECK(std::get<InputError>(r).format().starts_with(
        "command line: error: fault.target: no unit 'nope' in profile dcos-1.9 (valid: zookeeper, "
        "dcos-exhibitor, "));
  }
  SECTION("an unknown unit in a unit override, located") {
    const Scenario bad = load_text("name: x\nunits:\n  dcos-mesos-mastr: {restart_sec: 5s}\n");
    auto r = run_scenario(bad);
    REQUIRE(std::holds_alternative<InputError>(r));
    const std::string msg = std::get<InputError>(r).format();
    CHECK(msg.starts_with("test.yaml:3:"));
    CHECK(msg.find("unknown unit 'dcos-mesos-mastr'") != std::string::npos);
  }
}

TEST_CASE("a paused agent process is silent until resumed", "[cluster][faults]") {
  Scenario s = default_scenario();
  RunOptions o;
  o.faults.push_back(
      fault("kind=pause target=agent-2/mesos-slave at=agent.started@agent-2 resume_after=2m"));
  o.until = sim::minutes(10);
  const RunResult r = run(s, o);
  const auto started = first(r, "agent.started", "agent-2");
  REQUIRE(started.has_value());
  // Its registration timers were held while it was stopped: nothing before the resume.
  REQUIRE(first(r, "agent.registered", "agent-2").has_value());
  CHECK(*first(r, "agent.registered", "agent-2") >= *started + sim::minutes(2));
  CHECK(*first(r, "agent.registered", "agent-1") < *started + sim::minutes(2));
}

TEST_CASE("a crashed host boots again when it comes back", "[cluster][faults]") {
  Scenario s = default_scenario();
  RunOptions o;
  o.faults.push_back(fault("kind=crash target=agent-5 at=1s restart_after=3m"));
  o.until = sim::minutes(10);
  const RunResult r = run(s, o);
  // Every unit of agent-5 starts again at 181 s: its DNS proxy and registration come after.
  REQUIRE(first(r, "dns-proxy.started", "agent-5").has_value());
  CHECK(*first(r, "dns-proxy.started", "agent-5") > sim::seconds(181));
  REQUIRE(first(r, "agent.available", "agent-5").has_value());
  CHECK(*first(r, "agent.available", "agent-5") > sim::seconds(181));
  CHECK(r.ready_at.has_value());
  CHECK(*r.ready_at > sim::seconds(181));
}

TEST_CASE("with a majority of masters down there is no quorum, and the report says so",
          "[cluster][faults]") {
  for (const char* profile : {"dcos-1.9", "dcos-2.3"}) {
    INFO(profile);
    Scenario s = default_scenario();
    s.profile = profile;
    RunOptions o;
    o.faults.push_back(fault("kind=crash target=master-2 at=0s"));
    o.faults.push_back(fault("kind=crash target=master-3 at=0s"));
    o.until = sim::minutes(5);
    const RunResult r = run(s, o);
    CHECK(r.ended_at == sim::minutes(5));
    CHECK_FALSE(r.ready_at.has_value());
    CHECK_FALSE(first(r, "zookeeper.quorum", "cluster").has_value());
    // Nothing above ZooKeeper comes up anywhere.
    for (const char* m : {"mesos-master.started", "mesos-dns.started", "marathon.started",
                          "agent.started", "dns-proxy.leader_resolvable"}) {
      INFO(m);
      CHECK(r.trace.milestones_named(m).empty());
    }
    const std::string text = format_text(r);
    CHECK(text.find("cluster.ready NOT reached by 300.000s (--until)") != std::string::npos);
    CHECK(text.find("zookeeper.quorum: no ZooKeeper quorum formed") != std::string::npos);
  }
}

TEST_CASE("a partition isolating the leading master hands leadership over without overlap",
          "[cluster][faults]") {
  // The old leader's ZooKeeper sessions are served from the majority side here (seed 1), so it
  // loses them after two thirds of the session timeout and exits ("committing suicide") before
  // the ensemble expires its znode and the next master is elected. (When both sessions sit on
  // the partitioned host's own server, that server keeps answering them until syncLimit·tick:
  // the leadership monitor then reports the overlap, as real Mesos would have it.)
  Scenario s = default_scenario();
  RunOptions o;
  o.seed = 1;
  o.faults.push_back(
      fault("kind=partition groups=mesos-leader|rest at=cluster.ready+1s heal_after=5m"));
  o.until = sim::minutes(10);
  // Seed 1's session placement (above) is that of every host booting at 0 s.
  o.settings.push_back(Setting{"cluster.boot_skew", "constant(0s)", {}});
  const RunResult r = run(s, o);
  const auto elected = r.trace.milestones_named("mesos-master.elected");
  REQUIRE(elected.size() == 2);
  const std::string old_leader(r.trace.at(elected[0]).detail());
  const std::string new_leader(r.trace.at(elected[1]).detail());
  CHECK(old_leader != new_leader);
  const sim::SimTime partition_at = *r.ready_at + sim::seconds(1);
  const sim::SimTime timeout = sim::seconds(10);  // mesos-master.zk_session_timeout
  const sim::SimTime handover = r.trace.at(elected[1]).time - partition_at;
  CHECK(handover >= timeout - timeout / 3);
  CHECK(handover <= timeout + sim::seconds(4));
  // The old leader stopped leading before the new one was elected.
  bool exited = false;
  for (const sim::TraceRecord& rec : r.trace.records()) {
    if (rec.node() == old_leader && rec.component() == "dcos-mesos-master" &&
        rec.name() == "exited" && rec.time > partition_at &&
        rec.time <= r.trace.at(elected[1]).time) {
      exited = true;
    }
  }
  CHECK(exited);
  for (const Violation& v : r.violations) CHECK(v.rule != "single-mesos-leader");
  CHECK(first(r, "mesos-master.leading", new_leader).has_value());
}

TEST_CASE("a long-paused ZooKeeper leader is not reported as a second leader",
          "[cluster][faults]") {
  // It cannot step down while stopped; once resumed it finds no quorum and follows.
  Scenario s = default_scenario();
  RunOptions o;
  o.faults.push_back(fault(
      "kind=pause target=zookeeper-leader/zookeeper at=zookeeper.quorum+2s resume_after=30s"));
  o.until = sim::minutes(10);
  const RunResult r = run(s, o);
  CHECK(r.trace.milestones_named("zookeeper.quorum").size() >= 2);
  for (const Violation& v : r.violations) CHECK(v.rule != "single-zookeeper-leader");
  CHECK(r.ready_at.has_value());
}

TEST_CASE("the fault registry has a handler for every fault kind", "[cluster][fault]") {
  const FaultRegistry faults = standard_faults();
  for (const FaultKind kind : {FaultKind::kCrash, FaultKind::kPause, FaultKind::kPartition,
                               FaultKind::kHeal, FaultKind::kOneWayPartition, FaultKind::kLink,
                               FaultKind::kCrashLoop, FaultKind::kSlowDisk, FaultKind::kClock}) {
    INFO(fault_kind_name(kind));
    CHECK(faults.has(kind));
  }
}

TEST_CASE("check-time passes unless the host's clock is marked unsynchronised", "[cluster][gate]") {
  sim::Engine engine(1);
  sim::Network net(engine, sim::Distribution::constant(sim::milliseconds(1)));
  sim::Trace trace;
  Parameters params;
  Topology topology;
  RunContext ctx(engine, net, trace, params, topology);
  const sim::NodeId node = net.add_node("master-1");
  const sim::ProcessId systemd = net.add_process(node, "systemd");
  net.start_process(systemd);
  const UnitSite site{node, "master-1", "dcos-navstar", systemd};
  GateDef def;
  def.kind = "check-time";
  auto gate = make_dcos_local_gate(ctx, def);
  REQUIRE(gate != nullptr);
  std::vector<GateResult> results;
  gate->probe(site, [&](GateResult r) { results.push_back(std::move(r)); });
  engine.run_until(sim::seconds(1));
  // What a clock-skew fault leaves: adjtimex reports the clock unsynchronised.
  ctx.host(node).write_file(host_path::kClockUnsynchronised, "+30s", 0);
  gate->probe(site, [&](GateResult r) { results.push_back(std::move(r)); });
  engine.run_until(sim::seconds(2));
  REQUIRE(results.size() == 2);
  CHECK(results[0].ok);
  CHECK_FALSE(results[1].ok);
  CHECK(results[1].reason == "adjtimex: clock not synchronised (offset +30s)");
}

TEST_CASE("a run keeps the same outcome at every --trace level, with and without faults",
          "[cluster][trace]") {
  const Scenario s = default_scenario();
  for (const bool faulted : {false, true}) {
    RunOptions o;
    if (faulted) {
      // A leader crash after the boot: a violation-free failover with faults, budgets and
      // re-registrations in the trace.
      o.faults.push_back(fault("kind=crash target=mesos-leader at=cluster.ready+5s"));
    }
    const RunResult full = run(s, o);
    for (const auto level : {sim::TraceLevel::kMilestones, sim::TraceLevel::kNone}) {
      INFO("faulted " << faulted << ", level " << sim::to_string(level));
      o.trace_level = level;
      const RunResult light = run(s, o);
      CHECK(light.fingerprint == full.fingerprint);
      CHECK(light.events == full.events);
      CHECK(light.ended_by == full.ended_by);
      CHECK(light.ready_at == full.ready_at);
      CHECK(light.milestone_times == full.milestone_times);
      CHECK(light.trace.size() == full.trace.size());
      CHECK(light.critical_chain == full.critical_chain);
      CHECK(light.trace.dropped_but_named() == 0);
      REQUIRE(light.budgets.size() == full.budgets.size());
      for (std::size_t i = 0; i < full.budgets.size(); ++i) {
        CHECK(light.budgets[i].actual == full.budgets[i].actual);
        CHECK(light.budgets[i].ok == full.budgets[i].ok);
      }
      REQUIRE(light.violations.size() == full.violations.size());
      for (std::size_t i = 0; i < full.violations.size(); ++i) {
        CHECK(light.violations[i].detail == full.violations[i].detail);
        CHECK(light.violations[i].evidence == full.violations[i].evidence);
      }
      CHECK(light.ineffective_faults() == full.ineffective_faults());
      std::size_t details = 0;
      for (const sim::TraceRecord& r : light.trace.records()) details += !r.detail().empty();
      CHECK(details < full.trace.size() / 4);
      // milestones holds every record; none only what is read back.
      if (level == sim::TraceLevel::kMilestones) {
        CHECK(light.trace.records().size() == full.trace.size());
      } else {
        // What is read back: the milestones, and with a failover the offers it makes again.
        CHECK(light.trace.records().size() < full.trace.size() / (faulted ? 4 : 8));
      }
    }
  }
}

TEST_CASE(
    "the default event limit is 50 million or 10,000 a host, whichever is more, and one "
    "given is kept as given",
    "[cluster][limits]") {
  const auto limit_of = [](const std::string& agents, std::optional<std::uint64_t> given) {
    const Scenario s = load_text("name: big\ncluster: {masters: 3, agents: {private: " + agents +
                                 ", public: 1}}\n");
    RunOptions o;
    o.max_events = given;
    auto p = prepare_run(s, o);
    REQUIRE(std::holds_alternative<PreparedRun>(p));
    return std::get<PreparedRun>(p).max_events;
  };
  CHECK(limit_of("100", std::nullopt) == 50'000'000);
  CHECK(limit_of("4996", std::nullopt) == 50'000'000);  // 5,000 hosts: exactly 50 million
  CHECK(limit_of("4997", std::nullopt) == 50'010'000);
  // A 100,000-agent boot takes about 85 million events: more than the fixed default.
  CHECK(limit_of("100000", std::nullopt) == 1'000'040'000);
  CHECK(limit_of("100000", 1000) == 1000);
  CHECK(limit_of("100000", 0) == 0);

  // The run reports the limit it had, resolved or given.
  const Scenario small =
      load_text("name: small\ncluster: {masters: 1, agents: {private: 1, public: 0}}\n");
  CHECK(run(small).max_events == 50'000'000);
  RunOptions tight;
  tight.max_events = 100;
  const RunResult cut = run(small, tight);
  CHECK(cut.ended_by == "max-events");
  CHECK(cut.max_events == 100);
}
