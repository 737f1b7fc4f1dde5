// Profile: a unit graph — which systemd units run on which role, with their ExecStartPre gates,
// RestartSec, timers and After= orderings.
//
//   const Profile p = *builtin_profile("dcos-1.9");  // models/dcos/profiles.hpp
//   for (const UnitDef* u : p.units_for(Role::kMaster)) { ... u->gates, u->restart_sec ... }
//
// Contract: plain data; scenarios may override start distributions and RestartSec and add
// After= orderings (validate() checks the result against the model registry).
#pragma once

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
// first occurrences cluster-wide.
struct RuleSpec {
  std::string name;  // given, or derived from before and after by whoever reads the rule
  std::string before;
  std::string after;
  bool same_node = true;
  SourceLocation where;
};

struct Profile {
  std::string name;
  std::string description;
  std::vector<UnitDef> units;

  std::vector<const UnitDef*> units_for(Role role) const;
  const UnitDef* find(std::string_view unit) const;
  UnitDef* find(std::string_view unit);
};

// Which units provide the condition a gate waits for, on the same node or on the masters:
// the edges of the unit graph.
struct GateProvider {
  std::string unit;
  bool on_masters = false;  // false: same node
};
std::vector<GateProvider> gate_providers(const Profile& profile, const GateDef& gate, Role role);

// A problem in a (possibly overridden) profile: an After= naming an unknown unit, a cycle among
// After= orderings, an unknown gate kind. `unit` is where it was found.
struct ProfileProblem {
  std::string unit;
  std::string message;
};
class ModelRegistry;
std::vector<ProfileProblem> validate(const Profile& profile, const ModelRegistry& registry);

// The unit dependency graph in Graphviz DOT: one cluster per role, solid edges for After=,
// dashed edges labelled with the gate for ExecStartPre conditions.
std::string to_dot(const Profile& profile);

std::string_view role_name(Role role);

}  // namespace bootsim::models
