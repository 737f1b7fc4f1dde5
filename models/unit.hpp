// The building blocks of a systemd-like unit: gates (ExecStartPre probes) and the main process.
//
// A unit is: attempt → run its gates in order → a failed gate ends the attempt, wait RestartSec,
// attempt again, forever (DC/OS: Restart=always, StartLimitInterval=0) → exec the main process.
// The unit machine itself lives in systemd_unit.hpp; this header is what models implement.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "sim/network.hpp"
#include "sim/time.hpp"
#include "sim/trace.hpp"

namespace bootsim::models {

class RunContext;

// Where a gate or a process runs.
struct UnitSite {
  RunContext* ctx = nullptr;
  sim::NodeId node;
  std::string node_name;
  std::string unit;      // unit name, e.g. "dcos-mesos-master"
  sim::ProcessId probe;  // the process that runs this unit's ExecStartPre commands
};

// The outcome of one probe, with the record that made it pass (for critical chains).
struct GateResult {
  bool ok = false;
  std::string reason{};  // why it failed, e.g. "leader.mesos: NXDOMAIN"
  std::optional<sim::RecordId> cause{};
};

// One ExecStartPre step. probe() takes simulated time (a DNS query, an HTTP call, a timeout) and
// calls `done` exactly once, unless the node dies first.
class Gate {
 public:
  virtual ~Gate() = default;
  virtual std::string_view name() const = 0;  // e.g. "ping -c1 leader.mesos"
  virtual void probe(const UnitSite& site, std::function<void(GateResult)> done) = 0;
};

// What the main process may tell its unit.
class UnitControl {
 public:
  virtual ~UnitControl() = default;
  // The unit counts as up now (its milestone is recorded); `detail` goes in the trace. Returns
  // the record that says so (the milestone, or the start span of a unit without one), for
  // models to give as the cause of what they publish; nullopt if the unit was not starting.
  virtual std::optional<sim::RecordId> mark_started(std::string detail = {}) = 0;
  // The process exits on its own (e.g. a Mesos master committing suicide); systemd restarts it
  // after RestartSec.
  virtual void exit(std::string reason) = 0;
};

// The behaviour of a unit's main process. Generic units only take a start duration; units with
// a protocol model (Exhibitor, Mesos master, …) implement this.
class UnitProcess {
 public:
  virtual ~UnitProcess() = default;
  // The main process was exec'd as `process` (already up in the network).
  virtual void on_exec(const UnitSite& site, sim::ProcessId process, UnitControl& control) = 0;
  // The process is gone (crashed, killed, host down, or exited): forget its volatile state.
  virtual void on_exit() {}
};

}  // namespace bootsim::models
