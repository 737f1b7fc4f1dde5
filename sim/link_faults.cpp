#include "sim/link_faults.hpp"

#include <algorithm>

namespace bootsim::sim {

namespace {
void grow_to(std::vector<std::uint32_t>& v, std::uint32_t index) {
  if (v.size() <= index) v.resize(static_cast<std::size_t>(index) + 1, 0);
}
}  // namespace

LinkSet LinkSet::between(const std::vector<std::vector<std::uint32_t>>& groups,
                         bool others_form_a_group) {
  LinkSet s;
  s.others_form_a_group_ = others_form_a_group;
  std::uint32_t g = 1;
  for (const auto& group : groups) {
    for (const std::uint32_t n : group) {
      grow_to(s.group_, n);
      s.group_[n] = g;
    }
    ++g;
  }
  return s;
}

LinkSet LinkSet::one_way(const std::vector<std::uint32_t>& from,
                         const std::vector<std::uint32_t>& to) {
  LinkSet s = between({from, to}, false);
  s.one_way_ = true;
  return s;
}

bool LinkSet::contains(std::uint32_t from, std::uint32_t to) const {
  const std::uint32_t a = from < group_.size() ? group_[from] : 0;
  const std::uint32_t b = to < group_.size() ? group_[to] : 0;
  if (one_way_) return a == 1 && b == 2;
  if (!others_form_a_group_ && (a == 0 || b == 0)) return false;
  return a != b;
}

void LinkFaults::cut(std::string name, LinkSet links) {
  cuts_.insert_or_assign(std::move(name), std::move(links));
}

void LinkFaults::degrade(std::string name, LinkSet links, LinkDegradation d) {
  degradations_.insert_or_assign(std::move(name), Degraded{std::move(links), d});
}

bool LinkFaults::remove(std::string_view name) {
  bool removed = false;
  if (const auto it = cuts_.find(name); it != cuts_.end()) {
    cuts_.erase(it);
    removed = true;
  }
  if (const auto it = degradations_.find(name); it != degradations_.end()) {
    degradations_.erase(it);
    removed = true;
  }
  return removed;
}

void LinkFaults::remove_all_cuts() {
  cuts_.clear();
}

bool LinkFaults::is_cut(std::uint32_t from, std::uint32_t to) const {
  return std::any_of(cuts_.begin(), cuts_.end(),
                     [&](const auto& kv) { return kv.second.contains(from, to); });
}

LinkDegradation LinkFaults::degradation(std::uint32_t from, std::uint32_t to) const {
  LinkDegradation sum;
  double delivered = 1.0, single = 1.0;
  for (const auto& [name, deg] : degradations_) {
    if (!deg.links.contains(from, to)) continue;
    sum.extra_delay += deg.d.extra_delay;
    delivered *= 1.0 - deg.d.loss;
    single *= 1.0 - deg.d.duplication;
  }
  sum.loss = 1.0 - delivered;
  sum.duplication = 1.0 - single;
  return sum;
}

}  // namespace bootsim::sim
