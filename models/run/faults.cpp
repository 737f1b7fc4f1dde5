#include "models/run/faults.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cassert>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "models/dns/dns_wire.hpp"
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

// What a role or group in `name` resolved to now, for the trace: " (mesos-leader was master-2)";
// empty for a plain host name.
std::string resolution(World& w, const std::string& name, const std::vector<std::size_t>& hosts) {
  if (parse_node_name(name)) return {};
  std::vector<std::string> names;
  for (const std::size_t h : hosts) names.push_back(w.host_name(h));
  if (names.empty()) return fmt::format(" ({} named no host)", name);
  return fmt::format(" ({} was {})", name, fmt::join(names, ","));
}

// The hosts `node` names (a host, a role or a group); traced as no_target when there is none.
// `detail` gets what a role or group resolved to.
std::vector<std::size_t> target_hosts(World& w, const FaultSpec& f, const std::string& node,
                                      sim::RandomStream& rng, std::string& detail) {
  const auto hosts = w.resolve_hosts(node, rng);
  detail = f.text + resolution(w, node, hosts);
  if (hosts.empty()) w.context().fault("cluster", "no_target", detail);
  return hosts;
}

// What `unit` names on `host`; traced as no_target when there is nothing, and as not_running
// when the process is not there to crash (starting, up or paused) or to pause (starting or up):
// a fault that changes nothing is reported as such, not as a hit (issue 7).
std::optional<ProcessTarget> target_process(World& w, const FaultSpec& f, std::size_t host,
                                            const std::string& unit, const std::string& detail) {
  ProcessTarget t{w.find_unit(host, unit), unit == "zookeeper" ? w.zookeeper_on(host) : nullptr};
  if (t.zookeeper == nullptr && t.unit == nullptr) {
    w.context().fault(w.host_name(host), "no_target", detail);
    return std::nullopt;
  }
  if (t.zookeeper != nullptr) {
    if (t.zookeeper->state() == ZooKeeperState::kDown) {
      w.context().fault(w.host_name(host), "not_running",
                        fmt::format("{}; zookeeper is not running", detail));
      return std::nullopt;
    }
    return t;
  }
  const UnitState s = t.unit->state();
  const bool running = s == UnitState::kStarting || s == UnitState::kActive ||
                       (f.kind == FaultKind::kCrash && s == UnitState::kPaused);
  if (!running) {
    w.context().fault(w.host_name(host), "not_running",
                      fmt::format("{}; {} is {}", detail, t.unit->name(), to_string(s)));
    return std::nullopt;
  }
  return t;
}

// Runs every undo of a fault that hit several hosts, in host order.
std::optional<FaultUndo> undo_all(std::optional<sim::SimTime> after,
                                  std::vector<std::function<void()>> undos) {
  if (!after || undos.empty()) return std::nullopt;
  return FaultUndo{*after, [undos = std::move(undos)] {
                     for (const auto& u : undos) u();
                   }};
}

// kind=crash. A host: power lost; restart_after boots it again. A process (host/unit): killed
// with its host up. Without restart_after, systemd restarts a unit after its RestartSec
// (Restart=always) and Exhibitor restarts ZooKeeper. With restart_after the kill is what an
// operator does — `systemctl stop`, then `systemctl start` restart_after later — so the unit
// stays down for exactly that long (ZooKeeper, not a unit, is restarted by Exhibitor all the
// same: restart_after is moot there and says so in the trace).
class CrashFault final : public FaultHandler {
 public:
  std::optional<FaultUndo> apply(World& w, const FaultSpec& f,
                                 sim::RandomStream& rng) const override {
    const FaultTarget t = split_fault_target(f.target);
    std::string detail;
    std::vector<std::function<void()>> undos;
    for (const std::size_t host : target_hosts(w, f, t.node, rng, detail)) {
      auto undo =
          t.unit.empty() ? crash_host(w, host, detail) : crash_process(w, f, host, t.unit, detail);
      if (undo) undos.push_back(std::move(*undo));
    }
    return undo_all(f.restart_after, std::move(undos));
  }

