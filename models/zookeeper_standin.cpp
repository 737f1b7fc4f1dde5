#include "models/zookeeper_standin.hpp"

#include <fmt/format.h>

#include "models/exec_start_pre.hpp"
#include "models/run_context.hpp"

namespace bootsim::models {

void EnsembleStandIn::looking(int zk_id, const std::string& node_name, sim::NodeId node) {
  members_[zk_id] = Member{node_name, node, false};
  if (leader_) {
    // An established leader is adopted at once (notifications from LEADING/FOLLOWING peers).
    Member& m = members_[zk_id];
    m.serving = true;
    const auto id = ctx_.milestone(node_name, "zookeeper.serving",
                                   fmt::format("follower, epoch {}", epoch_));
    ctx_.facts().set(node.value, fact::kZooKeeperServing, id);
    return;
  }
  maybe_elect();
}

void EnsembleStandIn::gone(int zk_id) {
  const auto it = members_.find(zk_id);
  if (it == members_.end()) return;
  ctx_.facts().clear(it->second.node.value, fact::kZooKeeperServing);
  ctx_.facts().clear(it->second.node.value, fact::kZooKeeperLeader);
  members_.erase(it);
  const int quorum = ctx_.topology().quorum();
  if (leader_ && (*leader_ == zk_id || static_cast<int>(members_.size()) < quorum)) {
    leader_.reset();
    for (auto& [id, m] : members_) {
      m.serving = false;
      ctx_.facts().clear(m.node.value, fact::kZooKeeperServing);
      ctx_.facts().clear(m.node.value, fact::kZooKeeperLeader);
    }
  }
  maybe_elect();
}

void EnsembleStandIn::maybe_elect() {
  if (leader_ || deciding_) return;
  if (static_cast<int>(members_.size()) < ctx_.topology().quorum()) return;
  deciding_ = true;
  decide_timer_ = ctx_.engine().schedule_after(ctx_.params().duration("zookeeper.finalizeWait"),
                                               [this] { decide(); });
}

void EnsembleStandIn::decide() {
  deciding_ = false;
  if (static_cast<int>(members_.size()) < ctx_.topology().quorum()) return;
  ++epoch_;
  leader_ = members_.rbegin()->first;  // highest server id: votes tie on epoch and zxid
  std::optional<sim::RecordId> last;
  for (auto& [id, m] : members_) {
    m.serving = true;
    const bool is_leader = id == *leader_;
    last = ctx_.milestone(m.node_name, "zookeeper.serving",
                          is_leader ? fmt::format("leader, epoch {}", epoch_)
                                    : fmt::format("follower, epoch {}", epoch_));
    ctx_.facts().set(m.node.value, fact::kZooKeeperServing, *last);
    if (is_leader) ctx_.facts().set(m.node.value, fact::kZooKeeperLeader, *last);
  }
  ctx_.milestone("cluster", "zookeeper.quorum",
                 fmt::format("leader {}, epoch {}", members_.rbegin()->second.node_name, epoch_),
                 last);
}

void ExhibitorStandIn::on_exec(const UnitSite& site, sim::ProcessId process,
                               UnitControl& control) {
  site_ = site;
  RunContext& ctx = *site.ctx;
  for (const HostInfo& m : ctx.topology().masters) {
    if (m.node == site.node) zk_id_ = m.zk_id;
  }
  sim::RandomStream rng = ctx.engine().stream(ctx.network().process_name(process) + "/start/" +
                                              std::to_string(ctx.network().incarnation(process)));
  const sim::SimTime exhibitor_up = start_.sample(rng);
  const sim::SimTime zk_bound = ctx.params().distribution("zookeeper.server_start").sample(rng);
  const sim::SimTime setup = ctx.params().duration("zookeeper.setup_before_looking");
  ctx.network().after(process, exhibitor_up, [this, &control, &ctx] {
    control.mark_started("ZooKeeper config written, server launched");
    ctx.facts().set(site_->node.value, fact::kExhibitorUp,
                    static_cast<sim::RecordId>(ctx.trace().records().size() - 1));
  });
  ctx.network().after(process, exhibitor_up + zk_bound, [this, &ctx] {
    ctx.milestone(site_->node_name, "zookeeper.started", "client port 2181 bound");
  });
  ctx.network().after(process, exhibitor_up + zk_bound + setup, [this] {
    in_ensemble_ = true;
    ensemble_.looking(zk_id_, site_->node_name, site_->node);
  });
}

void ExhibitorStandIn::on_exit() {
  if (!site_) return;
  site_->ctx->facts().clear(site_->node.value, fact::kExhibitorUp);
  if (in_ensemble_) ensemble_.gone(zk_id_);
  in_ensemble_ = false;
}

}  // namespace bootsim::models
