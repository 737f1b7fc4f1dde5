// Facts: what remains of a blackboard — named conditions that models publish and read, per
// node or cluster-wide, each with the trace record that established it.
//
//   facts.set(node, fact::kClusterIdZnode, record_id);
//   if (auto why = facts.get(node, fact::kClusterIdZnode)) { ... }
//
// What remains, and why (nothing else may use it; host-local state lives in HostStore):
// - `znode:/cluster-id` (bootstrap gate, models/exhibitor): a real create through the
//   ZooKeeper client would add its round trips to every `bootstrap …+cluster-id` gate.
// Every fact is set and cleared by the model that owns it, when its state changes, so faults
// still take effect. Deterministic: ordered maps.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/network.hpp"
#include "sim/trace.hpp"

namespace bootsim::models {

class Facts {
 public:
  // `kCluster` stands for the cluster as a whole.
  static constexpr std::uint32_t kCluster = 0xffffffffu;

  void set(std::uint32_t node, std::string_view key, sim::RecordId cause) {
    facts_[std::string(key)][node] = cause;
    notify(key);
  }
  void clear(std::uint32_t node, std::string_view key) {
    const auto it = facts_.find(key);
    if (it != facts_.end() && it->second.erase(node) > 0) notify(key);
  }
  std::optional<sim::RecordId> get(std::uint32_t node, std::string_view key) const {
    const auto it = facts_.find(key);
    if (it == facts_.end()) return std::nullopt;
    const auto n = it->second.find(node);
    if (n == it->second.end()) return std::nullopt;
    return n->second;
  }
  // Every node holding `key`, in node order: O(holders), whatever the cluster's size.
  std::vector<std::pair<std::uint32_t, sim::RecordId>> holders(std::string_view key) const {
    const auto it = facts_.find(key);
    if (it == facts_.end()) return {};
    return {it->second.begin(), it->second.end()};
  }
  // Called after every change of `key` on any node, in subscription order.
  void subscribe(std::string key, std::function<void()> on_change) {
    watchers_[std::move(key)].push_back(std::move(on_change));
  }

 private:
  // Only the watchers of `key` (walking every watcher on every change grew with the nodes);
  // by index, as a watcher may subscribe another.
  void notify(std::string_view key) {
    const auto it = watchers_.find(key);
    if (it == watchers_.end()) return;
    for (std::size_t i = 0; i < it->second.size(); ++i) it->second[i]();
  }
  // key → node → the record that established it; std::less<> finds by string_view.
  std::map<std::string, std::map<std::uint32_t, sim::RecordId>, std::less<>> facts_;
  std::map<std::string, std::vector<std::function<void()>>, std::less<>> watchers_;
};

// Fact names.
namespace fact {
inline constexpr std::string_view kClusterIdZnode = "znode:/cluster-id";  // cluster-wide
}  // namespace fact

}  // namespace bootsim::models
