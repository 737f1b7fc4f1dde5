#include "models/core/parameters.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include <fmt/format.h>

#include "models/core/source_location.hpp"
#include "models/core/zone_keys.hpp"

namespace bootsim::models {

namespace {

using T = ParamType;

// The one table of tunables. Versions read: DC/OS 1.9.0 (dcos/dcos@0ce03387), Mesos 1.2,
// ZooKeeper 3.4.x, Mesos-DNS records/config.go, Marathon 1.4; see the project's reference notes.
// Keep sorted by key (checked below).
constexpr std::array kTable{
    ParamSpec{"adminrouter-reload.OnBootSec", T::kDuration, "5s",
              "DC/OS 1.9 dcos-adminrouter-reload.timer, dcos-adminrouter-agent-reload.timer "
              "OnBootSec=5sec (dcos/dcos@1.9.0 packages/adminrouter/extra/systemd)",
              "First `nginx -s reload` of Admin Router after boot (set: the OnBootSec of every "
              "timer unit whose oneshot is adminrouter-reload; unset: the profile's own).",
              true},
    ParamSpec{"adminrouter-reload.OnUnitActiveSec", T::kDuration, "30s",
              "DC/OS 1.9 dcos-adminrouter-reload.timer, dcos-adminrouter-agent-reload.timer "
              "OnUnitActiveSec=30s (removed in DC/OS 1.10, dcos/dcos aa38b990)",
              "Period of Admin Router's reload, which re-resolves leader.mesos (set: the "
              "OnUnitActiveSec of every timer unit whose oneshot is adminrouter-reload; unset: "
              "the profile's own)."},
    ParamSpec{"bootstrap.kazoo_timeout", T::kDuration, "15s",
              "kazoo 2.2.1 KazooClient.start(timeout=15); dcos/dcos@1.9.0 "
              "packages/bootstrap/extra/dcos_internal_utils/bootstrap.py",
              "How long each `bootstrap` ExecStartPre waits for its ZooKeeper session before it "
              "fails (DC/OS 1.9 connects eagerly on every call)."},
    ParamSpec{"cluster.agents.private", T::kInteger, "10", "scenario shape (bootsim default)",
              "Number of private agents, agent-1..agent-N.", true, 1'000'000},
    ParamSpec{"cluster.agents.public", T::kInteger, "1", "scenario shape (bootsim default)",
              "Number of public agents, public-agent-1..public-agent-N.", true, 1'000'000},
    ParamSpec{"cluster.boot_skew", T::kDistribution, "uniform(0s, 5s)",
              "assumption: the installer runs dcos_install.sh on every host at once over SSH "
              "(dcos/dcos dcos_installer's parallel SSH runner), and each host downloads and "
              "unpacks the same bootstrap tarball before it starts dcos.target, so hosts start "
              "within a few seconds of each other; constant(0s) is every host at once",
              "When each host boots, drawn per host: its systemd starts dcos.target then."},
    ParamSpec{"cluster.masters", T::kInteger, "3",
              "scenario shape; DC/OS accepts 1, 3, 5, 7 or 9 (dcos/dcos gen/calc.py "
              "validate_num_masters)",
              "Number of masters, master-1..master-N, each running Exhibitor/ZooKeeper.", false, 9},
    ParamSpec{"dns-proxy.query_timeout", T::kDuration, "10s",
              "dcos/spartan@0b5243b8 src/spartan_handler_fsm.erl (dcos-net: the same)",
              "Overall time the DNS proxy gives a forwarded *.mesos query before SERVFAIL."},
    ParamSpec{"dns-proxy.upstream_timeout", T::kDuration, "5s",
              "dcos/spartan@0b5243b8 include/spartan.hrl, src/spartan_handler_fsm.erl",
              "How long the DNS proxy waits for one upstream Mesos-DNS (queries go to two, the "
              "first answer wins)."},
    ParamSpec{"exhibitor.check-ms", T::kDuration, "30s",
              "dcos/dcos packages/exhibitor/extra/start_exhibitor.py --check-ms 30000",
              "Period of Exhibitor's check of the local ZooKeeper (MonitorRunningInstance). DC/OS "
              "passes 2000 ms when there is 1 master; this default is for 3 or more."},
    ParamSpec{"marathon.decline_offer_duration", T::kDuration, "300s",
              "DC/OS packages/marathon/build --decline_offer_duration 300000 (Marathon default "
              "120 s)",
              "refuse_seconds Marathon sends when it declines an offer.", true},
    ParamSpec{"marathon.zk_session_timeout", T::kDuration, "10s",
              "mesosphere/marathon ZookeeperConf.scala --zk_session_timeout",
              "Marathon's ZooKeeper session timeout; losing the session exits the process."},
    ParamSpec{"mesos-agent.container_start", T::kDistribution, "lognormal(median=1s, p99=5s)",
              "assumption: Mesos containerizer launch and executor registration on a busy host",
              "From a task's artifacts fetched to its executor registered (then TASK_STARTING)."},
    ParamSpec{"mesos-agent.cpus", T::kInteger, "4",
              "assumption: a 4-core agent host (Mesos detects the host's cpus)",
              "cpus each agent offers.", false, 1'024},
    ParamSpec{"mesos-agent.disk", T::kInteger, "100000",
              "assumption: about 100 GB free under the agent's work_dir",
              "Disk (MB) each agent offers.", false, 100'000'000},
    ParamSpec{"mesos-agent.executor_reregistration_timeout", T::kDuration, "10s",
              "DC/OS gen/dcos-config.yaml MESOS_EXECUTOR_REREGISTRATION_TIMEOUT (Mesos default "
              "2 s)",
              "An agent that recovered running executors waits this long before it registers "
              "(MESOS-7539)."},
    ParamSpec{"mesos-agent.fetch", T::kDistribution, "lognormal(median=2s, p99=20s)",
              "assumption: the Mesos fetcher downloading a service's artifacts (a JRE and the "
              "scheduler, a few hundred MB) inside one datacenter",
              "From RunTask on the agent to the task's artifacts fetched."},
    ParamSpec{"mesos-agent.max_registration_backoff", T::kDuration, "1m",
              "apache/mesos src/slave/constants.hpp REGISTER_RETRY_INTERVAL_MAX",
              "Cap of the agent's registration retry interval."},
    ParamSpec{"mesos-agent.mem", T::kInteger, "14336",
              "assumption: a 15 GB host less the 1 GB Mesos leaves to the system",
              "Memory (MB) each agent offers.", false, 4'194'304},
    ParamSpec{"mesos-agent.registration_backoff_factor", T::kDuration, "1s",
              "apache/mesos --registration_backoff_factor, src/slave/constants.hpp",
              "b: the agent registers after U(0, b), then retries after U(0, 2b), U(0, 4b), ..."},
    ParamSpec{"mesos-agent.task_start", T::kDistribution, "lognormal(median=1s, p99=5s)",
              "assumption: a task's command starting under its executor",
              "From TASK_STARTING to TASK_RUNNING."},
    ParamSpec{"mesos-dns.refreshSeconds", T::kDuration, "30s",
              "DC/OS gen/dcos-config.yaml /etc/mesos-dns.json (upstream default 60)",
              "Period of Mesos-DNS reloads from the leading master's state."},
    ParamSpec{"mesos-dns.stateTimeoutSeconds", T::kDuration, "300s",
              "mesosphere/mesos-dns records/config.go",
              "HTTP timeout of Mesos-DNS's /master/state fetch."},
    ParamSpec{"mesos-dns.ttl", T::kDuration, "60s",
              "DC/OS gen/dcos-config.yaml /etc/mesos-dns.json; records/config.go",
              "TTL of the records Mesos-DNS serves (leader.mesos, marathon.mesos, ...).", true},
    ParamSpec{"mesos-dns.zkDetectionTimeout", T::kDuration, "30s",
              "mesosphere/mesos-dns records/config.go",
              "Mesos-DNS exits if ZooKeeper shows no leading master for this long."},
    ParamSpec{"mesos-master.agent_ping_timeout", T::kDuration, "15s",
              "apache/mesos --agent_ping_timeout, src/master/constants.hpp",
              "Interval of the master's pings to each registered agent."},
    ParamSpec{"mesos-master.agent_removal_rate_limit", T::kInteger, "100",
              "DC/OS gen/dcos-config.yaml --agent_removal_rate_limit=100/1mins (Mesos: none)",
              "Agents the master may mark unreachable per minute.", false, 1'000'000},
    ParamSpec{"mesos-master.agent_reregister_timeout", T::kDuration, "10m",
              "apache/mesos --agent_reregister_timeout (minimum 10 min)",
              "After registry recovery, how long known agents have to re-register."},
    ParamSpec{"mesos-master.allocation_interval", T::kDuration, "1s",
              "apache/mesos --allocation_interval, src/master/constants.hpp",
              "Period of the allocator's batch allocation."},
    ParamSpec{"mesos-master.log_recover_retry", T::kDuration, "10s",
              "apache/mesos src/log/recover.cpp",
              "Retry interval of the replicated-log recover protocol without a quorum answer."},
    ParamSpec{"mesos-master.max_agent_ping_timeouts", T::kInteger, "20",
              "DC/OS gen/dcos-config.yaml MESOS_MAX_SLAVE_PING_TIMEOUTS (Mesos default 5)",
              "Missed pings before the master marks an agent unreachable (20 x 15 s = 300 s)."},
    ParamSpec{"mesos-master.offer_timeout", T::kDuration, "2m",
              "DC/OS gen/dcos-config.yaml MESOS_OFFER_TIMEOUT (Mesos default: none)",
              "Unanswered offers are rescinded after this."},
    ParamSpec{"mesos-master.registry_fetch_timeout", T::kDuration, "60s",
              "DC/OS gen/dcos-config.yaml; apache/mesos --registry_fetch_timeout",
              "The elected master aborts if registry recovery takes longer."},
    ParamSpec{"mesos-master.registry_store_timeout", T::kDuration, "60s",
              "DC/OS gen/dcos-config.yaml (Mesos default 20 s)",
              "Timeout of a registry write (e.g. admitting an agent)."},
    ParamSpec{"mesos-master.zk_session_timeout", T::kDuration, "10s",
              "apache/mesos --zk_session_timeout, src/master/constants.hpp",
              "The master's ZooKeeper session timeout; the group expires locally after it."},
    ParamSpec{"network.latency", T::kDistribution, "lognormal(median=250us, p99=2ms)",
              "assumption: one-way latency between hosts inside one datacenter",
              "Default one-way latency of every link between two hosts."},
    ParamSpec{"network.loopback_latency", T::kDistribution, "constant(20us)",
              "assumption: loopback on one host",
              "One-way latency between two processes on the same host."},
    ParamSpec{"network.loss", T::kProbability, "0",
              "assumption: no datagram loss inside one datacenter",
              "Default probability that a datagram is lost on a link.", true},
    ParamSpec{"operator.install_retry", T::kDuration, "5s",
              "assumption: the operator re-runs `dcos package install` every 5 s while it fails; "
              "neither the DC/OS 1.9 CLI nor Cosmos retries (dcos/cosmos MarathonPackageRunner "
              "posts the app to Marathon once; a 5xx is MarathonBadGateway to the client)",
              "How often the scenario's operator tries a service's install again while Admin "
              "Router does not serve or no Marathon leads."},
    ParamSpec{"resolvconf.OnBootSec", T::kDuration, "5s",
              "DC/OS dcos-gen-resolvconf.timer OnBootSec=5sec",
              "First run of the resolv.conf generator after boot (set: the OnBootSec of every "
              "timer unit whose oneshot is gen-resolvconf; unset: the profile's own).",
              true},
    ParamSpec{"resolvconf.OnUnitActiveSec", T::kDuration, "1m",
              "DC/OS dcos-gen-resolvconf.timer OnUnitActiveSec=1min",
              "Period of the resolv.conf generator after its first run (set: the "
              "OnUnitActiveSec of every timer unit whose oneshot is gen-resolvconf; unset: the "
              "profile's own)."},
    ParamSpec{"resolvconf.query_timeout", T::kDuration, "5s",
              "DC/OS packages/spartan/extra/gen_resolvconf.py",
              "UDP timeout of each ready.spartan query the resolv.conf generator makes."},
    ParamSpec{"scheduler.max_registration_backoff", T::kDuration, "1m",
              "apache/mesos src/sched/constants.hpp REGISTRATION_RETRY_INTERVAL_MAX",
              "Cap of a scheduler driver's registration retry interval."},
    ParamSpec{"scheduler.refuse_seconds", T::kDuration, "5s",
              "apache/mesos include/mesos/mesos.proto Filters.refuse_seconds",
              "Filter installed services ask for when they decline an offer.", true},
    ParamSpec{"scheduler.registration_backoff_factor", T::kDuration, "2s",
              "apache/mesos src/sched/constants.hpp REGISTRATION_BACKOFF_FACTOR",
              "Scheduler driver: register at once, then retry after U(0, 2s * 2^k)."},
    ParamSpec{"spartan-watchdog.OnBootSec", T::kDuration, "5s",
              "DC/OS 1.9 dcos-spartan-watchdog.timer OnBootSec=5sec (dcos/dcos@1.9.0 "
              "packages/spartan/extra/dcos-spartan-watchdog.timer)",
              "First run of the external Spartan watchdog after boot (set: the OnBootSec of "
              "every timer unit whose oneshot is spartan-watchdog; unset: the profile's own).",
              true},
    ParamSpec{"spartan-watchdog.OnUnitActiveSec", T::kDuration, "2m",
              "DC/OS 1.9 dcos-spartan-watchdog.timer OnUnitActiveSec=2min",
              "Period of the external Spartan watchdog (set: the OnUnitActiveSec of every timer "
              "unit whose oneshot is spartan-watchdog; unset: the profile's own)."},
    ParamSpec{"spartan-watchdog.sleep", T::kDuration, "60s",
              "DC/OS 1.9 dcos-spartan-watchdog.service ExecStartPre=/bin/sleep 60",
              "How long the external Spartan watchdog waits after it starts before it asks "
              "198.51.100.1 for ready.spartan (and kills Spartan when no answer comes).",
              true},
    ParamSpec{"zookeeper.cnxTimeout", T::kDuration, "5s",
              "apache/zookeeper QuorumCnxManager.java, -Dzookeeper.cnxTimeout",
              "Timeout of each election connection attempt to a peer (connects are blocking)."},
    ParamSpec{"zookeeper.finalizeWait", T::kDuration, "200ms",
              "apache/zookeeper FastLeaderElection.java finalizeWait",
              "First notification poll timeout and the 'no better vote' window of an election."},
    ParamSpec{"zookeeper.initLimit", T::kInteger, "10",
              "DC/OS packages/exhibitor/extra/start_exhibitor.py zoo-cfg-extra",
              "Ticks a leader waits for a quorum during discovery and sync."},
    ParamSpec{"zookeeper.maxNotificationInterval", T::kDuration, "60s",
              "apache/zookeeper FastLeaderElection.java maxNotificationInterval",
              "Cap of the doubling notification poll timeout."},
    ParamSpec{"zookeeper.server_start", T::kDistribution, "lognormal(median=340ms, p99=450ms)",
              "calibrated: ZooKeeper 3.8 / OpenJDK 17 alone on loopback, JVM launch to client "
              "port bound 0.28 / 0.34 / 0.36 s min/median/max (5 runs); p99 widened for hosts "
              "under boot load",
              "From process launch to the client port accepting connections."},
    ParamSpec{"zookeeper.setup_before_looking", T::kDuration, "300ms",
              "calibrated: ZooKeeper 3.8 server logs, about 0.3 s of set-up after the client "
              "port is bound",
              "From client port bound to the server entering LOOKING.", true},
    ParamSpec{"zookeeper.snapshot_write", T::kDuration, "30ms",
              "calibrated: ZooKeeper 3.8 server logs (0.1-0.17 s to connect and sync a follower, "
              "100 ms of it the connect retry)",
              "Writing and fsyncing a snapshot of a near-empty tree: the new leader before it "
              "accepts learners, each follower before it acknowledges NEWLEADER.",
              true},
    ParamSpec{"zookeeper.syncLimit", T::kInteger, "5",
              "DC/OS packages/exhibitor/extra/start_exhibitor.py zoo-cfg-extra",
              "Ticks a follower may fall behind (or stay silent) before it leaves the leader."},
    ParamSpec{"zookeeper.tickTime", T::kDuration, "2s",
              "DC/OS packages/exhibitor/extra/start_exhibitor.py zoo-cfg-extra (tickTime=2000)",
              "ZooKeeper's basic time unit; initLimit and syncLimit count in ticks."},
};

constexpr bool table_is_sorted() {
  for (std::size_t i = 1; i < kTable.size(); ++i) {
    if (!(kTable[i - 1].key < kTable[i].key)) return false;
  }
  return true;
}
static_assert(table_is_sorted(), "parameter table must be sorted by key, without duplicates");

constexpr std::string_view kUnitsPrefix = "units.";
constexpr std::string_view kStartSuffix = ".start";
constexpr std::string_view kRestartSuffix = ".restart_sec";

[[noreturn]] void bug(std::string_view what, std::string_view key) {
  std::fprintf(stderr, "bootsim: bug: %.*s '%.*s'\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(key.size()), key.data());
  std::abort();
}

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

std::size_t index_of(const ParamSpec* spec) {
  return static_cast<std::size_t>(spec - kTable.data());
}

// The shortest accepted value of a duration that is a period, a timeout or a back-off (issue 7:
// a 1 ns period spins). The component's own minimum where it has one (its unit of
// configuration); else bootsim's floor, kMinPeriod. Durations where 0 is meaningful
// (allow_zero) have no floor.
struct Floor {
  std::string_view key;  // a table key, or "units.*.restart_sec"
  sim::SimTime min;
  std::string_view why;
};
constexpr sim::SimTime kMinPeriod = sim::milliseconds(1);
constexpr std::string_view kMinPeriodWhy = "bootsim's floor for periods, timeouts and back-offs";
constexpr std::array kFloors{
    // Measured (tools/check-limits.sh): at 1ms the checks' connections take 3 GB in a boot.
    Floor{"exhibitor.check-ms", sim::milliseconds(100),
          "bootsim's floor: each check opens a connection to ZooKeeper; DC/OS's smallest is 2s"},
    Floor{"marathon.zk_session_timeout", sim::milliseconds(10),
          "bootsim's floor: a ZooKeeper client pings every third of its session timeout"},
    Floor{"mesos-dns.refreshSeconds", sim::seconds(1),
          "Mesos-DNS reads refreshSeconds in whole seconds"},
    Floor{"mesos-dns.stateTimeoutSeconds", sim::seconds(1),
          "Mesos-DNS reads stateTimeoutSeconds in whole seconds"},
    Floor{"mesos-dns.zkDetectionTimeout", sim::seconds(1),
          "Mesos-DNS reads zkDetectionTimeout in whole seconds"},
    Floor{"mesos-master.zk_session_timeout", sim::milliseconds(10),
          "bootsim's floor: a ZooKeeper client pings every third of its session timeout"},
    Floor{"units.*.restart_sec", sim::milliseconds(100),
          "bootsim's floor: systemd's default RestartSec, 100ms (systemd.service(5))"},
    Floor{"zookeeper.cnxTimeout", sim::milliseconds(1), "ZooKeeper counts cnxTimeout in ms"},
    Floor{"zookeeper.finalizeWait", sim::milliseconds(1), "ZooKeeper counts finalizeWait in ms"},
    Floor{"zookeeper.maxNotificationInterval", sim::milliseconds(1),
          "ZooKeeper counts maxNotificationInterval in ms"},
    Floor{"zookeeper.tickTime", sim::milliseconds(1), "zoo.cfg gives tickTime in whole ms"},
};

const Floor* floor_of(std::string_view key) {
  for (const Floor& f : kFloors) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

bool parse_duration_value(std::string_view key, std::string_view text, bool allow_zero,
                          sim::SimTime& out, std::string& error, std::string_view floor_key = {}) {
  if (!text.empty() && text.front() == '-') {
    error = fmt::format("{} must not be negative, got {}", key, in_quotes(text));
    return false;
  }
  const auto d = sim::parse_duration(text);
  if (!d && sim::is_past_horizon(text)) {
    error = fmt::format("{} must be at most {} (the simulated-time horizon), got {}", key,
                        sim::kHorizonText, in_quotes(text));
    return false;
  }
  if (!d) {
    error = fmt::format("{}: malformed duration {} (expected e.g. 250ms, 2s, 1m30s)", key,
                        in_quotes(text));
    return false;
  }
  if (d->is_infinite()) {
    error = fmt::format("{} must be a finite duration, got {}", key, in_quotes(text));
    return false;
  }
  if (!allow_zero && *d == sim::SimTime::zero()) {
    // A zero period or back-off would make a model retry forever at one instant.
    error = fmt::format("{} must be positive, got {}", key, in_quotes(text));
    return false;
  }
  if (!allow_zero) {
    const Floor* floor = floor_of(floor_key.empty() ? key : floor_key);
    const sim::SimTime min = floor != nullptr ? floor->min : kMinPeriod;
    if (*d < min) {
      error = fmt::format("{} must be at least {} ({}), got {}", key, sim::format_duration(min),
                          floor != nullptr ? floor->why : kMinPeriodWhy, in_quotes(text));
      return false;
    }
  }
  out = *d;
  return true;
}

bool parse_integer_value(const ParamSpec& spec, std::string_view text, std::int64_t& out,
                         std::string& error) {
  std::int64_t v = 0;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(first, last, v);
  if (text.empty() || ptr != last || first == last) {
    error = fmt::format("{}: expected an integer, got {}", spec.key, in_quotes(text));
    return false;
  }
  if (ec == std::errc::result_out_of_range) {
    error = text.front() == '-'
                ? fmt::format("{} must not be negative, got {}", spec.key, in_quotes(text))
                : fmt::format("{} must be at most {}, got {}", spec.key, spec.max_integer,
                              in_quotes(text));
    return false;
  }
  if (ec != std::errc()) {
    error = fmt::format("{}: expected an integer, got {}", spec.key, in_quotes(text));
    return false;
  }
  if (spec.key == "cluster.masters") {
    if (v <= 0) {
      error = fmt::format("cluster.masters must be positive, got {}", v);
      return false;
    }
    // dcos/dcos gen/calc.py validate_num_masters: an odd ensemble of at most 9.
    if (v != 1 && v != 3 && v != 5 && v != 7 && v != 9) {
      error = fmt::format("cluster.masters: DC/OS accepts 1, 3, 5, 7 or 9 masters, got {}", v);
      return false;
    }
  }
  if (v < 0) {
    error = fmt::format("{} must not be negative, got {}", spec.key, v);
    return false;
  }
  if (v == 0 && !spec.allow_zero) {
    error = fmt::format("{} must be positive, got 0", spec.key);
    return false;
  }
  if (v > spec.max_integer) {
    error = fmt::format("{} must be at most {}, got {}", spec.key, spec.max_integer, v);
    return false;
  }
  out = v;
  return true;
}

bool parse_probability_value(std::string_view key, std::string_view text, double& out,
                             std::string& error) {
  double v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    error = fmt::format("{}: expected a probability between 0 and 1, got {}", key, in_quotes(text));
    return false;
  }
  if (!(v >= 0.0 && v <= 1.0)) {  // also refuses NaN
    error = fmt::format("{} must be between 0 and 1, got {}", key, in_quotes(text));
    return false;
  }
  out = v;
  return true;
}

bool parse_distribution_value(std::string_view key, std::string_view text, sim::Distribution& out,
                              std::string& error) {
  std::string why;
  if (!sim::Distribution::parse(text, out, why)) {
    error = fmt::format("{}: {}", key, why);
    return false;
  }
  return true;
}

using AnyValue = std::variant<sim::SimTime, std::int64_t, double, sim::Distribution>;

bool parse_value(const ParamSpec& spec, std::string_view text, AnyValue& out, std::string& error) {
  switch (spec.type) {
    case ParamType::kDuration: {
      sim::SimTime v;
      if (!parse_duration_value(spec.key, text, spec.allow_zero, v, error)) return false;
      out = v;
      return true;
    }
    case ParamType::kInteger: {
      std::int64_t v = 0;
      if (!parse_integer_value(spec, text, v, error)) return false;
      out = v;
      return true;
    }
    case ParamType::kProbability: {
      double v = 0;
      if (!parse_probability_value(spec.key, text, v, error)) return false;
      out = v;
      return true;
    }
    case ParamType::kDistribution: {
      sim::Distribution v;
      if (!parse_distribution_value(spec.key, text, v, error)) return false;
      out = std::move(v);
      return true;
    }
  }
  return false;
}

// "units.<unit>.start" -> {unit, ".start"}; nullopt if `key` is not of the units.* form.
struct UnitKey {
  std::string_view unit;
  std::string_view suffix;
};
std::optional<UnitKey> split_unit_key(std::string_view key) {
  if (!key.starts_with(kUnitsPrefix)) return std::nullopt;
  for (const std::string_view suffix : {kStartSuffix, kRestartSuffix}) {
    if (key.size() > kUnitsPrefix.size() + suffix.size() && key.ends_with(suffix)) {
      return UnitKey{
          key.substr(kUnitsPrefix.size(), key.size() - kUnitsPrefix.size() - suffix.size()),
          suffix};
    }
  }
  return std::nullopt;
}

std::string unknown_parameter(std::string_view key) {
  if (key.starts_with(kUnitsPrefix)) {
    // Suggest the nearest of the two unit keys for the same unit: "units.x.strat".
    const auto dot = key.rfind('.');
    if (dot != std::string_view::npos && dot > kUnitsPrefix.size()) {
      const std::string stem(key.substr(0, dot));
      const std::string start = stem + std::string(kStartSuffix);
      const std::string restart = stem + std::string(kRestartSuffix);
      const std::array<std::string_view, 2> candidates{start, restart};
      const std::string hint = did_you_mean(key, candidates);
      if (!hint.empty()) return fmt::format("unknown parameter {}{}", in_quotes(key), hint);
    }
    return fmt::format(
        "unknown parameter {} (a unit takes units.<unit>.start or units.<unit>.restart_sec)",
        in_quotes(key));
  }
  std::vector<std::string_view> keys;
  keys.reserve(kTable.size());
  for (const ParamSpec& s : kTable) keys.push_back(s.key);
  return fmt::format("unknown parameter {}{}", in_quotes(key), did_you_mean(key, keys));
}

const ParamSpec& spec_for(std::string_view key, ParamType type) {
  const ParamSpec* spec = find_param(key);
  if (spec == nullptr) bug("reading an unknown parameter", key);
  if (spec->type != type) bug("reading a parameter as the wrong type", key);
  return *spec;
}

// Products the models form from a duration and integer parameters; each must stay inside the
// simulated-time horizon (sim/time.hpp), or set() refuses the value that breaks it (issue 7:
// the loader refuses values whose products overflow, rather than a run saturating them).
struct ProductRule {
  std::string_view duration_key;
  std::array<std::string_view, 2> integer_keys;  // the largest is used; "" for none
  std::int64_t factor;
  std::string_view formula;  // for the message
};
constexpr std::array kProducts{
    // models/exhibitor/exhibitor.cpp restarts a stuck ZooKeeper after 2 x tick x max(initLimit,
    // syncLimit); the ZooKeeper model waits tick x initLimit and tick x (syncLimit + 1).
    ProductRule{"zookeeper.tickTime",
                {"zookeeper.initLimit", "zookeeper.syncLimit"},
                2,
                "2 x zookeeper.tickTime x max(zookeeper.initLimit, zookeeper.syncLimit)"},
    ProductRule{"mesos-master.agent_ping_timeout",
                {"mesos-master.max_agent_ping_timeouts", ""},
                1,
                "mesos-master.agent_ping_timeout x mesos-master.max_agent_ping_timeouts"},
};

bool rule_mentions(const ProductRule& rule, std::string_view key) {
  return rule.duration_key == key || rule.integer_keys[0] == key || rule.integer_keys[1] == key;
}

}  // namespace

std::optional<std::string> Parameters::product_problem(std::string_view key) const {
  for (const ProductRule& rule : kProducts) {
    if (!rule_mentions(rule, key)) continue;
    std::int64_t count = 0;
    for (const std::string_view k : rule.integer_keys) {
      if (!k.empty()) count = std::max(count, integer(k));
    }
    const sim::SimTime product = duration(rule.duration_key) * rule.factor * count;
    if (product > sim::SimTime::max_finite()) {
      return fmt::format("{}: {} makes {} longer than the simulated-time horizon (about 292 years)",
                         key, *text(key), rule.formula);
    }
  }
  return std::nullopt;
}

std::string_view param_type_name(ParamType type) {
  switch (type) {
    case ParamType::kDuration:
      return "duration";
    case ParamType::kInteger:
      return "integer";
    case ParamType::kDistribution:
      return "distribution";
    case ParamType::kProbability:
      return "probability";
  }
  return "?";
}

std::span<const ParamSpec> parameter_table() {
  return kTable;
}

const ParamSpec* find_param(std::string_view key) {
  const auto it =
      std::lower_bound(kTable.begin(), kTable.end(), key,
                       [](const ParamSpec& s, std::string_view k) { return s.key < k; });
  if (it == kTable.end() || it->key != key) return nullptr;
  return &*it;
}

bool is_parameter_key(std::string_view key) {
  if (find_param(key) != nullptr) return true;
  if (parse_zone_key(key)) return true;
  const auto unit_key = split_unit_key(key);
  return unit_key && is_plausible_unit_name(unit_key->unit);
}

bool is_plausible_unit_name(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  const auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(name.front())) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) {
    return alnum(c) || c == '-' || c == '_' || c == '.' || c == ':' || c == '@';
  });
}