 private:
  static std::optional<std::function<void()>> crash_host(World& w, std::size_t host,
                                                         const std::string& detail) {
    if (!w.network().node_up(w.host_node(host))) {
      w.context().fault(w.host_name(host), "not_running",
                        fmt::format("{}; {} is down", detail, w.host_name(host)));
      return std::nullopt;
    }
    w.context().fault(w.host_name(host), "host_crash", detail);
    w.crash_host(host);
    return [&w, host] {
      w.context().fault(w.host_name(host), "host_restart");
      w.restart_host(host);
    };
  }

  static std::optional<std::function<void()>> crash_process(World& w, const FaultSpec& f,
                                                            std::size_t host,
                                                            const std::string& unit,
                                                            const std::string& detail) {
    const auto p = target_process(w, f, host, unit, detail);
    if (!p) return std::nullopt;
    if (p->zookeeper != nullptr) {
      w.context().fault(w.host_name(host), "process_crash",
                        f.restart_after ? detail +
                                              "; Exhibitor restarts ZooKeeper itself, so "
                                              "restart_after changes nothing"
                                        : detail);
      p->zookeeper->kill();
      return std::nullopt;
    }
    SystemdUnit* u = p->unit;
    w.context().fault(w.host_name(host), "process_crash", detail);
    if (!f.restart_after) {
      u->kill_process(f.text);
      return std::nullopt;
    }
    u->stop_by_operator(f.text + " (systemctl stop)");
    return [&w, u] {
      w.context().fault(u->site().node_name, "process_start", u->name() + " (systemctl start)");
      u->start_by_operator();
    };
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
    std::string detail;
    std::vector<std::function<void()>> undos;
    for (const std::size_t host : target_hosts(w, f, t.node, rng, detail)) {
      if (auto undo = pause(w, f, host, t.unit, detail)) undos.push_back(std::move(*undo));
    }
    return undo_all(f.resume_after, std::move(undos));
  }

 private:
  static std::optional<std::function<void()>> pause(World& w, const FaultSpec& f, std::size_t host,
                                                    const std::string& unit,
                                                    const std::string& detail) {
    const auto p = target_process(w, f, host, unit, detail);
    if (!p) return std::nullopt;
    w.context().fault(w.host_name(host), "pause", detail);
    if (p->zookeeper != nullptr) {
      const sim::ProcessId process = p->zookeeper->process();
      w.network().pause_process(process);
      return [&w, host, process] {
        w.context().fault(w.host_name(host), "resume", "zookeeper");
        w.network().resume_process(process);
      };
    }
    SystemdUnit* u = p->unit;
    u->pause_process();
    return [&w, u] {
      w.context().fault(u->site().node_name, "resume", u->name());
      u->resume_process();
    };
  }
};

// The groups of a partition or link fault as node indices; "rest" stands for every host no
// group names. `detail` gets what roles and groups resolved to.
std::vector<std::vector<std::uint32_t>> resolve_groups(World& w, const FaultSpec& f,
                                                       sim::RandomStream& rng,
                                                       std::string& detail) {
  std::vector<std::vector<std::uint32_t>> groups;
  std::set<std::size_t> named;
  std::optional<std::size_t> rest_group;
  detail = f.text;
  for (const auto& g : f.groups) {
    groups.emplace_back();
    for (const std::string& member : g) {
      if (member == "rest") {
        rest_group = groups.size() - 1;
        continue;
      }
      const auto hosts = w.resolve_hosts(member, rng);
      detail += resolution(w, member, hosts);
      for (const std::size_t h : hosts) {
        named.insert(h);
        groups.back().push_back(w.host_node(h).value);
      }
    }
  }
  for (std::size_t h = 0; rest_group && h < w.host_count(); ++h) {
    if (!named.count(h)) groups[*rest_group].push_back(w.host_node(h).value);
  }
  return groups;
}

// The name a partition or link change is healed by: its own, or its canonical text.
std::string set_name(const FaultSpec& f) {
  return f.name.empty() ? f.text : f.name;
}

