#include "models/exec_start_pre.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "models/run_context.hpp"

namespace bootsim::models {

std::string fact::unit_up(std::string_view unit) { return fmt::format("unit:{}", unit); }

namespace {

using sim::milliseconds;
using sim::SimTime;

// A probe of something on the same host answers within about a millisecond.
constexpr SimTime kLocalProbe = milliseconds(1);
// glibc with `options timeout:1 attempts:3` (gen_resolvconf.py) gives up after 3 s when no
// nameserver answers.
constexpr SimTime kResolverGiveUp = sim::seconds(3);

std::optional<sim::RecordId> later(std::optional<sim::RecordId> a, std::optional<sim::RecordId> b) {
  if (!a) return b;
  if (!b) return a;
  return std::max(*a, *b);  // record ids grow with time
}

void answer(const UnitSite& site, SimTime after, std::function<void(GateResult)> done,
            GateResult result) {
  site.ctx->network().after(site.probe, after,
                            [done = std::make_shared<std::function<void(GateResult)>>(
                                 std::move(done)),
                             r = std::make_shared<GateResult>(std::move(result))] { (*done)(*r); });
}

class PingGate final : public Gate {
 public:
  explicit PingGate(std::string name) : name_(std::move(name)), text_("ping -c1 " + name_) {}
  std::string_view name() const override { return text_; }

  void probe(const UnitSite& site, std::function<void(GateResult)> done) override {
    Facts& f = site.ctx->facts();
    const auto node = site.node.value;
    const auto proxy = f.get(node, fact::kDnsProxyUp);
    const auto resolv = f.get(node, fact::kResolvConfToProxy);
    if (!resolv) {
      // resolv.conf still lists the upstream resolvers, which know no `.spartan` or `.mesos`.
      answer(site, kLocalProbe, std::move(done),
             {false, fmt::format("{}: NXDOMAIN (resolv.conf not yet pointing at the DNS proxy)",
                                 name_)});
      return;
    }
    if (!proxy) {
      answer(site, kLocalProbe, std::move(done),
             {false, fmt::format("{}: DNS proxy not answering", name_)});
      return;
    }
    if (name_ == "ready.spartan") {
      answer(site, kLocalProbe, std::move(done), {true, {}, later(proxy, resolv)});
      return;
    }
    // *.mesos is forwarded to the masters' Mesos-DNS without caching: any that has the record
    // and can be reached answers.
    const std::string_view record =
        name_ == "leader.mesos" ? fact::kMesosDnsLeaderRecord : fact::kMesosDnsMarathonRecord;
    bool any_serving = false;
    for (const auto& [master, cause] : f.holders(fact::kMesosDnsServing)) {
      if (site.ctx->network().reachable(site.node, sim::NodeId{master})) any_serving = true;
    }
    for (const auto& [master, cause] : f.holders(record)) {
      if (!site.ctx->network().reachable(site.node, sim::NodeId{master})) continue;
      answer(site, kLocalProbe, std::move(done), {true, {}, later(cause, later(proxy, resolv))});
      return;
    }
    if (any_serving) {
      answer(site, kLocalProbe, std::move(done), {false, fmt::format("{}: NXDOMAIN", name_)});
    } else {
      answer(site, kResolverGiveUp, std::move(done),
             {false, fmt::format("{}: no Mesos-DNS answered", name_)});
    }
  }

 private:
  std::string name_;
  std::string text_;
};

// Stand-in for `bootstrap <svc>` until the ZooKeeper model answers it over the network.
class BootstrapGate final : public Gate {
 public:
  BootstrapGate(std::string mode, Role role)
      : mode_(std::move(mode)), role_(role), text_("bootstrap (" + mode_ + ")") {}
  std::string_view name() const override { return text_; }

  void probe(const UnitSite& site, std::function<void(GateResult)> done) override {
    RunContext& ctx = *site.ctx;
    Facts& f = ctx.facts();
    const bool creates_cluster_id = mode_.ends_with("+cluster-id");
    const std::string_view wait = std::string_view(mode_).substr(0, mode_.find('+'));
    GateResult r{true, {}, std::nullopt};
    const SimTime kazoo_timeout = ctx.params().duration("bootstrap.kazoo_timeout");
    const SimTime cost = kLocalProbe;
    if (wait == "exhibitor-all-serving") {
      // DC/OS 1.9 exhibitor.py wait(): every server serving and exactly one leader.
      if (!f.get(site.node.value, fact::kExhibitorUp)) {
        r = {false, "Exhibitor status: connection refused"};
      } else {
        int serving = 0, leaders = 0;
        for (const HostInfo& m : ctx.topology().masters) {
          if (const auto c = f.get(m.node.value, fact::kZooKeeperServing)) {
            ++serving;
            r.cause = later(r.cause, c);
          }
          if (f.get(m.node.value, fact::kZooKeeperLeader)) ++leaders;
        }
        const int n = static_cast<int>(ctx.topology().masters.size());
        if (serving != n || leaders != 1) {
          r = {false, fmt::format("Exhibitor: {} of {} serving, {} leader(s)", serving, n, leaders)};
        }
      }
    } else if (wait == "zk-mode") {
      // DC/OS 2.3 exhibitor.wait(): `srvr` on 127.0.0.1:2181 must say follower|leader.
      if (const auto c = f.get(site.node.value, fact::kZooKeeperServing)) {
        r.cause = c;
      } else {
        r = {false, "ZooKeeper not serving (srvr)"};
      }
    } else if (wait == "zk-connect" || wait == "cluster-id-read") {
      // Agents: a kazoo session with some master's ZooKeeper. kazoo retries the connection
      // every 0.1 s until its start() timeout (DC/OS 1.9 bootstrap.py, kazoo 2.2.1).
      const SimTime deadline = ctx.now() + kazoo_timeout;
      poll_zookeeper(site, std::move(done), deadline, wait == "cluster-id-read");
      return;
    }
    if (r.ok && creates_cluster_id) {
      if (!f.get(Facts::kCluster, fact::kClusterIdZnode)) {
        const auto id = ctx.event(site.node_name, site.unit, "created /cluster-id", {}, r.cause);
        f.set(Facts::kCluster, fact::kClusterIdZnode, id);
      }
      f.set(site.node.value, fact::kClusterIdFile, *f.get(Facts::kCluster, fact::kClusterIdZnode));
    }
    (void)role_;
    answer(site, cost, std::move(done), std::move(r));
  }

