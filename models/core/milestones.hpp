// Milestones: the public vocabulary of reports, budgets, ordering rules and fault times.
//
//   if (!is_milestone("zookeeper.quorum")) ...;
//   milestone_scope("agent.registered");  // MilestoneScope::kAgent
//
// Contract: the names and scopes are DESIGN.md's milestone table; compile-time data, no state.
// Scope says on which nodes a milestone can happen: masters, agents, every host, an installed
// service (the "node" is the service name, Marathon included), or once for the whole cluster.
#pragma once

#include <algorithm>
#include <array>
#include <optional>
#include <span>
#include <string_view>

namespace bootsim::models {

enum class MilestoneScope { kMaster, kAgent, kEveryNode, kService, kCluster };

struct MilestoneInfo {
  std::string_view name;
  MilestoneScope scope;
};

namespace detail {
using S = MilestoneScope;
inline constexpr std::array<MilestoneInfo, 34> kMilestones{{
    // masters
    {"exhibitor.started", S::kMaster},
    {"zookeeper.started", S::kMaster},
    {"zookeeper.serving", S::kMaster},
    {"mesos-master.started", S::kMaster},
    {"mesos-master.contending", S::kMaster},
    {"mesos-master.leading", S::kMaster},
    {"mesos-dns.started", S::kMaster},
    {"mesos-dns.leader_record", S::kMaster},
    {"marathon.started", S::kMaster},
    {"adminrouter.started", S::kMaster},
    {"ui.accessible", S::kMaster},
    {"auth.started", S::kMaster},
    {"history.started", S::kMaster},
    {"diagnostics.started", S::kMaster},
    // every node
    {"dns-proxy.started", S::kEveryNode},
    {"dns-proxy.leader_resolvable", S::kEveryNode},
    // agents
    {"agent.leader_pingable", S::kAgent},
    {"agent.started", S::kAgent},
    {"agent.detected_leader", S::kAgent},
    {"agent.registered", S::kAgent},
    {"agent.connected_back", S::kAgent},
    {"agent.available", S::kAgent},
    {"agent.visible_in_ui", S::kAgent},
    // services (node = service name, Marathon included)
    {"scheduler.started", S::kService},
    {"scheduler.detected_leader", S::kService},
    {"scheduler.registered", S::kService},
    {"scheduler.framework_id_stored", S::kService},
    {"scheduler.first_offer", S::kService},
    {"scheduler.first_task_running", S::kService},
    // cluster
    {"zookeeper.quorum", S::kCluster},
    {"mesos-master.elected", S::kCluster},
    {"cluster.masters_ready", S::kCluster},
    {"cluster.agents_ready", S::kCluster},
    {"cluster.ready", S::kCluster},
}};
inline constexpr std::array<std::string_view, kMilestones.size()> kMilestoneNames = [] {
  std::array<std::string_view, kMilestones.size()> names{};
  for (std::size_t i = 0; i < kMilestones.size(); ++i) names[i] = kMilestones[i].name;
  return names;
}();
}  // namespace detail

// Every milestone name, in the design's table order (layer by layer).
inline std::span<const MilestoneInfo> milestones() {
  return detail::kMilestones;
}
inline std::span<const std::string_view> milestone_names() {
  return detail::kMilestoneNames;
}

inline std::optional<MilestoneScope> milestone_scope(std::string_view name) {
  const auto& all = detail::kMilestones;
  const auto it =
      std::find_if(all.begin(), all.end(), [&](const MilestoneInfo& m) { return m.name == name; });
  if (it == all.end()) return std::nullopt;
  return it->scope;
}

inline bool is_milestone(std::string_view name) {
  return milestone_scope(name).has_value();
}

inline bool is_cluster_milestone(std::string_view name) {
  return milestone_scope(name) == MilestoneScope::kCluster;
}

// "masters", "agents", "every node", "services", "the cluster": for messages.
inline std::string_view milestone_scope_name(MilestoneScope scope) {
  switch (scope) {
    case MilestoneScope::kMaster:
      return "masters";
    case MilestoneScope::kAgent:
      return "agents";
    case MilestoneScope::kEveryNode:
      return "every node";
    case MilestoneScope::kService:
      return "services";
    case MilestoneScope::kCluster:
      return "the cluster";
  }
  return "?";
}

}  // namespace bootsim::models
