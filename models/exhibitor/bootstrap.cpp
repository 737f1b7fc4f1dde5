#include "models/exhibitor/bootstrap.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <utility>

#include "models/core/run_context.hpp"
#include "models/dns/stub_resolver.hpp"
#include "models/exhibitor/exhibitor.hpp"
#include "models/zookeeper/server.hpp"
#include "models/zookeeper/wire.hpp"

namespace bootsim::models {

namespace {
// kazoo 2.2.1 KazooClient(timeout=10.0): the session timeout bootstrap's client asks for.
constexpr sim::SimTime kKazooSessionTimeout = sim::seconds(10);

std::string site_key(const UnitSite& site) {
  return fmt::format("{}/{}", site.node_name, site.unit);
}

std::optional<sim::RecordId> serving_record_on(ZooKeeperEnsemble& ensemble, sim::NodeId node) {
  ZooKeeperServer* s = ensemble.server_on(node);
  return s != nullptr ? s->latest_serving_record() : std::nullopt;
}

// cli.py get_zookeeper_address_agent: zk-1.zk … zk-5.zk, whatever the number of masters.
constexpr int kZkHostNames = 5;

// A probe of something on the same host answers within about a millisecond.
constexpr sim::SimTime kLocalProbe = sim::milliseconds(1);

// `bootstrap <svc>`: the ZooKeeper wait of the role and version (bootstrap.hpp, over the
// network), then the bootstrapper's own work, if it has any: dcos_internal_utils/bootstrap.py
// _consensus() on /cluster-id (create-or-read, or read only) or /dcos/auth-token-secret,
// through a kazoo session. Simplification: a second session to the same servers rather than
// the one the wait opened (one more connect, a millisecond on the masters).
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
      if (!r.ok || znode().empty()) return done(std::move(r));
      consensus(site, std::move(r), std::move(done));
    });
  }

 private:
  // The znode this bootstrapper reaches consensus on; empty: none.
  std::string_view znode() const {
    if (mode_.ends_with("+cluster-id") || mode_.ends_with("cluster-id-read")) return "/cluster-id";
    if (mode_.ends_with("+auth-token-secret")) return "/dcos/auth-token-secret";
    return {};
  }
  bool read_only() const { return mode_.ends_with("cluster-id-read"); }

  // Masters use 127.0.0.1:2181; agents zk-1.zk ... (every master; kazoo picks one).
  std::vector<sim::Address> servers(const UnitSite& site) const {
    const auto& masters = ctx_.topology().masters;
    for (const HostInfo& m : masters) {
      if (m.node == site.node) return {sim::Address{site.node, ports::kZooKeeperClient}};
    }
    std::vector<sim::Address> all;
    for (const HostInfo& m : masters) all.push_back({m.node, ports::kZooKeeperClient});
    return all;
  }

  void consensus(const UnitSite& site, GateResult passed, std::function<void(GateResult)> done) {
    const std::string key = site_key(site);
    auto once = std::make_shared<std::function<void(GateResult)>>(std::move(done));
    auto finished = std::make_shared<bool>(false);
    auto finish = [this, key, once, finished](GateResult r) {
      if (*finished) return;
      *finished = true;
      if (auto it = clients_.find(key); it != clients_.end() && it->second) {
        it->second->close();
        retired_.push_back(std::move(it->second));  // freed later, not inside its own callback
      }
      (*once)(std::move(r));
    };
    retired_.clear();
    auto& slot = clients_[key];
    slot = std::make_unique<ZooKeeperClient>(ctx_, site.probe, servers(site), kKazooSessionTimeout);
    ZooKeeperClient* client = slot.get();
    client->on_session_event([this, site, passed, client, finish, finished](SessionEvent e) {
      if (e == SessionEvent::kConnected && !*finished) step(site, passed, *client, finish);
    });
    client->connect();
    // kazoo's start() and each call give up after the session's connect timeout.
    auto timeout = std::make_shared<std::function<void(GateResult)>>(finish);
    ctx_.network().after(site.probe, ctx_.params().duration("bootstrap.kazoo_timeout"), [timeout] {
      (*timeout)({false, "kazoo: Connection time-out", std::nullopt});
    });
  }

  // _consensus(path, value): create (NodeExistsError passes), then get.
  void step(const UnitSite& site, GateResult passed, ZooKeeperClient& client,
            std::function<void(GateResult)> finish) {
    const std::string path(znode());
    auto read = [this, site, passed, path, &client, finish](ZkError) {
      client.get_data(path, {},
                      [this, site, passed, path, finish](ZkError e, const std::string& value) {
                        if (e == ZkError::kNoNode) {
                          return finish({false, "NoNodeError: " + path, std::nullopt});
                        }
                        if (e != ZkError::kOk) {
                          return finish({false, "kazoo: " + std::string(to_string(e)), {}});
                        }
                        finish(written(site, passed, path, value));
                      });
    };
    if (read_only()) return read(ZkError::kOk);
    auto create = [this, site, passed, path, &client, read](ZkError) {
      // The value proposed: a uuid4 in bootstrap.py; here one that names its proposer.
      client.create(path, "uuid4 of " + site_key(site), CreateMode::kPersistent,
                    [this, site, passed, path, read](ZkError e, const std::string&) {
                      if (e == ZkError::kOk) {
                        created_[path] = ctx_.keep(ctx_.event(site.node_name, site.unit,
                                                              "created " + path, {}, passed.cause));
                      }
                      read(e);
                    });
    };
    // /dcos/auth-token-secret needs its parent; kazoo's ensure_path semantics.
    if (path.rfind("/dcos/", 0) == 0) {
      client.create("/dcos", "", CreateMode::kPersistent,
                    [create](ZkError e, const std::string&) { create(e); });
    } else {
      create(ZkError::kOk);
    }
  }

  // The value read lands in a file of the host (/var/lib/dcos/cluster-id, or oauth's secret
  // file); the `consensus` event says which value this unit got.
  GateResult written(const UnitSite& site, GateResult passed, const std::string& path,
                     const std::string& value) {
    const auto c = created_.find(path);
    passed.cause =
        RunContext::later(passed.cause, c != created_.end() ? std::optional(c->second)
                                                            : std::optional<sim::RecordId>{});
    ctx_.typed_event(sim::RecordType::kPlain, site.node_name, site.unit, "consensus", path,
                     {sim::arg_text("znode", path), sim::arg_text("value", value)}, passed.cause);
    if (path == "/cluster-id" && passed.cause) {
      ctx_.host(site.node).write_file(host_path::kClusterId, value, *passed.cause);
    }
    return passed;
  }

  std::string mode_;
  std::unique_ptr<Gate> wait_;
  std::string text_;
  std::map<std::string, std::unique_ptr<ZooKeeperClient>> clients_;  // by node/unit
  std::vector<std::unique_ptr<ZooKeeperClient>> retired_;            // closed, to free
  std::map<std::string, sim::RecordId> created_;  // znode -> the record of its creation
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

  auto fail = [once, answered](std::string reason) {
    if (*answered) return;
    *answered = true;
    (*once)(GateResult{false, std::move(reason), std::nullopt});
  };
  if (stash_matches(node)) {  // the zk.pid shortcut: no status GET, the kazoo start still
    *answered = true;
    return start_session(site, once);
  }
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
  h.on_message = [this, &net, probe, site, masters, once, answered, fail](sim::ConnectionId c,
                                                                          const sim::Message& m) {
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
    start_session(site, once);
  };
  // exhibitor.py wait(): one GET without an HTTP timeout; the local connect answers at once.
  net.connect(probe, sim::Address{node, ports::kExhibitor}, kazoo_timeout, std::move(h));
}

