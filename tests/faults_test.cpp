// The fault kinds of issue 10 in whole runs: parsing each kind, group and role targets named in
// the report, the operator's restart_after, crash loops, overlapping partitions healed by
// name, one-way partitions, lossy links, slow disks, skewed clocks, loss as TCP sees it,
// --stop-at-ready, and the load errors of faults that name what does not exist.
#include <fmt/format.h>
#include <catch2/catch.hpp>
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
using bootsim::testing::first;

namespace {

Scenario scenario(const std::string& yaml) {
  auto loaded = load_scenario_text(yaml, "faults.yaml");
  if (auto* e = std::get_if<InputError>(&loaded)) FAIL(e->format());
  return std::get<Scenario>(loaded);
}

// A small cluster: 3 masters, 2 private agents, no public agent, no service.
Scenario small() {
  return scenario(
      "name: small\nseed: 3\nuntil: 30m\ncluster: {masters: 3, agents: {private: 2, "
      "public: 0}}\n");
}

std::string fault_error(const std::string& line) {
  auto f = parse_fault_line(line, SourceLocation{});
  if (std::holds_alternative<FaultSpec>(f)) FAIL("accepted: " << line);
  return std::get<InputError>(f).format();
}

RunResult run_faults(const Scenario& s, std::vector<std::string> faults = {}, RunOptions o = {}) {
  for (const std::string& f : faults) o.faults.push_back(fault(f));
  auto r = run_scenario(s, o);
  if (auto* e = std::get_if<InputError>(&r)) FAIL(e->format());
  return std::move(std::get<RunResult>(r));
}

std::string run_error(const Scenario& s, const std::string& line) {
  RunOptions o;
  o.faults.push_back(fault(line));
  auto r = run_scenario(s, o);
  if (std::holds_alternative<RunResult>(r)) FAIL("ran: " << line);
  return std::get<InputError>(r).format();
}

using bootsim::testing::events;

// The first reach of `name` on any node.
std::optional<sim::SimTime> first_any(const RunResult& r, std::string_view name) {
  const auto all = r.trace.milestones_named(name);
  if (all.empty()) return std::nullopt;
  return r.trace.at(all.front()).time;
}

}  // namespace

TEST_CASE("every fault kind has a handler", "[faults]") {
  const FaultRegistry registry = standard_faults();
  for (std::size_t i = 0; i < fault_kind_names().size(); ++i) {
    INFO(fault_kind_names()[i]);
    CHECK(registry.has(static_cast<FaultKind>(i)));
  }
}

TEST_CASE("each new fault kind parses and prints back canonically", "[faults][parse]") {
  const char* lines[] = {
      "kind=partition groups=master-1|rest name=p1 at=30s heal_after=1m",
      "kind=heal name=p1 at=1m",
      "kind=heal at=1m",
      "kind=one-way-partition groups=mesos-leader|rest at=mesos-master.elected+1s heal_after=30s",
      "kind=link groups=master-2|rest at=10s delay=200ms loss=0.3 duplicate=0.05 heal_after=2m",
      ("kind=crash-loop target=master-1/marathon at=marathon.started@master-1 dies_after=10s "
       "for=5m"),
      "kind=slow-disk target=all-masters at=0s factor=2.5 for=1m",
      "kind=clock target=master-2 at=0s skew=-30s drift_ppm=500",
      "kind=crash target=masters[1..2]/mesos-dns at=1m restart_after=30s",
      "kind=pause target=all-agents/dcos-spartan at=1m resume_after=10s",
      "kind=dns-outage target=all-masters/mesos-dns at=0s answers=nothing for=2m",
      "kind=dns-outage target=agent-1/dcos-spartan-agent at=1m",
      "kind=zk-session-expiry target=mesos-leader/mesos-master at=mesos-master.elected+30s",
  };
  for (const char* line : lines) {
    INFO(line);
    const FaultSpec f = fault(line);
    CHECK(fault(f.text) == f);
  }
  CHECK(fault("kind=slow-disk target=master-1 at=0s factor=2.5").factor_percent == 250);
  CHECK(fault("kind=clock target=master-1 at=0s skew=-30s").skew ==
        sim::SimTime::zero() - sim::seconds(30));
  CHECK(fault("kind=link groups=agent-1|rest at=0s loss=0.3").text ==
        "kind=link groups=agent-1|rest at=0s loss=0.3");
}

