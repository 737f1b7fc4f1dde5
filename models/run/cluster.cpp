#include "models/run/cluster.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "models/core/milestones.hpp"
#include "models/dcos/marathon.hpp"
#include "models/dcos/profiles.hpp"
#include "models/dcos/service_scheduler.hpp"
#include "models/mesos/agent.hpp"
#include "models/mesos/group.hpp"
#include "models/run/registry.hpp"
#include "models/systemd/profile.hpp"
#include "models/systemd/systemd_unit.hpp"
#include "models/zookeeper/zookeeper.hpp"

namespace bootsim::models {

namespace {

InputError command_line_error(std::string message) {
  return InputError{SourceLocation{}, std::move(message)};
}

// Milestones every master must reach before the cluster's masters count as ready.
constexpr std::string_view kMasterReady[] = {
    "exhibitor.started",   "zookeeper.serving",       "mesos-master.started",
    "mesos-dns.started",   "mesos-dns.leader_record", "marathon.started",
    "adminrouter.started", "ui.accessible",           "auth.started",
    "history.started",     "diagnostics.started",     "dns-proxy.leader_resolvable"};
constexpr std::string_view kAgentReady[] = {"agent.available", "agent.visible_in_ui",
                                            "dns-proxy.leader_resolvable"};

// One run's world. Members are declared in construction order; models hold references into
// the context and the stand-ins, so those come first.
class Cluster {
 public:
  Cluster(const Scenario& scenario, Parameters params, Profile profile, std::uint64_t seed,
          sim::SimTime until, std::vector<FaultSpec> faults)
      : scenario_(scenario),
        params_(std::move(params)),
        profile_(std::move(profile)),
        until_(until),
        faults_(std::move(faults)),
        engine_(seed),
        network_(engine_, params_.distribution("network.latency")),
        ctx_(engine_, network_, trace_, params_, topology_),
        leadership_(ctx_) {}

  std::optional<InputError> build();
  RunResult run();

 private:
  void add_host(const std::string& name, Role role, int zk_id);
  void boot_host(std::size_t host);
  void watch_cluster_milestones(sim::RecordId id);
  void check_visible_in_ui();
  void check_ready();
  void arm_fault(const FaultSpec& f);
  void fire_fault(const FaultSpec& f);
  std::vector<std::size_t> resolve_hosts(const std::string& target, sim::RandomStream& rng) const;
  SystemdUnit* find_unit(std::size_t host, const std::string& unit) const;
  void crash_host(std::size_t host);
  void restart_host(std::size_t host);

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
  LeadershipMonitor leadership_;                 // the "single-mesos-leader" check
  MarathonApps apps_;
  std::vector<std::unique_ptr<ServiceScheduler>> services_;
  // An installed service's scheduler is itself a Marathon task: its start starts the scheduler.
  TaskStarted on_task_ = [this](const std::string& task, sim::ProcessId process) {
    for (auto& s : services_) {
      if (s->scheduler_task() == task) s->on_task_running(process);
    }
  };
  const ModelRegistry registry_ = standard_registry();

