// DC/OS 1.9's DNS timers in whole boots of the built-in profile: dcos-spartan-watchdog (an
// external check that SIGKILLs a silent Spartan), dcos-adminrouter-reload (nginx re-resolving
// leader.mesos) and dcos-gen-resolvconf's period. Every time below is computed by hand from
// the units' timers and the resolver's timeouts, with every host booting at 0 s
// (cluster.boot_skew=constant(0s), pinned here).
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "models/run/cluster.hpp"
#include "models/scenario/fault_spec.hpp"
#include "models/scenario/scenario.hpp"
#include "tests/printers.hpp"
#include "tests/run_helpers.hpp"
#include "tools/report/report.hpp"

using namespace bootsim;
using namespace bootsim::models;
using bootsim::testing::events;
using bootsim::testing::milestone_times;

namespace {

RunResult run_default_set(std::vector<std::string> sets, std::vector<std::string> faults = {},
                          std::optional<sim::SimTime> until = std::nullopt) {
  auto loaded = load_scenario_file(std::string(BOOTSIM_SOURCE_DIR) + "/scenarios/default.yaml");
  if (auto* e = std::get_if<InputError>(&loaded)) FAIL(e->format());
  sets.insert(sets.begin(), "cluster.boot_skew=constant(0s)");
  RunOptions o = bootsim::testing::options_of(sets, faults);
  o.until = until;
  auto r = run_scenario(std::get<Scenario>(loaded), o);
  if (auto* e = std::get_if<InputError>(&r)) FAIL(e->format());
  return std::move(std::get<RunResult>(r));
}

std::vector<sim::SimTime> times(const std::vector<const sim::TraceRecord*>& recs) {
  std::vector<sim::SimTime> out;
  for (const sim::TraceRecord* r : recs) out.push_back(r->time);
  return out;
}

}  // namespace

TEST_CASE("spartan watchdog: a stopped Spartan is killed by the timer's check and restarted",
          "[dns][timers]") {
  // agent-1's Spartan is stopped (SIGSTOP) 1 s after it starts, its own watchdog with it. The
  // external watchdog's timer fires at 5 s (OnBootSec), sleeps 60 s, then asks 198.51.100.1
  // with resolv.conf's `timeout:1 attempts:3` (gen-resolvconf wrote it at 20 s): no answer by
  // 68 s, so `pkill -9 -f spartan` kills it then; RestartSec=5 starts it again at 73 s.
  const RunResult r = run_default_set(
      {}, {"kind=pause target=agent-1/dcos-spartan-agent at=dns-proxy.started@agent-1+1s"});
  const auto killed = events(r, "agent-1", "dcos-spartan-agent", "signalled");
  REQUIRE(killed.size() == 1);
  CHECK(killed[0]->time == sim::seconds(68));
  CHECK(killed[0]->detail() == "SIGKILL from dcos-spartan-watchdog");
  const auto pkill = events(r, "agent-1", "dcos-spartan-watchdog", "pkill -9 -f spartan");
  REQUIRE(pkill.size() == 1);
  CHECK(pkill[0]->detail().ends_with("1 process(es) killed"));
  const auto execs = events(r, "agent-1", "dcos-spartan-agent", "exec");
  REQUIRE(execs.size() == 2);
  CHECK(execs[1]->time > sim::seconds(73));
  CHECK(execs[1]->time < sim::seconds(74));  // its bootstrap gate: one ZooKeeper connect
  const auto started = milestone_times(r, "dns-proxy.started", "agent-1");
  REQUIRE(started.size() == 2);
  CHECK(started[1] > execs[1]->time);
  CHECK(r.ready_at);
}

TEST_CASE("spartan watchdog: a later first run moves the kill with it", "[dns][timers]") {
  // OnBootSec 20 s: the check asks at 80 s and gives up at 83 s.
  const RunResult r = run_default_set(
      {"spartan-watchdog.OnBootSec=20s"},
      {"kind=pause target=agent-1/dcos-spartan-agent at=dns-proxy.started@agent-1+1s"});
  CHECK(times(events(r, "agent-1", "dcos-spartan-agent", "signalled")) ==
        std::vector<sim::SimTime>{sim::seconds(83)});
}

