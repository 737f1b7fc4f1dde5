// The DNS path in whole boots of the built-in DC/OS 1.9 profile: Spartan, dcos-gen-resolvconf,
// Mesos-DNS, the stub resolver behind the `ping` gates and Admin Router's cache, and the
// measurement of leader.mesos per host. Faults (pause, crash) act on the real message flow.
#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <string>

#include "models/run/cluster.hpp"
#include "models/run/faults.hpp"
#include "models/scenario/scenario.hpp"
#include "tests/printers.hpp"
#include "tests/run_helpers.hpp"
#include "tools/report/report.hpp"

using namespace bootsim;
using namespace bootsim::models;

namespace {

Scenario small_cluster() {
  auto loaded = load_scenario_file(std::string(BOOTSIM_SOURCE_DIR) + "/scenarios/default.yaml");
  if (auto* e = std::get_if<InputError>(&loaded)) FAIL(e->format());
  return std::get<Scenario>(loaded);
}

RunOptions options(std::vector<std::string> sets, std::vector<std::string> faults,
                   sim::SimTime until = sim::minutes(30)) {
  sets.insert(sets.begin(), "cluster.agents.private=2");
  RunOptions o = bootsim::testing::options_of(sets, faults);
  o.until = until;
  return o;
}

RunResult run(const RunOptions& o) {
  auto r = run_scenario(small_cluster(), o);
  if (auto* e = std::get_if<InputError>(&r)) FAIL(e->format());
  return std::move(std::get<RunResult>(r));
}

std::optional<sim::SimTime> first_time(const RunResult& r, std::string_view name,
                                       std::string_view node = {}) {
  const auto id = r.trace.first_milestone(name, node);
  if (!id) return std::nullopt;
  return r.trace.at(*id).time;
}

int count_events(const RunResult& r, std::string_view component, std::string_view event,
                 std::string_view node = {}) {
  int n = 0;
  for (const sim::TraceRecord& rec : r.trace.records()) {
    if (rec.component() == component && rec.name() == event &&
        (node.empty() || rec.node() == node)) {
      ++n;
    }
  }
  return n;
}

}  // namespace

TEST_CASE("dns path: every host resolves leader.mesos after some Mesos-DNS has the record",
          "[dns]") {
  const RunResult r = run(options({}, {}));
  REQUIRE(r.ready_at);
  CHECK(r.violations.empty());
  std::optional<sim::SimTime> record;
  for (const char* m : {"master-1", "master-2", "master-3"}) {
    const auto t = first_time(r, "mesos-dns.leader_record", m);
    REQUIRE(t);
    if (!record || *t < *record) record = t;
  }
  REQUIRE(r.dns.size() == 6);  // 3 masters, 2 private agents, 1 public agent
  for (const NodeDns& n : r.dns) {
    INFO(n.node);
    REQUIRE(n.first_resolved);
    CHECK(*n.first_resolved > *record);
    CHECK(first_time(r, "dns-proxy.leader_resolvable", n.node) == n.first_resolved);
    CHECK(n.changes.empty());
  }
  // Before resolv.conf points at Spartan, `ping ready.spartan` fails at the upstream resolver.
  bool upstream_nxdomain = false;
  for (const sim::TraceRecord& rec : r.trace.records()) {
    if (rec.name() == "gate_failed" &&
        rec.detail().find("ready.spartan: upstream resolver") != std::string::npos) {
      upstream_nxdomain = true;
    }
  }
  CHECK(upstream_nxdomain);
}

