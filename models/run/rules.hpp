// Ordering rules: the seed's boot order as happens-before rules between milestones, checked over
// a finished trace.
//
//   auto results = check_rules(trace, builtin_rules(profile), /*builtin=*/true);
//   for (const RuleResult& r : results) ... r.violations ...
//
// Contract: pure functions of their inputs; a rule holds when the first reach of `after` on each
// node (or anywhere, for cluster-wide rules) does not precede the first reach of `before`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "models/core/run_context.hpp"
#include "models/scenario/scenario.hpp"
#include "models/systemd/profile.hpp"
#include "sim/trace.hpp"

namespace bootsim::models {

struct RuleResult {
  std::string rule;
  std::string before, after;  // a liveness rule: after is its milestone, before is empty
  bool same_node = true;
  bool builtin = true;
  int checked = 0;  // pairs checked (a liveness rule: 1 when it could be decided, else 0)
  std::vector<Violation> violations;
  std::optional<sim::SimTime> within;  // a liveness rule's grace period
  std::string not_checked;             // a liveness rule: why this run could not decide it
};

// When the faults of a run had all healed, as World tracks them.
struct FaultHealing {
  std::optional<sim::SimTime> first_fault;  // none fired: nothing to check
  std::optional<sim::SimTime> healed_at;    // the last fault action (a firing or an undo)
  std::string never_heals;                  // a fault that lasts to the end, if any
};

// The liveness rules every run with faults is checked against: cluster.ready within 10 minutes
// of the last fault healing (the bound the shipped scenarios budget for a whole boot, which
// is longer than any recovery the models go through: a master re-election takes about the
// ZooKeeper session timeout, 10 s; an agent re-registers within its ping timeouts, 75 s).
std::vector<LivenessSpec> builtin_liveness_rules();

// Decides one liveness rule: it holds when `spec.milestone` is first reached by healed_at +
// within. Undecided (not_checked) when no fault fired, a fault never heals, the milestone came
// before the first fault (it is recorded once), or the run stopped (`complete` false: until or
// a limit) before the grace period was over. A violation is dated at the end of the grace
// period and names the faults' last action.
RuleResult check_liveness(const sim::Trace& trace, const LivenessSpec& spec,
                          const FaultHealing& healing, sim::SimTime ended_at, bool settled,
                          bool builtin);

// The ordering rules every run of `profile` is checked against: the seed's order (DESIGN.md
// "Checks") as the profile's `rules` give it for that version.
std::vector<RuleSpec> builtin_rules(const Profile& profile);

// Checks each rule over a finished trace: the first reach of `after` on each node must not
// precede the first reach of `before` (on that node, or anywhere for cluster-wide rules).
std::vector<RuleResult> check_rules(const sim::Trace& trace, const std::vector<RuleSpec>& rules,
                                    bool builtin);

// Gives each violation its evidence (the few trace records that show it: the last fault
// action before it, and each named node's part — the milestone that made it a leader, the
// milestones an ordering rule compares) and its one-sentence explanation.
void explain_violations(const sim::Trace& trace, const std::vector<RuleResult>& rules,
                        std::vector<Violation>& violations);

}  // namespace bootsim::models
