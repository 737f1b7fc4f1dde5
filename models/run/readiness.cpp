#include "models/run/world.hpp"

#include <algorithm>

#include "models/core/host_store.hpp"

namespace bootsim::models {

void World::watch_cluster_milestones(sim::RecordId id) {
  const sim::TraceRecord& r = trace_.at(id);
  const std::string key = r.name + "@" + r.node;
  if (!reached_.count(key)) reached_[key] = id;
  if (r.name == "agent.available" || r.name == "ui.accessible") check_visible_in_ui();
  check_ready();
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
  for (const HostInfo& a : topology_.agents) {
    const auto it = reached_.find("agent.available@" + a.name);
    if (it == reached_.end() || visible_.count(a.name)) continue;
    visible_.insert(a.name);
    ctx_.milestone(a.name, "agent.visible_in_ui", "listed by the DC/OS UI",
                   std::max(*it->second, *ui));
  }
}

void World::check_ready() {
  auto all_reached = [&](const std::vector<HostInfo>& hosts, auto& names,
                         std::optional<sim::RecordId>& last) {
    for (const HostInfo& h : hosts) {
      for (std::string_view n : names) {
        const auto it = reached_.find(std::string(n) + "@" + h.name);
        if (it == reached_.end()) return false;
        last = std::max(last.value_or(0), *it->second);
      }
    }
    return true;
  };
  if (!masters_ready_) {
    std::optional<sim::RecordId> last;
    if (all_reached(topology_.masters, kMasterReady, last)) {
      masters_ready_ = true;
      ctx_.milestone("cluster", "cluster.masters_ready", {}, last);
    }
  }
  if (!agents_ready_) {
    std::optional<sim::RecordId> last;
    if (all_reached(topology_.agents, kAgentReady, last)) {
      agents_ready_ = true;
      ctx_.milestone("cluster", "cluster.agents_ready", {}, last);
    }
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