// exhibitor.py wait()'s shortcut: the stash holds the zk.pid of the ZooKeeper still running
// here. It never applies on a (re)boot, which starts a new ZooKeeper (dcos-1.9-units.md §2.0).
bool ExhibitorAllServingGate::stash_matches(sim::NodeId node) const {
  const ZooKeeperServer* zk = ensemble_.server_on(node);
  const HostEntry* stash = ctx_.host(node).find(host_path::kExhibitorPidStat);
  return zk != nullptr && stash != nullptr && zk->state() != ZooKeeperState::kDown &&
         stash->content == std::to_string(zk->incarnation());
}

// Bootstrapper.__init__: the eager kazoo start() to the local server; on success the wait
// stashes zk.pid's mtime.
void ExhibitorAllServingGate::start_session(const UnitSite& site,
                                            std::shared_ptr<std::function<void(GateResult)>> once) {
  RunContext& ctx = ctx_;
  const sim::NodeId node = site.node;
  kazoo_start(ctx, site.probe, {sim::Address{node, ports::kZooKeeperClient}},
              ctx.params().duration("bootstrap.kazoo_timeout"), clients_[site_key(site)],
              [this, &ctx, node, once](bool ok) {
                if (!ok) {
                  (*once)(GateResult{false, "kazoo: Connection time-out", std::nullopt});
                  return;
                }
                std::optional<sim::RecordId> cause;
                for (int sid = 1; sid <= ensemble_.size(); ++sid) {
                  const auto r = ensemble_.server(sid).latest_serving_record();
                  if (r && (!cause || *r > *cause)) cause = r;
                }
                if (const ZooKeeperServer* zk = ensemble_.server_on(node); zk && cause) {
                  ctx.host(node).write_file(host_path::kExhibitorPidStat,
                                            std::to_string(zk->incarnation()), *cause);
                }
                (*once)(GateResult{true, {}, cause});
              });
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

// ------------------------------------------------------------------------------------------

// What the lookups of one probe found, until the last has answered.
struct ZooKeeperHostsGate::Lookups {
  SharedDone done;
  sim::SimTime deadline;  // kazoo start()'s timeout, from the probe's start
  int pending = 0;
  std::vector<sim::Address> servers;
  std::vector<std::string> failures;
  std::optional<sim::RecordId> cause;
};

// kazoo 2.2.1 resolves each host (getaddrinfo) as it tries it and moves to the next host when
// the lookup fails. Simplification: the five lookups go out at once when the probe starts
// rather than one before each connect; with Spartan up each is a local round trip.
void ZooKeeperHostsGate::probe(const UnitSite& site, std::function<void(GateResult)> done) {
  auto l = std::make_shared<Lookups>();
  l->done = std::make_shared<std::function<void(GateResult)>>(std::move(done));
  l->deadline = ctx_.now() + ctx_.params().duration("bootstrap.kazoo_timeout");
  l->pending = kZkHostNames;
  for (int i = 1; i <= kZkHostNames; ++i) {
    resolve(ctx_, site.probe, fmt::format("zk-{}.zk", i), [this, site, l](Resolution r) {
      if (r.ok) {
        for (const std::string& host : r.hosts) {
          for (const HostInfo& m : ctx_.topology().masters) {
            if (m.name == host) l->servers.push_back({m.node, ports::kZooKeeperClient});
          }
        }
        l->cause = RunContext::later(l->cause, r.cause);
      } else {
        l->failures.push_back(r.name + ": " + r.failure);
      }
      if (--l->pending == 0) connect(site, l);
    });
  }
}

void ZooKeeperHostsGate::connect(const UnitSite& site, std::shared_ptr<Lookups> l) {
  const sim::SimTime left = l->deadline - ctx_.now();
  if (l->servers.empty() || left <= sim::SimTime{}) {
    // kazoo's connection loop goes on failing until start() gives up.
    const std::string why = l->failures.empty() ? "no zk-N.zk answered" : l->failures.front();
    answer_after(site, std::max(left, sim::SimTime{}), *l->done,
                 {false, "kazoo: Connection time-out (" + why + ")", std::nullopt});
    return;
  }
  kazoo_start(ctx_, site.probe, l->servers, left, clients_[site_key(site)], [l](bool ok) {
    if (ok) return (*l->done)(GateResult{true, {}, l->cause});
    (*l->done)(GateResult{false, "kazoo: Connection time-out (zk-N.zk)", std::nullopt});
  });
}

std::vector<std::string> bootstrap_modes() {
  return {"exhibitor-all-serving",
          "exhibitor-all-serving+cluster-id",
          "exhibitor-all-serving+auth-token-secret",
          "zk-mode",
          "zk-mode+cluster-id",
          "zk-connect",
          "zk-hosts",
          "by-role+cluster-id",
          "cluster-id-read",
          "zk-hosts+cluster-id-read",
          "noop"};
}

std::unique_ptr<Gate> make_bootstrap_gate(RunContext& ctx, const std::string& mode, Role role,
                                          ZooKeeperEnsemble& ensemble) {
  std::string_view wait = std::string_view(mode).substr(0, mode.find('+'));
  if (wait == "by-role") wait = role == Role::kMaster ? "exhibitor-all-serving" : "zk-hosts";
  std::unique_ptr<Gate> zk;
  if (wait == "exhibitor-all-serving") {
    zk = std::make_unique<ExhibitorAllServingGate>(ctx, ensemble);
  } else if (wait == "zk-mode") {
    zk = std::make_unique<ZooKeeperModeGate>(ctx, ensemble);
  } else if (wait == "zk-connect" || wait == "cluster-id-read") {
    zk = std::make_unique<ZooKeeperConnectGate>(ctx, ensemble);
  } else if (wait == "zk-hosts") {
    zk = std::make_unique<ZooKeeperHostsGate>(ctx);
  }
  return std::make_unique<BootstrapGate>(ctx, mode, std::move(zk));
}

}  // namespace bootsim::models
