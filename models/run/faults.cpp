#include "models/run/faults.hpp"

#include <fmt/format.h>

#include <cassert>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "models/run/world.hpp"

namespace bootsim::models {

// ------------------------------------------------------------------------------------------
// The registry.

void FaultRegistry::add(FaultKind kind, std::unique_ptr<FaultHandler> handler) {
  const bool added = handlers_.emplace(kind, std::move(handler)).second;
  assert(added && "a fault kind registered twice");
  (void)added;
}

const FaultHandler& FaultRegistry::at(FaultKind kind) const {
  const auto it = handlers_.find(kind);
  assert(it != handlers_.end() && "a fault kind without a handler");
  return *it->second;
}

// ------------------------------------------------------------------------------------------
// The handlers.

namespace {

// The process a crash or pause names on its host: a unit's main process, or ZooKeeper —
// Exhibitor's child process, not a unit of its own.
struct ProcessTarget {
  SystemdUnit* unit = nullptr;
  ZooKeeperServer* zookeeper = nullptr;
};

// The first host `node` names (a host or a role); traced as no_target when there is none.
std::optional<std::size_t> target_host(World& w, const FaultSpec& f, const std::string& node,
                                       sim::RandomStream& rng) {
  const auto hosts = w.resolve_hosts(node, rng);
  if (hosts.empty()) {
    w.context().fault("cluster", "no_target", f.text);
    return std::nullopt;
  }
  return hosts.front();
}

// What `unit` names on `host`; traced as no_target when there is nothing, and as not_running
// when the process is not there to crash (starting, up or paused) or to pause (starting or up):
// a fault that changes nothing is reported as such, not as a hit (issue 7).
std::optional<ProcessTarget> target_process(World& w, const FaultSpec& f, std::size_t host,
                                            const std::string& unit) {
  ProcessTarget t{w.find_unit(host, unit), unit == "zookeeper" ? w.zookeeper_on(host) : nullptr};
  if (t.zookeeper == nullptr && t.unit == nullptr) {
    w.context().fault(w.host_name(host), "no_target", f.text);
    return std::nullopt;
  }
  if (t.zookeeper != nullptr) {
    if (t.zookeeper->state() == ZooKeeperState::kDown) {
      w.context().fault(w.host_name(host), "not_running",
                        fmt::format("{}; zookeeper is not running", f.text));
      return std::nullopt;
    }
    return t;
  }
  const UnitState s = t.unit->state();
  const bool running = s == UnitState::kStarting || s == UnitState::kActive ||
                       (f.kind == FaultKind::kCrash && s == UnitState::kPaused);
  if (!running) {
    w.context().fault(w.host_name(host), "not_running",
                      fmt::format("{}; {} is {}", f.text, t.unit->name(), to_string(s)));
    return std::nullopt;
  }
  return t;
}

// kind=crash. A host: power lost; restart_after boots it again. A process (host/unit): killed
// with its host up; systemd restarts a unit after RestartSec and Exhibitor restarts ZooKeeper,
// so restart_after has nothing to add.
class CrashFault final : public FaultHandler {
 public:
  std::optional<FaultUndo> apply(World& w, const FaultSpec& f,
                                 sim::RandomStream& rng) const override {
    const FaultTarget t = split_fault_target(f.target);
    const auto host = target_host(w, f, t.node, rng);
    if (!host) return std::nullopt;
    if (t.unit.empty()) return crash_host(w, f, *host);
    const auto p = target_process(w, f, *host, t.unit);
    if (!p) return std::nullopt;
    w.context().fault(w.host_name(*host), "process_crash", f.text);
    if (p->zookeeper != nullptr) {
      p->zookeeper->kill();
    } else {
      p->unit->kill_process(f.text);
    }
    return std::nullopt;
  }

