// Facts: named conditions that models publish and gates probe, per node or cluster-wide, each
// with the trace record that established it (the cause a critical chain walks back to).
//
//   facts.set(node, "dns-proxy.up", record_id);
//   if (auto why = facts.get(node, "resolv.conf→dns-proxy")) { ... }
//
// Why it exists: until the DNS path has a protocol model (roadmap step 3), `ping` gates answer
// from these facts instead of sending queries; every fact is set and cleared by the model that
// owns it, when its state changes, so faults still take effect. Deterministic: ordered maps.
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
    facts_[{node, std::string(key)}] = cause;
    notify(key);
  }
  void clear(std::uint32_t node, std::string_view key) {
    if (facts_.erase({node, std::string(key)}) > 0) notify(key);
  }
  std::optional<sim::RecordId> get(std::uint32_t node, std::string_view key) const {
    const auto it = facts_.find({node, std::string(key)});
    if (it == facts_.end()) return std::nullopt;
    return it->second;
  }
  // Every node holding `key`, in node order.
  std::vector<std::pair<std::uint32_t, sim::RecordId>> holders(std::string_view key) const {
    std::vector<std::pair<std::uint32_t, sim::RecordId>> out;
    for (const auto& [k, v] : facts_) {
      if (k.second == key) out.emplace_back(k.first, v);
    }
    return out;
  }
  // Called after every change of `key` on any node, in subscription order.
  void subscribe(std::string key, std::function<void()> on_change) {
    watchers_.emplace_back(std::move(key), std::move(on_change));
  }

 private:
  void notify(std::string_view key) {
    for (std::size_t i = 0; i < watchers_.size(); ++i) {
      if (watchers_[i].first == key) watchers_[i].second();
    }
  }
  std::map<std::pair<std::uint32_t, std::string>, sim::RecordId> facts_;
  std::vector<std::pair<std::string, std::function<void()>>> watchers_;
};

}  // namespace bootsim::models
