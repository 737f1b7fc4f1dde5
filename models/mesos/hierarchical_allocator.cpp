#include "models/mesos/hierarchical_allocator.hpp"

#include <algorithm>
#include <tuple>

namespace bootsim::models::mesos {

namespace {
template <class Entry>
Entry* find_in(const std::unordered_map<std::string_view, Entry*>& index, std::string_view id) {
  const auto it = index.find(id);
  return it == index.end() ? nullptr : it->second;
}
}  // namespace

HierarchicalAllocator::AgentEntry* HierarchicalAllocator::find_agent(std::string_view id) {
  return find_in(agent_index_, id);
}
const HierarchicalAllocator::AgentEntry* HierarchicalAllocator::find_agent(
    std::string_view id) const {
  return find_in(agent_index_, id);
}
HierarchicalAllocator::FrameworkEntry* HierarchicalAllocator::find_framework(std::string_view id) {
  return find_in(framework_index_, id);
}
const HierarchicalAllocator::FrameworkEntry* HierarchicalAllocator::find_framework(
    std::string_view id) const {
  return find_in(framework_index_, id);
}

void HierarchicalAllocator::add_agent(const std::string& id, std::string role, Resources total) {
  const auto [it, added] = agents_.try_emplace(id, Agent{std::move(role), total, {}, true});
  if (!added) return;
  agent_index_.emplace(it->first, &*it);
  cluster_total_ += total;
  order_stale_ = true;  // the roles' shares are of the cluster's total
}

void HierarchicalAllocator::remove_agent(const std::string& id) {
  AgentEntry* const a = find_agent(id);
  if (a == nullptr) return;
  cluster_total_ -= a->second.total;
  for (auto& [name, f] : frameworks_) f.filters.erase(a);
  agent_index_.erase(a->first);
  agents_.erase(agents_.find(id));
  order_stale_ = true;
}

void HierarchicalAllocator::set_agent_active(const std::string& id, bool active) {
  if (AgentEntry* const a = find_agent(id)) a->second.active = active;
}

void HierarchicalAllocator::add_framework(const std::string& id, std::string role, Resources used) {
  if (find_framework(id) != nullptr) return;
  RolePool& pool = roles_[role];
  pool.allocated += used;
  const auto it =
      frameworks_.emplace(id, Framework{std::move(role), &pool, used, 0, true, false, {}}).first;
  framework_index_.emplace(it->first, &*it);
  order_stale_ = true;
}

void HierarchicalAllocator::remove_framework(const std::string& id) {
  FrameworkEntry* const f = find_framework(id);
  if (f == nullptr) return;
  const std::string role = f->second.role;
  f->second.pool->allocated -= f->second.allocated;
  framework_index_.erase(f->first);
  frameworks_.erase(id);
  const bool role_used = std::any_of(frameworks_.begin(), frameworks_.end(),
                                     [&](const auto& other) { return other.second.role == role; });
  if (!role_used) roles_.erase(role);
  order_stale_ = true;
}

void HierarchicalAllocator::set_framework_active(const std::string& id, bool active) {
  FrameworkEntry* const f = find_framework(id);
  if (f == nullptr) return;
  f->second.active = active;
  if (!active) {
    // deactivateFramework (hierarchical.cpp, 1.2 as today) clears the suppression and the
    // framework's offer filters: reactivated, it is offered everything again.
    f->second.suppressed = false;
    f->second.filters.clear();
  }
  order_stale_ = true;
}

void HierarchicalAllocator::allocate_to(const std::string& framework, const std::string& agent,
                                        const Resources& r) {
  if (AgentEntry* const a = find_agent(agent)) allocate_to(find_framework(framework), *a, r);
}

// `f` null: a framework not (yet) added, whose add_framework brings it in with `used`.
void HierarchicalAllocator::allocate_to(FrameworkEntry* f, AgentEntry& a, const Resources& r) {
  a.second.allocated += r;
  order_stale_ = true;
  if (f == nullptr) return;
  f->second.allocated += r;
  ++f->second.allocations;
  f->second.pool->allocated += r;
  ++f->second.pool->allocations;
}

void HierarchicalAllocator::recover(const std::string& framework, const std::string& agent,
                                    const Resources& r, sim::SimTime now,
                                    std::optional<sim::SimTime> refuse) {
  FrameworkEntry* const f = find_framework(framework);
  AgentEntry* const a = find_agent(agent);
  if (a != nullptr) a->second.allocated -= r;
  if (f == nullptr) return;
  f->second.allocated -= r;
  f->second.pool->allocated -= r;
  order_stale_ = true;
  if (!refuse || *refuse <= sim::SimTime{} || a == nullptr) return;
  const sim::SimTime until = now + std::max(options_.allocation_interval, *refuse);
  f->second.filters[a].emplace_back(r, until);
}

void HierarchicalAllocator::suppress(const std::string& framework) {
  if (FrameworkEntry* const f = find_framework(framework)) {
    f->second.suppressed = true;
    // Mesos keeps the filters until their expiry timers fire, but a suppressed framework is
    // offered nothing, and it leaves suppression only through REVIVE or deactivation, which
    // both clear them: dropped now, they filter nothing they would have. They are checked
    // only when an agent is offered, so a framework that stays suppressed (a service whose
    // tasks run) had kept every filter it ever installed: one an agent.
    f->second.filters.clear();
    order_stale_ = true;
  }
}

void HierarchicalAllocator::revive(const std::string& framework) {
  FrameworkEntry* const f = find_framework(framework);
  if (f == nullptr) return;
  f->second.suppressed = false;
  f->second.filters.clear();
  order_stale_ = true;
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
  const FrameworkEntry* const f = find_framework(framework);
  return f == nullptr ? 0 : share(f->second.allocated, f->second.pool->allocated);
}

double HierarchicalAllocator::role_share(const std::string& role) const {
  const auto it = roles_.find(role);
  return it == roles_.end() ? 0 : share(it->second.allocated, cluster_total_);
}

Resources HierarchicalAllocator::available(const std::string& agent) const {
  const AgentEntry* const a = find_agent(agent);
  return a == nullptr ? Resources{} : a->second.total - a->second.allocated;
}

Resources HierarchicalAllocator::allocated(const std::string& framework) const {
  const FrameworkEntry* const f = find_framework(framework);
  return f == nullptr ? Resources{} : f->second.allocated;
}

std::size_t HierarchicalAllocator::filtered_pairs() const {
  std::size_t n = 0;
  for (const auto& [id, f] : frameworks_) n += f.filters.size();
  return n;
}

bool HierarchicalAllocator::suppressed(const std::string& framework) const {
  const FrameworkEntry* const f = find_framework(framework);
  return f != nullptr && f->second.suppressed;
}

bool HierarchicalAllocator::DrfKey::operator<(const DrfKey& o) const {
  return std::tie(share, allocations, name_rank) < std::tie(o.share, o.allocations, o.name_rank);
}

void HierarchicalAllocator::sort_clients() {
  if (!order_stale_) return;
  order_stale_ = false;
  const auto by_key = [](const auto& x, const auto& y) { return x.first < y.first; };
  role_keys_.clear();
  for (RoleEntry& role : roles_) {
    role.second.order.clear();
    role_keys_.push_back(
        {{share(role.second.allocated, cluster_total_), role.second.allocations, role_keys_.size()},
         &role});
  }
  std::sort(role_keys_.begin(), role_keys_.end(), by_key);
  role_order_.clear();
  for (const auto& [key, role] : role_keys_) role_order_.push_back(role);
  // All frameworks in one sort: within each role the order is that role's sorter's.
  framework_keys_.clear();
  for (FrameworkEntry& entry : frameworks_) {
    const Framework& f = entry.second;
    // Inactive and suppressed frameworks are not in the sorter (deactivate / suppressOffers).
    if (!f.active || f.suppressed) continue;
    framework_keys_.push_back(
        {{share(f.allocated, f.pool->allocated), f.allocations, framework_keys_.size()}, &entry});
  }
  std::sort(framework_keys_.begin(), framework_keys_.end(), by_key);
  for (const auto& [key, entry] : framework_keys_) entry->second.pool->order.push_back(entry);
}

// RefusedOfferFilter::filter: the offer would be a subset of what was refused, and the filter
// has not expired. Expired filters are dropped here (the real one expires on a timer).
bool HierarchicalAllocator::filtered(Framework& f, const AgentEntry& agent, const Resources& r,
                                     sim::SimTime now) {
  const auto it = f.filters.find(&agent);
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

std::vector<HierarchicalAllocator::AgentEntry*> HierarchicalAllocator::candidate_agents(
    sim::RandomStream* rng, const std::set<std::string>* candidates) {
  // In id order (a set's order is the map's), then shuffled.
  std::vector<AgentEntry*> agents;
  const auto add = [&agents](AgentEntry& a) {
    if (a.second.active) agents.push_back(&a);
  };
  if (candidates == nullptr) {
    for (AgentEntry& a : agents_) add(a);
  } else {
    for (const std::string& id : *candidates) {
      if (AgentEntry* const a = find_agent(id)) add(*a);
    }
  }
  if (rng != nullptr) {
    for (std::size_t i = agents.size(); i > 1; --i) {
      std::swap(agents[i - 1], agents[rng->uniform_index(i)]);
    }
  }
  return agents;
}

std::optional<Allocation> HierarchicalAllocator::allocate_agent(AgentEntry& agent,
                                                                sim::SimTime now) {
  const Agent& a = agent.second;
  const Resources available = a.total - a.allocated;
  if (!allocatable(available)) return std::nullopt;
  sort_clients();
  for (const RoleEntry* role : role_order_) {
    // Unreserved resources and those reserved for this role; nothing else.
    if (a.role != kAnyRole && a.role != role->first) continue;
    for (FrameworkEntry* f : role->second.order) {
      if (filtered(f->second, agent, available, now)) continue;
      allocate_to(f, agent, available);  // the order is stale from here
      return Allocation{f->first, agent.first, available};
    }
  }
  return std::nullopt;
}

std::vector<Allocation> HierarchicalAllocator::allocate(sim::SimTime now, sim::RandomStream* rng,
                                                        const std::set<std::string>* candidates) {
  std::vector<Allocation> out;
  if (frameworks_.empty()) return out;
  for (AgentEntry* agent : candidate_agents(rng, candidates)) {
    if (auto a = allocate_agent(*agent, now)) out.push_back(std::move(*a));
  }
  // offerCallback per framework: group by framework, in framework id order (foreachkey over
  // a hashmap there; ordered here for determinism), agents in allocation order.
  std::stable_sort(out.begin(), out.end(), [](const Allocation& x, const Allocation& y) {
    return x.framework < y.framework;
  });
  return out;
}

}  // namespace bootsim::models::mesos
