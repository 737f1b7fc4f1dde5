#include "models/run/dns_windows.hpp"

#include <map>

namespace bootsim::models {

namespace {

// A hop failure this close to a host's last failed lookup is taken as that lookup's cause:
// Spartan's SERVFAIL comes 10 s after the query, glibc gives up after 9 s.
constexpr sim::SimTime kHopReportWindow = sim::seconds(30);

// The lookups of one host around a change at `e` (before the next change at `next`). Between
// lookups a host holds what its last lookup gave (a cache serves it; a lookup that is not
// repeated leaves the host with it): the stale window is the time after the change it held
// another master, the failure window the time it held a failure, until the new leader came.
LeaderChangeWindow window(const Election& e, sim::SimTime next,
                          const std::vector<const LeaderLookup*>& lookups) {
  LeaderChangeWindow w{e.at, e.leader, std::nullopt, sim::SimTime::zero(), sim::SimTime::zero(), 0};
  const LeaderLookup* held = nullptr;
  sim::SimTime since = e.at;
  const auto account = [&](sim::SimTime until) {
    if (held == nullptr) return;
    if (!held->leader) {
      w.failed_window = w.failed_window + (until - since);
    } else if (held->leader != e.leader) {
      w.stale_window = w.stale_window + (until - since);
    }
  };
  for (const LeaderLookup* l : lookups) {
    if (l->time >= next) break;
    if (l->time < e.at) {
      held = l;
      continue;
    }
    ++w.lookups;
    account(l->time);
    held = l;
    since = l->time;
    if (l->leader == e.leader) {
      w.resolved_after = l->time - e.at;
      break;
    }
  }
  return w;
}

}  // namespace

std::vector<NodeDns> leader_windows(const std::vector<std::string>& hosts,
                                    const std::vector<Election>& elections, const LookupLog& log) {
  std::map<std::string, std::vector<const LeaderLookup*>, std::less<>> by_host;
  for (const LeaderLookup& l : log.lookups()) by_host[l.node].push_back(&l);
  std::vector<NodeDns> out;
  for (const std::string& host : hosts) {
    NodeDns n{host, std::nullopt, {}, {}};
    const auto& mine = by_host[host];
    for (const LeaderLookup* l : mine) {
      if (l->leader) {
        n.first_resolved = l->time;
        break;
      }
    }
    if (!n.first_resolved && !mine.empty()) {
      n.last_failure = mine.back()->failure;
      // The hop failure that belongs to the last lookup comes within the resolver's wait of it.
      const HopFailure* hop = log.last_hop_failure(host);
      if (hop != nullptr && hop->time + kHopReportWindow >= mine.back()->time) {
        n.last_failure = hop->what;
      }
    }
    for (std::size_t i = 1; i < elections.size(); ++i) {
      const sim::SimTime next =
          i + 1 < elections.size() ? elections[i + 1].at : sim::SimTime::infinite();
      n.changes.push_back(window(elections[i], next, mine));
    }
    out.push_back(std::move(n));
  }
  return out;
}

}  // namespace bootsim::models
