#include "models/mesos/hierarchical_allocator.hpp"

#include <algorithm>
#include <tuple>

namespace bootsim::models::mesos {

void HierarchicalAllocator::add_agent(const std::string& id, std::string role, Resources total) {
  if (agents_.count(id) != 0) return;
  cluster_total_ += total;
  agents_.emplace(id, Agent{std::move(role), total, {}, true});
}

void HierarchicalAllocator::remove_agent(const std::string& id) {
  const auto it = agents_.find(id);
  if (it == agents_.end()) return;
  cluster_total_ -= it->second.total;
  agents_.erase(it);
  for (auto& [name, f] : frameworks_) f.filters.erase(id);
}

void HierarchicalAllocator::set_agent_active(const std::string& id, bool active) {
  if (const auto it = agents_.find(id); it != agents_.end()) it->second.active = active;
}

void HierarchicalAllocator::add_framework(const std::string& id, std::string role, Resources used) {
  if (frameworks_.count(id) != 0) return;
  roles_[role].allocated += used;
  frameworks_.emplace(id, Framework{std::move(role), used, 0, true, false, {}});
}

void HierarchicalAllocator::remove_framework(const std::string& id) {
  const auto it = frameworks_.find(id);
  if (it == frameworks_.end()) return;
  const std::string role = it->second.role;
  RolePool& pool = roles_[role];
  pool.allocated -= it->second.allocated;
  frameworks_.erase(it);
  const bool role_used = std::any_of(frameworks_.begin(), frameworks_.end(),
                                     [&](const auto& f) { return f.second.role == role; });
  if (!role_used) roles_.erase(role);
}

void HierarchicalAllocator::set_framework_active(const std::string& id, bool active) {
  const auto it = frameworks_.find(id);
  if (it == frameworks_.end()) return;
  it->second.active = active;
  if (!active) it->second.suppressed = false;  // deactivateFramework clears it
}

void HierarchicalAllocator::allocate_to(const std::string& framework, const std::string& agent,
                                        const Resources& r) {
  const auto f = frameworks_.find(framework);
  const auto a = agents_.find(agent);
  if (a == agents_.end()) return;
  a->second.allocated += r;
  if (f == frameworks_.end()) return;  // add_framework brings it in with `used`
  f->second.allocated += r;
  ++f->second.allocations;
  RolePool& pool = roles_[f->second.role];
  pool.allocated += r;
  ++pool.allocations;
}

void HierarchicalAllocator::recover(const std::string& framework, const std::string& agent,
                                    const Resources& r, sim::SimTime now,
                                    std::optional<sim::SimTime> refuse) {
  const auto f = frameworks_.find(framework);
  const auto a = agents_.find(agent);
  if (a != agents_.end()) a->second.allocated -= r;
  if (f == frameworks_.end()) return;
  f->second.allocated -= r;
  roles_[f->second.role].allocated -= r;
  if (!refuse || *refuse <= sim::SimTime{} || a == agents_.end()) return;
  const sim::SimTime until = now + std::max(options_.allocation_interval, *refuse);
  f->second.filters[agent].emplace_back(r, until);
}

void HierarchicalAllocator::suppress(const std::string& framework) {
  if (const auto it = frameworks_.find(framework); it != frameworks_.end()) {
    it->second.suppressed = true;
  }
}

void HierarchicalAllocator::revive(const std::string& framework) {
  const auto it = frameworks_.find(framework);
  if (it == frameworks_.end()) return;
  it->second.suppressed = false;
  it->second.filters.clear();
}

double HierarchicalAllocator::share(const Resources& allocated, const Resources& total) {
  // DRFSorter::calculateShare over the scalar resources (ports are ranges in Mesos: excluded).
  double s = 0;
  if (total.cpus > 0) s = std::max(s, allocated.cpus / total.cpus);
  if (total.mem > 0) s = std::max(s, allocated.mem / total.mem);
  if (total.disk > 0) s = std::max(s, allocated.disk / total.disk);
  return s;
}

double HierarchicalAllocator::framework_share(const std::string& framework) const {
  const auto it = frameworks_.find(framework);
  if (it == frameworks_.end()) return 0;
  return share(it->second.allocated, roles_.at(it->second.role).allocated);
}

double HierarchicalAllocator::role_share(const std::string& role) const {
  const auto it = roles_.find(role);
  return it == roles_.end() ? 0 : share(it->second.allocated, cluster_total_);
}

Resources HierarchicalAllocator::available(const std::string& agent) const {
  const auto it = agents_.find(agent);
  return it == agents_.end() ? Resources{} : it->second.total - it->second.allocated;
}

Resources HierarchicalAllocator::allocated(const std::string& framework) const {
  const auto it = frameworks_.find(framework);
  return it == frameworks_.end() ? Resources{} : it->second.allocated;
}

bool HierarchicalAllocator::suppressed(const std::string& framework) const {
  const auto it = frameworks_.find(framework);
  return it != frameworks_.end() && it->second.suppressed;
}

// DRFComparator: by share, then by number of allocations, then by name.
std::vector<std::string> HierarchicalAllocator::sorted_roles() const {
  std::vector<std::tuple<double, int, std::string>> keyed;
  for (const auto& [role, pool] : roles_) {
    keyed.emplace_back(share(pool.allocated, cluster_total_), pool.allocations, role);
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<std::string> out;
  for (auto& k : keyed) out.push_back(std::move(std::get<2>(k)));
  return out;
}

std::vector<std::string> HierarchicalAllocator::sorted_frameworks(const std::string& role) const {
  const Resources& pool = roles_.at(role).allocated;
  std::vector<std::tuple<double, int, std::string>> keyed;
  for (const auto& [id, f] : frameworks_) {
    // Inactive and suppressed frameworks are not in the sorter (deactivate / suppressOffers).
    if (f.role != role || !f.active || f.suppressed) continue;
    keyed.emplace_back(share(f.allocated, pool), f.allocations, id);
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<std::string> out;
  for (auto& k : keyed) out.push_back(std::move(std::get<2>(k)));
  return out;
}

// RefusedOfferFilter::filter: the offer would be a subset of what was refused, and the filter
// has not expired. Expired filters are dropped here (the real one expires on a timer).
bool HierarchicalAllocator::filtered(Framework& f, const std::string& agent, const Resources& r,
                                     sim::SimTime now) {
  const auto it = f.filters.find(agent);
  if (it == f.filters.end()) return false;
  auto& list = it->second;
  list.erase(std::remove_if(list.begin(), list.end(),
                            [now](const auto& filter) { return filter.second <= now; }),
             list.end());
  if (list.empty()) {
    f.filters.erase(it);
    return false;
  }
  return std::any_of(list.begin(), list.end(),
                     [&r](const auto& filter) { return r.fits_in(filter.first); });
}

// HierarchicalAllocatorProcess::allocatable: at least the minimum of cpus or of mem.
bool HierarchicalAllocator::allocatable(const Resources& r) const {
  return (options_.min_allocatable.cpus > 0 && r.cpus >= options_.min_allocatable.cpus) ||
         (options_.min_allocatable.mem > 0 && r.mem >= options_.min_allocatable.mem);
}

std::vector<std::string> HierarchicalAllocator::candidate_agents(
    sim::RandomStream* rng, const std::set<std::string>* candidates) const {
  std::vector<std::string> ids;
  for (const auto& [id, a] : agents_) {
    if (a.active && (candidates == nullptr || candidates->count(id) != 0)) ids.push_back(id);
  }
  if (rng != nullptr) {
    for (std::size_t i = ids.size(); i > 1; --i) {
      std::swap(ids[i - 1], ids[rng->uniform_index(i)]);
    }
  }
  return ids;
}

std::optional<Allocation> HierarchicalAllocator::allocate_agent(const std::string& agent,
                                                                sim::SimTime now) {
  const Agent& a = agents_.at(agent);
  const Resources available = a.total - a.allocated;
  for (const std::string& role : sorted_roles()) {
    // Unreserved resources and those reserved for this role; nothing else.
    if (a.role != kAnyRole && a.role != role) continue;
    if (!allocatable(available)) break;
    for (const std::string& id : sorted_frameworks(role)) {
      if (filtered(frameworks_.at(id), agent, available, now)) continue;
      allocate_to(id, agent, available);
      return Allocation{id, agent, available};
    }
  }
  return std::nullopt;
}

std::vector<Allocation> HierarchicalAllocator::allocate(sim::SimTime now, sim::RandomStream* rng,
                                                        const std::set<std::string>* candidates) {
  std::vector<Allocation> out;
  if (frameworks_.empty()) return out;
  for (const std::string& agent : candidate_agents(rng, candidates)) {
    if (auto a = allocate_agent(agent, now)) out.push_back(std::move(*a));
  }
  // offerCallback per framework: group by framework, in framework id order (foreachkey over
  // a hashmap there; ordered here for determinism), agents in allocation order.
  std::stable_sort(out.begin(), out.end(), [](const Allocation& x, const Allocation& y) {
    return x.framework < y.framework;
  });
  return out;
}

}  // namespace bootsim::models::mesos
