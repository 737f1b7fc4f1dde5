// Stand-in for a ZooKeeper group of ephemeral sequential znodes (Mesos' /mesos group, Curator's
// leader latch) until the Mesos models use the ZooKeeper client: members join with increasing
// sequence numbers, the lowest leads, watchers hear of every change after a watch notification
// delay, and a member whose process dies leaves only when its session expires.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/network.hpp"

namespace bootsim::models {

class RunContext;

class ZkGroupStandIn {
 public:
  struct Member {
    int sequence = 0;
    sim::NodeId node;
    std::string name;
  };
  ZkGroupStandIn(RunContext& ctx, std::string path) : ctx_(ctx), path_(std::move(path)) {}

  // Joins once the member's ZooKeeper request reaches the ensemble; returns the sequence number.
  int join(sim::NodeId node, std::string name);
  // The member's session ends: at once for an orderly close, after `session_timeout` when its
  // process or host died without closing it.
  void leave(int sequence, sim::SimTime after);
  std::optional<Member> leader() const;
  bool is_member(int sequence) const { return members_.count(sequence) > 0; }
  // Every change of the group's leader, delivered after a watch notification delay.
  void watch(std::function<void()> on_change) { watchers_.push_back(std::move(on_change)); }
  const std::string& path() const { return path_; }

 private:
  void changed(std::optional<int> old_leader);
  RunContext& ctx_;
  std::string path_;
  int next_sequence_ = 0;
  std::map<int, Member> members_;
  std::vector<std::function<void()>> watchers_;
};

}  // namespace bootsim::models
