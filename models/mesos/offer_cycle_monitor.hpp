// OfferCycleMonitor: the safety properties of agent registration, the offer cycle and the
// schedulers, checked by observing the run; no model calls it.
//
//   OfferCycleMonitor monitor(ctx);  // subscribes; one per run, alive while the run records
//
// - "agent-registers-with-leader": an agent.registered milestone is caused by the admitting
//   master's `admit_agent` event (component "mesos-master", node = the master); that master
//   must lead at that instant (its `leading` phase event seen, its process not ended since).
// - "offer-for-registered-agent": each `offered` event (component "mesos-master", node = the
//   agent) is caused by the agent's agent.registered milestone, and the agent has not been
//   marked `unreachable` since.
// - "task-within-offer": the `task_launched` events (component "mesos-master") of one offer,
//   each naming its `offered` record (argument "offer"), together take no more of any resource
//   (arguments cpus_m, mem, disk, ports) than the offer carried.
// - "framework-id-confirmed": a scheduler's `framework_id_write` (component "scheduler", node =
//   the framework's name, argument framework_id) writes an id that a master confirmed to that
//   framework before (a `framework_registered` event of component "mesos-master").
// - "first-task-after-install": a scheduler.first_task_running milestone comes only once some
//   master has had Admin Router (adminrouter.started) and Cosmos (the `serving` event of
//   component "cosmos") up together: services are installed through them (DC/OS 1.9).
// Contract: reads typed record fields (kind, node, component, name, cause, arguments), never
// detail text; a violation is reported at the instant of the record that breaks the property.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>

#include "models/core/run_context.hpp"
#include "models/mesos/resources.hpp"

namespace bootsim::models {

class OfferCycleMonitor {
 public:
  explicit OfferCycleMonitor(RunContext& ctx);
  OfferCycleMonitor(const OfferCycleMonitor&) = delete;
  OfferCycleMonitor& operator=(const OfferCycleMonitor&) = delete;

 private:
  void on_record(sim::RecordId id);
  void on_master_event(const sim::TraceRecord& r);
  void on_milestone(sim::RecordId id, const sim::TraceRecord& r);
  void check_registration(sim::RecordId id, const sim::TraceRecord& r);
  void check_offer(const sim::TraceRecord& r);
  void check_launch(const sim::TraceRecord& r);
  void check_id_write(const sim::TraceRecord& r);
  void check_first_task(const sim::TraceRecord& r);
  void note_install_path(std::string_view master);
  mesos::Resources resources_of(const sim::TraceRecord& r) const;
  const sim::TraceRecord* offered_record(sim::RecordId id) const;

  RunContext& ctx_;
  std::set<std::string, std::less<>> leaders_;
  // Per agent: the agent.registered milestone that is current (erased when unreachable).
  std::map<std::string, sim::RecordId, std::less<>> registered_;
  // Per offer that launched tasks (its `offered` record): what its launches have left of it.
  std::map<sim::RecordId, mesos::Resources> offer_left_;
  std::set<std::pair<std::string, std::string>> confirmed_;        // (framework name, id)
  std::set<std::string, std::less<>> adminrouter_up_, cosmos_up_;  // masters serving now
  bool install_path_served_ = false;  // some master had both up together
};

}  // namespace bootsim::models
