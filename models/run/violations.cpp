#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string_view>

#include "models/run/rules.hpp"

namespace bootsim::models {

namespace {

// The milestone that shows a node's part in a safety violation, by rule.
const std::map<std::string_view, std::string_view> kWitness{
    {"single-mesos-leader", "mesos-master.leading"},
    {"single-zookeeper-leader", "zookeeper.serving"},
    {"agent-registers-with-leader", "agent.registered"},
    {"offer-for-registered-agent", "agent.registered"},
};

// What each safety property means, said once; ordering and liveness rules get theirs from
// the rule itself.
const std::map<std::string_view, std::string_view> kMeaning{
    {"single-mesos-leader",
     "two Mesos masters acted as leader at once, so agents and frameworks could follow either"},
    {"single-zookeeper-leader",
     "two ZooKeeper servers served as leader in one epoch, so committed writes could diverge"},
    {"agent-registers-with-leader",
     "an agent was admitted by a master that was not the leader at that moment"},
    {"offer-for-registered-agent", "resources were offered from an agent that was not registered"},
};

std::vector<std::string> split_nodes(const std::string& nodes) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= nodes.size()) {
    const std::size_t comma = nodes.find(',', start);
    const std::string n =
        nodes.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!n.empty()) out.push_back(n);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// The latest reach of `milestone` on `node` at or before `t`.
std::optional<sim::RecordId> latest_reach(const sim::Trace& trace, std::string_view milestone,
                                          std::string_view node, sim::SimTime t) {
  std::optional<sim::RecordId> found;
  for (const sim::RecordId id : trace.milestones_named(milestone)) {
    const sim::TraceRecord& r = trace.at(id);
    if (r.time > t) break;
    if (r.node() == node) found = id;
  }
  return found;
}

// The latest fault action (not a no_target or not_running) at or before `t`.
std::optional<sim::RecordId> latest_fault(const sim::Trace& trace, sim::SimTime t) {
  const auto& records = trace.records();  // every fault, at every level
  for (std::size_t i = records.size(); i-- > 0;) {
    const sim::TraceRecord& r = records[i];
    if (r.time > t || r.type != sim::RecordType::kFault) continue;
    if (r.name() != "no_target" && r.name() != "not_running") return trace.id_of(i);
  }
  return std::nullopt;
}

std::optional<sim::RecordId> first_anywhere(const sim::Trace& trace, std::string_view milestone) {
  const auto all = trace.milestones_named(milestone);
  if (all.empty()) return std::nullopt;
  return all.front();
}

std::vector<sim::RecordId> evidence(const sim::Trace& trace, const Violation& v,
                                    const RuleResult* rule) {
  std::set<sim::RecordId> ids;
  if (const auto f = latest_fault(trace, v.time)) ids.insert(*f);
  const auto witness = kWitness.find(v.rule);
  for (const std::string& node : split_nodes(v.nodes)) {
    if (witness != kWitness.end()) {
      if (const auto id = latest_reach(trace, witness->second, node, v.time)) ids.insert(*id);
    } else if (rule != nullptr) {
      // The reach that broke the rule, and the first reach of what should have come before.
      if (const auto id = trace.first_milestone(rule->after, node)) ids.insert(*id);
      if (rule->before.empty()) continue;
      const auto before = rule->same_node ? trace.first_milestone(rule->before, node)
                                          : first_anywhere(trace, rule->before);
      if (before) ids.insert(*before);
    }
  }
  return {ids.begin(), ids.end()};
}

std::string explanation(const Violation& v, const RuleResult* rule) {
  if (const auto it = kMeaning.find(v.rule); it != kMeaning.end()) {
    return fmt::format("{} ({}).", it->second, v.nodes);
  }
  if (rule != nullptr && rule->within) {
    return fmt::format(
        "the cluster did not recover: {} was not reached within {} after the "
        "last fault healed.",
        rule->after, sim::format_duration(*rule->within));
  }
  if (rule != nullptr) {
    return fmt::format(
        "on {}, {} came before {} had been reached {}, against the boot order "
        "this rule encodes.",
        v.nodes, rule->after, rule->before, rule->same_node ? "there" : "anywhere");
  }
  return fmt::format("{} does not hold ({}).", v.rule, v.nodes);
}

}  // namespace

void explain_violations(const sim::Trace& trace, const std::vector<RuleResult>& rules,
                        std::vector<Violation>& violations) {
  for (Violation& v : violations) {
    const auto it = std::find_if(rules.begin(), rules.end(),
                                 [&](const RuleResult& r) { return r.rule == v.rule; });
    const RuleResult* rule = it == rules.end() ? nullptr : &*it;
    v.evidence = evidence(trace, v, rule);
    v.explanation = explanation(v, rule);
    if (!v.explanation.empty())
      v.explanation[0] = static_cast<char>(std::toupper(v.explanation[0]));
  }
}

}  // namespace bootsim::models
