#include "models/run/rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace bootsim::models {

std::vector<RuleResult> check_rules(const sim::Trace& trace, const std::vector<RuleSpec>& rules,
                                    bool builtin) {
  std::vector<RuleResult> out;
  for (const RuleSpec& rule : rules) {
    RuleResult rr{rule.name, rule.before, rule.after, rule.same_node, builtin, 0, {}, {}, {}};
    std::map<std::string, sim::SimTime, std::less<>> first_before;
    std::optional<sim::SimTime> any_before;
    for (const sim::RecordId id : trace.milestones_named(rule.before)) {
      const sim::TraceRecord& b = trace.at(id);
      first_before.try_emplace(std::string(b.node()), b.time);
      if (!any_before) any_before = b.time;
    }
    std::set<std::string> seen;
    for (const sim::RecordId id : trace.milestones_named(rule.after)) {
      const sim::TraceRecord& a = trace.at(id);
      if (!seen.emplace(a.node()).second) continue;  // the first reach on each node
      ++rr.checked;
      std::optional<sim::SimTime> before = any_before;
      if (rule.same_node) {
        const auto it = first_before.find(a.node());
        before = it == first_before.end() ? std::nullopt : std::optional<sim::SimTime>(it->second);
      }
      if (!before || *before > a.time) {
        rr.violations.push_back(
            Violation{rule.name,
                      a.time,
                      std::string(a.node()),
                      before ? fmt::format("{} reached {} at {}s, before {} (at {}s)", a.node(),
                                           rule.after, sim::format_seconds(a.time), rule.before,
                                           sim::format_seconds(*before))
                             : fmt::format("{} reached {} at {}s without {}{}", a.node(),
                                           rule.after, sim::format_seconds(a.time), rule.before,
                                           rule.same_node ? " on that node" : ""),
                      {},
                      {}});
      }
    }
    out.push_back(std::move(rr));
  }
  return out;
}

std::vector<LivenessSpec> builtin_liveness_rules() {
  return {LivenessSpec{
      "cluster.ready within 10m of the last fault healing", "cluster.ready", sim::minutes(10), {}}};
}

RuleResult check_liveness(const sim::Trace& trace, const LivenessSpec& spec,
                          const FaultHealing& healing, sim::SimTime ended_at, bool settled,
                          bool builtin) {
  RuleResult rr{spec.name, "", spec.milestone, false, builtin, 0, {}, spec.within, {}};
  const auto reached = trace.first_milestone(spec.milestone, "cluster");
  const std::optional<sim::SimTime> at =
      reached ? std::optional<sim::SimTime>(trace.at(*reached).time) : std::nullopt;
  if (!healing.first_fault) {
    rr.not_checked = "no fault fired";
  } else if (!healing.never_heals.empty()) {
    rr.not_checked = "a fault never heals: " + healing.never_heals;
  } else if (at && *at < *healing.first_fault) {
    rr.not_checked = spec.milestone + " came before the first fault; it is recorded once";
  } else if (const sim::SimTime due = *healing.healed_at + spec.within; at && *at <= due) {
    rr.checked = 1;
  } else if (!at && ended_at < due && !settled) {
    rr.not_checked = fmt::format("the run ended at {}s, before the grace period did ({}s)",
                                 sim::format_seconds(ended_at), sim::format_seconds(due));
  } else {
    rr.checked = 1;
    const std::string when =
        at ? fmt::format("it came at {}s", sim::format_seconds(*at))
           : fmt::format("it never came (the run ended at {}s)", sim::format_seconds(ended_at));
    rr.violations.push_back(
        Violation{spec.name,
                  std::min(due, ended_at),
                  "cluster",
                  fmt::format("{} not reached within {} of the last fault action at {}s; {}",
                              spec.milestone, sim::format_duration(spec.within),
                              sim::format_seconds(*healing.healed_at), when),
                  {},
                  {}});
  }
  return rr;
}

std::vector<RuleSpec> builtin_rules(const Profile& profile) {
  return profile.rules;
}

}  // namespace bootsim::models
