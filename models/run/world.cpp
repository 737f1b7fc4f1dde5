#include "models/run/world.hpp"

#include <fmt/format.h>

namespace bootsim::models {

void World::add_host(const std::string& name, Role role, int zk_id) {
  Host h;
  h.info = HostInfo{network_.add_node(name), name, role, zk_id};
  h.systemd = network_.add_process(h.info.node, "systemd");
  (role == Role::kMaster ? topology_.masters : topology_.agents).push_back(h.info);
  hosts_.push_back(std::move(h));
}

std::optional<InputError> World::build() {
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
  ctx_.provide(apps_);
  ctx_.provide(programs_);
  for (Host& h : hosts_) {
    for (const UnitDef* def : profile_.units_for(h.info.role)) {
      std::vector<std::unique_ptr<Gate>> gates;
      for (const GateDef& g : def->gates) {
        gates.push_back(registry_.make_gate(ctx_, g, h.info.role));
      }
      UnitSite site{h.info.node, h.info.name, def->name, h.systemd};
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
    programs_.add(services_.back()->scheduler_task(), *services_.back());
  }
  ctx_.on_milestone([this](sim::RecordId id) { watch_cluster_milestones(id); });
  return std::nullopt;
}

void World::boot_host(std::size_t host) {
  Host& h = hosts_[host];
  network_.start_process(h.systemd);
  ctx_.event(h.info.name, "systemd", "boot", "dcos.target starts every unit");
  for (auto& u : h.units) u->boot();
}

RunResult World::run() {
  for (const FaultSpec& f : faults_) arm_fault(f);
  for (std::size_t h = 0; h < hosts_.size(); ++h) boot_host(h);
  engine_.run_until(until_);

  RunResult r;
  r.scenario = scenario_.name;
  r.profile = profile_.name;
  return collect();
}

}  // namespace bootsim::models
