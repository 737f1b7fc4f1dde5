// What clients on each host got for leader.mesos, measured from their lookups (LookupLog):
// when the name first resolved there, and after each change of the leading master (every
// mesos-master.elected after the first) how long lookups from that host still answered another
// master (the stale window) or failed (the failure window), and when the new leader first came
// back. A host where the name never resolved says why its last lookup failed (which hop).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "models/dns/stub_resolver.hpp"
#include "sim/time.hpp"

namespace bootsim::models {

struct LeaderChangeWindow {
  sim::SimTime at;     // the new leader's mesos-master.elected
  std::string leader;  // the new leader
  // After `at`: the first lookup that answered the new leader (nullopt: none before the next
  // change or the end of the run); until then, the time the host held another master and the
  // time it held a failure; and how many lookups it made up to the new leader.
  std::optional<sim::SimTime> resolved_after;
  sim::SimTime stale_window;
  sim::SimTime failed_window;
  int lookups = 0;
};

struct NodeDns {
  std::string node;
  std::optional<sim::SimTime> first_resolved;
  // When it never resolved: the hop that failed its last lookup — the last hop failure reported
  // on the host after that lookup began, if any (Spartan's), else what the resolver saw.
  std::string last_failure;
  std::vector<LeaderChangeWindow> changes;
};

struct Election {
  sim::SimTime at;
  std::string leader;
};

// For every host in `hosts` (in that order), given the elections in time order.
std::vector<NodeDns> leader_windows(const std::vector<std::string>& hosts,
                                    const std::vector<Election>& elections, const LookupLog& log);

}  // namespace bootsim::models
