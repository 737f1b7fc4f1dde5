// Profile: a unit graph — which systemd units run on which role, with their ExecStartPre gates,
// RestartSec, timers and After= orderings; which units make each gate pass (the graph's edges);
// and the ordering rules that runs of it are checked against.
//
//   const Profile p = *builtin_profile("dcos-1.9");  // models/dcos/profiles.hpp
//   for (const UnitDef* u : p.units_for(Role::kMaster)) { ... u->gates, u->restart_sec ... }
//
// Contract: plain data, loaded from a YAML profile file (models/scenario/profile_loader.hpp;
// format: scenarios/README.md, "Profiles"). The order of `units` is the order in which a node
// creates and starts them, which orders simultaneous events: it is part of the data. Scenarios
// may override start distributions and RestartSec and add After= orderings; validate() checks
// the result against the model registry and names each problem with where the file declares it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/core/source_location.hpp"
#include "models/core/topology.hpp"
#include "models/core/unit.hpp"
#include "sim/distribution.hpp"
#include "sim/time.hpp"

namespace bootsim::models {

// Milestone `before` must happen before `after`: on each node that reaches both (same_node), or
// first occurrences cluster-wide. A profile's rules and a scenario's own rules alike.
struct RuleSpec {
  std::string name;  // given, or derived from before and after by whoever reads the rule
  std::string before;
  std::string after;
  bool same_node = true;
  SourceLocation where;
};

// The units that make one gate pass: the dashed edges of the unit graph.
struct GateProviders {
  std::string gate;                  // the gate's text, e.g. "ping leader.mesos"
  std::vector<std::string> node;     // units on the gated unit's own node (if on its role)
  std::vector<std::string> masters;  // units on the masters
  SourceLocation where;              // the entry's key
  std::vector<SourceLocation> node_where, masters_where;  // each name (for errors)
};

// Where a profile file declares what UnitDef keeps no location for (for errors only).
struct UnitLocations {
  SourceLocation process;
  std::vector<SourceLocation> after;  // one per UnitDef::after entry
};

struct Profile {
  std::string name;
  std::string description;
  std::vector<UnitDef> units;
  std::vector<GateProviders> providers;
  std::vector<RuleSpec> rules;  // the seed's order, as this version boots
  std::map<std::string, UnitLocations, std::less<>> locations;  // by unit name

  std::vector<const UnitDef*> units_for(Role role) const;
  const UnitDef* find(std::string_view unit) const;
  UnitDef* find(std::string_view unit);
  const GateProviders* providers_of(std::string_view gate_text) const;
};

// Which units provide the condition a gate waits for, on the same node or on the masters:
// the profile's `providers` for the gate, less those not on the role (or not on the masters).
struct GateProvider {
  std::string unit;
  bool on_masters = false;  // false: same node
};
std::vector<GateProvider> gate_providers(const Profile& profile, const GateDef& gate, Role role);

// A problem in a (possibly overridden) profile: an After= naming an unknown unit, a cycle among
// After= orderings, an unknown gate kind or argument, an unknown process model, a provider that
// names an unknown gate or unit. `unit` is the unit it was found in (empty for a provider);
// `where` the offending entry in the profile file (empty when the profile was built in code).
struct ProfileProblem {
  std::string unit;
  std::string message;
  SourceLocation where{};
};
class ModelRegistry;
std::vector<ProfileProblem> validate(const Profile& profile, const ModelRegistry& registry);

// The unit dependency graph in Graphviz DOT: one cluster per role, solid edges for After=,
// dashed edges labelled with the gate for ExecStartPre conditions.
std::string to_dot(const Profile& profile);

std::string_view role_name(Role role);
// The inverse of role_name: "master", "agent", "public-agent".
std::optional<Role> parse_role(std::string_view name);

}  // namespace bootsim::models
