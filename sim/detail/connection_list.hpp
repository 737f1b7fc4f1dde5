// ConnectionList: the connections one process holds, for the network (sim/network.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "sim/network.hpp"

namespace bootsim::sim::detail {

// A process's connections in the order they were added, with an O(1) erase: a ZooKeeper
// server holds one per client, and std::erase on a vector made each close linear in them.
// A connection added twice (a process connected to itself) is erased in both places, as
// std::erase did; erased places are skipped and squeezed out once they are half the list.
class ConnectionList {
 public:
  void add(ConnectionId c) {
    positions_.emplace(c.value, order_.size());
    order_.push_back(c);
  }
  void erase(ConnectionId c) {
    const auto [first, last] = positions_.equal_range(c.value);
    if (first == last) return;
    for (auto it = first; it != last; ++it) order_[it->second] = kGone;
    positions_.erase(first, last);
    if (order_.size() > 32 && positions_.size() * 2 < order_.size()) squeeze();
  }
  // Every connection, in order; the list is left empty.
  std::vector<ConnectionId> take() {
    std::vector<ConnectionId> out;
    out.reserve(positions_.size());
    for (const ConnectionId c : order_) {
      if (c != kGone) out.push_back(c);
    }
    clear();
    return out;
  }
  void clear() {
    order_.clear();
    positions_.clear();
  }

 private:
  static constexpr ConnectionId kGone{0xffffffffu};
  void squeeze() {
    std::erase(order_, kGone);
    positions_.clear();
    for (std::size_t i = 0; i < order_.size(); ++i) positions_.emplace(order_[i].value, i);
  }
  std::vector<ConnectionId> order_;
  std::unordered_multimap<std::uint32_t, std::size_t> positions_;  // never iterated
};

}  // namespace bootsim::sim::detail