FaultUndo heal_set(World& w, sim::SimTime after, std::string name) {
  return FaultUndo{after, [&w, name = std::move(name)] {
                     w.context().fault("cluster", "heal", name);
                     w.network().link_faults().remove(name);
                   }};
}

// kind=partition: hosts in different groups cannot reach each other, both ways; hosts no group
// names (and no "rest") form one more group. Partitions overlap: each is a set of cut links
// of its own, a link is cut while any set cuts it, and heal_after (or kind=heal name=…) heals
// this one only.
class PartitionFault final : public FaultHandler {
 public:
  std::optional<FaultUndo> apply(World& w, const FaultSpec& f,
                                 sim::RandomStream& rng) const override {
    std::string detail;
    const auto groups = resolve_groups(w, f, rng, detail);
    w.context().fault("cluster", "partition", detail);
    w.network().link_faults().cut(set_name(f),
                                  sim::LinkSet::between(groups, /*others_form_a_group=*/true));
    if (!f.heal_after) return std::nullopt;
    return heal_set(w, *f.heal_after, set_name(f));
  }
};

// kind=one-way-partition groups=FROM|TO: what FROM sends to TO is lost; TO still reaches FROM
// (a firewall rule dropping one direction, an asymmetric route). Streams between them stall:
// the SYN-ACK or the data of one direction never arrives.
class OneWayPartitionFault final : public FaultHandler {
 public:
  std::optional<FaultUndo> apply(World& w, const FaultSpec& f,
                                 sim::RandomStream& rng) const override {
    std::string detail;
    const auto groups = resolve_groups(w, f, rng, detail);
    w.context().fault("cluster", "one_way_partition", detail);
    w.network().link_faults().cut(set_name(f), sim::LinkSet::one_way(groups[0], groups[1]));
    if (!f.heal_after) return std::nullopt;
    return heal_set(w, *f.heal_after, set_name(f));
  }
};

// kind=link: the links between the groups (both directions; hosts in no group untouched) get
// extra delay, loss and duplication on top of their own, until heal_after. Streams see loss as
// retransmission delay (the kernel's RTO), datagrams as lost or doubled messages.
class LinkFault final : public FaultHandler {
 public:
  std::optional<FaultUndo> apply(World& w, const FaultSpec& f,
                                 sim::RandomStream& rng) const override {
    std::string detail;
    const auto groups = resolve_groups(w, f, rng, detail);
    w.context().fault("cluster", "link_degraded", detail);
    sim::LinkDegradation d;
    d.extra_delay = f.delay.value_or(sim::SimTime::zero());
    d.loss = f.loss.value_or(0.0);
    d.duplication = f.duplicate.value_or(0.0);
    w.network().link_faults().degrade(
        set_name(f), sim::LinkSet::between(groups, /*others_form_a_group=*/false), d);
    if (!f.heal_after) return std::nullopt;
    return heal_set(w, *f.heal_after, set_name(f));
  }
};

// kind=heal: heals the partition or link change `name`; without a name, every partition.
class HealFault final : public FaultHandler {
 public:
  std::optional<FaultUndo> apply(World& w, const FaultSpec& f,
                                 sim::RandomStream& /*rng*/) const override {
    if (f.name.empty()) {
      w.context().fault("cluster", "heal", "every partition");
      w.network().heal();
      return std::nullopt;
    }
    if (!w.network().link_faults().remove(f.name)) {
      w.context().fault(
          "cluster", "no_target",
          fmt::format("{}; no partition or link change named '{}' is in force", f.text, f.name));
      return std::nullopt;
    }
    w.context().fault("cluster", "heal", f.name);
    return std::nullopt;
  }
};

