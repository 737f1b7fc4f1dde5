#include "models/zk_group_standin.hpp"

#include "models/run_context.hpp"

namespace bootsim::models {

namespace {
// A watch event reaches the client one ZooKeeper round trip after the change: a few ms on a LAN.
constexpr sim::SimTime kWatchDelay = sim::milliseconds(2);
}  // namespace

int ZkGroupStandIn::join(sim::NodeId node, std::string name) {
  const auto old = leader();
  const int seq = next_sequence_++;
  members_[seq] = Member{seq, node, std::move(name)};
  changed(old ? std::optional<int>(old->sequence) : std::nullopt);
  return seq;
}

void ZkGroupStandIn::leave(int sequence, sim::SimTime after) {
  ctx_.engine().schedule_after(after, [this, sequence] {
    const auto old = leader();
    if (members_.erase(sequence) == 0) return;
    changed(old ? std::optional<int>(old->sequence) : std::nullopt);
  });
}

std::optional<ZkGroupStandIn::Member> ZkGroupStandIn::leader() const {
  if (members_.empty()) return std::nullopt;
  return members_.begin()->second;
}

void ZkGroupStandIn::changed(std::optional<int> old_leader) {
  const auto now = leader();
  const std::optional<int> now_seq = now ? std::optional<int>(now->sequence) : std::nullopt;
  if (now_seq == old_leader) return;
  ctx_.engine().schedule_after(kWatchDelay, [this] {
    for (std::size_t i = 0; i < watchers_.size(); ++i) watchers_[i]();
  });
}

}  // namespace bootsim::models
