// World: the inside of one run (models/run only; the public API is cluster.hpp).
//
//   World world(scenario, params, profile, seed, until, faults);
//   if (auto e = world.build()) return *e;
//   RunResult r = world.run();
//
// Contract: owns everything a run creates; no globals, so worlds may run in parallel. Its member
// functions are defined by concern: world.cpp (building, booting, running), readiness.cpp (the
// cluster milestones), faults.cpp (the fault registry and firing faults), outcome.cpp (the
// result).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "models/core/registry.hpp"
#include "models/core/run_context.hpp"
#include "models/dcos/cosmos.hpp"
#include "models/dcos/marathon.hpp"
#include "models/dcos/service_scheduler.hpp"
#include "models/dns/stub_resolver.hpp"
#include "models/mesos/leadership_monitor.hpp"
#include "models/mesos/offer_cycle_monitor.hpp"
#include "models/mesos/task_programs.hpp"
#include "models/run/cluster.hpp"
#include "models/run/faults.hpp"
#include "models/run/registry.hpp"
#include "models/scenario/scenario.hpp"
#include "models/systemd/profile.hpp"
#include "models/systemd/systemd_unit.hpp"
#include "models/zookeeper/zookeeper.hpp"

namespace bootsim::models {

// Milestones every master must reach before the cluster's masters count as ready.
inline constexpr std::string_view kMasterReady[] = {
    "exhibitor.started",   "zookeeper.serving",       "mesos-master.started",
    "mesos-dns.started",   "mesos-dns.leader_record", "marathon.started",
    "adminrouter.started", "ui.accessible",           "auth.started",
    "history.started",     "diagnostics.started",     "dns-proxy.leader_resolvable"};
inline constexpr std::string_view kAgentReady[] = {"agent.available", "agent.visible_in_ui",
                                                   "dns-proxy.leader_resolvable"};

// One run's world: the hosts, their units and models, the clock and the network; it fires the
// scenario's faults, records the cluster milestones, and collects the run's result.
// Members are declared in construction order; models hold references into the context and the
// shared components, so those come first.
class World {
 public:
  World(const Scenario& scenario, Parameters params, Profile profile, std::uint64_t seed,
        sim::SimTime until, std::vector<FaultSpec> faults)
      : scenario_(scenario),
        params_(std::move(params)),
        profile_(std::move(profile)),
        until_(until),
        faults_(std::move(faults)),
        engine_(seed),
        network_(engine_, params_.distribution("network.latency")),
        ctx_(engine_, network_, trace_, params_, topology_),
        leadership_(ctx_),
        offer_cycle_(ctx_) {}

  std::optional<InputError> build();  // world.cpp
  // Limits on a run's cost (0: none); run() stops at either and says so in ended_by.
  void set_limits(std::uint64_t max_events, std::size_t max_trace_records) {
    max_events_ = max_events;
    max_trace_records_ = max_trace_records;
  }
  RunResult run();
  void set_stop_at_ready(bool stop) { stop_at_ready_ = stop; }
  // Before build(): how much of each record's text the trace keeps.
  void set_trace_level(sim::TraceLevel level) { trace_.set_level(level); }
  // Before build(): the broken variants the tests select.
  void set_testing(const TestingVariants& t) { testing_ = t; }
  // Before build(): which zone each host is in, and the latencies between zones.
  void set_zones(const ZoneLayout& zones) { zones_ = zones; }

  // The fault API that fault handlers act through (faults.cpp). Hosts are indices in build
  // order: masters, private agents, public agents.
  std::size_t host_count() const { return hosts_.size(); }
  const std::string& host_name(std::size_t host) const { return hosts_[host].info.name; }
  sim::NodeId host_node(std::size_t host) const { return hosts_[host].info.node; }
  // The hosts a fault target names: a host name, a group, a zone (zone:b), or a role resolved
  // now (zookeeper-leader, mesos-leader; any-master and any-agent draw from `rng`).
  std::vector<std::size_t> resolve_hosts(const std::string& target, sim::RandomStream& rng) const;
  SystemdUnit* find_unit(std::size_t host, const std::string& unit) const;  // "x" or "dcos-x"
  ZooKeeperServer* zookeeper_on(std::size_t host) const;  // Exhibitor's child, if it has one
  // Expires every ZooKeeper session `client` holds (the ensemble's leader does): the ids, or
  // nullopt when no leader serves.
  std::optional<std::vector<std::int64_t>> expire_zookeeper_sessions(sim::ProcessId client,
                                                                     std::string_view why);
  void crash_host(std::size_t host);
  void restart_host(std::size_t host);
  sim::Network& network() { return network_; }
  RunContext& context() { return ctx_; }

