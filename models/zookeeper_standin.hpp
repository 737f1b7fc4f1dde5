// Stand-in for Exhibitor + ZooKeeper until the protocol model replaces it: Exhibitor starts,
// launches ZooKeeper, which binds its client port after `zookeeper.server_start`, looks for a
// leader after `zookeeper.setup_before_looking`, and serves once a quorum of servers is looking:
// the highest server id leads (fresh data: equal zxids), decided after `zookeeper.finalizeWait`.
// It publishes the facts the bootstrap gates read and the milestones zookeeper.started,
// zookeeper.serving and zookeeper.quorum.
#pragma once

#include <map>
#include <optional>

#include "models/unit.hpp"
#include "sim/distribution.hpp"

namespace bootsim::models {

// The ensemble as a whole: who is looking, who serves, which epoch.
class EnsembleStandIn {
 public:
  explicit EnsembleStandIn(RunContext& ctx) : ctx_(ctx) {}
  void looking(int zk_id, const std::string& node_name, sim::NodeId node);
  void gone(int zk_id);

 private:
  void maybe_elect();
  void decide();
  RunContext& ctx_;
  struct Member {
    std::string node_name;
    sim::NodeId node;
    bool serving = false;
  };
  std::map<int, Member> members_;  // by server id
  std::optional<int> leader_;
  int epoch_ = 0;
  bool deciding_ = false;
  sim::TimerId decide_timer_;
};

class ExhibitorStandIn final : public UnitProcess {
 public:
  ExhibitorStandIn(sim::Distribution start, EnsembleStandIn& ensemble)
      : start_(std::move(start)), ensemble_(ensemble) {}
  void on_exec(const UnitSite& site, sim::ProcessId process, UnitControl& control) override;
  void on_exit() override;

 private:
  sim::Distribution start_;
  EnsembleStandIn& ensemble_;
  std::optional<UnitSite> site_;
  int zk_id_ = 0;
  bool in_ensemble_ = false;
};

}  // namespace bootsim::models
