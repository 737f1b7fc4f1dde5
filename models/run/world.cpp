#include "models/run/world.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace bootsim::models {

void World::add_host(const std::string& name, Role role, int zk_id,
                     std::optional<std::uint32_t> zone) {
  Host h;
  h.info = HostInfo{network_.add_node(name), name, role, zk_id, {}};
  if (zone) {
    h.info.zone = zones_.names[*zone];
    network_.set_node_zone(h.info.node, *zone);
  }
  h.systemd = network_.add_process(h.info.node, "systemd");
  (role == Role::kMaster ? topology_.masters : topology_.agents).push_back(h.info);
  hosts_.push_back(std::move(h));
}

std::optional<InputError> World::build() {
  const auto masters = params_.integer("cluster.masters");
  const auto agents = params_.integer("cluster.agents.private");
  const auto publics = params_.integer("cluster.agents.public");
  // The zone of the i-th host of a kind (0-based), when the scenario has zones.
  const auto zone = [&](const std::vector<std::uint32_t>& of, std::int64_t i) {
    return zones_.empty() ? std::nullopt
                          : std::optional<std::uint32_t>(of[static_cast<std::size_t>(i - 1)]);
  };
  for (std::int64_t i = 1; i <= masters; ++i) {
    add_host(fmt::format("master-{}", i), Role::kMaster, static_cast<int>(i),
             zone(zones_.masters, i));
  }
  for (std::int64_t i = 1; i <= agents; ++i) {
    add_host(fmt::format("agent-{}", i), Role::kPrivateAgent, 0, zone(zones_.private_agents, i));
  }
  for (std::int64_t i = 1; i <= publics; ++i) {
    add_host(fmt::format("public-agent-{}", i), Role::kPublicAgent, 0,
             zone(zones_.public_agents, i));
  }
  apply_zone_latencies();
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
  ctx_.provide(packages_);
  ctx_.provide(programs_);
  ctx_.provide(lookups_);
  ctx_.provide(testing_);
  for (Host& h : hosts_) {
    for (const UnitDef* def : profile_.units_for(h.info.role)) {
      std::vector<std::unique_ptr<Gate>> gates;
      for (const GateDef& g : def->gates) {
        gates.push_back(registry_.make_gate(ctx_, g, h.info.role));
      }
      UnitSite site{h.info.node, network_.node_name(h.info.node), def->name, h.systemd};
      h.units.push_back(std::make_unique<SystemdUnit>(ctx_, std::move(site), *def, std::move(gates),
                                                      registry_.make_process(ctx_, *def),
                                                      def->wanted_on(h.info.role)));
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
    // Each scheduler its own LIBPROCESS_PORT: from 15501 up, in the scenario's order (past
    // 50,000 services ports repeat; two schedulers on one agent would then share one).
    const auto port = static_cast<sim::Port>(15501 + services_.size() % 50'000);
    services_.push_back(std::make_unique<ServiceScheduler>(
        ctx_, s.name, s.start, s.instances, mesos::Resources{.cpus = s.cpus, .mem = s.mem}, port));
    // Installed through Cosmos and Admin Router (cosmos.hpp); the broken variant of a test
    // puts the app in Marathon from the start.
    MarathonApp app{services_.back()->scheduler_task(), ServiceScheduler::scheduler_resources()};
    (testing_.services_installed_at_boot ? apps_.apps : packages_.pending).push_back(app);
    programs_.add(services_.back()->scheduler_task(), *services_.back());
  }
  ctx_.on_milestone([this](sim::RecordId id) { watch_cluster_milestones(id); });
  // A service is up when its scheduler reports every instance running (service_scheduler.hpp).
  ctx_.on_event([this](sim::RecordId id) {
    const sim::TraceRecord& r = trace_.at(id);
    if (r.component() == "scheduler" && r.name() == "all_tasks_running") {
      reached_.try_emplace("all_tasks_running@" + std::string(r.node()), id);
      check_ready();
    }
  });
  return std::nullopt;
}

void World::apply_zone_latencies() {
  const std::size_t n = zones_.names.size();
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i; j < n; ++j) {
      if (const auto& d = zones_.between(i, j)) {
        network_.set_zone_latency(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j), *d);
      }
    }
  }
}