TEST_CASE("new fault kinds refuse what they cannot do", "[faults][parse]") {
  const std::pair<const char*, const char*> cases[] = {
      {"kind=link groups=a|rest at=0s loss=0.3",
       "fault.groups: 'a' is not a node, role or 'rest' (expected e.g. "
       "groups=master-1,master-2|rest)"},
      {"kind=link groups=master-1|rest at=0s",
       "fault: a link change needs delay, loss or duplicate (e.g. loss=0.3)"},
      {"kind=link groups=master-1|rest at=0s loss=1.5",
       "fault.loss must be a probability from 0 to 1, got '1.5'"},
      {"kind=crash-loop target=master-1 at=0s dies_after=1s",
       "fault.target: a crash-loop kills a process, so give node/unit (e.g. "
       "master-1/mesos-dns), got 'master-1'"},
      {"kind=crash-loop target=master-1/marathon at=0s",
       "fault: missing 'dies_after' (a crash-loop kills the process this long after each start, "
       "e.g. dies_after=10s)"},
      {"kind=slow-disk target=master-1 at=0s factor=0.5",
       "fault.factor must be a number from 1 to 1000 (how many times slower), got '0.5'"},
      {"kind=slow-disk target=master-1/zookeeper at=0s factor=2",
       "fault.target: a slow-disk acts on a host, so give a node without a unit, got "
       "'master-1/zookeeper'"},
      {"kind=clock target=master-1 at=0s",
       "fault: a clock fault needs skew or drift_ppm (e.g. "
       "skew=30s)"},
      {"kind=clock target=master-1 at=0s drift_ppm=2000000",
       "fault.drift_ppm must be an integer from -500000 to 500000, got '2000000'"},
      {"kind=one-way-partition groups=master-1|master-2|rest at=0s",
       "fault.groups: a one-way partition takes exactly 2 groups, FROM|TO (FROM's messages to TO "
       "are lost)"},
      {"kind=heal name=p1 groups=master-1|rest at=0s",
       "fault.groups applies only to kind=partition, one-way-partition or link, not kind=heal"},
      {"kind=crash target=master-1 at=0s heal_after=1s",
       "fault.heal_after applies only to kind=partition, one-way-partition or link, not "
       "kind=crash"},
      {"kind=dns-outage target=master-1/marathon at=0s",
       "fault.target: a dns-outage names a DNS server as node/unit, the unit one of mesos-dns, "
       "dcos-mesos-dns, spartan, dcos-spartan, dcos-spartan-agent, got 'master-1/marathon'"},
      {"kind=dns-outage target=master-1/mesos-dns at=0s answers=refused",
       "fault.answers: expected servfail or nothing, got 'refused'"},
      {"kind=zk-session-expiry target=master-1 at=0s",
       "fault.target: a zk-session-expiry names a ZooKeeper client as node/unit (e.g. "
       "master-1/mesos-master or master-1/marathon), got 'master-1'"},
      {"kind=zk-session-expiry target=master-1/mesos-master at=0s for=1m",
       "fault.for applies only to kind=crash-loop, slow-disk, clock or dns-outage, not "
       "kind=zk-session-expiry"},
      {"kind=crash target=masters[2..1] at=0s",
       "fault.target: 'masters[2..1]' is not a node or role (expected master-N, agent-N, "
       "public-agent-N, zookeeper-leader, mesos-leader, any-master, any-agent, all-masters, "
       "all-agents, a range such as masters[1..2] or a zone such as zone:b)"},
  };
  for (const auto& [line, message] : cases) {
    INFO(line);
    CHECK(fault_error(line) == std::string("command line: error: ") + message);
  }
}