TEST_CASE(
    "dns path: after a leader change every host resolves the new leader within "
    "detection + reload + forwarding + TTL",
    "[dns]") {
  // Constant latencies: L between hosts, l on a host.
  const sim::SimTime L = sim::milliseconds(1);
  const sim::SimTime l = sim::microseconds(20);
  const RunResult r =
      run(options({"network.latency=constant(1ms)", "network.loopback_latency=constant(20us)"},
                  {"kind=crash target=mesos-leader/mesos-master "
                   "at=cluster.ready+5s"}));
  REQUIRE(r.dns.size() == 6);
  // Detection: the ZooKeeper notification, getChildren and getData of Mesos-DNS's detector
  // (5 one-way latencies; mesos-master.elected comes from the same notification). Reload: GET
  // /master/state of the new leader (2). A reload can race the new leader's own detector and
  // get a state that still names the old leader (Mesos-DNS takes the state's `leader`): the
  // next periodic reload, one refreshSeconds (30 s) later, gets it right. Forwarding: client ->
  // Spartan -> Mesos-DNS and back (2 l + 2 L). TTL: a client that looked up just before the
  // reload caches the old leader for one TTL, 60 s.
  const sim::SimTime bound = L * 5 + sim::seconds(30) + L * 2 + (l * 2 + L * 2) + sim::seconds(60);
  for (const NodeDns& n : r.dns) {
    INFO(n.node);
    REQUIRE(n.changes.size() == 1);
    const LeaderChangeWindow& w = n.changes[0];
    REQUIRE(w.resolved_after);
    CHECK(*w.resolved_after <= bound);
    CHECK(w.stale_window + w.failed_window == *w.resolved_after);  // it had resolved the old
  }
  const std::string json = report::format_json(r);
  CHECK(json.find("\"stale_window_s\"") != std::string::npos);
  CHECK(json.find("\"leader_changes\": [{\"at_s\"") != std::string::npos);
}

TEST_CASE("dns path: with one Mesos-DNS paused, lookups go through the other upstreams", "[dns]") {
  const RunResult r =
      run(options({}, {"kind=pause target=master-1/mesos-dns at=mesos-dns.started@master-1"},
                  sim::minutes(10)));
  CHECK_FALSE(first_time(r, "mesos-dns.leader_record", "master-1"));
  for (const NodeDns& n : r.dns) {
    INFO(n.node);
    CHECK(n.first_resolved);
  }
  CHECK(first_time(r, "agent.leader_pingable", "agent-1"));
  CHECK(first_time(r, "agent.registered", "agent-2"));
}

TEST_CASE(
    "dns path: with every Mesos-DNS paused, agents stay at `ping leader.mesos` and the "
    "report names Spartan's upstreams as the failing hop",
    "[dns]") {
  std::vector<std::string> faults;
  for (int m = 1; m <= 3; ++m) {
    faults.push_back(
        fmt::format("kind=pause target=master-{0}/mesos-dns "
                    "at=mesos-dns.started@master-{0}",
                    m));
  }
  const RunResult r = run(options({}, faults, sim::minutes(5)));
  CHECK_FALSE(r.ready_at);
  CHECK_FALSE(first_time(r, "agent.leader_pingable"));
  CHECK_FALSE(first_time(r, "agent.started"));
  for (const NodeDns& n : r.dns) {
    INFO(n.node);
    CHECK_FALSE(n.first_resolved);
    CHECK(
        n.last_failure.starts_with("spartan on " + n.node + ": no Mesos-DNS answered within 10s"));
  }
  const std::string text = report::format_text(r);
  CHECK(text.find("agent-1: never resolved: spartan on agent-1: no Mesos-DNS answered") !=
        std::string::npos);
}

TEST_CASE(
    "dns path: Mesos-DNS without a leader for zkDetectionTimeout exits, and its unit "
    "restarts it",
    "[dns]") {
  std::vector<std::string> faults;
  for (int m = 1; m <= 3; ++m) {
    faults.push_back(
        fmt::format("kind=pause target=master-{}/mesos-master at=cluster.ready+1s", m));
  }
  const RunResult r = run(options({}, faults, sim::minutes(5)));
  REQUIRE(r.ready_at);
  int timed_out = 0;
  sim::SimTime exit_at;
  for (const sim::TraceRecord& rec : r.trace.records()) {
    if (rec.node() == "master-1" && rec.component() == "dcos-mesos-dns" && rec.name() == "exited" &&
        rec.detail() == "master detection timed out after 30s") {
      if (timed_out++ == 0) exit_at = rec.time;
    }
  }
  REQUIRE(timed_out >= 1);
  // The masters' sessions expire 10 s after the pause, at the latest one tick (2 s) later (the
  // server expires sessions in tickTime buckets), then 30 s without a leader.
  CHECK(exit_at >= *r.ready_at + sim::seconds(1) + sim::seconds(30));
  CHECK(exit_at <= *r.ready_at + sim::seconds(1) + sim::seconds(10 + 2 + 30));
  // systemd restarts it (RestartSec=5s) and it runs again.
  bool restarted = false;
  for (const sim::TraceRecord& rec : r.trace.records()) {
    if (rec.node() == "master-1" && rec.component() == "dcos-mesos-dns" && rec.name() == "exec" &&
        rec.time >= exit_at + sim::seconds(5)) {
      restarted = true;
    }
  }
  CHECK(restarted);
}