Parameters::Parameters() {
  values_.reserve(kTable.size());
  for (const ParamSpec& spec : kTable) {
    Entry e{std::string(spec.default_value), sim::SimTime::zero()};
    std::string error;
    if (!parse_value(spec, spec.default_value, e.value, error)) bug(error, spec.key);
    values_.push_back(std::move(e));
  }
}

bool Parameters::set(std::string_view raw_key, std::string_view raw_value, std::string& error) {
  const std::string_view key = trim(raw_key);
  const std::string_view value = trim(raw_value);
  if (key.empty()) {
    error = "empty parameter name";
    return false;
  }
  if (const auto unit_key = split_unit_key(key)) {
    if (!is_plausible_unit_name(unit_key->unit)) {
      error = fmt::format("{}: {} is not a plausible unit name", key, in_quotes(unit_key->unit));
      return false;
    }
    if (value.empty()) {
      error = fmt::format("{}: missing value", key);
      return false;
    }
    if (unit_key->suffix == kStartSuffix) {
      sim::Distribution d;
      if (!parse_distribution_value(key, value, d, error)) return false;
      unit_start_.insert_or_assign(std::string(unit_key->unit), std::move(d));
    } else {
      sim::SimTime t;
      // A zero RestartSec would retry a failing gate forever at one instant.
      if (!parse_duration_value(key, value, /*allow_zero=*/false, t, error,
                                "units.*.restart_sec")) {
        return false;
      }
      unit_restart_sec_.insert_or_assign(std::string(unit_key->unit), t);
    }
    overrides_.insert_or_assign(std::string(key), std::string(value));
    return true;
  }
  if (key.starts_with(kZonesPrefix)) return set_zone_key(key, value, error);
  const ParamSpec* spec = find_param(key);
  if (spec == nullptr) {
    error = unknown_parameter(key);
    return false;
  }
  if (value.empty()) {
    error = fmt::format("{}: missing value", key);
    return false;
  }
  Entry e{std::string(value), sim::SimTime::zero()};
  if (!parse_value(*spec, value, e.value, error)) return false;
  Entry previous = std::exchange(values_[index_of(spec)], std::move(e));
  if (auto problem = product_problem(key)) {
    values_[index_of(spec)] = std::move(previous);
    error = std::move(*problem);
    return false;
  }
  overrides_.insert_or_assign(std::string(key), std::string(value));
  return true;
}