TEST_CASE("faults naming what the cluster or profile lacks are load errors", "[faults][errors]") {
  const Scenario s = small();
  CHECK(run_error(s, "kind=crash target=masters[2..5] at=0s") ==
        "command line: error: fault.target: 'masters[2..5]' reaches past this cluster (masters "
        "are master-1..master-3)");
  CHECK(run_error(s, "kind=crash target=agent-3 at=0s") ==
        "command line: error: fault.target: no node 'agent-3' in this cluster (private agents are "
        "agent-1..agent-2)");
  const std::string unit = run_error(s, "kind=crash target=master-1/mesos-dsn at=0s");
  CHECK(
      unit.starts_with("command line: error: fault.target: no unit 'mesos-dsn' in profile "
                       "dcos-1.9 (valid: zookeeper, "));
  CHECK(unit.find("dcos-mesos-dns") != std::string::npos);
  // In a file, the error points at the fault.
  auto loaded = load_scenario_text(
      "name: x\ncluster: {masters: 3}\nfaults:\n  - kind=crash target=master-4 at=0s\n", "f.yaml");
  REQUIRE(std::holds_alternative<InputError>(loaded));
  CHECK(
      std::get<InputError>(loaded).format().starts_with("f.yaml:4:5: error: fault.target: no "
                                                        "node 'master-4'"));
}

TEST_CASE("a group target hits every host it names, and the report says which",
          "[faults][targets]") {
  const RunResult r = run_faults(small(), {"kind=crash target=masters[2..3] at=zookeeper.quorum+1s "
                                           "restart_after=30s",
                                           "kind=crash target=mesos-leader at=25m"});
  const auto crashes = events(r, "", "fault", "host_crash");
  REQUIRE(crashes.size() == 3);
  CHECK(crashes[0]->node() == "master-2");
  CHECK(crashes[1]->node() == "master-3");
  CHECK(crashes[0]->detail().ends_with("(masters[2..3] was master-2,master-3)"));
  const auto elected = r.trace.latest_milestone("mesos-master.elected", "cluster");
  REQUIRE(elected.has_value());
  // The role is resolved when the fault fires: the leader at that moment.
  CHECK(crashes[2]->detail().ends_with(fmt::format("(mesos-leader was {})", crashes[2]->node())));
  CHECK(events(r, "", "fault", "host_restart").size() == 2);
}

TEST_CASE("restart_after on a Restart=always unit acts as an operator's stop and start",
          "[faults][operator]") {
  const RunResult r = run_faults(
      small(), {"kind=crash target=master-2/mesos-dns at=cluster.ready+10s restart_after=2m"});
  const auto ready = r.ready_at.value();
  const auto fired = ready + sim::seconds(10);
  // systemctl stop: the unit goes inactive, and stays so (RestartSec would have restarted it).
  const auto stopped = events(r, "master-2", "dcos-mesos-dns", "inactive");
  REQUIRE(!stopped.empty());
  CHECK(stopped.back()->time == fired);
  CHECK(stopped.back()->detail() == "systemctl stop");
  // systemctl start 2 min later: the next attempt is then, not RestartSec after the kill.
  bool attempted_again = false;
  for (const auto* e : events(r, "master-2", "dcos-mesos-dns", "start-pre")) {
    if (e->time > fired) {
      CHECK(e->time == fired + sim::minutes(2));
      attempted_again = true;
      break;
    }
  }
  CHECK(attempted_again);
}

TEST_CASE("a crash loop kills the process dies_after each start until it ends",
          "[faults][crash-loop]") {
  const RunResult r = run_faults(small(), {"kind=crash-loop target=master-1/marathon "
                                           "at=marathon.started@master-1 dies_after=10s for=2m"});
  const auto kills = events(r, "master-1", "fault", "process_crash");
  REQUIRE(kills.size() >= 3);
  const auto execs = events(r, "master-1", "dcos-marathon", "exec");
  // Each kill is 10 s after an exec (the first one: 10 s after the loop began).
  for (const auto* k : kills) {
    bool after_exec = false;
    for (const auto* e : execs) after_exec = after_exec || k->time == e->time + sim::seconds(10);
    const bool first = k == kills.front();
    CHECK((after_exec || first));
  }
  // After the loop ends (2 min after it began) Marathon stays up.
  const auto began = events(r, "master-1", "fault", "crash_loop").front()->time;
  for (const auto* k : kills) CHECK(k->time <= began + sim::minutes(2) + sim::seconds(10));
  CHECK(r.ready_at.has_value());
}

