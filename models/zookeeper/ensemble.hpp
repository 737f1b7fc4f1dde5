// ZooKeeperEnsemble: the ZooKeeper ensemble of a run. It owns one ZooKeeperServer per master
// (sid = the master's zk_id, process "<node>/zookeeper") and checks the ensemble as a whole.
//
//   ZooKeeperEnsemble ensemble(ctx);  // the run builds it once the masters exist
//   ctx.provide(ensemble);            // models find it with ctx.shared<ZooKeeperEnsemble>()
//   ensemble.server(2).launch();      // what Exhibitor does on the master with zk_id 2
//
// Contract:
// - Creates its servers (and their processes) in the constructor, in sid order; the masters'
//   zk ids must be 1..N. Servers live as long as the ensemble; launching them is the caller's.
// - Records the milestone zookeeper.quorum (node "cluster", once per epoch) when a leader and a
//   quorum (leader included) serve in one epoch, with the latest zookeeper.serving among them as
//   its cause; and the violation "single-zookeeper-leader" when two servers lead one epoch, or
//   an older leader still leads syncLimit + 1 ticks after a newer one began (a paused old
//   leader cannot step down: it is looked at every tick, and gets the whole grace again once
//   it runs).
// - Deterministic: servers are visited in sid order. Cost: O(servers²) per serving change.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "models/core/run_context.hpp"
#include "models/zookeeper/config.hpp"
#include "models/zookeeper/server.hpp"
#include "sim/network.hpp"

namespace bootsim::models {

class ZooKeeperEnsemble {
 public:
  explicit ZooKeeperEnsemble(RunContext& ctx, ZooKeeperServer::Options options = {});
  // With explicit timings instead of ZooKeeperConfig::from(ctx.params()) (calibration).
  ZooKeeperEnsemble(RunContext& ctx, ZooKeeperServer::Options options, ZooKeeperConfig config);
  ZooKeeperEnsemble(const ZooKeeperEnsemble&) = delete;
  ZooKeeperEnsemble& operator=(const ZooKeeperEnsemble&) = delete;
  ~ZooKeeperEnsemble();

  int size() const { return static_cast<int>(servers_.size()); }
  int quorum() const { return size() / 2 + 1; }
  ZooKeeperServer& server(int sid);  // 1-based, as zk_id
  const ZooKeeperServer& server(int sid) const;
  // The server on `node`, if that node is a master.
  ZooKeeperServer* server_on(sim::NodeId node);
  // Every master's client address (port 2181), in sid order.
  std::vector<sim::Address> client_addresses() const;
  sim::NodeId node_of(int sid) const;
  const ZooKeeperConfig& config() const { return config_; }

  // The latest zookeeper.quorum record, if a quorum has formed.
  std::optional<sim::RecordId> latest_quorum_record() const { return quorum_record_; }
  // The sid of a leader currently serving with a quorum, or 0.
  int serving_leader() const;

  // Expires every session that `client` holds, through the serving leader (its session
  // tracker), as if each had gone unheard for its timeout; `why` goes in the trace. Returns the
  // sessions expired: none if no leader serves with a quorum or `client` has no connected session.
  std::vector<std::int64_t> expire_sessions_of(sim::ProcessId client, std::string_view why);

  // Called by servers when they start or stop serving.
  void on_serving_changed(const ZooKeeperServer& server);

 private:
  // `was_paused`: the old leader was seen paused (SIGSTOP) at the previous look; it cannot step
  // down while paused, so its syncLimit grace restarts once it is seen running again.
  void check_stale_leader(int sid, std::uint64_t epoch, std::uint64_t incarnation, int new_leader,
                          std::uint64_t new_epoch, bool was_paused = false);

  RunContext& ctx_;
  ZooKeeperConfig config_;
  std::vector<std::unique_ptr<ZooKeeperServer>> servers_;  // index sid-1
  std::map<std::uint64_t, std::set<int>> leaders_by_epoch_;
  std::set<std::uint64_t> quorum_epochs_;
  std::optional<sim::RecordId> quorum_record_;
};

}  // namespace bootsim::models