// kind=crash-loop: the unit's main process dies dies_after after each start (a bad
// configuration, a crash on a missing dependency), so systemd restarts it every RestartSec
// forever; `for` ends the loop (the cause is fixed), and the next start stays up. A process
// already running when the loop begins dies dies_after later.
class CrashLoopFault final : public FaultHandler {
 public:
  std::optional<FaultUndo> apply(World& w, const FaultSpec& f,
                                 sim::RandomStream& rng) const override {
    const FaultTarget t = split_fault_target(f.target);
    std::string detail;
    auto active = std::make_shared<bool>(true);
    for (const std::size_t host : target_hosts(w, f, t.node, rng, detail)) {
      SystemdUnit* u = w.find_unit(host, t.unit);
      if (u == nullptr) {
        w.context().fault(w.host_name(host), "no_target",
                          detail + "; a crash loop acts on a systemd unit");
        continue;
      }
      w.context().fault(w.host_name(host), "crash_loop", detail);
      loop(w, *u, *f.dies_after, active);
    }
    if (!f.for_) return std::nullopt;
    return FaultUndo{*f.for_, [&w, active, text = f.text] {
                       *active = false;
                       w.context().fault("cluster", "crash_loop_ends", text);
                     }};
  }

 private:
  static void loop(World& w, SystemdUnit& u, sim::SimTime dies_after,
                   const std::shared_ptr<bool>& active) {
    const auto kill_later = [&w, &u, dies_after, active] {
      const sim::ProcessId p = u.main_process();
      const std::uint64_t incarnation = w.network().incarnation(p) + (u.main_running() ? 0 : 1);
      w.network().engine().schedule_after(dies_after, [&w, &u, p, incarnation, active] {
        if (!*active || !w.network().process_up(p) || w.network().incarnation(p) != incarnation)
          return;
        w.context().fault(u.site().node_name, "process_crash", u.name() + " (crash loop)");
        u.kill_process("crash loop");
      });
    };
    if (u.main_running()) kill_later();
    w.context().on_event([&w, &u, kill_later, active](sim::RecordId id) {
      const sim::TraceRecord& r = w.context().trace().at(id);
      if (*active && r.name() == "exec" && r.node() == u.site().node_name &&
          r.component() == u.name())
        kill_later();
    });
  }
};

// kind=slow-disk: the host's disk is factor times slower for `for` (a failing disk, a noisy
// neighbour): ZooKeeper's snapshot fsyncs and every unit's start-up take factor times longer.
class SlowDiskFault final : public FaultHandler {
 public:
  std::optional<FaultUndo> apply(World& w, const FaultSpec& f,
                                 sim::RandomStream& rng) const override {
    std::string detail;
    std::vector<std::function<void()>> undos;
    for (const std::size_t host : target_hosts(w, f, f.target, rng, detail)) {
      w.context().fault(w.host_name(host), "slow_disk", detail);
      w.network().set_disk_slowdown(w.host_node(host), *f.factor_percent);
      undos.emplace_back([&w, host] {
        w.context().fault(w.host_name(host), "disk_restored");
        w.network().set_disk_slowdown(w.host_node(host), 100);
      });
    }
    return undo_all(f.for_, std::move(undos));
  }
};

// kind=clock: the host's clock reads skew ahead (negative: behind) and runs drift_ppm fast
// (negative: slow); the timers and timeouts of its processes run on it. `for` sets it right
// (NTP stepping the clock back).
class ClockFault final : public FaultHandler {
 public:
  std::optional<FaultUndo> apply(World& w, const FaultSpec& f,
                                 sim::RandomStream& rng) const override {
    std::string detail;
    std::vector<std::function<void()>> undos;
    for (const std::size_t host : target_hosts(w, f, f.target, rng, detail)) {
      w.context().fault(w.host_name(host), "clock", detail);
      w.network().set_clock(w.host_node(host), f.skew.value_or(sim::SimTime::zero()),
                            f.drift_ppm.value_or(0));
      undos.emplace_back([&w, host] {
        w.context().fault(w.host_name(host), "clock_restored");
        w.network().set_clock(w.host_node(host), sim::SimTime::zero(), 0);
      });
    }
    return undo_all(f.for_, std::move(undos));
  }
};