TEST_CASE("overlapping partitions in a run: an agent cut by two registers once both heal",
          "[faults][partition]") {
  const RunResult r =
      run_faults(small(), {"kind=partition name=p1 groups=agent-1|rest at=0s",
                           "kind=partition name=p2 groups=agent-1,agent-2|rest at=0s",
                           "kind=heal name=p1 at=5m", "kind=heal name=p2 at=8m"});
  const auto a1 = first(r, "agent.registered", "agent-1");
  const auto a2 = first(r, "agent.registered", "agent-2");
  REQUIRE(a1.has_value());
  REQUIRE(a2.has_value());
  CHECK(*a1 > sim::minutes(8));  // p2 still cuts agent-1 after p1 heals
  CHECK(*a2 > sim::minutes(8));
  const auto heals = events(r, "cluster", "fault", "heal");
  REQUIRE(heals.size() == 2);
  CHECK(heals[0]->detail() == "p1");
  CHECK(heals[1]->detail() == "p2");
}

TEST_CASE("healing a partition that is not in force is reported, not silent",
          "[faults][partition]") {
  const RunResult r = run_faults(small(), {"kind=heal name=nothing at=10s"});
  REQUIRE(events(r, "cluster", "fault", "no_target").size() == 1);
  CHECK(r.ineffective_faults().size() == 1);
}

TEST_CASE("loss as transports see it: 30% loss slows the boot but it becomes ready",
          "[faults][loss]") {
  RunOptions o;
  o.settings.push_back(Setting{"network.loss", "0.3", {}});
  const RunResult lossy = run_faults(small(), {}, o);
  const RunResult clean = run_faults(small());
  REQUIRE(lossy.ready_at.has_value());
  CHECK(*lossy.ready_at > *clean.ready_at);
}

TEST_CASE("a lossy link to one master: its streams retransmit, the cluster still boots",
          "[faults][link]") {
  const RunResult r = run_faults(
      small(), {"kind=link groups=master-2|rest at=0s loss=0.3 delay=50ms heal_after=10m"});
  CHECK(r.ready_at.has_value());
  CHECK(events(r, "cluster", "fault", "link_degraded").size() == 1);
}

TEST_CASE("a one-way partition from the leading master is survived", "[faults][partition]") {
  const RunResult r = run_faults(small(), {"kind=one-way-partition groups=mesos-leader|rest "
                                           "at=mesos-master.elected+1s heal_after=2m"});
  CHECK(events(r, "cluster", "fault", "one_way_partition").size() == 1);
  CHECK(r.ready_at.has_value());
}

TEST_CASE("a slow disk on every master delays the boot", "[faults][disk]") {
  const RunResult slow = run_faults(small(), {"kind=slow-disk target=all-masters at=0s factor=5"});
  const RunResult clean = run_faults(small());
  REQUIRE(slow.ready_at.has_value());
  CHECK(*first(slow, "zookeeper.quorum", "cluster") > *first(clean, "zookeeper.quorum", "cluster"));
}

TEST_CASE("stop-at-ready ends a faulted run at cluster.ready once the faults are over",
          "[faults][stop-at-ready]") {
  RunOptions o;
  o.stop_at_ready = true;
  const std::vector<std::string> f{"kind=crash target=agent-2 at=20s restart_after=10s"};
  const RunResult stopped = run_faults(small(), f, o);
  REQUIRE(stopped.ready_at.has_value());
  CHECK(stopped.ended_by == "cluster.ready");
  CHECK(stopped.ended_at == *stopped.ready_at);
  const RunResult full = run_faults(small(), f);
  CHECK(full.ended_by != "cluster.ready");
  CHECK(full.ready_at == stopped.ready_at);
}

TEST_CASE("a DNS outage of every Mesos-DNS: leader.mesos resolves only once it ends",
          "[faults][dns]") {
  const RunResult base = run_faults(small());
  const RunResult r = run_faults(
      small(), {"kind=dns-outage target=all-masters/mesos-dns at=0s answers=servfail for=4m"});
  REQUIRE(events(r, "", "fault", "dns_outage").size() == 3);
  const auto restored = events(r, "", "fault", "dns_restored");
  REQUIRE(restored.size() == 3);
  CHECK(restored[0]->time == sim::minutes(4));
  // Unfaulted, leader.mesos resolves well before 4 minutes; under the outage Mesos-DNS still
  // builds its records (mesos-dns.leader_record) but nobody resolves them until it ends.
  REQUIRE(first_any(base, "dns-proxy.leader_resolvable").has_value());
  CHECK(*first_any(base, "dns-proxy.leader_resolvable") < sim::minutes(4));
  REQUIRE(first_any(r, "mesos-dns.leader_record").has_value());
  CHECK(*first_any(r, "mesos-dns.leader_record") < sim::minutes(4));
  REQUIRE(first_any(r, "dns-proxy.leader_resolvable").has_value());
  CHECK(*first_any(r, "dns-proxy.leader_resolvable") > sim::minutes(4));
  CHECK(*first_any(r, "marathon.started") > sim::minutes(4));
  REQUIRE(r.ready_at.has_value());
  CHECK(*r.ready_at > sim::minutes(4));
  CHECK(r.violations.empty());
}