TEST_CASE("spartan watchdog: a healthy Spartan is never killed in the default boot",
          "[dns][timers]") {
  const RunResult r = run_default_set({});
  CHECK(r.violations.empty());
  for (const std::string& node : r.nodes) {
    INFO(node);
    CHECK(events(r, node, "dcos-spartan", "signalled").empty());
    CHECK(events(r, node, "dcos-spartan-agent", "signalled").empty());
  }
  // Every host ran the check, at 5 s and 125 s before the run ended at cluster.ready; on the
  // agents Spartan serves from about 40 s, so the first check (at 65 s) is answered.
  const auto agent_runs = events(r, "agent-1", "dcos-spartan-watchdog", "starting");
  CHECK(times(agent_runs) == std::vector<sim::SimTime>{sim::seconds(5), sim::seconds(125)});
  const auto answered = events(r, "agent-1", "dcos-spartan-watchdog", "inactive");
  REQUIRE(answered.size() == 1);
  CHECK(answered[0]->detail() == "ready.spartan answered");
  CHECK(answered[0]->time > sim::seconds(65));
  CHECK(answered[0]->time < sim::seconds(65) + sim::milliseconds(10));
}

namespace {

// When Admin Router on `node` took up `leader` (its "upstream" event), after `since`.
std::optional<sim::SimTime> upstream_changed(const RunResult& r, const std::string& node,
                                             const std::string& leader, sim::SimTime since) {
  for (const sim::TraceRecord* e : events(r, node, "dcos-adminrouter", "upstream")) {
    if (e->time >= since && e->detail() == "leader.mesos -> " + leader) return e->time;
  }
  return std::nullopt;
}

struct LeaderChange {
  sim::SimTime at;
  std::string leader;
  sim::SimTime all_records;  // when the last Mesos-DNS took up the new leader
};

// The leader change the crash made, and when every master's Mesos-DNS had the new record.
LeaderChange leader_change(const RunResult& r) {
  REQUIRE_FALSE(r.dns.empty());
  REQUIRE(r.dns.front().changes.size() == 1);
  LeaderChange c{r.dns.front().changes[0].at, r.dns.front().changes[0].leader, {}};
  for (const char* m : {"master-1", "master-2", "master-3"}) {
    std::optional<sim::SimTime> t;
    for (const sim::TraceRecord* rec : bootsim::testing::records(r, "mesos-dns.leader_record", m)) {
      if (rec->time >= c.at && rec->detail() == "leader.mesos -> " + c.leader) {
        t = rec->time;
        break;
      }
    }
    INFO(m);
    REQUIRE(t);
    c.all_records = std::max(c.all_records, *t);
  }
  return c;
}

constexpr const char* kCrashLeader =
    "kind=crash target=mesos-leader/mesos-master at=cluster.ready+5s";

}  // namespace

TEST_CASE("adminrouter reload: nginx takes up a new leader at the next reload, not before",
          "[dns][timers]") {
  // nginx.master.conf resolves leader.mesos of its `upstream mesos` block at configuration
  // load only. Once every Mesos-DNS has the new leader (all_records), the next reload (every
  // 30 s) resolves it, through Spartan to any Mesos-DNS: a few one-way latencies later.
  const sim::SimTime forwarding = sim::milliseconds(50);
  const RunResult r = run_default_set({}, {kCrashLeader}, sim::minutes(6));
  const LeaderChange c = leader_change(r);
  for (const char* m : {"master-1", "master-2", "master-3"}) {
    INFO(m);
    const auto t = upstream_changed(r, m, c.leader, c.at);
    REQUIRE(t);
    CHECK(*t <= c.all_records + sim::seconds(30) + forwarding);
    // Only at a reload: the timer's runs are at 5 s + 30 s k.
    const auto reloads = events(r, m, "dcos-adminrouter", "signalled");
    bool at_reload = false;
    for (const sim::TraceRecord* s : reloads)
      at_reload |= s->time <= *t && *t - s->time < forwarding;
    CHECK(at_reload);
  }
}

TEST_CASE("adminrouter reload: with a 10 min period nginx keeps the old leader far longer",
          "[dns][timers]") {
  const RunResult r =
      run_default_set({"adminrouter-reload.OnUnitActiveSec=10m"}, {kCrashLeader}, sim::minutes(6));
  const LeaderChange c = leader_change(r);
  for (const char* m : {"master-1", "master-2", "master-3"}) {
    INFO(m);
    // The reloads are at 5 s and 605 s: none between the change and the end of the run.
    CHECK_FALSE(upstream_changed(r, m, c.leader, c.at));
  }
  CHECK(events(r, "master-1", "dcos-adminrouter", "signalled").empty());  // 5 s: not yet up
}