// kind=dns-outage: the DNS server (Mesos-DNS on 61053, or Spartan on 53) of each target host
// answers every query with SERVFAIL, or with nothing, until `for` ends it; the process itself
// runs on (a broken backend, a firewall rule dropping its port). Set on the host's port, so a
// restart of the server does not end it: Spartan's own watchdog (which queries ready.spartan
// on that port) kills it after 30 s of silence, as it would the real one.
class DnsOutageFault final : public FaultHandler {
 public:
  std::optional<FaultUndo> apply(World& w, const FaultSpec& f,
                                 sim::RandomStream& rng) const override {
    const FaultTarget t = split_fault_target(f.target);
    const bool mesos_dns = is_mesos_dns_unit(t.unit);
    const sim::Port port = mesos_dns ? dns::kMesosDnsPort : dns::kSpartanPort;
    const DnsOutageAnswer answers = f.answers.value_or(DnsOutageAnswer::kServFail);
    std::string detail;
    std::vector<std::function<void()>> undos;
    for (const std::size_t host : target_hosts(w, f, t.node, rng, detail)) {
      const bool serves = mesos_dns ? w.find_unit(host, "mesos-dns") != nullptr
                                    : w.find_unit(host, "spartan") != nullptr ||
                                          w.find_unit(host, "spartan-agent") != nullptr;
      if (!serves) {
        w.context().fault(w.host_name(host), "no_target",
                          fmt::format("{}; {} has no {}", detail, w.host_name(host), t.unit));
        continue;
      }
      w.context().fault(w.host_name(host), "dns_outage", detail);
      const sim::Address at{w.host_node(host), port};
      w.network().set_interceptor(at, interceptor(w, at, answers));
      undos.emplace_back([&w, host, at] {
        w.context().fault(w.host_name(host), "dns_restored");
        w.network().clear_interceptor(at);
      });
    }
    return undo_all(f.for_, std::move(undos));
  }

 private:
  static sim::Network::DatagramInterceptor interceptor(World& w, sim::Address at,
                                                       DnsOutageAnswer answers) {
    if (answers == DnsOutageAnswer::kNothing) {
      return [](sim::ProcessId, sim::Address, const sim::Message&) {};
    }
    return [&w, port = at.port](sim::ProcessId bound, sim::Address from, const sim::Message& m) {
      const auto* q = sim::message_as<dns::Query>(m);
      if (q == nullptr) return;
      auto r = std::make_shared<dns::Response>();
      r->name = q->name;
      r->rcode = dns::Rcode::kServFail;
      r->by = w.network().process_name(bound) + " (DNS outage: SERVFAIL)";
      w.network().send_datagram(bound, port, from, std::move(r));
    };
  }
};

// kind=zk-session-expiry: the ensemble expires every ZooKeeper session of the target process
// (a Mesos master's contender and detector, Marathon's Curator client, ...), as its leader's
// session tracker does when a session goes unheard for its timeout: the ephemeral znodes go at
// once, the servers drop the connections, and the client learns Expired when it reconnects —
// then acts as the real component does (a leading Mesos master steps down and exits, Marathon
// abdicates). Needs a serving ZooKeeper leader; reported as not_running otherwise.
class ZkSessionExpiryFault final : public FaultHandler {
 public:
  std::optional<FaultUndo> apply(World& w, const FaultSpec& f,
                                 sim::RandomStream& rng) const override {
    const FaultTarget t = split_fault_target(f.target);
    std::string detail;
    for (const std::size_t host : target_hosts(w, f, t.node, rng, detail)) {
      SystemdUnit* u = w.find_unit(host, t.unit);
      if (u == nullptr || !u->main_running()) {
        w.context().fault(
            w.host_name(host), u == nullptr ? "no_target" : "not_running",
            fmt::format("{}; no {} running on {}", detail, t.unit, w.host_name(host)));
        continue;
      }
      const auto expired = w.expire_zookeeper_sessions(u->main_process(), f.text);
      if (!expired) {
        w.context().fault(w.host_name(host), "not_running",
                          detail + "; no ZooKeeper leader serves to expire sessions");
        continue;
      }
      if (expired->empty()) {
        w.context().fault(w.host_name(host), "no_target",
                          fmt::format("{}; {} holds no ZooKeeper session", detail, u->name()));
        continue;
      }
      std::vector<std::string> ids;
      for (const std::int64_t id : *expired) ids.push_back(fmt::format("{:#x}", id));
      w.context().fault(w.host_name(host), "zk_session_expired",
                        fmt::format("{}; sessions {}", detail, fmt::join(ids, ", ")));
    }
    return std::nullopt;
  }
};

}  // namespace

