// LinkFaults: the named changes a fault injector makes to links — cut sets (partitions, one-way
// partitions) and degradations (extra delay, loss, duplication) — kept apart from the links'
// own latency and loss so that each can be undone by name while the others stay.
//
//   sim::LinkFaults f;
//   f.add("p1", sim::LinkSet::between({{m1}, {m2, m3}}, /*others_form_a_group=*/true), {});
//   f.add("p2", sim::LinkSet::one_way({m2}, {m1}), {});   // m2 can no longer send to m1
//   f.remove("p1");                                       // p2 still holds
//
// Contract: a directed link (from, to) is cut while any cut set contains it; degradations on
// the same link add up (delays add, losses combine as independent losses, duplications too).
// Names are unique; adding a name again replaces its set. Checking a link costs O(number of
// sets in force): nothing when there are none. Deterministic: sets are kept in name order.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sim/time.hpp"

namespace bootsim::sim {

// A set of directed links between groups of nodes, by node index.
class LinkSet {
 public:
  // Links between nodes of different groups, both directions. With `others_form_a_group`,
  // nodes no group names form one more group (a partition); without, they are untouched.
  static LinkSet between(const std::vector<std::vector<std::uint32_t>>& groups,
                         bool others_form_a_group);
  // Links from a node of `from` to a node of `to`, that direction only.
  static LinkSet one_way(const std::vector<std::uint32_t>& from,
                         const std::vector<std::uint32_t>& to);
  bool contains(std::uint32_t from, std::uint32_t to) const;

 private:
  std::vector<std::uint32_t> group_;  // per node index: 0 = named by no group
  bool one_way_ = false;
  bool others_form_a_group_ = false;
};

// What a degradation does to each message on its links.
struct LinkDegradation {
  SimTime extra_delay = SimTime::zero();
  double loss = 0.0;         // probability that one transmission is lost
  double duplication = 0.0;  // probability that a datagram arrives twice
};

class LinkFaults {
 public:
  // A cut set (`degradation` unused) or a degradation, under `name`.
  void cut(std::string name, LinkSet links);
  void degrade(std::string name, LinkSet links, LinkDegradation d);
  // Undoes the set `name`; false if there is none.
  bool remove(std::string_view name);
  void remove_all_cuts();

  bool any() const { return !cuts_.empty() || !degradations_.empty(); }
  bool is_cut(std::uint32_t from, std::uint32_t to) const;
  // The sum of every degradation in force on (from, to).
  LinkDegradation degradation(std::uint32_t from, std::uint32_t to) const;

 private:
  struct Degraded {
    LinkSet links;
    LinkDegradation d;
  };
  std::map<std::string, LinkSet, std::less<>> cuts_;
  std::map<std::string, Degraded, std::less<>> degradations_;
};

}  // namespace bootsim::sim
