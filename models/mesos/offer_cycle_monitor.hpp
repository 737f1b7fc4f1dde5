// OfferCycleMonitor: two safety properties of agent registration and the offer cycle, checked
// by observing the run; no model calls it.
//
//   OfferCycleMonitor monitor(ctx);  // subscribes; one per run, alive while the run records
//
// - "agent-registers-with-leader": an agent.registered milestone is caused by the admitting
//   master's `admit_agent` event (component "mesos-master", node = the master); that master
//   must lead at that instant (its `leading` phase event seen, its process not ended since).
// - "offer-for-registered-agent": each `offered` event (component "mesos-master", node = the
//   agent) is caused by the agent's agent.registered milestone, and the agent has not been
//   marked `unreachable` since.
// Contract: reads typed record fields (kind, node, component, name, cause), never detail text;
// a violation is reported at the instant of the record that breaks the property.
#pragma once

#include <map>
#include <set>
#include <string>

#include "models/core/run_context.hpp"

namespace bootsim::models {

class OfferCycleMonitor {
 public:
  explicit OfferCycleMonitor(RunContext& ctx);
  OfferCycleMonitor(const OfferCycleMonitor&) = delete;
  OfferCycleMonitor& operator=(const OfferCycleMonitor&) = delete;

 private:
  void on_record(sim::RecordId id);
  void check_registration(sim::RecordId id, const sim::TraceRecord& r);
  void check_offer(const sim::TraceRecord& r);

  RunContext& ctx_;
  std::set<std::string> leaders_;
  // Per agent: the agent.registered milestone that is current (erased when unreachable).
  std::map<std::string, sim::RecordId> registered_;
};

}  // namespace bootsim::models
