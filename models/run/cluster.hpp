// Cluster: one simulated DC/OS boot — builds the hosts, units and models a scenario describes,
// runs the clock, injects faults, and checks the outcome against ordering rules and budgets.
//
//   auto result = run_scenario(scenario, RunOptions{.seed = 7});
//   if (auto* r = std::get_if<RunResult>(&result)) print(r->critical_chain);
//
// Contract: a run is a pure function of (scenario, options): no globals, so runs may go in
// parallel on separate threads. Input problems found while building (an unknown unit in a
// setting, a master count DC/OS refuses, a bad --set) come back as an InputError; outcomes
// inside the simulated world (no quorum, a missed budget) are in the RunResult.
// The run ends at `until`; without faults it ends as soon as `cluster.ready` is reached.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "models/core/run_context.hpp"
#include "models/run/rules.hpp"
#include "models/scenario/scenario.hpp"
#include "models/systemd/profile.hpp"
#include "sim/trace.hpp"

namespace bootsim::models {

struct RunOptions {
  std::optional<std::uint64_t> seed;
  std::optional<sim::SimTime> until;
  std::vector<Setting> settings;  // --set, applied after the scenario's own
  std::vector<FaultSpec> faults;  // --fault, added to the scenario's
};

struct BudgetResult {
  std::string milestone;
  sim::SimTime within;
  std::optional<sim::SimTime> actual;  // when the milestone was reached everywhere it applies
  bool ok = false;
};

struct RunResult {
  std::string scenario;
  std::string profile;
  std::uint64_t seed = 0;
  sim::SimTime until;
  sim::SimTime ended_at;
  std::vector<std::string> nodes;      // hosts in order, then services
  std::vector<std::string> overrides;  // "key=value" of every parameter not at its default
  sim::Trace trace;
  std::vector<Violation> violations;  // safety properties and ordering rules
  std::vector<RuleResult> rules;
  std::vector<BudgetResult> budgets;
  std::vector<sim::RecordId> critical_chain;  // cluster.ready first, then its causes
  std::optional<sim::SimTime> ready_at;
  std::vector<std::string> not_reached;  // what held cluster.ready back, when it was not reached
  std::uint64_t events = 0;
  std::uint64_t fingerprint = 0;

  bool ok() const {
    bool budgets_ok = true;
    for (const BudgetResult& b : budgets) budgets_ok = budgets_ok && b.ok;
    return violations.empty() && budgets_ok;
  }
};

std::variant<RunResult, InputError> run_scenario(const Scenario& scenario,
                                                 const RunOptions& options = {});

// Resolves the scenario's profile (a built-in, or a file relative to the scenario's directory)
// with the scenario's overrides, and validates it (check, graph).
std::variant<Profile, InputError> resolve_profile(const Scenario& scenario,
                                                  const Parameters& params);

// Loads the profile `ref` names — a built-in name, or a profile file relative to `dir` — and
// checks it against the standard model registry; each problem is located at its entry in the
// profile's file, problems with the reference itself at `where`.
std::variant<Profile, InputError> load_checked_profile(std::string_view ref, const std::string& dir,
                                                       const SourceLocation& where);

}  // namespace bootsim::models
