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

std::vector<RuleSpec> builtin_rules(const std::string& profile) {
  std::vector<RuleSpec> rules;
  auto node = [&](std::string before, std::string after) {
    rules.push_back(RuleSpec{before + " < " + after, before, after, true, {}});
  };
  auto cluster = [&](std::string before, std::string after) {
    rules.push_back(RuleSpec{before + " < " + after + " (cluster)", before, after, false, {}});
  };
  // Masters, in the seed's order.
  node("exhibitor.started", "zookeeper.started");
  node("zookeeper.started", "zookeeper.serving");
  node("zookeeper.serving", "mesos-master.started");
  node("mesos-master.started", "mesos-master.contending");
  node("mesos-master.contending", "mesos-master.leading");
  node("zookeeper.serving", "mesos-dns.started");
  node("mesos-dns.started", "mesos-dns.leader_record");
  cluster("mesos-master.elected", "mesos-dns.leader_record");
  cluster("mesos-dns.leader_record", "marathon.started");
  node("dns-proxy.started", "adminrouter.started");
  cluster("mesos-master.leading", "adminrouter.started");
  cluster("mesos-dns.leader_record", "adminrouter.started");
  node("adminrouter.started", "ui.accessible");
  node("zookeeper.serving", "auth.started");
  cluster("mesos-dns.leader_record", "history.started");
  cluster("zookeeper.quorum", "mesos-master.elected");
  cluster("mesos-master.elected", "mesos-master.leading");
  // Every node.
  node("dns-proxy.started", "dns-proxy.leader_resolvable");
  cluster("mesos-dns.leader_record", "dns-proxy.leader_resolvable");
  // Agents.
  if (profile == "dcos-1.9") node("agent.leader_pingable", "agent.started");
  node("agent.started", "agent.detected_leader");
  node("agent.detected_leader", "agent.registered");
  cluster("mesos-master.leading", "agent.registered");
  node("agent.registered", "agent.connected_back");
  node("agent.connected_back", "agent.available");
  node("agent.available", "agent.visible_in_ui");
  // Services.
  node("scheduler.started", "scheduler.detected_leader");
  node("scheduler.detected_leader", "scheduler.registered");
  node("scheduler.registered", "scheduler.framework_id_stored");
  node("scheduler.registered", "scheduler.first_offer");
  node("scheduler.first_offer", "scheduler.first_task_running");
  cluster("marathon.started", "scheduler.started");
  return rules;
}

}  // namespace bootsim::models
