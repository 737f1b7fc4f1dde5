#include "models/run/rules.hpp"

#include <fmt/format.h>

#include <map>
#include <optional>
#include <set>

namespace bootsim::models {

std::vector<RuleResult> check_rules(const sim::Trace& trace, const std::vector<RuleSpec>& rules,
                                    bool builtin) {
  std::vector<RuleResult> out;
  for (const RuleSpec& rule : rules) {
    RuleResult rr{rule.name, rule.before, rule.after, rule.same_node, builtin, 0, {}};
    std::map<std::string, sim::SimTime> first_before;
    std::optional<sim::SimTime> any_before;
    for (const sim::RecordId id : trace.milestones_named(rule.before)) {
      const sim::TraceRecord& b = trace.at(id);
      first_before.try_emplace(b.node, b.time);
      if (!any_before) any_before = b.time;
    }
    std::set<std::string> seen;
    for (const sim::RecordId id : trace.milestones_named(rule.after)) {
      const sim::TraceRecord& a = trace.at(id);
      if (!seen.insert(a.node).second) continue;  // the first reach on each node
      ++rr.checked;
      std::optional<sim::SimTime> before = any_before;
      if (rule.same_node) {
        const auto it = first_before.find(a.node);
        before = it == first_before.end() ? std::nullopt : std::optional<sim::SimTime>(it->second);
      }
      if (!before || *before > a.time) {
        rr.violations.push_back(
            Violation{rule.name, a.time, a.node,
                      before ? fmt::format("{} reached {} at {}s, before {} (at {}s)", a.node,
                                           rule.after, sim::format_seconds(a.time), rule.before,
                                           sim::format_seconds(*before))
                             : fmt::format("{} reached {} at {}s without {}{}", a.node, rule.after,
                                           sim::format_seconds(a.time), rule.before,
                                           rule.same_node ? " on that node" : "")});
      }
    }
    out.push_back(std::move(rr));
  }
  return out;
}

std::vector<RuleSpec> builtin_rules(const Profile& profile) {
  return profile.rules;
}

}  // namespace bootsim::models