namespace {

std::vector<sim::SimTime> resolvconf_runs(const RunResult& r, const std::string& node,
                                          sim::SimTime before) {
  std::vector<sim::SimTime> out;
  for (const sim::TraceRecord* e : events(r, node, "dcos-gen-resolvconf", "starting")) {
    if (e->time < before) out.push_back(e->time);
  }
  return out;
}

std::optional<sim::SimTime> to_spartan(const RunResult& r, const std::string& node) {
  const auto e = events(r, node, "dcos-gen-resolvconf", "resolv.conf -> Spartan");
  if (e.empty()) return std::nullopt;
  return e.front()->time;
}

}  // namespace

TEST_CASE(
    "resolvconf: while Spartan is down each run lasts 3 x 5 s, so a 10 s period runs back to "
    "back and meets the 1 min timer's run at 65 s",
    "[dns][timers]") {
  // gen_resolvconf.py (dcos/dcos@1.9.0 packages/spartan/extra/gen_resolvconf.py:23, 62-63)
  // asks 198.51.100.1, .2, .3 in turn with a 5 s UDP timeout. On the masters Spartan is held
  // by its bootstrap gate (every ZooKeeper serving) until about 65-72 s, so every run before
  // lasts 15 s: OnUnitActiveSec=10s starts them at 5, 20, 35, 50, 65 s; 1min at 5, 65 s.
  // Both runs at 65 s find Spartan up by the query at 75 s; mesos-master's `ping ready.spartan`
  // (RestartSec=15s: 60 s, 75 s) passes at 75 s either way: the boot is not shortened.
  const RunResult slow = run_default_set({});
  const RunResult fast = run_default_set({"resolvconf.OnUnitActiveSec=10s"});
  for (const char* m : {"master-1", "master-2", "master-3"}) {
    INFO(m);
    CHECK(resolvconf_runs(slow, m, sim::seconds(66)) ==
          std::vector<sim::SimTime>{sim::seconds(5), sim::seconds(65)});
    CHECK(resolvconf_runs(fast, m, sim::seconds(66)) ==
          std::vector<sim::SimTime>{sim::seconds(5), sim::seconds(20), sim::seconds(35),
                                    sim::seconds(50), sim::seconds(65)});
    REQUIRE(to_spartan(slow, m));
    CHECK(to_spartan(slow, m) == to_spartan(fast, m));
  }
  REQUIRE(slow.ready_at);
  REQUIRE(fast.ready_at);
  CHECK(*fast.ready_at - *slow.ready_at < sim::milliseconds(10));
  CHECK(*slow.ready_at - *fast.ready_at < sim::milliseconds(10));
}

TEST_CASE(
    "resolvconf: when Spartan on the masters misses the run at 65 s, a 10 s period shortens the "
    "boot and the critical chain names the resolv.conf timer",
    "[dns][timers]") {
  // Spartan on the masters 12 s from exec to ready: up after the 65 s run's last query (75 s),
  // which falls back to the upstream resolvers at 80 s. With 1min the next run is at 125 s;
  // with 10s it starts at once, at 80 s.
  const std::string slow_start = "units.dcos-spartan.start=constant(12s)";
  const RunResult slow = run_default_set({slow_start});
  const RunResult fast = run_default_set({slow_start, "resolvconf.OnUnitActiveSec=10s"});
  for (const char* m : {"master-1", "master-2", "master-3"}) {
    INFO(m);
    REQUIRE(to_spartan(slow, m));
    CHECK(*to_spartan(slow, m) > sim::seconds(125));
    REQUIRE(to_spartan(fast, m));
    CHECK(*to_spartan(fast, m) < sim::seconds(95));
  }
  REQUIRE(slow.ready_at);
  REQUIRE(fast.ready_at);
  CHECK(*fast.ready_at + sim::seconds(30) < *slow.ready_at);
  const std::string text = report::format_text(slow, {.colour = false, .summary = true});
  INFO(text);
  CHECK(text.find("dcos-gen-resolvconf resolv.conf -> Spartan@") != std::string::npos);
  CHECK(text.find("why: timer: dcos-gen-resolvconf is started by its timer") != std::string::npos);
}