TEST_CASE("a silent Spartan is killed by its own watchdog and stays silent while the outage lasts",
          "[faults][dns]") {
  const RunResult r =
      run_faults(small(), {"kind=dns-outage target=agent-1/spartan at=dns-proxy.started@agent-1+1m "
                           "answers=nothing for=2m"});
  const auto outage = events(r, "agent-1", "fault", "dns_outage");
  REQUIRE(outage.size() == 1);
  // spartan_watchdog: no health check passed for 30 s, kill -9 (then systemd restarts it).
  std::vector<const sim::TraceRecord*> kills;
  for (const sim::TraceRecord& rec : r.trace.records()) {
    if (rec.node() == "agent-1" && rec.detail().find("spartan_watchdog") != std::string::npos &&
        rec.time > outage[0]->time) {
      kills.push_back(&rec);
    }
  }
  REQUIRE(!kills.empty());
  CHECK(kills[0]->time > outage[0]->time);
  CHECK(kills[0]->time <= outage[0]->time + sim::seconds(31));
  // Nothing on agent-1 kills Spartan after the outage ends.
  for (const auto* k : kills)
    CHECK(k->time <= outage[0]->time + sim::minutes(2) + sim::seconds(31));
  CHECK(r.ready_at.has_value());
}

TEST_CASE("a ZooKeeper session expiry of the leading master: it steps down, another leads",
          "[faults][zookeeper]") {
  // Seed 4: the old leader's two sessions are closed before its detector hears of the deletion
  // (with seed 3 the detector's watch now comes first and it steps down at once: no overlap).
  const Scenario small4 = scenario(
      "name: small\nseed: 4\nuntil: 30m\ncluster: {masters: 3, agents: {private: 2, "
      "public: 0}}\n");
  const RunResult r = run_faults(small4, {"kind=zk-session-expiry target=mesos-leader/mesos-master "
                                          "at=mesos-master.elected+2m"});
  const auto expired = events(r, "", "fault", "zk_session_expired");
  REQUIRE(expired.size() == 1);
  const std::string old_leader(expired[0]->node());
  // Both sessions (contender and detector) of that master are expired by the ensemble; the
  // client hears it when it reconnects: "the server reports the session expired".
  CHECK(expired[0]->detail().find("sessions 0x") != std::string::npos);
  bool told = false;
  for (const auto* e : events(r, old_leader, "zk-client", "session_state")) {
    told =
        told || (e->time >= expired[0]->time &&
                 e->detail().find("the server reports the session expired") != std::string::npos);
  }
  CHECK(told);
  // It commits suicide (stepped down), and a master is elected again after the expiry.
  bool stepped_down = false;
  for (const auto* e : events(r, old_leader, "mesos-master", "election_state")) {
    stepped_down = stepped_down || (e->time >= expired[0]->time &&
                                    e->detail().find("stepped_down") != std::string::npos);
  }
  CHECK(stepped_down);
  std::vector<sim::SimTime> elected;
  for (const sim::RecordId id : r.trace.milestones_named("mesos-master.elected")) {
    elected.push_back(r.trace.at(id).time);
  }
  REQUIRE(elected.size() >= 2);
  CHECK(elected.back() > expired[0]->time);
  CHECK(elected.back() < expired[0]->time + sim::seconds(30));
  // The expiry deletes its znode at once, so another master's detector elects it within a few
  // latencies, while the old leader learns of the expiry only when it reconnects (after its
  // connection is dropped: a reconnect delay of U(0, 1 s), plus 1 s once it has tried every
  // server, and a handshake). Real ZooKeeper and Mesos leave that window too: the check reports
  // it, and the report gives the overlap.
  REQUIRE(r.violations.size() == 1);
  CHECK(r.violations[0].rule == "single-mesos-leader");
  CHECK(r.violations[0].nodes.find(old_leader) != std::string::npos);
  REQUIRE(r.leader_overlaps.size() == 1);
  const RunResult::LeaderOverlap& o = r.leader_overlaps[0];
  CHECK(o.first == old_leader);
  CHECK(o.from > expired[0]->time);
  REQUIRE(o.to.has_value());
  CHECK(*o.to - o.from < sim::milliseconds(2200));

  // The same expiry of a master that keeps leading is caught by the single-leader check.
  RunOptions broken;
  broken.testing.mesos_master_keeps_leading = true;
  const RunResult b = run_faults(small(),
                                 {"kind=zk-session-expiry target=mesos-leader/mesos-master "
                                  "at=mesos-master.elected+2m"},
                                 broken);
  REQUIRE(!b.violations.empty());
  CHECK(b.violations[0].rule == "single-mesos-leader");
  REQUIRE(b.leader_overlaps.size() == 1);
  CHECK(!b.leader_overlaps[0].to.has_value());  // it never steps down
}