 private:
  static std::optional<FaultUndo> crash_host(World& w, const FaultSpec& f, std::size_t host) {
    if (!w.network().node_up(w.host_node(host))) {
      w.context().fault(w.host_name(host), "not_running",
                        fmt::format("{}; {} is down", f.text, w.host_name(host)));
      return std::nullopt;
    }
    w.context().fault(w.host_name(host), "host_crash", f.text);
    w.crash_host(host);
    if (!f.restart_after) return std::nullopt;
    return FaultUndo{*f.restart_after, [&w, host] {
                       w.context().fault(w.host_name(host), "host_restart");
                       w.restart_host(host);
                     }};
  }
};

// kind=pause: SIGSTOP to a process (host/unit; the loader insists on the unit), alive but
// silent; resume_after sends SIGCONT.
class PauseFault final : public FaultHandler {
 public:
  std::optional<FaultUndo> apply(World& w, const FaultSpec& f,
                                 sim::RandomStream& rng) const override {
    const FaultTarget t = split_fault_target(f.target);
    assert(!t.unit.empty() && "a pause names a process (fault_spec.cpp checks)");
    const auto host = target_host(w, f, t.node, rng);
    if (!host) return std::nullopt;
    const auto p = target_process(w, f, *host, t.unit);
    if (!p) return std::nullopt;
    w.context().fault(w.host_name(*host), "pause", f.text);
    if (p->zookeeper != nullptr) {
      const sim::ProcessId process = p->zookeeper->process();
      w.network().pause_process(process);
      if (!f.resume_after) return std::nullopt;
      return FaultUndo{*f.resume_after, [&w, host = *host, process] {
                         w.context().fault(w.host_name(host), "resume", "zookeeper");
                         w.network().resume_process(process);
                       }};
    }
    SystemdUnit* unit = p->unit;
    unit->pause_process();
    if (!f.resume_after) return std::nullopt;
    return FaultUndo{*f.resume_after, [&w, unit] {
                       w.context().fault(unit->site().node_name, "resume", unit->name());
                       unit->resume_process();
                     }};
  }
};

// kind=partition: hosts in different groups cannot reach each other; "rest" stands for every
// host no group names. heal_after heals every partition.
class PartitionFault final : public FaultHandler {
 public:
  std::optional<FaultUndo> apply(World& w, const FaultSpec& f,
                                 sim::RandomStream& rng) const override {
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
        for (const std::size_t h : w.resolve_hosts(member, rng)) {
          named.insert(h);
          nodes.push_back(w.host_node(h));
        }
      }
      groups.push_back(std::move(nodes));
    }
    if (rest_group) {
      for (std::size_t h = 0; h < w.host_count(); ++h) {
        if (!named.count(h)) groups[*rest_group].push_back(w.host_node(h));
      }
    }
    w.context().fault("cluster", "partition", f.text);
    w.network().partition(groups);
    if (!f.heal_after) return std::nullopt;
    return FaultUndo{*f.heal_after, [&w] {
                       w.context().fault("cluster", "heal");
                       w.network().heal();
                     }};
  }
};

}  // namespace

FaultRegistry standard_faults() {
  FaultRegistry registry;
  registry.add(FaultKind::kCrash, std::make_unique<CrashFault>());
  registry.add(FaultKind::kPause, std::make_unique<PauseFault>());
  registry.add(FaultKind::kPartition, std::make_unique<PartitionFault>());
  return registry;
}

// ------------------------------------------------------------------------------------------
// The World's side: arming, firing, and the fault API the handlers act through.

SystemdUnit* World::find_unit(std::size_t host, const std::string& unit) const {
  for (const auto& u : hosts_[host].units) {
    if (u->name() == unit || u->name() == "dcos-" + unit) return u.get();
  }
  return nullptr;
}

ZooKeeperServer* World::zookeeper_on(std::size_t host) const {
  return ensemble_->server_on(hosts_[host].info.node);
}

std::vector<std::size_t> World::resolve_hosts(const std::string& target,
                                              sim::RandomStream& rng) const {
  std::vector<std::size_t> out;
  if (target == "zookeeper-leader") {
    const int sid = ensemble_->serving_leader();
    for (std::size_t i = 0; sid != 0 && i < hosts_.size(); ++i) {
      if (hosts_[i].info.node == ensemble_->node_of(sid)) out.push_back(i);
    }
  } else if (target == "mesos-leader") {
    // The master elected last, recovering or leading: what the detectors name as the leader.
    const auto elected = ctx_.latest_milestone("mesos-master.elected", "cluster");
    if (const auto master = elected ? ctx_.subject(*elected) : std::nullopt) {
      for (std::size_t i = 0; i < hosts_.size(); ++i) {
        if (hosts_[i].info.name == *master) out.push_back(i);
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

void World::crash_host(std::size_t host) {
  Host& h = hosts_[host];
  if (!network_.node_up(h.info.node)) return;
  network_.crash_node(h.info.node);
  for (auto& u : h.units) u->host_down();
}

void World::restart_host(std::size_t host) {
  Host& h = hosts_[host];
  if (network_.node_up(h.info.node)) return;
  network_.restart_node(h.info.node);
  boot_host(host);
}

void World::arm_fault(const FaultSpec& f) {
  fault_fired_.resize(faults_.size(), false);
  if (f.at.absolute) {
    ++fault_timers_;
    engine_.schedule_at(*f.at.absolute, [this, &f] {
      --fault_timers_;
      fire_fault(f);
    });
    return;
  }
  // Relative to the first reach of a milestone (on a node, or anywhere).
  auto armed = std::make_shared<bool>(false);
  ctx_.on_milestone([this, &f, armed](sim::RecordId id) {
    const sim::TraceRecord& r = trace_.at(id);
    if (*armed || r.name != f.at.milestone || (!f.at.node.empty() && r.node != f.at.node)) return;
    *armed = true;
    ++fault_timers_;
    engine_.schedule_after(f.at.offset, [this, &f] {
      --fault_timers_;
      fire_fault(f);
    });
  });
}

void World::fire_fault(const FaultSpec& f) {
  fault_fired_[static_cast<std::size_t>(&f - faults_.data())] = true;
  sim::RandomStream rng = ctx_.stream({"fault", f.text});
  std::optional<FaultUndo> undo = fault_kinds_.at(f.kind).apply(*this, f, rng);
  note_change();
  if (!undo) return;
  ++fault_timers_;
  engine_.schedule_after(undo->after, [this, run = std::move(undo->run)] {
    --fault_timers_;
    run();
    note_change();
  });
}

}  // namespace bootsim::models