void World::boot_host(std::size_t host) {
  Host& h = hosts_[host];
  h.booted = true;
  network_.start_process(h.systemd);
  ctx_.event(h.info.name, "systemd", "boot", "dcos.target starts every unit");
  for (auto& u : h.units) u->boot();
}

void World::schedule_first_boots() {
  const sim::Distribution skew = params_.distribution("cluster.boot_skew");
  for (std::size_t h = 0; h < hosts_.size(); ++h) {
    // One stream per host, by name: adding hosts does not move the others' boots.
    sim::RandomStream rng = ctx_.stream(StreamName{hosts_[h].info.name, "boot_skew"});
    const sim::SimTime at = skew.sample(rng);
    ++fault_timers_;  // due by the clock: the run has not settled before every host is on
    engine_.schedule_at(at, [this, h] {
      --fault_timers_;
      Host& host = hosts_[h];
      // A host crashed before its power-on stays off; one a fault restarted already booted.
      if (!host.booted && network_.node_up(host.info.node)) boot_host(h);
    });
  }
}

sim::SimTime World::settle_window() const {
  // Twice the longest duration any model waits for (a parameter or a unit's RestartSec), and
  // at least 10 minutes: 20 minutes with the defaults (agent_reregister_timeout is 10 min).
  sim::SimTime longest = sim::minutes(5);
  for (const ParamSpec& spec : parameter_table()) {
    if (spec.type == ParamType::kDuration) longest = std::max(longest, params_.duration(spec.key));
  }
  for (const UnitDef& u : profile_.units) {
    longest = std::max(longest, params_.unit_restart_sec(u.name).value_or(u.restart_sec));
  }
  return longest * 2;
}

void World::note_change() {
  if (settled_) return;
  engine_.cancel(settle_timer_);
  settle_timer_ = engine_.schedule_after(settle_window_, [this] { check_settled(); });
}

void World::check_settled() {
  // A fault still to fire by the clock (or to restart, heal, resume) can change things; one
  // waiting for a milestone cannot, as no milestone has come for a whole window.
  if (fault_timers_ > 0) {
    note_change();
    return;
  }
  settled_ = true;
  engine_.stop();
}

RunResult World::run() {
  settle_window_ = settle_window();
  for (const FaultSpec& f : faults_) arm_fault(f);
  ctx_.on_milestone([this](sim::RecordId) { note_change(); });
  note_change();
  schedule_first_boots();
  // Run in stretches of kCheckEvery events, checking the limits in between.
  constexpr std::uint64_t kCheckEvery = 65'536;
  sim::RunOutcome outcome = sim::RunOutcome::kEventLimit;
  while (outcome == sim::RunOutcome::kEventLimit) {
    if (max_events_ != 0 && engine_.events_processed() >= max_events_) {
      ended_by_ = "max-events";
      break;
    }
    if (max_trace_records_ != 0 && trace_.records().size() > max_trace_records_) {
      ended_by_ = "max-trace";
      break;
    }
    std::uint64_t next = engine_.events_processed() + kCheckEvery;
    if (max_events_ != 0) next = std::min(next, max_events_);
    engine_.set_event_limit(next);
    outcome = engine_.run_until(until_);
  }
  if (ended_by_.empty()) {
    ended_by_ = settled_                                         ? "settled"
                : ready_ && outcome == sim::RunOutcome::kStopped ? "cluster.ready"
                                                                 : "until";
  }

  RunResult r;
  r.scenario = scenario_.name;
  r.profile = profile_.name;
  return collect();
}

}  // namespace bootsim::models
