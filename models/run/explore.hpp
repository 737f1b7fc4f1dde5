// Exploration: random fault schedules drawn from a declared budget, run against a scenario,
// failures grouped by the rule they violate, each group's first schedule shrunk to a minimal one
// that still violates that rule.
//
//   ExploreOptions o;
//   o.runs = 500;
//   o.budget = std::get<FaultBudget>(parse_fault_budget("max=2 kinds=crash,partition"));
//   const ExploreResult r = explore(scenario, o);
//   for (const Finding& f : r.findings) ... f.rule, f.shrunk ...
//
// Contract: run i's schedule is drawn from the stream "explore/<i>" of the seed alone, every
// run has the scenario's own seed and faults plus its schedule, and findings are gathered in run
// order, so the result is the same whatever `jobs` is (runs go in parallel, shrinking in
// order). A schedule is a list of faults at absolute, whole-second times, each with its undo
// (restart_after, resume_after, heal_after) when the budget says so. Shrinking tries, in order
// and until nothing more holds: dropping a fault, dropping a member of a partition's group,
// moving a fault earlier to a rounder time (0 s, whole 10 s, whole seconds), and rounding its
// undo delay; each try is a run that must still violate the same rule. Costs: runs + at most
// max_shrink_runs per finding.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "models/run/cluster.hpp"

namespace bootsim::models {

// What random schedules may contain.
struct FaultBudget {
  int max_faults = 2;  // 1..max_faults faults per schedule
  std::vector<FaultKind> kinds{FaultKind::kCrash, FaultKind::kPause, FaultKind::kPartition};
  // Hosts and roles a fault may name (a pause adds a unit: mesos-master or zookeeper).
  std::vector<std::string> targets{"mesos-leader", "zookeeper-leader", "any-master", "any-agent"};
  sim::SimTime window = sim::minutes(3);        // faults fire at [0, window)
  sim::SimTime max_duration = sim::minutes(2);  // an undo after [1 s, max_duration]
  bool undo = true;                             // give every fault its undo
  bool operator==(const FaultBudget&) const = default;
};

// "max=2 kinds=crash,partition targets=mesos-leader,master-1 window=5m max_duration=1m
// undo=yes"; any subset of the words. The error names the word.
std::variant<FaultBudget, std::string> parse_fault_budget(std::string_view text);
std::string format_fault_budget(const FaultBudget& b);

struct ExploreOptions {
  int runs = 100;
  int jobs = 1;
  std::uint64_t seed = 1;  // draws the schedules; runs keep the scenario's own seed
  FaultBudget budget;
  RunOptions base;  // every run's options (its faults are added to each schedule)
  int max_shrink_runs = 300;
};

struct Finding {
  std::string rule;           // the violated rule
  std::string detail;         // the first violation's detail, from the shrunk schedule's run
  std::size_t first_run = 0;  // 0-based
  int runs_violating = 0;
  std::vector<FaultSpec> schedule;  // as drawn, of the first run that violated the rule
  std::vector<FaultSpec> shrunk;    // minimal
  int shrink_runs = 0;
};

struct ExploreResult {
  int runs = 0;
  int runs_failed = 0;            // with at least one violation
  std::vector<Finding> findings;  // by rule name
};

// The schedule of run `index`: a pure function of (seed, index, budget, scenario's hosts).
std::vector<FaultSpec> draw_schedule(std::uint64_t seed, std::size_t index,
                                     const FaultBudget& budget);

ExploreResult explore(const Scenario& scenario, const ExploreOptions& options);

}  // namespace bootsim::models
