// HierarchicalAllocator: the Mesos 1.2 master's allocator (src/master/allocator/mesos/
// hierarchical.cpp with the DRF sorter, src/master/allocator/sorter/drf/sorter.cpp), as plain
// bookkeeping that the master drives: it holds each agent's total and allocated resources and
// each framework's role, allocations, refuse filters and suppression, and decides, when asked
// to allocate, which framework gets which agent's available resources.
//
//   HierarchicalAllocator alloc({.allocation_interval = sim::seconds(1)});
//   alloc.add_agent("S0", "*", {.cpus = 4, .mem = 8192});
//   alloc.add_framework("F0", "*");
//   for (const Allocation& a : alloc.allocate(now, &rng)) { /* offer a.resources on a.agent */ }
//
// The algorithm of HierarchicalAllocatorProcess::__allocate (stage 2; no quota, no weights):
// the candidate agents in random order (std::random_shuffle there; here a Fisher-Yates shuffle
// from the caller's stream, or id order without one); for each agent, the roles in DRF order,
// and in each role its active, unsuppressed frameworks in DRF order (as of that agent, as
// sort() is called per agent; the sort itself runs only when the order may have changed); the first
// framework that does not filter the agent's available resources (unreserved plus those reserved
// for its role) gets all of them — "coarse-grained" allocation, so an agent has at most one
// outstanding offer. DRF share of a client is the maximum over cpus, mem and disk of allocated /
// total; ties go to fewer allocations, then to the smaller name (DRFComparator). The role sorter's
// total is the cluster's; a role's framework sorter's total is what that role has been allocated
// (frameworkSorter->add).
//
// Contract: deterministic (ordered maps; randomness only from the stream passed in); allocate()
// is O(agents · frameworks) plus a sort of the frameworks after each allocation, the DRF order
// being kept until something it depends on changes (as DRFSorter::sort re-sorts only when
// dirty). Unknown ids in calls are ignored.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "models/mesos/resources.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

namespace bootsim::models::mesos {

struct Allocation {
  std::string framework;
  std::string agent;
  Resources resources;
};

class HierarchicalAllocator {
 public:
  struct Options {
    // A refuse filter never expires before the next allocation (recoverResources:
    // timeout = max(allocationInterval, refuse_seconds)).
    sim::SimTime allocation_interval = sim::seconds(1);
    // --min_allocatable_resources of DC/OS (cpus:0.01;mem:32): less is not offered.
    Resources min_allocatable{.cpus = 0.01, .mem = 32};
  };
  explicit HierarchicalAllocator(Options options) : options_(options) {}
  // Not copyable: the DRF order and the filters point into its own maps (a move keeps them).
  HierarchicalAllocator(const HierarchicalAllocator&) = delete;
  HierarchicalAllocator& operator=(const HierarchicalAllocator&) = delete;
  HierarchicalAllocator(HierarchicalAllocator&&) = default;
  HierarchicalAllocator& operator=(HierarchicalAllocator&&) = default;

  // `role`: the role its resources are reserved for ("*": unreserved).
  void add_agent(const std::string& id, std::string role, Resources total);
  void remove_agent(const std::string& id);
  // A deactivated agent (disconnected, unreachable) is not offered.
  void set_agent_active(const std::string& id, bool active);
  // `used`: what its tasks already hold on agents (re-registered ones, after a failover); the
  // agents count it already.
  void add_framework(const std::string& id, std::string role, Resources used = {});
  void remove_framework(const std::string& id);
  void set_framework_active(const std::string& id, bool active);

  // Resources used by a task or offered: allocated to the framework on the agent.
  void allocate_to(const std::string& framework, const std::string& agent, const Resources& r);
  // recoverResources: `r` goes back to the agent's pool (declined, rescinded, leftover of an
  // accepted offer, a finished task). With `refuse`, the framework filters those resources on
  // that agent until now + max(refuse, allocation_interval); a zero refuse installs none.
  void recover(const std::string& framework, const std::string& agent, const Resources& r,
               sim::SimTime now, std::optional<sim::SimTime> refuse = std::nullopt);
  // SUPPRESS: no offers until revived or deactivated, and its filters dropped (nothing can
  // read them again). REVIVE: unsuppressed, and its filters cleared.
  void suppress(const std::string& framework);
  void revive(const std::string& framework);

