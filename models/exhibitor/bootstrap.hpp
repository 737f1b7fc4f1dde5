// The ZooKeeper waits of DC/OS's `bootstrap <svc>` ExecStartPre, as Gates.
//
//   ZooKeeperEnsemble ensemble(ctx);
//   auto gate = std::make_unique<ExhibitorAllServingGate>(ctx, ensemble);  // a 1.9 master unit
//   gate->probe(site, [](GateResult r) { ... r.ok, r.reason, r.cause ... });
//
// - ExhibitorAllServingGate (DC/OS 1.9 masters, dcos_internal_utils/exhibitor.py wait()): one
//   GET of the local Exhibitor's /exhibitor/v1/cluster/status (connection refused: fails at
//   once); passes only if every master is "serving" and exactly one is the leader; then the
//   eager kazoo start() to 127.0.0.1:2181, which must get a session within
//   bootstrap.kazoo_timeout.
// - ZooKeeperModeGate (later DC/OS masters, PR dcos/dcos#7463): `srvr` to 127.0.0.1:2181;
//   passes on Mode leader or follower (standalone with one master).
// - ZooKeeperConnectGate (agent Spartan, both versions): a kazoo session with a master picked
//   at random (static master list) within bootstrap.kazoo_timeout; a server out of quorum
//   refuses sessions.
// - ZooKeeperHostsGate (every other agent bootstrap of 1.9): a kazoo session with the hosts
//   zk-1.zk:2181 … zk-5.zk:2181, names the host's resolver looks up (Spartan answers them), within
//   bootstrap.kazoo_timeout.
// Contract: each probe calls `done` exactly once unless the probe process dies first; a passing
// result's `cause` is the latest zookeeper.serving record that made it pass (for 1.9, that of
// the last server to start serving). The gates keep per-site state (the kazoo client of a probe
// in flight, the random stream of the agent's pick), keyed by node and unit, so one gate object
// may serve many units. Deterministic: the agent pick draws from "<node>/<unit>/bootstrap".
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "models/core/unit.hpp"
#include "models/zookeeper/client.hpp"
#include "models/zookeeper/ensemble.hpp"

namespace bootsim::models {

class ExhibitorAllServingGate final : public Gate {
 public:
  ExhibitorAllServingGate(RunContext& ctx, ZooKeeperEnsemble& ensemble)
      : Gate(ctx), ensemble_(ensemble) {}
  std::string_view name() const override { return "bootstrap (Exhibitor: all ZooKeeper serving)"; }
  void probe(const UnitSite& site, std::function<void(GateResult)> done) override;

 private:
  bool stash_matches(sim::NodeId node) const;
  void start_session(const UnitSite& site, std::shared_ptr<std::function<void(GateResult)>> once);

  ZooKeeperEnsemble& ensemble_;
  std::map<std::string, std::unique_ptr<ZooKeeperClient>> clients_;  // by node/unit
};

class ZooKeeperModeGate final : public Gate {
 public:
  ZooKeeperModeGate(RunContext& ctx, ZooKeeperEnsemble& ensemble)
      : Gate(ctx), ensemble_(ensemble) {}
  std::string_view name() const override { return "bootstrap (local ZooKeeper mode)"; }
  void probe(const UnitSite& site, std::function<void(GateResult)> done) override;

 private:
  ZooKeeperEnsemble& ensemble_;
};

class ZooKeeperConnectGate final : public Gate {
 public:
  ZooKeeperConnectGate(RunContext& ctx, ZooKeeperEnsemble& ensemble)
      : Gate(ctx), ensemble_(ensemble) {}
  std::string_view name() const override { return "bootstrap (ZooKeeper session)"; }
  void probe(const UnitSite& site, std::function<void(GateResult)> done) override;

 private:
  ZooKeeperEnsemble& ensemble_;
  std::map<std::string, std::unique_ptr<ZooKeeperClient>> clients_;  // by node/unit
  std::map<std::string, sim::RandomStream> streams_;                 // by node/unit
};

class ZooKeeperHostsGate final : public Gate {
 public:
  explicit ZooKeeperHostsGate(RunContext& ctx) : Gate(ctx) {}
  std::string_view name() const override { return "bootstrap (ZooKeeper session, zk-N.zk)"; }
  void probe(const UnitSite& site, std::function<void(GateResult)> done) override;

 private:
  struct Lookups;
  void connect(const UnitSite& site, std::shared_ptr<Lookups> l);

  std::map<std::string, std::unique_ptr<ZooKeeperClient>> clients_;  // by node/unit
};

// The kazoo session step the session gates share: connects `owner` to `servers`, and calls
// `done(true)` once a session is established, `done(false)` after `timeout`. The client is
// kept in `slot` meanwhile and closed (session closed) at the end.
void kazoo_start(RunContext& ctx, sim::ProcessId owner, std::vector<sim::Address> servers,
                 sim::SimTime timeout, std::unique_ptr<ZooKeeperClient>& slot,
                 std::function<void(bool)> done);

// `bootstrap <svc>` as a gate: `mode` is the ZooKeeper wait, optionally followed by
// "+cluster-id" (the bootstrapper creates or reads /cluster-id) or "+auth-token-secret", one of
// bootstrap_modes(). "cluster-id-read" reads /cluster-id only, through a session with a random
// master (2.3's dcos-net on agents); "zk-hosts+cluster-id-read" through zk-N.zk (1.9's
// dcos-metrics-agent). The wait "by-role" is cli.py main()'s own choice for the unit's `role`: the
// Exhibitor all-serving wait on a master, the zk-N.zk session on an agent.
std::vector<std::string> bootstrap_modes();
std::unique_ptr<Gate> make_bootstrap_gate(RunContext& ctx, const std::string& mode, Role role,
                                          ZooKeeperEnsemble& ensemble);

}  // namespace bootsim::models
