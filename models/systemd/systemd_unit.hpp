// SystemdUnit: one systemd unit on one node, as DC/OS configures them — Restart=always,
// StartLimitInterval=0, ExecStartPre gates, RestartSec — or a timer with OnBootSec and
// OnUnitActiveSec.
//
//   SystemdUnit unit(ctx, site, def, std::move(gates), std::move(process));
//   unit.boot();  // at host boot: dcos.target starts every unit at once
//
// Contract: one transition function (`transition`) changes the state and traces it; every
// attempt, gate failure and restart is in the trace, with spans for time spent waiting on gates
// and starting. The unit owns its gates and its process model; it lives as long as the run.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/core/run_context.hpp"
#include "models/core/unit.hpp"
#include "models/systemd/profile.hpp"

namespace bootsim::models {

enum class UnitState {
  kInactive,     // host down, or never started
  kStartPre,     // running ExecStartPre gates
  kStarting,     // main process exec'd, not ready yet
  kActive,       // up: its milestone has been recorded
  kAutoRestart,  // waiting RestartSec before the next attempt
  kPaused,       // main process stopped (SIGSTOP): alive but silent
};
std::string_view to_string(UnitState s);

class SystemdUnit final : public UnitControl, public SignalTarget {
 public:
  SystemdUnit(RunContext& ctx, UnitSite site, const UnitDef& def,
              std::vector<std::unique_ptr<Gate>> gates, std::unique_ptr<UnitProcess> process,
              bool wanted_at_boot = true);
  SystemdUnit(const SystemdUnit&) = delete;
  SystemdUnit& operator=(const SystemdUnit&) = delete;

  // After=: this unit's start job waits for `other`'s start job of the same boot transaction.
  void order_after(SystemdUnit& other);
  // The host booted: start the unit (services this role's dcos.target wants) or arm OnBootSec
  // (timers); arm the OnCalendar= timer of a service that has one.
  void boot();
  // The host lost power: everything stops without a word.
  void host_down();
  // Faults on the main process.
  void kill_process(std::string reason);
  void pause_process();
  void resume_process();
  // An operator's `systemctl stop`: the main process is killed (SIGTERM, then SIGKILL) and,
  // the unit being stopped rather than failed, Restart=always does not start it again; any
  // pending ExecStartPre or RestartSec wait is cancelled. `systemctl start` begins a new
  // attempt, gates first. Both do nothing to a timer unit or when there is nothing to do.
  void stop_by_operator(std::string reason);
  void start_by_operator();

  UnitState state() const { return state_; }
  const std::string& name() const { return def_.name; }
  const UnitSite& site() const { return site_; }
  sim::ProcessId main_process() const { return main_; }
  bool main_running() const { return main_running_; }
  int attempts() const { return attempts_; }
  // When the unit last became active, if it is.
  std::optional<sim::SimTime> active_since() const { return active_since_; }
  // When the first attempt of the current boot began (for blame-like reports).
  sim::SimTime first_attempt() const { return first_attempt_; }

  // UnitControl
  std::optional<sim::RecordId> mark_started(std::string detail) override;
  void exit(std::string reason) override;
  void finished(std::string detail) override;
  // SignalTarget: another process on the host signals the main process (HostStore). SIGKILL
  // kills it as a crash does (Restart= restarts it); SIGHUP goes to the process model, held
  // while it is paused.
  void deliver(Signal s, std::string_view sender) override;

 private:
  std::optional<sim::RecordId> transition(UnitState next, std::string_view why,
                                          sim::ArgList args = {});
  void attempt();
  void run_gate(std::size_t index, std::uint64_t attempt_token);
  void exec_main(std::optional<sim::RecordId> cause);
  void schedule_restart();
  void fire_timer();
  void arm_calendar();
  void oneshot_done();
  void stop_main();
  void report_exit();  // to the run's observers (RunContext::process_exited)
  void start_job_done();
  bool after_satisfied() const;

  RunContext& ctx_;
  UnitSite site_;
  const UnitDef& def_;
  std::vector<std::unique_ptr<Gate>> gates_;
  std::unique_ptr<UnitProcess> process_;
  sim::ProcessId main_;  // the main process, created once; started on each exec
  UnitState state_ = UnitState::kInactive;
  int attempts_ = 0;
  std::uint64_t token_ = 0;  // invalidates callbacks of earlier attempts and boots
  bool wanted_at_boot_;
  std::uint64_t calendar_token_ = 0;  // invalidates the OnCalendar= timer of an earlier boot
  std::optional<sim::RecordId> last_gate_cause_;
  std::optional<sim::RecordId> exec_record_;
  sim::SimTime attempt_began_;
  sim::SimTime gates_passed_at_;
  sim::SimTime first_attempt_;
  std::optional<sim::SimTime> active_since_;
  // How many gates have passed at least once in this boot: gates run in order from the first
  // at every attempt, so those are always the first ones, and a gate passing at this index
  // passes for the first time (its milestone is recorded then).
  std::size_t gates_passed_this_boot_ = 0;
  sim::TimerId restart_timer_;
  bool main_running_ = false;
  std::vector<SystemdUnit*> after_;    // units this one is ordered after
  std::vector<SystemdUnit*> waiters_;  // units ordered after this one
  bool start_job_done_ = false;        // this boot's first start job has finished
  bool waiting_for_after_ = false;
  bool timer_due_ = false;    // the timer elapsed while its oneshot still ran
  bool hangup_held_ = false;  // a SIGHUP sent while the process was stopped
};

}  // namespace bootsim::models
