// Ordering rules: the seed's boot order as happens-before rules between milestones, checked over
// a finished trace.
//
//   auto results = check_rules(trace, builtin_rules(profile), /*builtin=*/true);
//   for (const RuleResult& r : results) ... r.violations ...
//
// Contract: pure functions of their inputs; a rule holds when the first reach of `after` on each
// node (or anywhere, for cluster-wide rules) does not precede the first reach of `before`.
#pragma once

#include <string>
#include <vector>

#include "models/core/run_context.hpp"
#include "models/scenario/scenario.hpp"
#include "models/systemd/profile.hpp"
#include "sim/trace.hpp"

namespace bootsim::models {

struct RuleResult {
  std::string rule;
  std::string before, after;
  bool same_node = true;
  bool builtin = true;
  int checked = 0;  // pairs checked
  std::vector<Violation> violations;
};

// The ordering rules every run of `profile` is checked against: the seed's order (DESIGN.md
// "Checks") as the profile's `rules` give it for that version.
std::vector<RuleSpec> builtin_rules(const Profile& profile);

// Checks each rule over a finished trace: the first reach of `after` on each node must not
// precede the first reach of `before` (on that node, or anywhere for cluster-wide rules).
std::vector<RuleResult> check_rules(const sim::Trace& trace, const std::vector<RuleSpec>& rules,
                                    bool builtin);

}  // namespace bootsim::models
