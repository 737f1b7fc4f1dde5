// The building blocks of a systemd-like unit: gates (ExecStartPre probes) and the main process.
//
// A unit is: attempt → run its gates in order → a failed gate ends the attempt, wait RestartSec,
// attempt again, forever (DC/OS: Restart=always, StartLimitInterval=0) → exec the main process.
// The unit machine itself lives in models/systemd/systemd_unit.hpp; this header is what models
// implement, following the contract in models/core/README.md.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/core/source_location.hpp"
#include "models/core/topology.hpp"
#include "sim/distribution.hpp"
#include "sim/network.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"
#include "sim/trace.hpp"

namespace bootsim::models {

class RunContext;

// The definition of a unit, as a profile gives it (plain data).
//
// One ExecStartPre step. `kind` names a gate in the registry (registry.hpp), e.g. "ping",
// "bootstrap", "file"; `arg` is its argument, e.g. "leader.mesos".
struct GateDef {
  std::string kind;
  std::string arg;
  std::string milestone;   // recorded on the node when this gate first passes (optional)
  SourceLocation where{};  // where the profile declares it (for errors)
  std::string text() const { return arg.empty() ? kind : kind + " " + arg; }
};

enum class UnitType { kService, kTimer };

// Restart=: `always` restarts after any end of the process, a clean exit included;
// `on-failure` only after a failed ExecStartPre, a non-zero exit or a signal (systemd.service(5)).
enum class RestartPolicy { kAlways, kOnFailure };

struct UnitDef {
  std::string name;  // systemd unit name without ".service", e.g. "dcos-mesos-master"
  std::vector<Role> roles;
  UnitType type = UnitType::kService;
  sim::SimTime restart_sec = sim::seconds(5);
  RestartPolicy restart = RestartPolicy::kAlways;
  // The roles whose dcos.target wants the service, i.e. where a boot starts it; empty: every
  // role of `roles`. Elsewhere only its calendar timer starts it.
  std::vector<Role> wanted_by;
  std::vector<GateDef> gates;
  std::vector<std::string> after;   // After= (hard orderings: they must not form a cycle)
  std::string process = "generic";  // main-process model in the registry
  sim::Distribution start;          // exec → ready, for the main process
  std::string milestone;            // recorded when the unit is up (optional)
  // Timers only (OnBootSec, OnUnitActiveSec).
  sim::SimTime on_boot_sec;
  sim::SimTime on_unit_active_sec;
  // Services only: a companion .timer with OnCalendar= (Unit= this service) on every role of
  // `roles`, elapsing at each multiple of this period of the wall clock; zero: none.
  sim::SimTime on_calendar;
  std::string source;      // where the unit's definition comes from
  SourceLocation where{};  // where the profile declares it (for errors)

  bool runs_on(Role r) const;
  bool wanted_on(Role r) const;  // started by a boot on this role
};

// Where a gate or a process runs. The names are views of strings that live as long as the run
// (the network's node name, the profile's unit name): there is a site for every unit of every
// host, and most unit names are too long for a std::string's inline buffer.
struct UnitSite {
  sim::NodeId node;
  std::string_view node_name;
  std::string_view unit;  // unit name, e.g. "dcos-mesos-master"
  sim::ProcessId probe;   // the process that runs this unit's ExecStartPre commands
};

// The outcome of one probe, with the record that made it pass (for critical chains).
struct GateResult {
  bool ok = false;
  std::string reason{};  // why it failed, e.g. "leader.mesos: NXDOMAIN"
  std::optional<sim::RecordId> cause{};
};

// One ExecStartPre step. probe() takes simulated time (a DNS query, an HTTP call, a timeout) and
// calls `done` exactly once, unless the node dies first. The run's context comes with the
// constructor; the context outlives the gate.
class Gate {
 public:
  explicit Gate(RunContext& ctx) : ctx_(ctx) {}
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;
  virtual ~Gate() = default;
  virtual std::string_view name() const = 0;  // e.g. "ping -c1 leader.mesos"
  virtual void probe(const UnitSite& site, std::function<void(GateResult)> done) = 0;

 protected:
  // Calls `done(result)` after `delay` on the site's probe process (not if that process dies
  // first): how a gate that needs no network exchange answers, after the time its command takes.
  void answer_after(const UnitSite& site, sim::SimTime delay, std::function<void(GateResult)> done,
                    GateResult result) const;

  RunContext& ctx_;
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
  // The process has done its work and exits with status 0: Restart=always starts it again
  // after RestartSec, Restart=on-failure leaves the unit inactive.
  virtual void finished(std::string detail) = 0;
};

// The behaviour of a unit's main process: a model derives from this and implements on_ready()
// (and on_spawned(), on_exit() where it needs them). Every exec opens the same way, here:
// keep the site, the process and the unit's control; on_spawned(); draw the start time (exec →
// ready) from the incarnation's stream; once it has passed, on_ready() — which typically calls
// control_->mark_started(…) first. The start timer is the process's own, so it dies with the
// incarnation: a process killed while starting never becomes ready.
//
//   class Foo final : public UnitProcess {
//    public:
//     Foo(RunContext& ctx, sim::Distribution start) : UnitProcess(ctx, std::move(start)) {}
//    private:
//     void on_ready() override { control_->mark_started("listening"); /* … */ }
//   };
class UnitProcess {
 public:
  // `start`: exec → ready, drawn afresh for each incarnation from the stream
  // ctx.stream(process, stream_purpose), i.e. "<node>/<unit>/start/<incarnation>"; nullopt:
  // ready at exec, nothing drawn and no timer (a oneshot such as gen-resolvconf).
  UnitProcess(RunContext& ctx, std::optional<sim::Distribution> start,
              std::string_view stream_purpose = "start")
      : ctx_(ctx), start_(std::move(start)), stream_purpose_(stream_purpose) {}
  UnitProcess(const UnitProcess&) = delete;
  UnitProcess& operator=(const UnitProcess&) = delete;
  virtual ~UnitProcess() = default;

  // The unit machine exec'd the main process as `process` (already up in the network). `site`
  // must outlive this model (the unit's own).
  void on_exec(const UnitSite& site, sim::ProcessId process, UnitControl& control);
  // The process is gone (crashed, killed, host down, or exited): forget its volatile state.
  virtual void on_exit() {}
  // SIGHUP reached the running process (HostStore::signal_unit): a model whose real process
  // reloads on it (nginx) overrides this; nothing sends it to the others.
  virtual void on_hangup() {}

 protected:
  // At exec, before the start time: what the process does at once (bind its ports, say).
  virtual void on_spawned() {}
  // The start time has passed and the process still runs.
  virtual void on_ready() = 0;

  RunContext& ctx_;
  // The unit's site, set at the first exec: the unit owns its process model, so it outlives it.
  const UnitSite* site_ = nullptr;
  sim::ProcessId process_;
  UnitControl* control_ = nullptr;
  // The current incarnation's stream, when the process has a start time: the start time was its
  // first draw, and a model may go on drawing from it (the agent's registration back-off).
  std::optional<sim::RandomStream> rng_;

 private:
  std::optional<sim::Distribution> start_;
  std::string_view stream_purpose_;  // a literal: "start", or "" for the agent (agent.hpp)
};

}  // namespace bootsim::models
