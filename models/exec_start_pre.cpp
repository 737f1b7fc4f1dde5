#include "models/exec_start_pre.hpp"

#include <fmt/format.h>
#include <algorithm>

#include "models/bootstrap.hpp"
#include "models/run_context.hpp"

namespace bootsim::models {

std::string fact::unit_up(std::string_view unit) {
  return fmt::format("unit:{}", unit);
}

namespace {

using sim::milliseconds;
using sim::SimTime;

// A probe of something on the same host answers within about a millisecond.
constexpr SimTime kLocalProbe = milliseconds(1);
// glibc with `options timeout:1 attempts:3` (gen_resolvconf.py) gives up after 3 s when no
// nameserver answers.
constexpr SimTime kResolverGiveUp = sim::seconds(3);

void answer(const UnitSite& site, SimTime after, std::function<void(GateResult)> done,
            GateResult result) {
  site.ctx->network().after(
      site.probe, after,
      [done = std::make_shared<std::function<void(GateResult)>>(std::move(done)),
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
             {false,
              fmt::format("{}: NXDOMAIN (resolv.conf not yet pointing at the DNS proxy)", name_)});
      return;
    }
    if (!proxy) {
      answer(site, kLocalProbe, std::move(done),
             {false, fmt::format("{}: DNS proxy not answering", name_)});
      return;
    }
    if (name_ == "ready.spartan") {
      answer(site, kLocalProbe, std::move(done), {true, {}, RunContext::later(proxy, resolv)});
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
      answer(site, kLocalProbe, std::move(done),
             {true, {}, RunContext::later(cause, RunContext::later(proxy, resolv))});
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

// `bootstrap <svc>`: the ZooKeeper wait of the role and version (bootstrap.hpp, over the
// network), then the bootstrapper's own work on /cluster-id. The znode is kept as a cluster
// fact rather than written through a ZooKeeper client: only its existence orders the boot.
class BootstrapGate final : public Gate {
 public:
  BootstrapGate(std::string mode, std::unique_ptr<Gate> wait)
      : mode_(std::move(mode)), wait_(std::move(wait)), text_("bootstrap (" + mode_ + ")") {}
  std::string_view name() const override { return text_; }

  void probe(const UnitSite& site, std::function<void(GateResult)> done) override {
    if (!wait_) {  // a no-op bootstrapper (DC/OS 2.3 connects lazily)
      answer(site, kLocalProbe, std::move(done), {true, {}, std::nullopt});
      return;
    }
    wait_->probe(site, [this, site, done = std::move(done)](GateResult r) mutable {
      if (r.ok) cluster_id(site, r);
      done(std::move(r));
    });
  }

 private:
  void cluster_id(const UnitSite& site, GateResult& r) {
    RunContext& ctx = *site.ctx;
    Facts& f = ctx.facts();
    if (mode_.ends_with("+cluster-id") && !f.get(Facts::kCluster, fact::kClusterIdZnode)) {
      const auto id = ctx.event(site.node_name, site.unit, "created /cluster-id", {}, r.cause);
      f.set(Facts::kCluster, fact::kClusterIdZnode, id);
    }
    const bool writes_file = mode_.ends_with("+cluster-id") || mode_ == "cluster-id-read";
    if (!writes_file) return;
    const auto znode = f.get(Facts::kCluster, fact::kClusterIdZnode);
    if (!znode) {
      r = {false, "NoNodeError: /cluster-id"};  // read-only: a master has not created it yet
      return;
    }
    r.cause = RunContext::later(r.cause, znode);
    f.set(site.node.value, fact::kClusterIdFile, *r.cause);
  }

  std::string mode_;
  std::unique_ptr<Gate> wait_;
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

std::unique_ptr<Gate> make_gate(const GateDef& def, Role role, ZooKeeperEnsemble& ensemble) {
  if (def.kind == "ping") return std::make_unique<PingGate>(def.arg);
  if (def.kind == "bootstrap") {
    const std::string_view wait = std::string_view(def.arg).substr(0, def.arg.find('+'));
    std::unique_ptr<Gate> zk;
    if (wait == "exhibitor-all-serving") {
      zk = std::make_unique<ExhibitorAllServingGate>(ensemble);
    } else if (wait == "zk-mode") {
      zk = std::make_unique<ZooKeeperModeGate>(ensemble);
    } else if (wait == "zk-connect" || wait == "cluster-id-read") {
      zk = std::make_unique<ZooKeeperConnectGate>(ensemble);
    }
    (void)role;
    return std::make_unique<BootstrapGate>(def.arg, std::move(zk));
  }
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