  struct Host {
    HostInfo info;
    sim::ProcessId systemd;  // runs ExecStartPre commands and timers
    std::vector<std::unique_ptr<SystemdUnit>> units;
  };
  std::vector<Host> hosts_;
  std::map<std::string, std::optional<sim::RecordId>> reached_;  // "milestone@node" → first
  std::set<std::string> visible_;
  bool masters_ready_ = false, agents_ready_ = false, ready_ = false;
  int faults_pending_ = 0;
};

void Cluster::add_host(const std::string& name, Role role, int zk_id) {
  Host h;
  h.info = HostInfo{network_.add_node(name), name, role, zk_id};
  h.systemd = network_.add_process(h.info.node, "systemd");
  (role == Role::kMaster ? topology_.masters : topology_.agents).push_back(h.info);
  hosts_.push_back(std::move(h));
}

std::optional<InputError> Cluster::build() {
  const auto masters = params_.integer("cluster.masters");
  const auto agents = params_.integer("cluster.agents.private");
  const auto publics = params_.integer("cluster.agents.public");
  for (std::int64_t i = 1; i <= masters; ++i) {
    add_host(fmt::format("master-{}", i), Role::kMaster, static_cast<int>(i));
  }
  for (std::int64_t i = 1; i <= agents; ++i)
    add_host(fmt::format("agent-{}", i), Role::kPrivateAgent, 0);
  for (std::int64_t i = 1; i <= publics; ++i) {
    add_host(fmt::format("public-agent-{}", i), Role::kPublicAgent, 0);
  }
  network_.set_loopback_latency(params_.distribution("network.loopback_latency"));
  network_.set_default_loss(params_.probability("network.loss"));
  for (const LinkSpec& l : scenario_.links) {
    const auto a = network_.find_node(l.a);
    const auto b = network_.find_node(l.b);
    if (!a || !b) {
      return InputError{l.where, fmt::format("link names a host that this cluster does not have: "
                                             "'{}'",
                                             a ? l.b : l.a)};
    }
    if (l.latency) network_.set_link_latency(*a, *b, *l.latency);
    if (l.loss) network_.set_link_loss(*a, *b, *l.loss);
  }
  ensemble_ = std::make_unique<ZooKeeperEnsemble>(ctx_);
  ctx_.provide(*ensemble_);
  ctx_.provide(leadership_);
  ctx_.provide(apps_);
  ctx_.provide(on_task_);
  for (Host& h : hosts_) {
    for (const UnitDef* def : profile_.units_for(h.info.role)) {
      std::vector<std::unique_ptr<Gate>> gates;
      for (const GateDef& g : def->gates) {
        gates.push_back(registry_.make_gate(ctx_, g, h.info.role));
      }
      UnitSite site{&ctx_, h.info.node, h.info.name, def->name, h.systemd};
      h.units.push_back(std::make_unique<SystemdUnit>(ctx_, std::move(site), *def, std::move(gates),
                                                      registry_.make_process(ctx_, *def)));
    }
    for (auto& u : h.units) {
      const UnitDef* def = profile_.find(u->name());
      for (const std::string& after : def->after) {
        for (auto& other : h.units) {
          if (other->name() == after) u->order_after(*other);
        }
      }
    }
  }
  for (const ServiceSpec& s : scenario_.services) {
    services_.push_back(std::make_unique<ServiceScheduler>(ctx_, s.name, s.start, s.instances));
    apps_.pending.push_back(services_.back()->scheduler_task());
  }
  ctx_.on_milestone([this](sim::RecordId id) { watch_cluster_milestones(id); });
  return std::nullopt;
}

void Cluster::boot_host(std::size_t host) {
  Host& h = hosts_[host];
  network_.start_process(h.systemd);
  ctx_.event(h.info.name, "systemd", "boot", "dcos.target starts every unit");
  for (auto& u : h.units) u->boot();
}

void Cluster::watch_cluster_milestones(sim::RecordId id) {
  const sim::TraceRecord& r = trace_.at(id);
  const std::string key = r.name + "@" + r.node;
  if (!reached_.count(key)) reached_[key] = id;
  if (r.name == "agent.available" || r.name == "ui.accessible") check_visible_in_ui();
  check_ready();
}

void Cluster::check_visible_in_ui() {
  // The DC/OS UI lists nodes from Mesos' state, which it reads through Admin Router.
  std::optional<sim::RecordId> ui;
  for (const HostInfo& m : topology_.masters) {
    const auto it = reached_.find("ui.accessible@" + m.name);
    if (it != reached_.end() && ctx_.facts().get(m.node.value, fact::unit_up("dcos-adminrouter"))) {
      ui = it->second;
      break;
    }
  }
  if (!ui) return;
  for (const HostInfo& a : topology_.agents) {
    const auto it = reached_.find("agent.available@" + a.name);
    if (it == reached_.end() || visible_.count(a.name)) continue;
    visible_.insert(a.name);
    ctx_.milestone(a.name, "agent.visible_in_ui", "listed by the DC/OS UI",
                   std::max(*it->second, *ui));
  }
}

void Cluster::check_ready() {
  auto all_reached = [&](const std::vector<HostInfo>& hosts, auto& names,
                         std::optional<sim::RecordId>& last) {
    for (const HostInfo& h : hosts) {
      for (std::string_view n : names) {
        const auto it = reached_.find(std::string(n) + "@" + h.name);
        if (it == reached_.end()) return false;
        last = std::max(last.value_or(0), *it->second);
      }
    }
    return true;
  };
  if (!masters_ready_) {
    std::optional<sim::RecordId> last;
    if (all_reached(topology_.masters, kMasterReady, last)) {
      masters_ready_ = true;
      ctx_.milestone("cluster", "cluster.masters_ready", {}, last);
    }
  }
  if (!agents_ready_) {
    std::optional<sim::RecordId> last;
    if (all_reached(topology_.agents, kAgentReady, last)) {
      agents_ready_ = true;
      ctx_.milestone("cluster", "cluster.agents_ready", {}, last);
    }
  }
  if (ready_ || !masters_ready_ || !agents_ready_) return;
  std::optional<sim::RecordId> last = std::max(*reached_["cluster.masters_ready@cluster"],
                                               *reached_["cluster.agents_ready@cluster"]);
  // Every service runs its first task; Marathon's tasks are the installed services' schedulers.
  std::vector<std::string> needed;
  if (services_.empty()) {
    needed.push_back("scheduler.registered@marathon");
  } else {
    needed.push_back("scheduler.first_task_running@marathon");
  }
  for (const ServiceSpec& s : scenario_.services) {
    needed.push_back("scheduler.first_task_running@" + s.name);
  }
  for (const std::string& n : needed) {
    const auto it = reached_.find(n);
    if (it == reached_.end()) return;
    last = std::max(*last, *it->second);
  }
  ready_ = true;
  ctx_.milestone("cluster", "cluster.ready", {}, last);
  // Without faults nothing more can happen that a boot report is about; with faults the run
  // goes on to `until`, so that recoveries after cluster.ready are seen.
  if (faults_.empty()) engine_.stop();
}

SystemdUnit* Cluster::find_unit(std::size_t host, const std::string& unit) const {
  for (const auto& u : hosts_[host].units) {
    if (u->name() == unit || u->name() == "dcos-" + unit) return u.get();
  }
  return nullptr;
}

std::vector<std::size_t> Cluster::resolve_hosts(const std::string& target,
                                                sim::RandomStream& rng) const {
  std::vector<std::size_t> out;
  if (target == "zookeeper-leader") {
    const int sid = ensemble_->serving_leader();
    for (std::size_t i = 0; sid != 0 && i < hosts_.size(); ++i) {
      if (hosts_[i].info.node == ensemble_->node_of(sid)) out.push_back(i);
    }
  } else if (target == "mesos-leader") {
    // The master elected last, recovering or leading: what the detectors name as the leader.
    if (const auto id = ctx_.latest_milestone("mesos-master.elected", "cluster")) {
      for (std::size_t i = 0; i < hosts_.size(); ++i) {
        if (hosts_[i].info.name == trace_.at(*id).detail) out.push_back(i);
      }
    }
  } else if (target == "any-master" || target == "any-agent") {
    std::vector<std::size_t> pool;
    for (std::size_t i = 0; i < hosts_.size(); ++i) {
      if ((hosts_[i].info.role == Role::kMaster) == (target == "any-master")) pool.push_back(i);
    }
    if (!pool.empty()) out.push_back(pool[rng.uniform_index(pool.size())]);
  } else {
    for (std::size_t i = 0; i < hosts_.size(); ++i) {
      if (hosts_[i].info.name == target) out.push_back(i);
    }
  }
  return out;
}

void Cluster::crash_host(std::size_t host) {
  Host& h = hosts_[host];
  if (!network_.node_up(h.info.node)) return;
  network_.crash_node(h.info.node);
  for (auto& u : h.units) u->host_down();
}

void Cluster::restart_host(std::size_t host) {
  Host& h = hosts_[host];
  if (network_.node_up(h.info.node)) return;
  network_.restart_node(h.info.node);
  boot_host(host);
}

void Cluster::arm_fault(const FaultSpec& f) {
  ++faults_pending_;
  if (f.at.absolute) {
    engine_.schedule_at(*f.at.absolute, [this, &f] { fire_fault(f); });
    return;
  }
  // Relative to the first reach of a milestone (on a node, or anywhere).
  auto armed = std::make_shared<bool>(false);
  ctx_.on_milestone([this, &f, armed](sim::RecordId id) {
    const sim::TraceRecord& r = trace_.at(id);
    if (*armed || r.name != f.at.milestone || (!f.at.node.empty() && r.node != f.at.node)) return;
    *armed = true;
    engine_.schedule_after(f.at.offset, [this, &f] { fire_fault(f); });
  });
}

void Cluster::fire_fault(const FaultSpec& f) {
  sim::RandomStream rng = engine_.stream("fault/" + f.text);
  const std::string& text = f.text;
  auto done = [this] { --faults_pending_; };
  switch (f.kind) {
    case FaultKind::kCrash:
    case FaultKind::kPause: {
      const FaultTarget t = split_fault_target(f.target);
      const auto hosts = resolve_hosts(t.node, rng);
      if (hosts.empty()) {
        ctx_.event("cluster", "fault", "no_target", text);
        done();
        return;
      }
      const std::size_t host = hosts.front();
      const std::string& name = hosts_[host].info.name;
      if (t.unit.empty()) {
        ctx_.event(name, "fault", "host_crash", text);
        crash_host(host);
        if (f.restart_after) {
          engine_.schedule_after(*f.restart_after, [this, host, done] {
            ctx_.event(hosts_[host].info.name, "fault", "host_restart");
            restart_host(host);
            done();
          });
          return;
        }
        done();
        return;
      }
      SystemdUnit* unit = find_unit(host, t.unit);
      ZooKeeperServer* zk =
          t.unit == "zookeeper" ? ensemble_->server_on(hosts_[host].info.node) : nullptr;
      if (zk != nullptr) {
        // ZooKeeper is Exhibitor's child process, not a unit: Exhibitor restarts it.
        const sim::ProcessId p = zk->process();
        if (f.kind == FaultKind::kCrash) {
          ctx_.event(name, "fault", "process_crash", text);
          zk->kill();
          done();
          return;
        }
        ctx_.event(name, "fault", "pause", text);
        network_.pause_process(p);
        if (f.resume_after) {
          engine_.schedule_after(*f.resume_after, [this, p, host, done] {
            ctx_.event(hosts_[host].info.name, "fault", "resume", "zookeeper");
            network_.resume_process(p);
            done();
          });
          return;
        }
        done();
        return;
      }
      if (unit == nullptr) {
        ctx_.event(name, "fault", "no_target", text);
        done();
        return;
      }
      if (f.kind == FaultKind::kPause) {
        ctx_.event(name, "fault", "pause", text);
        unit->pause_process();
        if (f.resume_after) {
          engine_.schedule_after(*f.resume_after, [this, unit, done] {
            ctx_.event(unit->site().node_name, "fault", "resume", unit->name());
            unit->resume_process();
            done();
          });
          return;
        }
        done();
        return;
      }
      ctx_.event(name, "fault", "process_crash", text);
      // systemd restarts a killed unit after RestartSec: restart_after has nothing to add.
      unit->kill_process(text);
      done();
      return;
    }
    case FaultKind::kPartition: {
      std::vector<std::vector<sim::NodeId>> groups;
      std::set<std::size_t> named;
      std::optional<std::size_t> rest_group;
      for (const auto& g : f.groups) {
        std::vector<sim::NodeId> nodes;
        for (const std::string& member : g) {
          if (member == "rest") {
            rest_group = groups.size();
            continue;
          }
          for (const std::size_t h : resolve_hosts(member, rng)) {
            named.insert(h);
            nodes.push_back(hosts_[h].info.node);
          }
        }
        groups.push_back(std::move(nodes));
      }
      if (rest_group) {
        for (std::size_t h = 0; h < hosts_.size(); ++h) {
          if (!named.count(h)) groups[*rest_group].push_back(hosts_[h].info.node);
        }
      }
      ctx_.event("cluster", "fault", "partition", text);
      network_.partition(groups);
      if (f.heal_after) {
        engine_.schedule_after(*f.heal_after, [this, done] {
          ctx_.event("cluster", "fault", "heal");
          network_.heal();
          done();
        });
        return;
      }
      done();
      return;
    }
  }
}

RunResult Cluster::run() {
  for (const FaultSpec& f : faults_) arm_fault(f);
  for (std::size_t h = 0; h < hosts_.size(); ++h) boot_host(h);
  engine_.run_until(until_);

  RunResult r;
  r.scenario = scenario_.name;
  r.profile = profile_.name;
  r.seed = engine_.seed();
  r.until = until_;
  r.ended_at = engine_.now();
  r.events = engine_.events_processed();
  for (const Host& h : hosts_) r.nodes.push_back(h.info.name);
  r.nodes.push_back("marathon");
  for (const ServiceSpec& s : scenario_.services) r.nodes.push_back(s.name);
  for (const auto& [k, v] : params_.overrides()) r.overrides.push_back(k + "=" + v);
  r.violations = ctx_.violations();
  r.rules = check_rules(trace_, builtin_rules(profile_.name), true);
  auto user = check_rules(trace_, scenario_.rules, false);
  r.rules.insert(r.rules.end(), user.begin(), user.end());
  for (const RuleResult& rr : r.rules) {
    r.violations.insert(r.violations.end(), rr.violations.begin(), rr.violations.end());
  }
  // Budgets: a per-node milestone counts when every node it applies to has reached it.
  for (const BudgetSpec& b : scenario_.budgets) {
    BudgetResult br{b.milestone, b.within, std::nullopt, false};
    const auto reaches = trace_.milestones_named(b.milestone);
    std::map<std::string, sim::SimTime> first;
    for (const sim::RecordId id : reaches)
      first.try_emplace(trace_.at(id).node, trace_.at(id).time);
    const auto scope = milestone_scope(b.milestone);
    std::vector<std::string> expected;
    if (scope && b.milestone != "mesos-master.leading") {
      for (const Host& h : hosts_) {
        const bool master = h.info.role == Role::kMaster;
        if ((*scope == MilestoneScope::kMaster && master) ||
            (*scope == MilestoneScope::kAgent && !master) || *scope == MilestoneScope::kEveryNode) {
          expected.push_back(h.info.name);
        }
      }
      if (*scope == MilestoneScope::kService) {
        expected.push_back("marathon");
        for (const ServiceSpec& s : scenario_.services) expected.push_back(s.name);
      }
    }
    if (expected.empty() && !first.empty()) {
      br.actual = first.begin()->second;
      for (const auto& [n, t] : first) br.actual = std::min(*br.actual, t);
    } else if (!expected.empty()) {
      bool all = true;
      sim::SimTime latest;
      for (const std::string& n : expected) {
        const auto it = first.find(n);
        if (it == first.end()) {
          all = false;
          break;
        }
        latest = std::max(latest, it->second);
      }
      if (all) br.actual = latest;
    }
    br.ok = br.actual && *br.actual <= b.within;
    r.budgets.push_back(br);
  }
  if (const auto ready = trace_.first_milestone("cluster.ready", "cluster")) {
    r.ready_at = trace_.at(*ready).time;
    for (std::optional<sim::RecordId> c = *ready; c; c = trace_.at(*c).cause) {
      r.critical_chain.push_back(*c);
    }
  } else {
    // Say what is missing, layer by layer, so that "no cluster.ready" is never the whole story.
    if (!trace_.first_milestone("zookeeper.quorum", "cluster")) {
      r.not_reached.push_back("zookeeper.quorum: no ZooKeeper quorum formed");
    }
    if (!trace_.first_milestone("mesos-master.elected", "cluster")) {
      r.not_reached.push_back("mesos-master.elected: no Mesos master was elected");
    }
    for (const Host& h : hosts_) {
      const auto& names =
          h.info.role == Role::kMaster
              ? std::vector<std::string_view>(std::begin(kMasterReady), std::end(kMasterReady))
              : std::vector<std::string_view>(std::begin(kAgentReady), std::end(kAgentReady));
      std::vector<std::string> missing;
      for (std::string_view n : names) {
        if (!reached_.count(std::string(n) + "@" + h.info.name)) missing.emplace_back(n);
      }
      if (!missing.empty()) {
        r.not_reached.push_back(fmt::format("{}: {}", h.info.name, fmt::join(missing, ", ")));
      }
    }
  }
  r.fingerprint = trace_.fingerprint();
  r.trace = std::move(trace_);
  return r;
}

}  // namespace

std::vector<RuleResult> check_rules(const sim::Trace& trace, const std::vector<RuleSpec>& rules,
                                    bool builtin) {
  std::vector<RuleResult> out;
  for (const RuleSpec& rule : rules) {
    RuleResult rr{rule.name, rule.before, rule.after, rule.same_node, builtin, 0, {}};
    std::map<std::string, sim::SimTime> first_before;
    std::optional<sim::SimTime> any_before;
    for (const sim::RecordId id : trace.milestones_named(rule.before)) {
      const sim::TraceRecord& b = trace.at(id);
      first_before.try_emplace(b.node, b.time);
      if (!any_before) any_before = b.time;
    }
    std::set<std::string> seen;
    for (const sim::RecordId id : trace.milestones_named(rule.after)) {
      const sim::TraceRecord& a = trace.at(id);
      if (!seen.insert(a.node).second) continue;  // the first reach on each node
      ++rr.checked;
      std::optional<sim::SimTime> before = any_before;
      if (rule.same_node) {
        const auto it = first_before.find(a.node);
        before = it == first_before.end() ? std::nullopt : std::optional<sim::SimTime>(it->second);
      }
      if (!before || *before > a.time) {
        rr.violations.push_back(
            Violation{rule.name, a.time, a.node,
                      before ? fmt::format("{} reached {} at {}s, before {} (at {}s)", a.node,
                                           rule.after, sim::format_seconds(a.time), rule.before,
                                           sim::format_seconds(*before))
                             : fmt::format("{} reached {} at {}s without {}{}", a.node, rule.after,
                                           sim::format_seconds(a.time), rule.before,
                                           rule.same_node ? " on that node" : "")});
      }
    }
    out.push_back(std::move(rr));
  }
  return out;
}

std::vector<RuleSpec> builtin_rules(const std::string& profile) {
  std::vector<RuleSpec> rules;
  auto node = [&](std::string before, std::string after) {
    rules.push_back(RuleSpec{before + " < " + after, before, after, true, {}});
  };
  auto cluster = [&](std::string before, std::string after) {
    rules.push_back(RuleSpec{before + " < " + after + " (cluster)", before, after, false, {}});
  };
  // Masters, in the seed's order.
  node("exhibitor.started", "zookeeper.started");
  node("zookeeper.started", "zookeeper.serving");
  node("zookeeper.serving", "mesos-master.started");
  node("mesos-master.started", "mesos-master.contending");
  node("mesos-master.contending", "mesos-master.leading");
  node("zookeeper.serving", "mesos-dns.started");
  node("mesos-dns.started", "mesos-dns.leader_record");
  cluster("mesos-master.elected", "mesos-dns.leader_record");
  cluster("mesos-dns.leader_record", "marathon.started");
  node("dns-proxy.started", "adminrouter.started");
  cluster("mesos-master.leading", "adminrouter.started");
  cluster("mesos-dns.leader_record", "adminrouter.started");
  node("adminrouter.started", "ui.accessible");
  node("zookeeper.serving", "auth.started");
  cluster("mesos-dns.leader_record", "history.started");
  cluster("zookeeper.quorum", "mesos-master.elected");
  cluster("mesos-master.elected", "mesos-master.leading");
  // Every node.
  node("dns-proxy.started", "dns-proxy.leader_resolvable");
  cluster("mesos-dns.leader_record", "dns-proxy.leader_resolvable");
  // Agents.
  if (profile == "dcos-1.9") node("agent.leader_pingable", "agent.started");
  node("agent.started", "agent.detected_leader");
  node("agent.detected_leader", "agent.registered");
  cluster("mesos-master.leading", "agent.registered");
  node("agent.registered", "agent.connected_back");
  node("agent.connected_back", "agent.available");
  node("agent.available", "agent.visible_in_ui");
  // Services.
  node("scheduler.started", "scheduler.detected_leader");
  node("scheduler.detected_leader", "scheduler.registered");
  node("scheduler.registered", "scheduler.framework_id_stored");
  node("scheduler.registered", "scheduler.first_offer");
  node("scheduler.first_offer", "scheduler.first_task_running");
  cluster("marathon.started", "scheduler.started");
  return rules;
}

std::variant<Profile, InputError> resolve_profile(const Scenario& scenario,
                                                  const Parameters& params) {
  auto profile = builtin_profile(scenario.profile);
  if (!profile) {
    return InputError{SourceLocation{scenario.file, 1, 1},
                      fmt::format("unknown profile '{}'", scenario.profile)};
  }
  auto where = [&](const std::string& unit) {
    for (const Setting& s : scenario.settings) {
      if (s.key.starts_with("units." + unit + ".")) return s.where;
    }
    return SourceLocation{};
  };
  for (const std::string& unit : params.units_mentioned()) {
    UnitDef* def = profile->find(unit);
    if (def == nullptr) {
      std::vector<std::string> names;
      for (const UnitDef& u : profile->units) names.push_back(u.name);
      return InputError{where(unit), fmt::format("unknown unit '{}' in profile {} (its units: {})",
                                                 unit, profile->name, fmt::join(names, ", "))};
    }
    if (const auto r = params.unit_restart_sec(unit)) def->restart_sec = *r;
    if (const auto s = params.unit_start(unit)) def->start = *s;
  }
  for (const UnitOverride& o : scenario.unit_overrides) {
    UnitDef* def = profile->find(o.unit);
    if (def == nullptr) {
      return InputError{o.where,
                        fmt::format("unknown unit '{}' in profile {}", o.unit, profile->name)};
    }
    for (const auto& [after, at] : o.after) {
      if (profile->find(after) == nullptr) {
        return InputError{
            at, fmt::format("unit '{}' is ordered After= unknown unit '{}'", o.unit, after)};
      }
      def->after.push_back(after);
    }
  }
  const auto problems = validate(*profile, standard_registry());
  if (!problems.empty()) {
    SourceLocation at{scenario.file, 1, 1};
    for (const UnitOverride& o : scenario.unit_overrides) {
      if (o.unit == problems.front().unit) at = o.where;
    }
    return InputError{at, problems.front().message};
  }
  return std::move(*profile);
}

std::variant<RunResult, InputError> run_scenario(const Scenario& scenario,
                                                 const RunOptions& options) {
  Parameters params;
  if (auto e = apply_settings(scenario.settings, params)) return *e;
  if (auto e = apply_settings(options.settings, params)) return *e;
  const auto masters = params.integer("cluster.masters");
  if (masters != 1 && masters != 3 && masters != 5 && masters != 7 && masters != 9) {
    return command_line_error(
        fmt::format("cluster.masters: DC/OS accepts 1, 3, 5, 7 or 9 masters, got {}", masters));
  }
  if (auto e = check_node_names(scenario, params)) return *e;
  if (!options.faults.empty()) {
    // --fault lines name nodes too (master-9 in a 3-master cluster must be an error, not a
    // fault that silently finds no target); checked alone, their errors say "command line".
    Scenario cli = scenario;
    cli.links.clear();
    cli.faults = options.faults;
    if (auto e = check_node_names(cli, params)) return *e;
  }
  auto profile = resolve_profile(scenario, params);
  if (auto* e = std::get_if<InputError>(&profile)) return *e;
  std::vector<FaultSpec> faults = scenario.faults;
  faults.insert(faults.end(), options.faults.begin(), options.faults.end());
  // The process part of a target must name a unit of the profile (with or without its
  // "dcos-" prefix) or ZooKeeper, Exhibitor's child process.
  const Profile& prof = std::get<Profile>(profile);
  for (const FaultSpec& f : faults) {
    const FaultTarget t = split_fault_target(f.target);
    if (t.unit.empty() || t.unit == "zookeeper" || prof.find(t.unit) != nullptr ||
        prof.find("dcos-" + t.unit) != nullptr) {
      continue;
    }
    return InputError{f.where,
                      fmt::format("fault.target: no unit '{}' in profile {}", t.unit, prof.name)};
  }
  const std::uint64_t seed = options.seed.value_or(scenario.seed);
  const sim::SimTime until = options.until.value_or(scenario.until.value_or(kDefaultUntil));
  auto cluster =
      std::make_unique<Cluster>(scenario, std::move(params), std::move(std::get<Profile>(profile)),
                                seed, until, std::move(faults));
  if (auto e = cluster->build()) return *e;
  return cluster->run();
}

}  // namespace bootsim::models
