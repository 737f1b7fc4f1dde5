#include "models/exhibitor/bootstrap.hpp"

#include <fmt/format.h>

#include <memory>
#include <utility>

#include "models/core/facts.hpp"
#include "models/core/run_context.hpp"
#include "models/exhibitor/exhibitor.hpp"
#include "models/zookeeper/server.hpp"
#include "models/zookeeper/wire.hpp"

namespace bootsim::models {

namespace {
// kazoo 2.2.1 KazooClient(timeout=10.0): the session timeout bootstrap's client asks for.
constexpr sim::SimTime kKazooSessionTimeout = sim::seconds(10);

std::string site_key(const UnitSite& site) {
  return site.node_name + "/" + site.unit;
}

std::optional<sim::RecordId> serving_record_on(ZooKeeperEnsemble& ensemble, sim::NodeId node) {
  ZooKeeperServer* s = ensemble.server_on(node);
  return s != nullptr ? s->latest_serving_record() : std::nullopt;
}

// A probe of something on the same host answers within about a millisecond.
constexpr sim::SimTime kLocalProbe = sim::milliseconds(1);

// `bootstrap <svc>`: the ZooKeeper wait of the role and version (bootstrap.hpp, over the
// network), then the bootstrapper's own work on /cluster-id. The znode is kept as a cluster
// fact rather than written through a ZooKeeper client: only its existence orders the boot.
class BootstrapGate final : public Gate {
 public:
  BootstrapGate(RunContext& ctx, std::string mode, std::unique_ptr<Gate> wait)
      : Gate(ctx),
        mode_(std::move(mode)),
        wait_(std::move(wait)),
        text_("bootstrap (" + mode_ + ")") {}
  std::string_view name() const override { return text_; }

  void probe(const UnitSite& site, std::function<void(GateResult)> done) override {
    if (!wait_) {  // a no-op bootstrapper (DC/OS 2.3 connects lazily)
      answer_after(site, kLocalProbe, std::move(done), {true, {}, std::nullopt});
      return;
    }
    wait_->probe(site, [this, site, done = std::move(done)](GateResult r) mutable {
      if (r.ok) cluster_id(site, r);
      done(std::move(r));
    });
  }

 private:
  void cluster_id(const UnitSite& site, GateResult& r) {
    RunContext& ctx = ctx_;
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
    ctx.host(site.node).write_file(host_path::kClusterId, "", *r.cause);  // content: a UUID
  }

