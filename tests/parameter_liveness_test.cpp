// Every knob is live (issue 8, item 5): each row of the parameter table, changed, changes a run
// of a scenario chosen to exercise it. The table below names that scenario per parameter (the
// default boot, plus the fault that makes the parameter matter); a row added to the parameter
// table without an entry here fails the first test, and a row that stops being read fails the
// second. A parameter no model reads is removed from the table, not listed as live.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <string_view>
#include <variant>

#include "models/core/parameters.hpp"
#include "models/run/cluster.hpp"
#include "models/scenario/fault_spec.hpp"
#include "models/scenario/scenario.hpp"

using namespace bootsim;
using namespace bootsim::models;

namespace {

struct Liveness {
  std::string_view key;
  std::string_view value;  // a value other than the default that must move the run
  std::string_view fault;  // added to the scenario; empty: the scenario as is
  // The scenario, from the source tree; empty: scenarios/default.yaml.
  std::string_view scenario = {};
};

// The scenario exercising each parameter: scenarios/default.yaml (seed 42: master-2 leads
// ZooKeeper, master-2 runs the Marathon leader), with the fault that makes the parameter count.
constexpr Liveness kLive[] = {
    // Admin Router's nginx resolves leader.mesos again at each reload.
    {"adminrouter-reload.OnBootSec", "20s", ""},
    {"adminrouter-reload.OnUnitActiveSec", "10s", ""},
    {"bootstrap.kazoo_timeout", "3s", ""},
    {"cluster.agents.private", "5", ""},
    {"cluster.agents.public", "2", ""},
    {"cluster.boot_skew", "constant(0s)", ""},
    {"cluster.masters", "5", ""},
    {"exhibitor.check-ms", "5s", ""},
    // Marathon declines the offers it cannot use with its own filter while Kafka keeps asking.
    {"marathon.decline_offer_duration", "10s", "", "tests/scenarios/agent-lifecycle.yaml"},
    {"marathon.zk_session_timeout", "3s", ""},
    {"mesos-agent.max_registration_backoff", "1s", ""},
    {"mesos-agent.registration_backoff_factor", "10s", ""},
    {"mesos-dns.refreshSeconds", "5s", ""},
    {"mesos-master.allocation_interval", "5s", ""},
    {"mesos-master.log_recover_retry", "1s", ""},
    // Kafka's scheduler runs on agent-10 (seed 42): 2 s away, its answers come after a
    // 1 s offer_timeout rescinded the offers.
    {"mesos-master.offer_timeout", "1s",
     "kind=link groups=agent-10|rest delay=2s at=scheduler.detected_leader@kafka heal_after=1m"},
    {"mesos-master.registry_fetch_timeout", "1s", ""},
    {"mesos-master.zk_session_timeout", "1s", ""},
    {"network.latency", "5ms", ""},
    {"network.loopback_latency", "1ms", ""},
    {"network.loss", "0.1", ""},
    // Cosmos serves before Marathon leads: the operator's install waits for its next retry.
    {"operator.install_retry", "1s", ""},
    // Schedulers retry registration only while the leading master does not answer.
    {"scheduler.max_registration_backoff", "1s",
     "kind=pause target=mesos-leader/mesos-master at=marathon.started resume_after=30s"},
    {"scheduler.registration_backoff_factor", "30s",
     "kind=pause target=mesos-leader/mesos-master at=marathon.started resume_after=30s"},
    // Election connects block on a host that is down.
    {"zookeeper.cnxTimeout", "1s", "kind=crash target=master-3 at=0s"},
    {"zookeeper.finalizeWait", "1s", ""},
    // A learner syncing with a leader that stops answering waits initLimit ticks.
    {"zookeeper.initLimit", "30",
     "kind=pause target=master-2/zookeeper at=zookeeper.started@master-2+800ms resume_after=2m"},
    {"zookeeper.maxNotificationInterval", "300ms", ""},
    {"zookeeper.server_start", "5s", ""},
    {"zookeeper.setup_before_looking", "2s", ""},
    {"zookeeper.snapshot_write", "1s", ""},
    // A synced follower notices a paused leader after syncLimit ticks.
    {"zookeeper.syncLimit", "1",
     "kind=pause target=zookeeper-leader/zookeeper at=zookeeper.quorum+5s"},
    {"zookeeper.tickTime", "500ms", ""},
    // Spartan races two Mesos-DNS upstreams: one of them silent waits upstream_timeout...
    {"dns-proxy.upstream_timeout", "1s",
     "kind=pause target=master-1/mesos-dns at=70s resume_after=3m"},
    // ...and with every one of them silent, query_timeout answers SERVFAIL.
    {"dns-proxy.query_timeout", "500ms",
     "kind=pause target=all-masters/mesos-dns at=mesos-dns.started@master-3+1s resume_after=3m"},
    {"mesos-agent.container_start", "constant(2s)", ""},
    {"mesos-agent.cpus", "1", ""},
    {"mesos-agent.disk", "10", ""},
    // An agent restarted with its tasks waits for their executors to re-register.
    {"mesos-agent.executor_reregistration_timeout", "1s",
     "kind=crash target=all-private-agents/dcos-mesos-slave at=cluster.ready+1s"},
    {"mesos-agent.fetch", "constant(1s)", ""},
    {"mesos-agent.mem", "512", ""},
    {"mesos-agent.task_start", "constant(2s)", ""},
    // A leader 10 s away: the state fetch of a Mesos-DNS reload times out.
    {"mesos-dns.stateTimeoutSeconds", "5s",
     "kind=link groups=mesos-leader|rest delay=10s at=mesos-master.leading+1s heal_after=3m"},
    {"mesos-dns.ttl", "5s", ""},
    // Mesos-DNS started while ZooKeeper is silent finds no leader and exits.
    {"mesos-dns.zkDetectionTimeout", "5s",
     "kind=pause target=all-masters/zookeeper at=mesos-master.elected resume_after=2m"},
    {"mesos-master.agent_ping_timeout", "5s", ""},
    // Agents silent long enough to be removed, one rate-limiter permit after another.
    {"mesos-master.agent_removal_rate_limit", "1",
     "kind=pause target=all-private-agents/dcos-mesos-slave at=cluster.ready+1s resume_after=20m"},
    // After a failover the new leader waits agent_reregister_timeout for recovered agents.
    {"mesos-master.agent_reregister_timeout", "11m",
     "kind=crash target=mesos-leader/mesos-master at=cluster.agents_ready+1s"},
    {"mesos-master.max_agent_ping_timeouts", "3",
     "kind=pause target=agent-1/dcos-mesos-slave at=agent.available@agent-1+1s resume_after=3m"},
    // Registry writes of a leader 2 s away outlast a 1 s registry_store_timeout.
    {"mesos-master.registry_store_timeout", "1s",
     "kind=link groups=mesos-leader|rest delay=2s at=mesos-master.leading+1s heal_after=3m"},
    {"resolvconf.OnBootSec", "20s", ""},
    {"resolvconf.OnUnitActiveSec", "10s", ""},
    // gen-resolvconf asks a paused Spartan for ready.spartan and waits query_timeout.
    {"resolvconf.query_timeout", "1s",
     "kind=pause target=agent-1/dcos-spartan-agent at=dns-proxy.started@agent-1+1s "
     "resume_after=2m"},
    // Kafka wants more instances than fit and keeps declining offers with its filter.
    {"scheduler.refuse_seconds", "60s", "", "tests/scenarios/agent-lifecycle.yaml"},
    // The external watchdog kills a stopped Spartan after its sleep, at its timer's runs.
    {"spartan-watchdog.OnBootSec", "20s",
     "kind=pause target=agent-1/dcos-spartan-agent at=dns-proxy.started@agent-1+1s"},
    {"spartan-watchdog.OnUnitActiveSec", "1m", ""},
    {"spartan-watchdog.sleep", "10s",
     "kind=pause target=agent-1/dcos-spartan-agent at=dns-proxy.started@agent-1+1s"},
};

Scenario load_for_parameter(std::string_view scenario) {
  const std::string_view file = scenario.empty() ? "scenarios/default.yaml" : scenario;
  auto loaded = load_scenario_file(std::string(BOOTSIM_SOURCE_DIR) + "/" + std::string(file));
  if (auto* e = std::get_if<InputError>(&loaded)) FAIL(e->format());
  return std::get<Scenario>(loaded);
}

std::uint64_t fingerprint(const Scenario& s, const Liveness& l, bool changed) {
  RunOptions o;
  if (!l.fault.empty()) {
    auto f = parse_fault_line(std::string(l.fault), SourceLocation{});
    if (auto* e = std::get_if<InputError>(&f)) FAIL(e->format());
    o.faults.push_back(std::get<FaultSpec>(f));
  }
  if (changed) o.settings.push_back(Setting{std::string(l.key), std::string(l.value), {}});
  auto r = run_scenario(s, o);
  if (auto* e = std::get_if<InputError>(&r)) FAIL(e->format());
  return std::get<RunResult>(r).fingerprint;
}

}  // namespace

TEST_CASE("liveness: every row of the parameter table is listed once", "[parameters][liveness]") {
  std::set<std::string_view> listed;
  for (const Liveness& l : kLive) {
    INFO(l.key);
    CHECK(find_param(l.key) != nullptr);
    CHECK(listed.insert(l.key).second);
  }
  for (const ParamSpec& spec : parameter_table()) {
    INFO(spec.key << " has no liveness scenario");
    CHECK(listed.contains(spec.key));
  }
  CHECK(listed.size() == parameter_table().size());
}

TEST_CASE("liveness: changing each parameter changes its scenario's run",
          "[parameters][liveness]") {
  for (const Liveness& l : kLive) {
    INFO(l.key << "=" << l.value << (l.fault.empty() ? "" : " with --fault ") << l.fault
               << (l.scenario.empty() ? "" : " in ") << l.scenario);
    const Scenario s = load_for_parameter(l.scenario);
    const std::uint64_t base = fingerprint(s, l, false);
    CHECK(fingerprint(s, l, true) != base);
  }
}
