#include "models/run/world.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "models/core/host_store.hpp"

namespace bootsim::models {

void World::watch_cluster_milestones(sim::RecordId id) {
  const sim::TraceRecord& r = trace_.at(id);
  const bool first = reached_.try_emplace(fmt::format("{}@{}", r.name(), r.node()), id).second;
  if (r.name() == "agent.available") {
    if (first) note_available(std::string(r.node()));
    check_visible_in_ui();
  } else if (r.name() == "ui.accessible") {
    check_visible_in_ui();
  }
  check_ready();
}

void World::note_available(const std::string& agent) {
  if (agent_index_.size() != topology_.agents.size()) {
    agent_index_.clear();
    for (std::size_t i = 0; i < topology_.agents.size(); ++i) {
      agent_index_.emplace(topology_.agents[i].name, i);
    }
  }
  if (const auto it = agent_index_.find(agent); it != agent_index_.end()) {
    available_unlisted_.insert(it->second);
  }
}

void World::check_visible_in_ui() {
  // The DC/OS UI lists nodes from Mesos' state, which it reads through Admin Router.
  std::optional<sim::RecordId> ui;
  for (const HostInfo& m : topology_.masters) {
    const auto it = reached_.find("ui.accessible@" + m.name);
    if (it != reached_.end() && ctx_.host(m.node).find(host_path::listening("dcos-adminrouter"))) {
      ui = it->second;
      break;
    }
  }
  if (!ui) return;
  // Only the agents available and not yet listed, in topology order (walking every agent on
  // every agent.available made a boot quadratic in its agents).
  const std::set<std::size_t> listed = std::exchange(available_unlisted_, {});
  for (const std::size_t i : listed) {
    const HostInfo& a = topology_.agents[i];
    if (!visible_.insert(a.name).second) continue;
    ctx_.milestone(a.name, "agent.visible_in_ui", "listed by the DC/OS UI",
                   std::max(*reached_.at("agent.available@" + a.name), *ui));
  }
}

bool World::ReadyCursor::advance(const World& world, const std::vector<HostInfo>& hosts,
                                 std::span<const std::string_view> names) {
  // Reaches are never taken back, so the hosts found ready once stay ready: resume from the
  // first host that was not (checking every host on every milestone was quadratic).
  for (; next < hosts.size(); ++next) {
    for (const std::string_view n : names) {
      const auto it = world.reached_.find(std::string(n) + "@" + hosts[next].name);
      if (it == world.reached_.end()) return false;
      last = std::max(last.value_or(0), *it->second);
    }
  }
  return true;
}

void World::check_ready() {
  if (!masters_ready_ && masters_cursor_.advance(*this, topology_.masters, kMasterReady)) {
    masters_ready_ = true;
    ctx_.milestone("cluster", "cluster.masters_ready", {}, masters_cursor_.last);
  }
  if (!agents_ready_ && agents_cursor_.advance(*this, topology_.agents, kAgentReady)) {
    agents_ready_ = true;
    ctx_.milestone("cluster", "cluster.agents_ready", {}, agents_cursor_.last);
  }
  if (ready_ || !masters_ready_ || !agents_ready_) return;
  std::optional<sim::RecordId> last = std::max(*reached_["cluster.masters_ready@cluster"],
                                               *reached_["cluster.agents_ready@cluster"]);
  // Every service runs all its tasks; Marathon's tasks are the installed services' schedulers.
  std::vector<std::string> needed;
  if (services_.empty()) {
    needed.push_back("scheduler.registered@marathon");
  } else {
    needed.push_back("scheduler.first_task_running@marathon");
  }
  for (const ServiceSpec& s : scenario_.services) {
    needed.push_back("scheduler.first_task_running@" + s.name);
    needed.push_back("all_tasks_running@" + s.name);
  }
  for (const std::string& n : needed) {
    const auto it = reached_.find(n);
    if (it == reached_.end()) return;
    last = std::max(*last, *it->second);
  }
  ready_ = true;
  ctx_.milestone("cluster", "cluster.ready", {}, last);
  // Without faults nothing more can happen that a boot report is about; with faults the run
  // goes on to `until`, so that recoveries after cluster.ready are seen.
  // (--stop-at-ready: or once no fault is still to fire or to undo.)
  const bool faults_over =
      fault_timers_ == 0 && std::count(fault_fired_.begin(), fault_fired_.end(), true) ==
                                static_cast<std::ptrdiff_t>(faults_.size());
  if (faults_.empty() || (stop_at_ready_ && faults_over)) engine_.stop();
}

}  // namespace bootsim::models