sim::SimTime Parameters::duration(std::string_view key) const {
  return std::get<sim::SimTime>(values_[index_of(&spec_for(key, ParamType::kDuration))].value);
}

std::int64_t Parameters::integer(std::string_view key) const {
  return std::get<std::int64_t>(values_[index_of(&spec_for(key, ParamType::kInteger))].value);
}

double Parameters::probability(std::string_view key) const {
  return std::get<double>(values_[index_of(&spec_for(key, ParamType::kProbability))].value);
}

sim::Distribution Parameters::distribution(std::string_view key) const {
  return std::get<sim::Distribution>(
      values_[index_of(&spec_for(key, ParamType::kDistribution))].value);
}

std::optional<sim::SimTime> Parameters::unit_restart_sec(std::string_view unit) const {
  const auto it = unit_restart_sec_.find(unit);
  if (it == unit_restart_sec_.end()) return std::nullopt;
  return it->second;
}

bool Parameters::set_zone_key(std::string_view key, std::string_view value, std::string& error) {
  const auto zone_key = parse_zone_key(key);
  if (!zone_key) {
    error = zone_key_problem(key);
    return false;
  }
  if (value.empty()) {
    error = fmt::format("{}: missing value", key);
    return false;
  }
  // One key for a pair of zones whichever way round it is written.
  const std::string canonical = zone_key->kind == ZoneKeyKind::kPair
                                    ? zone_pair_key(zone_key->zone, zone_key->other)
                                    : std::string(key);
  if (zone_key->is_count()) {
    // Bounded as cluster.agents.* are; messages name the zone key.
    ParamSpec spec = *find_param("cluster.agents.private");
    spec.key = key;
    std::int64_t n = 0;
    if (!parse_integer_value(spec, value, n, error)) return false;
    zone_counts_.insert_or_assign(canonical, n);
  } else {
    sim::Distribution d;
    if (!parse_distribution_value(key, value, d, error)) return false;
    zone_latencies_.insert_or_assign(canonical, std::move(d));
  }
  overrides_.insert_or_assign(canonical, std::string(value));
  return true;
}

