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
  std::string_view fault;  // added to scenarios/default.yaml; empty: the default boot as is
};

// The scenario exercising each parameter: scenarios/default.yaml (seed 42: master-2 leads
// ZooKeeper, master-2 runs the Marathon leader), with the fault that makes the parameter count.
constexpr Liveness kLive[] = {
    {"bootstrap.kazoo_timeout", "3s", ""},
    {"cluster.agents.private", "5", ""},
    {"cluster.agents.public", "2", ""},
    {"cluster.boot_skew", "uniform(0s, 5s)", ""},
    {"cluster.masters", "5", ""},
    {"exhibitor.check-ms", "5s", ""},
    {"marathon.decline_offer_duration", "10s", ""},
    {"marathon.zk_session_timeout", "3s", ""},
    {"mesos-agent.max_registration_backoff", "1s", ""},
    {"mesos-agent.registration_backoff_factor", "10s", ""},
    {"mesos-dns.refreshSeconds", "5s", ""},
    {"mesos-master.allocation_interval", "5s", ""},
    {"mesos-master.log_recover_retry", "1s", ""},
    // Offers to a paused Marathon go unanswered until offer_timeout rescinds them.
    {"mesos-master.offer_timeout", "10s",
     "kind=pause target=master-2/marathon at=scheduler.first_offer resume_after=5m"},
    {"mesos-master.registry_fetch_timeout", "1s", ""},
    {"mesos-master.zk_session_timeout", "1s", ""},
    {"network.latency", "5ms", ""},
    {"network.loopback_latency", "1ms", ""},
    {"network.loss", "0.1", ""},
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
};

// Accepted but not read yet on this branch: the DNS and agent items bring their models.
// Emptied once those land; nothing else may be added here.
const std::set<std::string_view> kPending = {
    "dns-proxy.query_timeout",          // Spartan's overall query timeout (DNS path, items 1-3)
    "dns-proxy.upstream_timeout",       // Spartan's per-upstream wait (DNS path, items 1-3)
    "mesos-dns.stateTimeoutSeconds",    // Mesos-DNS's state fetch timeout (DNS path, items 1-3)
    "mesos-dns.ttl",                    // TTL of Mesos-DNS answers (DNS path, items 1-3)
    "mesos-dns.zkDetectionTimeout",     // read, but only before the first detection (DNS path)
    "resolvconf.OnBootSec",             // gen-resolvconf timer; the profile's 5s wins (DNS path)
    "resolvconf.OnUnitActiveSec",       // gen-resolvconf timer; the profile's 1m wins (DNS path)
    "resolvconf.query_timeout",         // gen-resolvconf's ready.spartan query (DNS path)
    "mesos-master.agent_ping_timeout",  // master pings agents (agents and offer cycle)
    "mesos-master.agent_reregister_timeout",  // re-registration window (agents)
    "mesos-master.max_agent_ping_timeouts",   // agent marked unreachable (agents)
    "mesos-master.registry_store_timeout",    // registry write timeout (agents)
    "scheduler.refuse_seconds",               // installed services' decline filter (offer cycle)
};

Scenario default_scenario() {
  auto loaded = load_scenario_file(std::string(BOOTSIM_SOURCE_DIR) + "/scenarios/default.yaml");
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
    CHECK_FALSE(kPending.contains(l.key));
  }
  for (const std::string_view key : kPending) {
    INFO(key);
    CHECK(find_param(key) != nullptr);
    listed.insert(key);
  }
  for (const ParamSpec& spec : parameter_table()) {
    INFO(spec.key << " has no liveness scenario");
    CHECK(listed.contains(spec.key));
  }
  CHECK(listed.size() == parameter_table().size());
}

TEST_CASE("liveness: changing each parameter changes its scenario's run",
          "[parameters][liveness]") {
  const Scenario s = default_scenario();
  for (const Liveness& l : kLive) {
    INFO(l.key << "=" << l.value << (l.fault.empty() ? "" : " with --fault ") << l.fault);
    const std::uint64_t base = fingerprint(s, l, false);
    CHECK(fingerprint(s, l, true) != base);
  }
}
