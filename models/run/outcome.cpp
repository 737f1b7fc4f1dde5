#include "models/run/world.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "models/core/milestones.hpp"

namespace bootsim::models {

RunResult World::collect() {
  trace_.drop_released();  // what a run at --trace none returns: only what it reads back
  RunResult r;
  r.scenario = scenario_.name;
  r.profile = profile_.name;
  r.seed = engine_.seed();
  r.until = until_;
  r.ended_at = engine_.now();
  r.ended_by = ended_by_;
  r.settle_window = settle_window_;
  r.max_events = max_events_;
  r.max_trace_records = max_trace_records_;
  r.events = engine_.events_processed();
  // Sized first: at the end of a run, when every model still lives, a doubling's slack and
  // copy were the peak's last megabytes (9 MB at 10,000 agents).
  std::size_t unit_count = 0;
  for (const Host& h : hosts_) unit_count += h.units.size();
  r.nodes.reserve(hosts_.size() + 1 + scenario_.services.size());
  r.units.reserve(unit_count);
  for (const Host& h : hosts_) {
    r.nodes.push_back(h.info.name);
    for (const auto& u : h.units) r.units.push_back({h.info.name, u->name(), h.info.role});
  }
  r.nodes.push_back("marathon");
  for (const ServiceSpec& s : scenario_.services) r.nodes.push_back(s.name);
  for (const auto& [k, v] : params_.overrides()) r.overrides.push_back(k + "=" + v);
  r.scenario_file = scenario_.file;
  r.scenario_hash = scenario_.text_hash;
  for (const ParamSpec& p : parameter_table()) {
    r.parameters.emplace_back(std::string(p.key), params_.text(p.key).value_or(""));
  }
  for (const auto& [k, v] : params_.overrides()) {
    if (k.starts_with("units.") || k.starts_with("zones.")) r.parameters.emplace_back(k, v);
  }
  r.violations = ctx_.violations();
  r.rules = check_rules(trace_, builtin_rules(profile_), true);
  auto user = check_rules(trace_, scenario_.rules, false);
  r.rules.insert(r.rules.end(), user.begin(), user.end());
  const bool settled = ended_by_ == "settled" || ended_by_ == "cluster.ready";
  for (const LivenessSpec& l : builtin_liveness_rules()) {
    r.rules.push_back(check_liveness(trace_, l, healing_, engine_.now(), settled, true));
  }
  for (const LivenessSpec& l : scenario_.liveness) {
    r.rules.push_back(check_liveness(trace_, l, healing_, engine_.now(), settled, false));
  }
  for (const RuleResult& rr : r.rules) {
    r.violations.insert(r.violations.end(), rr.violations.begin(), rr.violations.end());
  }
  explain_violations(trace_, r.rules, r.violations);
  for (const LeadershipMonitor::Overlap& o : leadership_.overlaps()) {
    r.leader_overlaps.push_back({o.first, o.second, o.from, o.to});
  }
  for (const BudgetSpec& b : scenario_.budgets) {
    if (!b.quantile_bp) r.budgets.push_back(budget_result(b));  // a quantile is a sweep's
  }
  for (const std::string_view m : milestone_names()) {
    r.milestone_times.push_back(budget_result(BudgetSpec{std::string(m), {}, {}, {}, {}}).actual);
  }
  if (const auto ready = trace_.first_milestone("cluster.ready", "cluster")) {
    r.ready_at = trace_.at(*ready).time;
    // find(): a cause a sparse trace did not keep (a model that held an id without keeping it,
    // which the tests look for) ends the chain there rather than the run.
    for (std::optional<sim::RecordId> c = *ready; c;) {
      const sim::TraceRecord* rec = trace_.find(*c);
      if (rec == nullptr) break;
      r.critical_chain.push_back(*c);
      c = rec->cause();
    }
  } else {
    r.not_reached = not_reached();
  }
  for (std::size_t i = 0; i < faults_.size(); ++i) {
    if (i >= fault_fired_.size() || !fault_fired_[i]) r.faults_not_fired.push_back(faults_[i].text);
  }
  r.dns = leader_windows(host_names(), elections(), lookups_);
  r.fingerprint = trace_.fingerprint();
  r.trace = std::move(trace_);
  return r;
}

std::vector<std::string> World::host_names() const {
  std::vector<std::string> names;
  for (const Host& h : hosts_) names.push_back(h.info.name);
  return names;
}

// Every mesos-master.elected, with the master it elected.
std::vector<Election> World::elections() const {
  std::vector<Election> out;
  for (const sim::RecordId id : trace_.milestones_named("mesos-master.elected")) {
    if (const auto who = ctx_.subject(id)) out.push_back({trace_.at(id).time, std::string(*who)});
  }
  return out;
}

// The nodes a budget's milestone applies to: every node of its scope (per-node milestones), or
// none (cluster milestones, and mesos-master.leading, which one master reaches at a time).
std::vector<std::string> World::budget_nodes(const std::string& milestone) const {
  std::vector<std::string> expected;
  const auto scope = milestone_scope(milestone);
  if (!scope || milestone == "mesos-master.leading") return expected;
  for (const Host& h : hosts_) {
    const bool master = h.info.role == Role::kMaster;
    if ((*scope == MilestoneScope::kMaster && master) ||
        (*scope == MilestoneScope::kAgent && !master) || *scope == MilestoneScope::kEveryNode) {
      expected.push_back(h.info.name);
    }
  }
  if (*scope == MilestoneScope::kService) {
    expected.push_back("marathon");
    for (const ServiceSpec& s : scenario_.services) expected.push_back(s.name);
  }
  return expected;
}

// A per-node milestone counts when every node it applies to has reached it; one that applies
// to no node in particular, when any has.
BudgetResult World::budget_result(const BudgetSpec& b) const {
  BudgetResult br{b.milestone, b.within, std::nullopt, false};
  std::map<std::string, sim::SimTime> first;
  for (const sim::RecordId id : trace_.milestones_named(b.milestone)) {
    first.try_emplace(std::string(trace_.at(id).node()), trace_.at(id).time);
  }
  const std::vector<std::string> expected = budget_nodes(b.milestone);
  if (expected.empty() && !first.empty()) {
    br.actual = first.begin()->second;
    for (const auto& [n, t] : first) br.actual = std::min(*br.actual, t);
  } else if (!expected.empty()) {
    bool all = true;
    sim::SimTime latest;
    for (const std::string& n : expected) {
      const auto it = first.find(n);
      if (it == first.end()) {
        all = false;
        break;
      }
      latest = std::max(latest, it->second);
    }
    if (all) br.actual = latest;
  }
  br.ok = br.actual && *br.actual <= b.within;
  return br;
}

// Say what is missing, layer by layer, so that "no cluster.ready" is never the whole story.
std::vector<std::string> World::not_reached() const {
  std::vector<std::string> out;
  if (!trace_.first_milestone("zookeeper.quorum", "cluster")) {
    out.push_back("zookeeper.quorum: no ZooKeeper quorum formed");
  }
  if (!trace_.first_milestone("mesos-master.elected", "cluster")) {
    out.push_back("mesos-master.elected: no Mesos master was elected");
  }
  for (const Host& h : hosts_) {
    const auto& names =
        h.info.role == Role::kMaster
            ? std::vector<std::string_view>(std::begin(kMasterReady), std::end(kMasterReady))
            : std::vector<std::string_view>(std::begin(kAgentReady), std::end(kAgentReady));
    std::vector<std::string> missing;
    for (std::string_view n : names) {
      if (!reached_.count(std::string(n) + "@" + h.info.name)) missing.emplace_back(n);
    }
    if (!missing.empty()) {
      out.push_back(fmt::format("{}: {}", h.info.name, fmt::join(missing, ", ")));
    }
  }
  for (const ServiceSpec& s : scenario_.services) {
    if (!reached_.count("all_tasks_running@" + s.name)) {
      out.push_back(fmt::format("{}: not all of its {} instances running", s.name, s.instances));
    }
  }
  return out;
}

std::vector<std::string> RunResult::ineffective_faults() const {
  std::vector<std::string> out;
  for (const sim::TraceRecord& rec : trace.records()) {
    if (rec.type != sim::RecordType::kFault) continue;
    if (rec.name() == "no_target")
      out.push_back(fmt::format("fault found no target: {}", rec.detail()));
    if (rec.name() == "not_running")
      out.push_back(fmt::format("fault found nothing running: {}", rec.detail()));
  }
  for (const std::string& text : faults_not_fired) {
    out.push_back("fault never fired (its time never came): " + text);
  }
  return out;
}

}  // namespace bootsim::models