TEST_CASE("a session expiry without a serving ZooKeeper leader is reported, not dropped",
          "[faults][zookeeper]") {
  const RunResult r =
      run_faults(small(), {"kind=zk-session-expiry target=master-1/mesos-master at=1s"});
  const auto outcome = events(r, "master-1", "fault", "not_running");
  REQUIRE(outcome.size() == 1);
  CHECK(outcome[0]->detail().find("no mesos-master running") != std::string::npos);
}

TEST_CASE("faults in a file naming an unknown node, unit, role or milestone: FILE:LINE:COL",
          "[faults][errors]") {
  const auto load_error = [](const std::string& fault) {
    auto loaded = load_scenario_text(
        "name: x\ncluster: {masters: 3, agents: {private: 1}}\n"
        "faults:\n  - " +
            fault + "\n",
        "f.yaml");
    if (auto* e = std::get_if<InputError>(&loaded)) return e->format();
    auto ran = run_scenario(std::get<Scenario>(loaded));
    if (auto* e = std::get_if<InputError>(&ran)) return e->format();
    FAIL("accepted: " << fault);
    return std::string();
  };
  CHECK(load_error("kind=crash target=agent-2 at=0s")
            .starts_with("f.yaml:4:5: error: fault.target: no node 'agent-2'"));
  CHECK(load_error("kind=crash target=mesos-leadr at=0s") ==
        "f.yaml:4:5: error: fault.target: 'mesos-leadr' is not a node or role (did you mean "
        "'mesos-leader'?)");
  CHECK(load_error("kind=crash target=master-1/mesos-dsn at=0s")
            .starts_with("f.yaml:4:5: error: fault.target: no unit 'mesos-dsn' in profile "
                         "dcos-1.9 (valid: zookeeper, "));
  CHECK(load_error("kind=crash target=master-1 at=zookeeper.qourum+1s") ==
        "f.yaml:4:5: error: fault.at: unknown milestone 'zookeeper.qourum' (did you mean "
        "'zookeeper.quorum'?)");
  // The map form points at the field itself.
  CHECK(load_error("{kind: zk-session-expiry, target: master-1/mesos-mastr, at: 0s}")
            .starts_with("f.yaml:4:5: error: fault.target: no unit 'mesos-mastr'"));
  CHECK(load_error("{kind: dns-outage, target: master-1/mesos-dns, at: 0s, answers: refused}") ==
        "f.yaml:4:69: error: fault.answers: expected servfail or nothing, got 'refused'");
}