 private:
  static constexpr SimTime kKazooRetry = milliseconds(100);

  void poll_zookeeper(const UnitSite& site, std::function<void(GateResult)> done,
                      SimTime deadline, bool read_cluster_id) {
    RunContext& ctx = *site.ctx;
    Facts& f = ctx.facts();
    std::optional<sim::RecordId> serving;
    for (const HostInfo& m : ctx.topology().masters) {
      const auto c = f.get(m.node.value, fact::kZooKeeperServing);
      if (c && ctx.network().reachable(site.node, m.node)) serving = later(serving, c);
    }
    if (!serving) {
      if (ctx.now() + kKazooRetry > deadline) {
        answer(site, deadline - ctx.now(), std::move(done),
               {false, "kazoo: Connection time-out"});
        return;
      }
      auto state = std::make_shared<std::pair<UnitSite, std::function<void(GateResult)>>>(
          site, std::move(done));
      ctx.network().after(site.probe, kKazooRetry, [this, state, deadline, read_cluster_id] {
        poll_zookeeper(state->first, std::move(state->second), deadline, read_cluster_id);
      });
      return;
    }
    GateResult r{true, {}, serving};
    if (read_cluster_id) {
      const auto id = f.get(Facts::kCluster, fact::kClusterIdZnode);
      if (!id) {
        r = {false, "NoNodeError: /cluster-id"};
      } else {
        r.cause = later(serving, id);
        f.set(site.node.value, fact::kClusterIdFile, *r.cause);
      }
    }
    answer(site, kLocalProbe, std::move(done), std::move(r));
  }

  std::string mode_;
  Role role_;
  std::string text_;
};

// `test -f`, `test -S`, `curl --fail`: a local fact, checked at once.
class LocalFactGate final : public Gate {
 public:
  LocalFactGate(std::string text, std::string fact, std::string what)
      : text_(std::move(text)), fact_(std::move(fact)), what_(std::move(what)) {}
  std::string_view name() const override { return text_; }
  void probe(const UnitSite& site, std::function<void(GateResult)> done) override {
    const auto c = site.ctx->facts().get(site.node.value, fact_);
    answer(site, kLocalProbe, std::move(done),
           c ? GateResult{true, {}, c} : GateResult{false, what_, std::nullopt});
  }

 private:
  std::string text_, fact_, what_;
};

// `check-time`: the clock is taken as synchronised (clock-skew faults come with the fault
// catalogue; dcos-facts.md §4 shows what an unsynchronised clock costs).
class CheckTimeGate final : public Gate {
 public:
  std::string_view name() const override { return "check-time"; }
  void probe(const UnitSite& site, std::function<void(GateResult)> done) override {
    answer(site, kLocalProbe, std::move(done), {true, {}, std::nullopt});
  }
};

}  // namespace

std::unique_ptr<Gate> make_gate(const GateDef& def, Role role) {
  if (def.kind == "ping") return std::make_unique<PingGate>(def.arg);
  if (def.kind == "bootstrap") return std::make_unique<BootstrapGate>(def.arg, role);
  if (def.kind == "file" && def.arg == "cluster-id") {
    return std::make_unique<LocalFactGate>("test -f /var/lib/dcos/cluster-id",
                                           std::string(fact::kClusterIdFile),
                                           "/var/lib/dcos/cluster-id: no such file");
  }
  if (def.kind == "http" && def.arg == "oauth") {
    return std::make_unique<LocalFactGate>("curl --fail 127.0.0.1:8101/acs/api/v1/groups",
                                           fact::unit_up("dcos-oauth"), "connection refused");
  }
  if (def.kind == "http" && def.arg == "bouncer-jwks") {
    return std::make_unique<LocalFactGate>("GET 127.0.0.1:8101/acs/api/v1/auth/jwks",
                                           fact::unit_up("dcos-bouncer"), "connection refused");
  }
  if (def.kind == "socket" && def.arg == "telegraf") {
    return std::make_unique<LocalFactGate>("test -S /run/dcos/telegraf/dcos_statsd.sock",
                                           std::string(fact::kTelegrafSocket), "no socket");
  }
  if (def.kind == "check-time") return std::make_unique<CheckTimeGate>();
  return nullptr;
}

}  // namespace bootsim::models
