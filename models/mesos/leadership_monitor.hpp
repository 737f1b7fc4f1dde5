// LeadershipMonitor: the safety property "at most one Mesos master leading at any simulated
// instant", checked by observing the run; no model calls it.
//
//   LeadershipMonitor monitor(ctx);  // subscribes; one per run, alive while the run records
//   ... run ...
//   for (const auto& o : monitor.overlaps()) { ... o.first, o.second, o.from, o.to ... }
//
// Contract: a master begins leading when its `leading` phase event is recorded (component
// "mesos-master", right before its mesos-master.leading milestone), and stops when its process
// ends (RunContext::process_exited for the "mesos-master" model: exit, kill, host down). Any
// overlap is reported at the instant it begins as ctx.violation("single-mesos-leader", …), and
// its end is traced when one of the two stops. Exact: no sampling. Reads typed record fields
// (node, component, name), never detail text.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/core/run_context.hpp"

namespace bootsim::models {

class LeadershipMonitor {
 public:
  struct Overlap {
    std::string first;   // led first
    std::string second;  // began leading while `first` still led
    sim::SimTime from;
    std::optional<sim::SimTime> to;  // unset while both still lead
  };
  explicit LeadershipMonitor(RunContext& ctx);
  LeadershipMonitor(const LeadershipMonitor&) = delete;
  LeadershipMonitor& operator=(const LeadershipMonitor&) = delete;

  // Who leads now, with the time each began, by name.
  const std::map<std::string, sim::SimTime>& leaders() const { return leaders_; }
  const std::vector<Overlap>& overlaps() const { return overlaps_; }

 private:
  void begin_leading(const std::string& master);
  void end_leading(const std::string& master);

  RunContext& ctx_;
  std::map<std::string, sim::SimTime> leaders_;
  std::vector<Overlap> overlaps_;
};

}  // namespace bootsim::models