 private:
  // world.cpp
  void add_host(const std::string& name, Role role, int zk_id, std::optional<std::uint32_t> zone);
  void apply_zone_latencies();
  void boot_host(std::size_t host);
  // Powers every host on at its own time: cluster.boot_skew drawn per host.
  void schedule_first_boots();
  // Ending a run that has settled: every milestone and fault action re-arms a check
  // settle_window_ later; when it fires with no fault timer to come, nothing can change any
  // more (no model timer is longer than the window) and the run ends.
  sim::SimTime settle_window() const;
  void note_change();
  void check_settled();
  // readiness.cpp: the cluster milestones.
  void watch_cluster_milestones(sim::RecordId id);
  void note_available(const std::string& agent);
  void check_visible_in_ui();
  void check_ready();
  // How far check_ready has found a group of hosts ready, in topology order.
  struct ReadyCursor {
    std::size_t next = 0;               // the first host not yet found ready
    std::optional<sim::RecordId> last;  // the latest first reach among the hosts before it
    bool advance(const World& world, const std::vector<HostInfo>& hosts,
                 std::span<const std::string_view> names);
  };
  // faults.cpp
  void arm_fault(const FaultSpec& f);
  void fire_fault(const FaultSpec& f);
  // outcome.cpp: the result of a finished run.
  RunResult collect();
  std::vector<std::string> budget_nodes(const std::string& milestone) const;
  BudgetResult budget_result(const BudgetSpec& b) const;
  std::vector<std::string> not_reached() const;
  std::vector<std::string> host_names() const;
  std::vector<Election> elections() const;

  const Scenario& scenario_;
  Parameters params_;
  Profile profile_;
  sim::SimTime until_;
  std::vector<FaultSpec> faults_;
  sim::Engine engine_;
  sim::Network network_;
  sim::Trace trace_;
  Topology topology_;
  RunContext ctx_;
  std::unique_ptr<ZooKeeperEnsemble> ensemble_;  // once the masters exist
  LeadershipMonitor leadership_;                 // the "single-mesos-leader" check: observes
  OfferCycleMonitor offer_cycle_;  // agent-registers-with-leader, offer-for-registered-agent
  MarathonApps apps_;
  CosmosPackages packages_;  // the services' installs, which Cosmos makes
  LookupLog lookups_;        // every client lookup of leader.mesos (the stale windows)
  // An installed service's scheduler is itself a Marathon task: the program of that task.
  TaskPrograms programs_;
  std::vector<std::unique_ptr<ServiceScheduler>> services_;
  const ModelRegistry registry_ = standard_registry();
  const FaultRegistry fault_kinds_ = standard_faults();

  struct Host {
    HostInfo info;
    sim::ProcessId systemd;  // runs ExecStartPre commands and timers
    std::vector<std::unique_ptr<SystemdUnit>> units;
    bool booted = false;  // its first boot came (or a restart booted it earlier)
  };
  std::vector<Host> hosts_;
  // "milestone@node" → its first reach. Never iterated: hashed, not ordered.
  std::unordered_map<std::string, std::optional<sim::RecordId>> reached_;
  std::set<std::string> visible_;
  std::unordered_map<std::string, std::size_t> agent_index_;  // topology_.agents by name
  std::set<std::size_t> available_unlisted_;  // agents available, not yet visible_in_ui
  ReadyCursor masters_cursor_, agents_cursor_;
  bool masters_ready_ = false, agents_ready_ = false, ready_ = false;
  FaultHealing healing_;           // when the faults began and last acted (the liveness rules)
  std::vector<bool> fault_fired_;  // parallel to faults_: its time came (whatever it hit)
  int fault_timers_ = 0;           // fault firings and undos due by the clock
  sim::SimTime settle_window_;
  sim::TimerId settle_timer_;
  bool settled_ = false;
  bool stop_at_ready_ = false;
  TestingVariants testing_;
  ZoneLayout zones_;
  std::string ended_by_;
  std::uint64_t max_events_ = 0;
  std::size_t max_trace_records_ = 0;
};

}  // namespace bootsim::models