std::optional<std::int64_t> Parameters::zone_count(std::string_view key) const {
  const auto it = zone_counts_.find(key);
  if (it == zone_counts_.end()) return std::nullopt;
  return it->second;
}

std::optional<sim::Distribution> Parameters::zone_latency(std::string_view key) const {
  const auto it = zone_latencies_.find(key);
  if (it == zone_latencies_.end()) return std::nullopt;
  return it->second;
}

std::optional<sim::Distribution> Parameters::unit_start(std::string_view unit) const {
  const auto it = unit_start_.find(unit);
  if (it == unit_start_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Parameters::units_mentioned() const {
  std::vector<std::string> units;
  for (const auto& [unit, d] : unit_start_) units.push_back(unit);
  for (const auto& [unit, t] : unit_restart_sec_) units.push_back(unit);
  std::sort(units.begin(), units.end());
  units.erase(std::unique(units.begin(), units.end()), units.end());
  return units;
}

std::optional<std::string> Parameters::text(std::string_view key) const {
  if (const ParamSpec* spec = find_param(key)) return values_[index_of(spec)].text;
  const auto it = overrides_.find(key);
  if (it == overrides_.end()) return std::nullopt;
  return it->second;
}

bool Parameters::is_overridden(std::string_view key) const {
  return overrides_.contains(key);
}

std::vector<std::pair<std::string, std::string>> Parameters::overrides() const {
  return {overrides_.begin(), overrides_.end()};
}

}  // namespace bootsim::models