TEST_CASE("liveness: cluster.ready within a grace period of the last fault healing",
          "[faults][rules]") {
  const std::string base =
      "name: live\nseed: 5\nuntil: 30m\ncluster: {masters: 3, agents: {private: 2, public: 0}}\n"
      "faults:\n  - kind=dns-outage target=all-masters/mesos-dns at=0s answers=nothing for=4m\n";
  // The outage ends at 240 s and the cluster is ready about 16 s later.
  const RunResult held =
      run_faults(scenario(base + "rules:\n  - {liveness: cluster.ready, within: 1m}\n"));
  REQUIRE(held.ready_at.has_value());
  CHECK(held.violations.empty());
  const RuleResult& user = held.rules.back();
  CHECK(user.rule == "cluster.ready within 1m of the last fault healing");
  CHECK(user.checked == 1);
  CHECK(!user.builtin);

  const RunResult broke =
      run_faults(scenario(base + "rules:\n  - {liveness: cluster.ready, within: 5s}\n"));
  REQUIRE(broke.violations.size() == 1);
  const Violation& v = broke.violations[0];
  CHECK(v.rule == "cluster.ready within 5s of the last fault healing");
  CHECK(v.time == sim::minutes(4) + sim::seconds(5));
  CHECK(v.nodes == "cluster");
  CHECK(v.detail.starts_with(
      "cluster.ready not reached within 5s of the last fault action at 240.000s; it came at "));
  CHECK(v.explanation ==
        "The cluster did not recover: cluster.ready was not reached within 5s after the last "
        "fault healed.");
  // Its evidence: the last fault action before it, and cluster.ready itself.
  REQUIRE(v.evidence.size() == 2);
  CHECK(broke.trace.at(v.evidence[0]).name() == "dns_restored");
  CHECK(broke.trace.at(v.evidence[1]).name() == "cluster.ready");

  // Undecided: a fault that never heals, or faults that all come after cluster.ready.
  const RunResult never = run_faults(small(), {"kind=partition groups=agent-1|rest at=10s"});
  CHECK(never.rules.back().checked == 0);
  CHECK(never.rules.back().not_checked ==
        "a fault never heals: kind=partition groups=agent-1|rest at=10s");
  const RunResult late = run_faults(small(), {"kind=crash target=agent-1 at=cluster.ready+1s "
                                              "restart_after=10s"});
  CHECK(late.rules.back().checked == 0);
  CHECK(late.rules.back().not_checked ==
        "cluster.ready came before the first fault; it is recorded once");
}

TEST_CASE("liveness rules in a scenario are checked where they are written", "[faults][rules]") {
  const auto error = [](const std::string& rule) {
    auto loaded = load_scenario_text("name: x\nrules:\n  - " + rule + "\n", "r.yaml");
    REQUIRE(std::holds_alternative<InputError>(loaded));
    return std::get<InputError>(loaded).format();
  };
  CHECK(error("{liveness: cluster.redy, within: 1m}") ==
        "r.yaml:3:16: error: rule.liveness: unknown milestone 'cluster.redy' (did you mean "
        "'cluster.ready'?)");
  CHECK(error("{liveness: agent.registered, within: 1m}") ==
        "r.yaml:3:16: error: rule.liveness: 'agent.registered' is reached more than once or per "
        "node; a liveness rule takes cluster.ready, cluster.masters_ready or cluster.agents_ready");
  CHECK(error("{liveness: cluster.ready}") ==
        "r.yaml:3:5: error: rule: missing 'within' (e.g. within: 5m)");
  CHECK(error("{liveness: cluster.ready, within: 1m, before: zookeeper.quorum}") ==
        "r.yaml:3:43: error: unknown key 'before' in 'rule'");
}

TEST_CASE("an ordering rule's violation names both milestones and explains itself",
          "[faults][rules]") {
  // Marathon starts after the Mesos master on every master, so this user rule breaks on each.
  const RunResult r = run_faults(scenario(
      "name: order\nseed: 3\nuntil: 30m\ncluster: {masters: 3, agents: {private: 2, public: 0}}\n"
      "rules:\n  - {before: marathon.started, after: mesos-master.started}\n"));
  REQUIRE(r.violations.size() == 3);
  const Violation& v = r.violations[0];
  CHECK(v.rule == "marathon.started before mesos-master.started");
  CHECK(v.explanation == "On " + v.nodes +
                             ", mesos-master.started came before marathon.started had been "
                             "reached there, against the boot order this rule encodes.");
  // Evidence: the reach that broke it, then the later reach of what should have come first.
  REQUIRE(v.evidence.size() == 2);
  const sim::TraceRecord& broke = r.trace.at(v.evidence[0]);
  const sim::TraceRecord& late = r.trace.at(v.evidence[1]);
  CHECK(broke.name() == "mesos-master.started");
  CHECK(broke.node() == v.nodes);
  CHECK(broke.time == v.time);
  CHECK(late.name() == "marathon.started");
  CHECK(late.node() == v.nodes);
  CHECK(late.time > broke.time);
}