FaultRegistry standard_faults() {
  FaultRegistry registry;
  registry.add(FaultKind::kCrash, std::make_unique<CrashFault>());
  registry.add(FaultKind::kPause, std::make_unique<PauseFault>());
  registry.add(FaultKind::kPartition, std::make_unique<PartitionFault>());
  registry.add(FaultKind::kHeal, std::make_unique<HealFault>());
  registry.add(FaultKind::kOneWayPartition, std::make_unique<OneWayPartitionFault>());
  registry.add(FaultKind::kLink, std::make_unique<LinkFault>());
  registry.add(FaultKind::kCrashLoop, std::make_unique<CrashLoopFault>());
  registry.add(FaultKind::kSlowDisk, std::make_unique<SlowDiskFault>());
  registry.add(FaultKind::kClock, std::make_unique<ClockFault>());
  registry.add(FaultKind::kDnsOutage, std::make_unique<DnsOutageFault>());
  registry.add(FaultKind::kZkSessionExpiry, std::make_unique<ZkSessionExpiryFault>());
  return registry;
}

bool fault_lasts(const FaultSpec& f, const std::vector<FaultSpec>& all) {
  switch (f.kind) {
    case FaultKind::kCrash:
      return split_fault_target(f.target).unit.empty() && !f.restart_after;
    case FaultKind::kPause:
      return !f.resume_after;
    case FaultKind::kPartition:
    case FaultKind::kOneWayPartition:
    case FaultKind::kLink:
      return !f.heal_after && std::none_of(all.begin(), all.end(), [&](const FaultSpec& h) {
        return h.kind == FaultKind::kHeal &&
               (h.name == f.name ||
                (h.name.empty() && f.kind != FaultKind::kLink));  // heal: partitions
      });
    case FaultKind::kCrashLoop:
    case FaultKind::kSlowDisk:
    case FaultKind::kClock:
    case FaultKind::kDnsOutage:
      return !f.for_;
    case FaultKind::kHeal:
    case FaultKind::kZkSessionExpiry:
      return false;
  }
  return false;
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

std::optional<std::vector<std::int64_t>> World::expire_zookeeper_sessions(sim::ProcessId client,
                                                                          std::string_view why) {
  if (ensemble_->serving_leader() == 0) return std::nullopt;
  return ensemble_->expire_sessions_of(client, why);
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
  } else if (const auto zone = parse_zone_ref(target)) {
    for (std::size_t i = 0; i < hosts_.size(); ++i) {
      if (hosts_[i].info.zone == *zone) out.push_back(i);
    }
  } else if (const auto group = parse_node_group(target)) {
    for (std::size_t i = 0; i < hosts_.size(); ++i) {
      const auto n = parse_node_name(hosts_[i].info.name);
      const bool kind = group->kind ? n->kind == *group->kind : n->kind != NodeKind::kMaster;
      if (kind && n->index >= group->first && n->index <= group->last.value_or(n->index)) {
        out.push_back(i);
      }
    }
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
    if (*armed || r.name() != f.at.milestone || (!f.at.node.empty() && r.node() != f.at.node))
      return;
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
  if (!healing_.first_fault) healing_.first_fault = engine_.now();
  healing_.healed_at = engine_.now();
  if (healing_.never_heals.empty() && fault_lasts(f, faults_)) healing_.never_heals = f.text;
  sim::RandomStream rng = ctx_.stream({"fault", f.text});
  std::optional<FaultUndo> undo = fault_kinds_.at(f.kind).apply(*this, f, rng);
  note_change();
  if (!undo) return;
  ++fault_timers_;
  engine_.schedule_after(undo->after, [this, run = std::move(undo->run)] {
    --fault_timers_;
    healing_.healed_at = engine_.now();
    run();
    note_change();
  });
}

}  // namespace bootsim::models
