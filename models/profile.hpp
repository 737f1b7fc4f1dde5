// Profile: the built-in DC/OS unit graphs — which systemd units run on which role, with their
// ExecStartPre gates, RestartSec and the few real After= orderings.
//
//   const Profile& p = builtin_profile("dcos-1.9");
//   for (const UnitDef& u : p.units_for(Role::kMaster)) { ... u.gates, u.restart_sec ... }
//
// Contract: plain data, built once; scenarios may override start distributions and RestartSec
// and add After= orderings and gates (validate() checks the result). Sources: DC/OS 1.9.0 unit
// files (reference: dcos-1.9-units.md §2) and DC/OS 2.3 (dcos-facts.md §1).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/topology.hpp"
#include "sim/distribution.hpp"
#include "sim/time.hpp"

namespace bootsim::models {

// One ExecStartPre step. `kind` names a gate in the registry (gates.hpp), e.g. "ping",
// "bootstrap", "file"; `arg` is its argument, e.g. "leader.mesos".
struct GateDef {
  std::string kind;
  std::string arg;
  std::string milestone;  // recorded on the node when this gate first passes (optional)
  std::string text() const { return arg.empty() ? kind : kind + " " + arg; }
};

enum class UnitType { kService, kTimer };

struct UnitDef {
  std::string name;  // systemd unit name without ".service", e.g. "dcos-mesos-master"
  std::vector<Role> roles;
  UnitType type = UnitType::kService;
  sim::SimTime restart_sec = sim::seconds(5);
  std::vector<GateDef> gates;
  std::vector<std::string> after;   // After= (hard orderings: they must not form a cycle)
  std::string process = "generic";  // main-process model in the registry
  sim::Distribution start;          // exec → ready, for the main process
  std::string milestone;            // recorded when the unit is up (optional)
  // Timers only (OnBootSec, OnUnitActiveSec).
  sim::SimTime on_boot_sec;
  sim::SimTime on_unit_active_sec;
  std::string source;  // where the unit's definition comes from

  bool runs_on(Role r) const;
};

struct Profile {
  std::string name;
  std::string description;
  std::vector<UnitDef> units;

  std::vector<const UnitDef*> units_for(Role role) const;
  const UnitDef* find(std::string_view unit) const;
  UnitDef* find(std::string_view unit);
};

std::vector<std::string> builtin_profile_names();
// nullopt for an unknown name.
std::optional<Profile> builtin_profile(std::string_view name);

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
std::vector<ProfileProblem> validate(const Profile& profile);

// The unit dependency graph in Graphviz DOT: one cluster per role, solid edges for After=,
// dashed edges labelled with the gate for ExecStartPre conditions.
std::string to_dot(const Profile& profile);

std::string_view role_name(Role role);

}  // namespace bootsim::models