TEST_CASE("dns path: a shorter resolv.conf timer period shortens a boot that waits for it",
          "[dns]") {
  // With Spartan 10 s to start, the masters' Spartan answers at about 80 s, just after the
  // timer's run of 65 s gave up (three 5 s queries): with OnUnitActiveSec=1m resolv.conf points
  // at it at 125 s, with 10s at 85 s. (In the default scenario Spartan answers at 71.6 s, within
  // the run of 65 s, so both periods give 75 s there.)
  const std::string slow_spartan = "units.dcos-spartan.start=constant(10s)";
  const RunResult base = run(options({slow_spartan}, {}));
  const RunResult fast = run(options({slow_spartan, "resolvconf.OnUnitActiveSec=10s"}, {}));
  REQUIRE(base.ready_at);
  REQUIRE(fast.ready_at);
  CHECK(*fast.ready_at + sim::seconds(30) < *base.ready_at);
  // The chain shows why: it goes through a resolv.conf rewrite.
  bool through_timer = false;
  for (const sim::RecordId id : base.critical_chain) {
    if (base.trace.at(id).component() == "dcos-gen-resolvconf") through_timer = true;
  }
  CHECK(through_timer);
}

TEST_CASE("dns path: the DNS parameters change a run", "[dns]") {
  const RunResult base = run(options({}, {}));
  for (const std::string set :
       {"resolvconf.OnBootSec=20s", "resolvconf.query_timeout=2s", "mesos-dns.refreshSeconds=5s"}) {
    INFO(set);
    const RunResult changed = run(options({set}, {}));
    CHECK(changed.fingerprint != base.fingerprint);
  }
  // stateTimeoutSeconds shows when the leader stops answering: Mesos-DNS's reloads time out.
  const std::string pause = "kind=pause target=mesos-leader/mesos-master at=cluster.ready+1s";
  const std::string refresh = "mesos-dns.refreshSeconds=2s";
  const RunResult slow = run(options({refresh}, {pause}, sim::minutes(3)));
  const RunResult quick =
      run(options({refresh, "mesos-dns.stateTimeoutSeconds=5s"}, {pause}, sim::minutes(3)));
  CHECK(count_events(slow, "mesos-dns", "reload failed") == 0);
  CHECK(count_events(quick, "mesos-dns", "reload failed") > 0);
  // The TTL shows after a leader change: how long clients' caches keep the old leader. The
  // agents' Admin Router caches by TTL (the masters' resolves at configuration load), and its
  // reload every 30 s empties the cache: with the reload every 10 min the TTL decides.
  const std::string crash = "kind=crash target=mesos-leader/mesos-master at=cluster.ready+5s";
  const std::string no_reload = "adminrouter-reload.OnUnitActiveSec=10m";
  const auto slowest = [](const RunResult& r) {
    sim::SimTime worst = sim::SimTime::zero();
    for (const NodeDns& n : r.dns) {
      if (n.node.starts_with("master-")) continue;
      REQUIRE(n.changes.size() == 1);
      REQUIRE(n.changes[0].resolved_after);
      worst = std::max(worst, *n.changes[0].resolved_after);
    }
    return worst;
  };
  const sim::SimTime ttl60 = slowest(run(options({no_reload}, {crash})));
  const sim::SimTime ttl5 = slowest(run(options({no_reload, "mesos-dns.ttl=5s"}, {crash})));
  CHECK(ttl5 < ttl60);
}