  // One allocation run over every active agent (`batch`), or over `candidates` (an event: an
  // agent added or resources recovered). `rng`: the shuffle's stream; nullptr keeps id order.
  std::vector<Allocation> allocate(sim::SimTime now, sim::RandomStream* rng,
                                   const std::set<std::string>* candidates = nullptr);

  double framework_share(const std::string& framework) const;
  double role_share(const std::string& role) const;
  Resources available(const std::string& agent) const;
  Resources allocated(const std::string& framework) const;
  bool suppressed(const std::string& framework) const;
  // The (agent, framework) pairs with refuse filters, expired or not: what the allocator holds.
  std::size_t filtered_pairs() const;
  std::size_t agent_count() const { return agents_.size(); }

 private:
  // DRFComparator: by share, then by number of allocations, then by name. The name goes in as
  // its rank among the clients' names (their map's order): the same order, without comparing
  // framework ids, which share a long prefix and tie often (every framework not yet offered
  // anything): most of the 9 % of samples in memcmp at 3,000 agents with 100 services.
  struct DrfKey {
    double share;
    int allocations;
    std::size_t name_rank;
    bool operator<(const DrfKey& o) const;
  };
  struct Agent {
    std::string role;
    Resources total;
    Resources allocated;
    bool active = true;
  };
  using AgentEntry = std::map<std::string, Agent>::value_type;
  struct RolePool;
  struct Framework {
    std::string role;
    RolePool* pool = nullptr;  // roles_[role]: a role stays while a framework has it
    Resources allocated;
    int allocations = 0;  // DRF tie-break: how often the sorter allocated to it
    bool active = true;
    bool suppressed = false;
    // Refused resources per agent, and until when (RefusedOfferFilter). Keyed by the agent's
    // entry (a map node never moves): looked up for every agent an allocation visits, and
    // never iterated.
    std::unordered_map<const AgentEntry*, std::vector<std::pair<Resources, sim::SimTime>>> filters;
  };
  using FrameworkEntry = std::map<std::string, Framework>::value_type;
  struct RolePool {
    Resources allocated;  // the role's framework sorter's total
    int allocations = 0;
    std::vector<FrameworkEntry*> order;  // its frameworks in DRF order (sort_clients)
  };
  using RoleEntry = std::map<std::string, RolePool>::value_type;

  // The entries of ids, hashed: the maps keep id order (the shuffle's start, the DRF
  // tie-break), the index answers lookups without comparing ids along a tree path.
  AgentEntry* find_agent(std::string_view id);
  const AgentEntry* find_agent(std::string_view id) const;
  FrameworkEntry* find_framework(std::string_view id);
  const FrameworkEntry* find_framework(std::string_view id) const;
  void allocate_to(FrameworkEntry* f, AgentEntry& a, const Resources& r);

  static double share(const Resources& allocated, const Resources& total);
  // The roles, and in each its active, unsuppressed frameworks, in DRF order, sorted again
  // only if a share, a count or a membership changed since (order_stale_).
  void sort_clients();
  bool filtered(Framework& f, const AgentEntry& agent, const Resources& r, sim::SimTime now);
  bool allocatable(const Resources& r) const;
  std::vector<AgentEntry*> candidate_agents(sim::RandomStream* rng,
                                            const std::set<std::string>* candidates);
  std::optional<Allocation> allocate_agent(AgentEntry& agent, sim::SimTime now);

  Options options_;
  std::map<std::string, Agent> agents_;
  std::map<std::string, Framework> frameworks_;
  std::map<std::string, RolePool> roles_;  // roles with at least one framework
  // Keys are views of the maps' own keys (a map node never moves).
  std::unordered_map<std::string_view, AgentEntry*> agent_index_;
  std::unordered_map<std::string_view, FrameworkEntry*> framework_index_;
  Resources cluster_total_;
  std::vector<RoleEntry*> role_order_;  // roles_ in DRF order (sort_clients)
  // sort_clients' scratch, kept so that sorting after each allocation allocates nothing.
  std::vector<std::pair<DrfKey, RoleEntry*>> role_keys_;
  std::vector<std::pair<DrfKey, FrameworkEntry*>> framework_keys_;
  bool order_stale_ = true;
};

}  // namespace bootsim::models::mesos
