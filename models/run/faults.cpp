#include "models/run/world.hpp"

#include <memory>

namespace bootsim::models {

SystemdUnit* World::find_unit(std::size_t host, const std::string& unit) const {
  for (const auto& u : hosts_[host].units) {
    if (u->name() == unit || u->name() == "dcos-" + unit) return u.get();
  }
  return nullptr;
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

void World::fire_fault(const FaultSpec& f) {
  sim::RandomStream rng = ctx_.stream({"fault", f.text});
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

}  // namespace bootsim::models
