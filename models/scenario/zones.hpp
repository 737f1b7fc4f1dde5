// Zones: which zone (availability zone or rack) each host of a scenario is in, and the latency
// between each pair of zones, once every setting and --set is applied.
//
//   Parameters params;  // the scenario's settings, then --set, applied
//   auto layout = resolve_zones(scenario, all_settings, params);
//   if (auto* e = std::get_if<InputError>(&layout)) return *e;
//   // params' cluster.agents.* are now the totals the zones make
//
// Contract (the rules are scenarios/README.md's, Zones): a zone takes the masters it lists;
// masters no zone lists are dealt to the zones in turn (master-4 to the first zone, …). A zone
// that gives its agent counts has those; the others share what is left of cluster.agents.* as
// evenly as it goes, the first zones one more. When every zone gives its count, the total is
// their sum, and a total given besides (file or --set) must equal it. Agents are numbered zone
// by zone in the zones' order. Every problem is an InputError at the setting or entry that
// causes it ("command line" for --set). A scenario without zones has an empty layout, and any
// zone key is an error.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "models/core/parameters.hpp"
#include "models/core/source_location.hpp"
#include "models/scenario/scenario.hpp"
#include "sim/distribution.hpp"

namespace bootsim::models {

struct ZoneLayout {
  std::vector<std::string> names;  // in the scenario's order
  // The zone (an index into names) of master-1.., agent-1.., public-agent-1.., in order.
  std::vector<std::uint32_t> masters, private_agents, public_agents;
  // names.size() squared, row-major: the latency between a host of zone i and one of zone j
  // (i == j: within the zone); nullopt: network.latency.
  std::vector<std::optional<sim::Distribution>> latency;
  bool empty() const { return names.empty(); }
  const std::optional<sim::Distribution>& between(std::size_t i, std::size_t j) const {
    return latency[i * names.size() + j];
  }
};

// `settings` are every setting applied to `params`, in order (the scenario's, then --set), to
// place errors.
std::variant<ZoneLayout, InputError> resolve_zones(const Scenario& scenario,
                                                   std::span<const Setting> settings,
                                                   Parameters& params);

}  // namespace bootsim::models