  std::string mode_;
  std::unique_ptr<Gate> wait_;
  std::string text_;
};

// A one-shot `done` shared by the paths that may end a probe.
using SharedDone = std::shared_ptr<std::function<void(GateResult)>>;
}  // namespace

void kazoo_start(RunContext& ctx, sim::ProcessId owner, std::vector<sim::Address> servers,
                 sim::SimTime timeout, std::unique_ptr<ZooKeeperClient>& slot,
                 std::function<void(bool)> done) {
  slot = std::make_unique<ZooKeeperClient>(ctx, owner, std::move(servers), kKazooSessionTimeout);
  auto finished = std::make_shared<bool>(false);
  auto shared_done = std::make_shared<std::function<void(bool)>>(std::move(done));
  std::unique_ptr<ZooKeeperClient>* slot_ptr = &slot;  // map entries do not move
  slot->on_session_event([finished, shared_done, slot_ptr](SessionEvent e) {
    if (*finished || e != SessionEvent::kConnected) return;
    *finished = true;
    (*slot_ptr)->close();
    slot_ptr->reset();
    (*shared_done)(true);
  });
  slot->connect();
  ctx.network().after(owner, timeout, [finished, shared_done, slot_ptr] {
    if (*finished) return;
    *finished = true;
    slot_ptr->reset();
    (*shared_done)(false);
  });
}

// ------------------------------------------------------------------------------------------

void ExhibitorAllServingGate::probe(const UnitSite& site, std::function<void(GateResult)> done) {
  RunContext& ctx = ctx_;
  sim::Network& net = ctx.network();
  auto once = std::make_shared<std::function<void(GateResult)>>(std::move(done));
  auto answered = std::make_shared<bool>(false);
  const int masters = ensemble_.size();
  const sim::SimTime kazoo_timeout = ctx.params().duration("bootstrap.kazoo_timeout");
  const sim::ProcessId probe = site.probe;
  const sim::NodeId node = site.node;
  const std::string key = site_key(site);

  auto fail = [once, answered](std::string reason) {
    if (*answered) return;
    *answered = true;
    (*once)(GateResult{false, std::move(reason), std::nullopt});
  };
  sim::StreamHandlers h;
  h.on_open = [&net, probe](sim::ConnectionId c) {
    auto get = std::make_shared<exhibitor_wire::HttpGet>();
    get->path = "/exhibitor/v1/cluster/status";
    net.send(c, probe, std::move(get));
  };
  h.on_connect_failed = [fail](sim::ConnectionId, sim::ConnectError e) {
    fail(e == sim::ConnectError::kRefused ? "exhibitor status: connection refused"
                                          : "exhibitor status: connection timed out");
  };
  h.on_closed = [fail](sim::ConnectionId) { fail("exhibitor status: connection closed"); };
  h.on_message = [this, &ctx, &net, probe, node, key, masters, kazoo_timeout, once, answered, fail](
                     sim::ConnectionId c, const sim::Message& m) {
    const auto* resp = sim::message_as<exhibitor_wire::HttpResponse>(m);
    if (resp == nullptr || *answered) return;
    net.close(c, probe);
    if (resp->status != 200) {
      fail(fmt::format("exhibitor status: HTTP {}", resp->status));
      return;
    }
    int serving = 0;
    int leaders = 0;
    for (const auto& s : resp->servers) {
      if (s.description == to_string(InstanceState::kServing)) ++serving;
      if (s.is_leader) ++leaders;
    }
    if (serving != masters || leaders != 1) {
      fail(fmt::format("exhibitor: {} of {} ZooKeeper serving, {} leader(s)", serving, masters,
                       leaders));
      return;
    }
    *answered = true;
    // Bootstrapper.__init__: the eager kazoo start() to the local server.
    kazoo_start(ctx, probe, {sim::Address{node, ports::kZooKeeperClient}}, kazoo_timeout,
                clients_[key], [this, once](bool ok) {
                  std::optional<sim::RecordId> cause;
                  for (int sid = 1; sid <= ensemble_.size(); ++sid) {
                    const auto r = ensemble_.server(sid).latest_serving_record();
                    if (r && (!cause || *r > *cause)) cause = r;
                  }
                  if (ok) {
                    (*once)(GateResult{true, {}, cause});
                  } else {
                    (*once)(GateResult{false, "kazoo: Connection time-out", std::nullopt});
                  }
                });
  };
  // exhibitor.py wait(): one GET without an HTTP timeout; the local connect answers at once.
  net.connect(probe, sim::Address{node, ports::kExhibitor}, kazoo_timeout, std::move(h));
}

// ------------------------------------------------------------------------------------------

void ZooKeeperModeGate::probe(const UnitSite& site, std::function<void(GateResult)> done) {
  RunContext& ctx = ctx_;
  sim::Network& net = ctx.network();
  auto once = std::make_shared<std::function<void(GateResult)>>(std::move(done));
  auto answered = std::make_shared<bool>(false);
  const sim::ProcessId probe = site.probe;
  const sim::NodeId node = site.node;
  const bool single = ensemble_.size() == 1;
  auto fail = [once, answered](std::string reason) {
    if (*answered) return;
    *answered = true;
    (*once)(GateResult{false, std::move(reason), std::nullopt});
  };
  sim::StreamHandlers h;
  h.on_open = [&net, probe](sim::ConnectionId c) {
    auto w = std::make_shared<zkwire::FourLetterWord>();
    w->word = "srvr";
    net.send(c, probe, std::move(w));
  };
  h.on_connect_failed = [fail](sim::ConnectionId, sim::ConnectError e) {
    fail(e == sim::ConnectError::kRefused ? "srvr: connection refused" : "srvr: timed out");
  };
  h.on_closed = [fail](sim::ConnectionId) { fail("srvr: connection closed"); };
  h.on_message = [this, once, answered, fail, single, node](sim::ConnectionId,
                                                            const sim::Message& m) {
    const auto* r = sim::message_as<zkwire::FourLetterReply>(m);
    if (r == nullptr || *answered) return;
    const bool ok =
        r->mode == "leader" || r->mode == "follower" || (single && r->mode == "standalone");
    if (!ok) {
      fail("srvr: " + r->text);
      return;
    }
    *answered = true;
    (*once)(GateResult{true, {}, serving_record_on(ensemble_, node)});
  };
  // Assumption: the four-letter exchange is bounded like the kazoo start (loopback: at once).
  net.connect(probe, sim::Address{node, ports::kZooKeeperClient},
              ctx.params().duration("bootstrap.kazoo_timeout"), std::move(h));
}

// ------------------------------------------------------------------------------------------

void ZooKeeperConnectGate::probe(const UnitSite& site, std::function<void(GateResult)> done) {
  RunContext& ctx = ctx_;
  const std::string key = site_key(site);
  auto it = streams_.find(key);
  if (it == streams_.end()) {
    it = streams_.emplace(key, ctx.stream({key, "bootstrap"})).first;
  }
  // cli.py get_zookeeper_address_agent: a random master of the static list, each attempt.
  const int sid =
      1 + static_cast<int>(it->second.uniform_index(static_cast<std::uint64_t>(ensemble_.size())));
  const sim::Address target{ensemble_.node_of(sid), ports::kZooKeeperClient};
  auto once = std::make_shared<std::function<void(GateResult)>>(std::move(done));
  const std::string server = ensemble_.server(sid).node_name();
  kazoo_start(
      ctx, site.probe, {target}, ctx.params().duration("bootstrap.kazoo_timeout"), clients_[key],
      [this, once, sid, server](bool ok) {
        if (ok) {
          (*once)(GateResult{true, {}, ensemble_.server(sid).latest_serving_record()});
        } else {
          (*once)(GateResult{false, "kazoo: Connection time-out (" + server + ")", std::nullopt});
        }
      });
}

std::vector<std::string> bootstrap_modes() {
  return {"exhibitor-all-serving",
          "exhibitor-all-serving+cluster-id",
          "zk-mode",
          "zk-mode+cluster-id",
          "zk-connect",
          "cluster-id-read",
          "noop"};
}

std::unique_ptr<Gate> make_bootstrap_gate(RunContext& ctx, const std::string& mode,
                                          ZooKeeperEnsemble& ensemble) {
  const std::string_view wait = std::string_view(mode).substr(0, mode.find('+'));
  std::unique_ptr<Gate> zk;
  if (wait == "exhibitor-all-serving") {
    zk = std::make_unique<ExhibitorAllServingGate>(ctx, ensemble);
  } else if (wait == "zk-mode") {
    zk = std::make_unique<ZooKeeperModeGate>(ctx, ensemble);
  } else if (wait == "zk-connect" || wait == "cluster-id-read") {
    zk = std::make_unique<ZooKeeperConnectGate>(ctx, ensemble);
  }
  return std::make_unique<BootstrapGate>(ctx, mode, std::move(zk));
}

}  // namespace bootsim::models
